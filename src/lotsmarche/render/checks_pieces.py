"""Post-render checks of the RC, CCAP, AE, CRT and convention: the defects a procurement lawyer reports.

Each check reads the generated documents back (python-docx) and returns findings (code ``PIE-…``); a
defect that would make the DCE unpublishable is an « erreur ». The checks only read: they never change a
document. :func:`check_pieces` runs them all; each check is its own function so that another module may
run its own checks beside these.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import Finding, LotPlan
from lotsmarche.render.context import DceContext, LotCtx
from lotsmarche.render.highlight import unmark
from lotsmarche.text import fold

RC, CCAP, CONVENTION = "00_RC.docx", "01_CCAP.docx", "Convention_groupement.docx"
_HEADING = re.compile(r"^(\d+)\.\s")
_DATE = re.compile(
    r"\b\d{1,2}(?:er)?\s+(?:janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|"
    r"novembre|décembre)\s+\d{4}\b"
)
_I0_DEFINITION = re.compile(r"\bI0\s+(?:est|la valeur|désigne|correspond|:)")
_DEROGATION = re.compile(r"pénalité forfaitaire|sans mise en demeure|sans indemnité|autre fournisseur")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class Piece:
    """A generated Word document read back: its body paragraphs, tables and highlighted values."""

    path: str
    paragraphs: list[str]
    tables: list[list[list[str]]]
    highlighted: list[str]

    @property
    def text(self) -> str:
        cells = [c for t in self.tables for row in t for c in row]
        return "\n".join([*self.paragraphs, *cells])

    def section(self, number: int) -> list[str]:
        """Paragraphs of article ``number`` (from its « N. » heading to the next top-level heading)."""
        out: list[str] = []
        inside = False
        for p in self.paragraphs:
            m = _HEADING.match(p)
            if m and not re.match(r"^\d+\.\d", p):
                inside = int(m.group(1)) == number
                continue
            if inside:
                out.append(p)
        return out


_P, _R, _HYPERLINK, _TBL, _TR, _TC = (f"{_W}{n}" for n in ("p", "r", "hyperlink", "tbl", "tr", "tc"))
_T, _TAB, _PTAB, _BR, _CR, _NB_HYPHEN = (
    f"{_W}{n}" for n in ("t", "tab", "ptab", "br", "cr", "noBreakHyphen")
)
# python-docx's parser settings: blank text nodes that XML deems ignorable are dropped
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False, huge_tree=True)


def _run_text(r: etree._Element) -> str:
    """The text python-docx gives a ``w:r`` (``Run.text``): text, tabs, line breaks, hyphens."""
    out = []
    for e in r:
        if e.tag == _T:
            out.append(e.text or "")
        elif e.tag in (_TAB, _PTAB):
            out.append("\t")
        elif e.tag == _BR:
            out.append("\n" if e.get(f"{_W}type", "textWrapping") == "textWrapping" else "")
        elif e.tag == _CR:
            out.append("\n")
        elif e.tag == _NB_HYPHEN:
            out.append("-")
    return "".join(out)


def _paragraph_text(p: etree._Element) -> str:
    """``Paragraph.text``: the runs and hyperlinks directly in the paragraph."""
    out = []
    for child in p:
        if child.tag == _R:
            out.append(_run_text(child))
        elif child.tag == _HYPERLINK:
            out.extend(_run_text(r) for r in child if r.tag == _R)
    return "".join(out)


def _table_rows(tbl: etree._Element) -> list[list[str]]:
    """``[[cell.text for cell in row.cells] for row in table.rows]``; a table with merged cells (which
    python-docx repeats across the grid) is read by python-docx itself."""
    if tbl.find(f".//{_W}vMerge") is not None or tbl.find(f".//{_W}gridSpan") is not None:
        from docx.oxml.parser import parse_xml
        from docx.table import Table

        table = Table(parse_xml(etree.tostring(tbl)), None)  # type: ignore[arg-type]
        return [[c.text for c in row.cells] for row in table.rows]
    return [
        ["\n".join(_paragraph_text(p) for p in tc if p.tag == _P) for tc in tr if tc.tag == _TC]
        for tr in tbl
        if tr.tag == _TR
    ]


def read_piece(path: str, data: bytes) -> Piece:
    """The piece's body paragraphs, tables and highlighted runs, as python-docx reads them, from
    ``word/document.xml`` alone (styles.xml and the other parts play no part in the text)."""
    from lotsmarche.ziputil import read_member

    root = etree.fromstring(read_member(data, "word/document.xml"), _PARSER)
    body = root.find(f"{_W}body")
    if body is None:
        return Piece(path, [], [], [])
    paragraphs = [_paragraph_text(p) for p in body if p.tag == _P]
    tables = [_table_rows(t) for t in body if t.tag == _TBL]
    highlighted = []
    for run in body.iter(_R):
        if run.find(f"{_W}rPr/{_W}highlight") is not None:
            highlighted.append("".join(t.text or "" for t in run.iter(_T)))
    return Piece(path, paragraphs, tables, highlighted)


def _error(
    code: str, message: str, base: str, lot: int | None = None, correction: str | None = None
) -> Finding:
    return Finding(
        code=code, severite="erreur", message=message, base_legale=base, lot=lot, correction=correction
    )


@dataclass
class Inputs:
    plan: LotPlan
    cat: Catalogue
    base: DceContext
    lots: list[LotCtx]
    pieces: dict[str, Piece]
    files: set[str]


# ------------------------------------------------------------------------------------------------
# The checks (one function each)
# ------------------------------------------------------------------------------------------------


def check_rc_recours(x: Inputs) -> list[Finding]:
    """RC: review body named with its address, remedies and their delays, standstill period (defect 5)."""
    rc = x.pieces.get(RC)
    if rc is None:
        return []
    text = unmark(rc.text)
    out = []
    needed = {
        "L551-1": "le référé précontractuel (CJA, art. L551-1)",
        "L551-13": "le référé contractuel (CJA, art. L551-13)",
        "R551-7": "le délai du référé contractuel (CJA, art. R551-7)",
        "R421-1": "le délai de recours contentieux (CJA, art. R421-1)",
        "Tarn-et-Garonne": "le recours des tiers contre le contrat (CE, 4 avril 2014, Tarn-et-Garonne)",
        "deux mois": "le délai de deux mois des recours contre le contrat et ses actes détachables",
        "R2182-1": "le délai de suspension de la signature (CCP, art. R2182-1)",
    }
    for token, what in needed.items():
        if token not in text:
            out.append(
                _error(
                    "PIE-001",
                    f"Le règlement de la consultation ne mentionne pas {what}.",
                    "Code de justice administrative, art. L551-1, L551-13, R551-7 et R421-1",
                )
            )
    if "compléter" in x.base.tribunal_nom or unmark(x.base.tribunal_nom) not in text:
        out.append(
            _error(
                "PIE-002",
                "Le règlement de la consultation ne nomme pas le tribunal administratif compétent.",
                "Code de justice administrative, art. R221-3 et R312-11",
                correction="Indiquez la commune du coordonnateur ou « tribunal_administratif » dans "
                "groupement.yaml.",
            )
        )
    nom = x.base.tribunal_nom
    for path in (CCAP, CONVENTION):
        piece = x.pieces.get(path)
        if piece is not None and unmark(nom) not in unmark(piece.text):
            out.append(
                _error(
                    "PIE-003",
                    f"{path} ne nomme pas le même tribunal que le règlement de la consultation "
                    f"({unmark(nom)}).",
                    "Code de justice administrative, art. R312-11",
                )
            )
    return out


def check_rc_routine(x: Inputs) -> list[Finding]:
    """RC: awardee's documents (R2144-4), sanitary approval, buyer-profile URL (defect 16)."""
    rc = x.pieces.get(RC)
    if rc is None:
        return []
    text = unmark(rc.text)
    out = []
    if "R2144-4" not in text or "L8222-1" not in text:
        out.append(
            _error(
                "PIE-004",
                "Le règlement de la consultation ne liste pas les documents à produire par "
                "l'attributaire (art. R2144-4 ; attestations de l'art. L8222-1 du code du travail).",
                "Code de la commande publique, art. R2144-4",
            )
        )
    if "agrément sanitaire" not in text:
        out.append(
            _error(
                "PIE-005",
                "Le règlement de la consultation ne demande pas l'agrément sanitaire des établissements.",
                "Règlement (CE) n° 853/2004, art. 4",
            )
        )
    if not re.search(r"https?://\S+", text):
        out.append(
            _error(
                "PIE-006",
                "Le règlement de la consultation ne donne pas l'adresse du profil d'acheteur.",
                "Code de la commande publique, art. R2132-2 et R2132-3",
                correction="Ajoutez « profil_acheteur: https://… » dans groupement.yaml.",
            )
        )
    return out


def check_rc_documents(x: Inputs) -> list[Finding]:
    """RC: every document §9 grades on is asked in §8 and shipped (defects 2 and 3); sub-criteria weighted."""
    rc = x.pieces.get(RC)
    if rc is None:
        return []
    s8 = " ".join(rc.section(8))
    s9 = " ".join(rc.section(9)) + " " + " ".join(c for t in rc.tables for row in t for c in row)
    out = []
    if "cadre de réponse technique" in s9 and "cadre de réponse technique" not in s8:
        out.append(
            _error(
                "PIE-007",
                "L'article 9 du règlement note sur un cadre de réponse technique que "
                "l'article 8 ne demande pas.",
                "Code de la commande publique, art. R2152-11",
            )
        )
    if "cadre de réponse technique" in s9:
        for lot in x.lots:
            if f"CRT_Lot_{lot.numero_texte}.docx" not in x.files:
                out.append(
                    _error(
                        "PIE-008",
                        f"Le cadre de réponse technique du lot {lot.numero} n'est pas dans "
                        "le dossier de consultation.",
                        "Code de la commande publique, art. R2132-1",
                        lot=lot.numero,
                    )
                )
    if "échantillon" in s9 and (
        "chantillons" not in s8 or not _DATE.search(unmark(s8)) or "adresse" not in s8
    ):
        out.append(
            _error(
                "PIE-009",
                "Des échantillons sont notés à l'article 9 du règlement sans être "
                "demandés à l'article 8 (produits, quantités, date et lieu de remise).",
                "Code de la commande publique, art. R2152-7 et R2152-11",
            )
        )
    for t in rc.tables:
        if not t or t[0][:1] != ["Critère"]:
            continue
        for row in t[1:]:
            subs = row[2].split("\u202f; ")
            if len(subs) > 1 and "égale importance" not in row[2] and "%" not in row[2]:
                out.append(
                    _error(
                        "PIE-010",
                        f"Les sous-critères du critère « {row[0]} » ne sont ni pondérés ni "
                        "déclarés d'égale importance.",
                        "CE, 18 juin 2010, Commune de Saint-Pal-de-Mons",
                    )
                )
    return out


def check_procedure_citations(x: Inputs) -> list[Finding]:
    """RC, AE, CCAP: R2123-5 only for MAPA lots; no « sans publicité » in an advertised consultation."""
    out = []
    mapa = any(lot.mapa for lot in x.lots)
    advertised = x.plan.procedure.publicite in ("joue", "boamp_jal")
    for path, piece in sorted(x.pieces.items()):
        if path.startswith("CRT_"):
            continue
        text = unmark(piece.text)
        if "R2123-5" in text and not mapa:
            out.append(
                _error(
                    "PIE-011",
                    f"{path} cite l'article R2123-5 alors qu'aucun lot n'est passé en procédure adaptée.",
                    "Code de la commande publique, art. R2123-5",
                )
            )
        if advertised and "sans publicité" in text:
            out.append(
                _error(
                    "PIE-012",
                    f"{path} présente un lot « sans publicité » dans une consultation publiée.",
                    "Code de la commande publique, art. R2122-8 et R2123-1",
                )
            )
    return out


def check_ccap_avance(x: Inputs) -> list[Finding]:
    """CCAP: without a minimum, the advance is per order (R2191-16), never computed on the maximum."""
    ccap = x.pieces.get(CCAP)
    if ccap is None:
        return []
    s10 = " ".join(ccap.section(10))
    out = []
    if any(not lot.a_minimum for lot in x.lots) and "R2191-16" not in s10:
        out.append(
            _error(
                "PIE-013",
                "L'article « Avance » du CCAP ne cite pas l'article R2191-16 (avance par bon "
                "de commande d'un accord-cadre sans minimum).",
                "Code de la commande publique, art. R2191-16",
            )
        )
    from lotsmarche.render.filters import montant

    for lot in x.lots:
        if not lot.a_minimum and montant(lot.montant_maximum_ht) in s10:
            out.append(
                _error(
                    "PIE-014",
                    f"L'avance du lot {lot.numero} est calculée sur son montant maximum.",
                    "Code de la commande publique, art. R2191-16",
                    lot=lot.numero,
                )
            )
    return out


def check_ccap_derogations(x: Inputs) -> list[Finding]:
    """CCAP: every stipulation departing from the CCAG-FCS is listed in its last article (defect 11)."""
    ccap = x.pieces.get(CCAP)
    if ccap is None:
        return []
    last = [t for t in ccap.tables if t and t[0][:1] == ["Article du CCAP"]]
    listed = " ".join(row[1] for t in last for row in t[1:])
    out = []
    for p in ccap.paragraphs:
        if p.startswith("Le présent CCAP déroge") or not _DEROGATION.search(p):
            continue
        title = p.split(" (lots concernés", 1)[0].split(". ", 1)[0]
        if title not in listed:
            out.append(
                _error(
                    "PIE-015",
                    f"La stipulation « {title[:80]} » déroge au CCAG-FCS sans figurer au "
                    "récapitulatif du dernier article du CCAP.",
                    "CCAG-FCS 2021, préambule (dérogations récapitulées au dernier article du CCAP)",
                    correction="Déclarez la dérogation (derogations_ccag) dans clauses.yaml.",
                )
            )
    return out


def check_ccap_i0(x: Inputs) -> list[Finding]:
    """CCAP: exactly one definition of I0 (defect 8)."""
    ccap = x.pieces.get(CCAP)
    if ccap is None:
        return []
    count = sum(len(_I0_DEFINITION.findall(p)) for p in ccap.paragraphs)
    if count == 1:
        return []
    return [
        _error(
            "PIE-016",
            f"Le CCAP définit I0 {count} fois ; une seule définition est attendue.",
            "Code de la commande publique, art. R2112-14",
        )
    ]


def check_ae_part_d(x: Inputs) -> list[Finding]:
    """AE: ATTRI1 part D with one row per paying member (defect 6)."""
    out = []
    for lot in x.lots:
        path = f"AE/Lot_{lot.numero_texte}_AE.docx"
        piece = x.pieces.get(path)
        if piece is None:
            continue
        text = piece.text
        if "comptable assignataire" not in fold(text) or "R2191-59" not in text:
            out.append(
                _error(
                    "PIE-017",
                    f"L'acte d'engagement du lot {lot.numero} ne désigne pas le comptable "
                    "assignataire et la personne habilitée (art. R2191-59).",
                    "Formulaire ATTRI1, rubrique D ; code de la commande publique, art. R2191-59",
                    lot=lot.numero,
                )
            )
            continue
        rows = [row for t in piece.tables if t and t[0][:1] == ["Membre"] and len(t[0]) == 5 for row in t[1:]]
        noms = [p.membre for p in lot.payeurs]
        if sorted(r[0] for r in rows) != sorted(noms):
            out.append(
                _error(
                    "PIE-018",
                    f"La rubrique D de l'acte d'engagement du lot {lot.numero} n'a pas une "
                    "ligne par membre concerné.",
                    "Formulaire ATTRI1, rubrique D",
                    lot=lot.numero,
                )
            )
    return out


def check_coordinator_acts(x: Inputs) -> list[Finding]:
    """Convention: every act the CCAP attributes to the coordinator is entrusted to it (defect 12)."""
    ccap, conv = x.pieces.get(CCAP), x.pieces.get(CONVENTION)
    if ccap is None or conv is None:
        return []
    acts = [a for a in x.cat.actes_coordonnateur if a.ccap and a.motif]
    conv_text = unmark(conv.text)
    out = []
    for p in ccap.paragraphs:
        if "coordonnateur" not in p or p.startswith("Acheteur"):
            continue
        folded = fold(p)
        matching = [a for a in acts if a.motif and re.search(a.motif, folded)]
        if not matching and re.search(
            r"\bcoordonnateur\b\s+(?:decide|prononce|represente|notifie|applique|conclut)", folded
        ):
            out.append(
                _error(
                    "PIE-019",
                    f"Le CCAP attribue au coordonnateur un acte absent de la liste des "
                    f"actes du coordonnateur : « {p[:100]} ».",
                    "Code de la commande publique, art. L2113-7",
                    correction="Ajoutez l'acte à coordonnateur.yaml.",
                )
            )
        for a in matching:
            if a.libelle not in conv_text:
                out.append(
                    _error(
                        "PIE-020",
                        f"Le CCAP attribue au coordonnateur un acte que la convention ne lui "
                        f"confie pas : {a.libelle}.",
                        "Code de la commande publique, art. L2113-7",
                    )
                )
    if "justice" not in fold(conv_text):
        out.append(
            _error(
                "PIE-021",
                "La convention ne donne pas mandat au coordonnateur pour agir en justice.",
                "Code de la commande publique, art. L2113-7",
            )
        )
    if "commission d'appel d'offres" not in conv_text and "commission consultative" not in conv_text:
        out.append(
            _error(
                "PIE-022",
                "La convention ne désigne pas la commission compétente.",
                "Code général des collectivités territoriales, art. L1414-3",
            )
        )
    return out


def check_repeated_paragraphs(x: Inputs) -> list[Finding]:
    """No identical long paragraph twice in one document: general clauses are stated once (defect 14)."""
    out = []
    for path, piece in sorted(x.pieces.items()):
        seen: set[str] = set()
        reported: set[str] = set()
        for p in piece.paragraphs:
            key = p.strip()
            if len(key) < 80 or re.match(r"^\d+(\.\d+)*\.\s", key):
                continue  # a numbered heading is also an entry of the filled table of contents
            if key in seen and key not in reported:
                reported.add(key)
                out.append(
                    _error(
                        "PIE-023",
                        f"{path} répète le même paragraphe : « {key[:90]}… ».",
                        "Code de la commande publique, art. R2112-1 (cohérence des pièces)",
                    )
                )
            seen.add(key)
    return out


def check_marked_values(x: Inputs) -> list[Finding]:
    """Values highlighted « à confirmer » or « à compléter » are listed in controle.md (defect 8)."""
    confirm: dict[str, set[str]] = {}
    fill: set[str] = set()
    for path, piece in sorted(x.pieces.items()):
        for value in piece.highlighted:
            if "compléter" in value:
                fill.add(path)
            elif value.strip():
                confirm.setdefault(value.strip(), set()).add(path)
    out = []
    if confirm:
        listed = " ; ".join(f"« {v} » ({', '.join(sorted(p))})" for v, p in sorted(confirm.items()))
        out.append(
            Finding(
                code="PIE-024",
                severite="info",
                incertain=True,
                base_legale="Catalogues de lotsmarche (valeurs marquées à confirmer)",
                message=f"Valeurs surlignées à confirmer avant publication : {listed}.",
            )
        )
    if fill:
        out.append(
            Finding(
                code="PIE-025",
                severite="avertissement",
                base_legale="Formulaire ATTRI1 ; groupement.yaml",
                message="Mentions surlignées « à compléter » dans : " + ", ".join(sorted(fill)) + ".",
                correction="Complétez groupement.yaml (profil d'acheteur, membres : ordonnateur, "
                "comptable assignataire, imputation, décision d'adhésion).",
            )
        )
    return out


CHECKS: tuple[Callable[[Inputs], list[Finding]], ...] = (
    check_rc_recours,
    check_rc_routine,
    check_rc_documents,
    check_procedure_citations,
    check_ccap_avance,
    check_ccap_derogations,
    check_ccap_i0,
    check_ae_part_d,
    check_coordinator_acts,
    check_repeated_paragraphs,
    check_marked_values,
)


def check_pieces(
    plan: LotPlan, cat: Catalogue, base: DceContext, lots: list[LotCtx], files: dict[str, bytes]
) -> list[Finding]:
    """Every check of this module over the rendered Word files of a DCE (path → bytes)."""
    pieces: dict[str, Piece] = {}
    out: list[Finding] = []
    for path, blob in sorted(files.items()):
        if not path.endswith(".docx") or path == "02_CCTP.docx":
            continue
        try:
            pieces[path] = read_piece(path, blob)
        except Exception as exc:  # an unreadable piece is a finding, not a crash
            out.append(
                _error(
                    "PIE-026",
                    f"{path} ne peut pas être relu ({type(exc).__name__}) : vérifiez-le dans "
                    "un traitement de texte.",
                    "Code de la commande publique, art. R2132-1",
                )
            )
    inputs = Inputs(plan=plan, cat=cat, base=base, lots=lots, pieces=pieces, files=set(files))
    for check in CHECKS:
        out.extend(check(inputs))
    return out
