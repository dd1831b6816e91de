"""Post-render controls of the published text (TXT-xxx and LIN-xxx findings, all « erreur »).

Each control reads the rendered pieces back (``render.readback``: every paragraph and table cell of every
.docx, body, headers and footers, and every text cell of every .xlsx) and reports what a lawyer would have
to retype before publication:

- LIN-xxx: the legal lint (lint.yaml) over every block: geographic preference, origin, particular process or
  quality sign without « ou équivalent » (R2111-7, R2111-12 to R2111-17); names of members, sites,
  communes and delivery zones are set aside (saying where to deliver is not a preference);
- TXT-001 internal tags (clause type « (économique) », clause ids, finding codes, threshold-row ids);
- TXT-002 French typography (no-break spaces before « : ; ! ? », inside « » and amounts);
- TXT-003 table of contents not filled;
- TXT-004 a reference to an annex that no heading carries;
- TXT-005 an EGALIM label counted in the projection but not required on its CCTP row or BPU line;
- TXT-006 a packaging rule that cannot be met (frozen or prepared lot required to come without plastic)
  or that contradicts the lot's take-back clause;
- TXT-007 a delivery temperature that does not fit the product (live shellfish at melting-ice temperature);
- TXT-008 wording of another family (« pêcheur » in a dairy lot);
- TXT-009 agreement of « désigné » with the coordinator's name;
- TXT-010 a unit code shown instead of its label (« piece » for « pièce »).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable

from lotsmarche.models import Finding, Lot
from lotsmarche.render.readback import Block
from lotsmarche.render.texts import CONSERVATIONS_EMBALLAGE_PRIMAIRE, EMBALLAGE_REGIME
from lotsmarche.render.typo import edits
from lotsmarche.render.verify import RenderedDce
from lotsmarche.rules.egalim import label_requirement, required_label
from lotsmarche.rules.lint import LintHit, lint_text
from lotsmarche.text import fold

CCTP = "02_CCTP.docx"
CONVENTION = "Convention_groupement.docx"
_LOT_OF_FILE = re.compile(r"Lot_(\d+)_")
_LOT_HEADING = re.compile(r"\bLot (\d+)\b")
_TYPE_TAG = re.compile(r"\((économique|environnementale|sociale|éthique)\)")
_CLAUSE_ID = re.compile(r"\b[A-Z]{2,4}-[A-Z]{2,4}-\d{2}\b")
_FINDING_CODE = re.compile(r"\b[A-Z]{2,4}-\d{3}\b")
# A reference to an annex of the piece itself (« en annexe », « annexe 3 », « annexé au présent… »), not to
# an annex of a regulation (« règlement (CE) n° 853/2004, annexe III »).
_ANNEXE = re.compile(
    r"\ben annexe\b|\bannexée?s? (?:au|à la) présente?\b"
    r"|\bannexe (?:n° ?)?\d+\b|\bannexe (?:du|au) présent\b",
    re.IGNORECASE,
)
_LEGAL_TEXT = re.compile(r"(règlement|arrêté|décret|directive|code|loi)\b[^.;]{0,80}$", re.IGNORECASE)
_EXAMPLES = 3  # places quoted in a finding message
_URL = re.compile(r"(?:https?|ftp)://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
DOCUMENTS = "Code de la commande publique, art. R2132-1 et R2132-2 (documents de la consultation)"


def _lot_of(block: Block) -> int | None:
    m = _LOT_OF_FILE.search(block.fichier)
    if m:
        return int(m.group(1))
    for title in reversed(block.titres):
        h = _LOT_HEADING.search(title)
        if h:
            return int(h.group(1))
    return None


def _published(rd: RenderedDce) -> list[Lot]:
    """The lots the pieces publish: a lot taken out of the consultation (R2122-8) is only in its note."""
    return [lot for lot in rd.plan.lots if not getattr(lot.procedure, "hors_consultation", False)]


def _where(block: Block) -> str:
    section = f", section « {block.titres[-1]} »" if block.titres else ""
    return f"{block.fichier} ({block.emplacement}{section})"


def _grouped(
    hits: Iterable[tuple[tuple[str, ...], Block, str]],
) -> dict[tuple[str, ...], list[tuple[Block, str]]]:
    out: dict[tuple[str, ...], list[tuple[Block, str]]] = defaultdict(list)
    for key, block, extract in hits:
        out[key].append((block, extract))
    return out


def _places(items: list[tuple[Block, str]]) -> str:
    shown = "; ".join(_where(b) for b, _ in items[:_EXAMPLES])
    more = f" et {len(items) - _EXAMPLES} autre(s) endroit(s)" if len(items) > _EXAMPLES else ""
    return shown + more


def _lot_for(items: list[tuple[Block, str]]) -> int | None:
    lots = {_lot_of(b) for b, _ in items}
    return lots.pop() if len(lots) == 1 else None


# ---------------------------------------------------------------------------------------------- lint


def identity_strings(rd: RenderedDce) -> list[str]:
    """Names the documents must print as they are: members, sites, communes, delivery zones, contacts."""
    g = rd.plan.groupement
    names: set[str] = {g.nom, g.reference}
    # every text field of the group and its members (names, addresses, buyer profile, ATTRI1 part D data:
    # « Paierie départementale du Pas-de-Calais ») except the object of the contract, linted as written
    for key, value in g.model_dump().items():
        if isinstance(value, str) and key != "objet":
            names.add(value)
    for m in g.membres:
        names.update(v for v in m.model_dump().values() if isinstance(v, str))
    # the tribunals (name and address of the competent court are lawful place names)
    for t in getattr(rd.cat, "tribunaux", []):
        names.update(v for v in t.model_dump().values() if isinstance(v, str))
    for m in g.membres:
        found = rd.cat.commune(m.commune) if m.commune else None
        if found is not None:
            names.add(found.nom)
    for c in g.contacts:
        names.update(x for x in (c.nom, c.role, c.courriel, c.telephone) if x)
    for lot in _published(rd):
        names.update(t for t in lot.territoires if t)
        for s in lot.sites:
            names.update(x for x in (s.membre, s.site, s.code_postal, s.territoire) if x)
            for code in rd.cat.codes_postaux.get(s.code_postal, []):
                if code in rd.cat.communes:
                    names.add(rd.cat.communes[code].nom)
    # product codes are references of the BPU lines, not words (« LAI-COMTE » names no appellation)
    names.update(item.produit for lot in rd.plan.lots for item in lot.items)
    return sorted((n for n in names if n and len(n) > 1), key=len, reverse=True)


def _identity(rd: RenderedDce) -> list[str]:
    """:func:`identity_strings`, computed once per DCE."""
    names = rd.memo.get("identity_strings")
    if names is None:
        names = rd.memo["identity_strings"] = identity_strings(rd)
    assert isinstance(names, list)
    return names


def _blank(text: str, names: list[str]) -> str:
    text = _URL.sub(lambda m: " " * len(m.group(0)), text)  # URLs and e-mail addresses are not wording
    for name in names:
        if name in text:
            text = text.replace(name, " " * len(name))
    return text


def check_lint(rd: RenderedDce) -> list[Finding]:
    """LIN-xxx over every paragraph and cell of every piece (identity names set aside)."""
    names = _identity(rd)
    hits: list[tuple[tuple[str, ...], Block, str]] = []
    patterns = {p.code: p for p in rd.cat.lint}
    by_text: dict[str, list[LintHit]] = {}  # the same paragraph recurs in every lot's pieces: linted once
    for block in rd.all_blocks():
        found = by_text.get(block.texte)
        if found is None:
            found = by_text[block.texte] = lint_text(_blank(block.texte, names), rd.cat)
        for hit in found:
            hits.append(((hit.code, fold(hit.extrait), block.fichier), block, hit.extrait))
    out: list[Finding] = []
    for (code, _folded, fichier), items in sorted(_grouped(hits).items()):
        pat = patterns[code]
        extract = items[0][1]
        out.append(
            Finding(
                code=code,
                severite="erreur",
                lot=_lot_for(items),
                message=f"{fichier} contient « {extract} » ({pat.libelle}) : {_places(items)}.",
                base_legale=pat.base_legale,
                correction=pat.alternative,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------- tags


def _internal_tags(
    texte: str, names: list[str], clause_ids: set[str], row_ids: set[str], product_codes: set[str]
) -> list[str]:
    """The internal tags of one text, product codes set aside."""
    text = _blank(texte, names)
    found = [m.group(0) for m in _TYPE_TAG.finditer(text)]
    found += [m.group(0) for m in _CLAUSE_ID.finditer(text) if m.group(0) in clause_ids or "-" in m.group(0)]
    found += [m.group(0) for m in _FINDING_CODE.finditer(text)]
    found += [r for r in row_ids if r in text]
    return [
        tag
        for tag in found
        if not (tag in product_codes or any(tag in code for code in product_codes if code in text))
    ]


def check_internal_tags(rd: RenderedDce) -> list[Finding]:
    """TXT-001: no clause type tag, clause id, finding code or threshold-row id in a published piece."""
    clause_ids = {c.id for c in rd.cat.clauses}
    row_ids = {r.id for r in rd.cat.seuils}
    product_codes = set(rd.cat.produits)
    names = _identity(rd)  # the consultation reference (« GC-974-2026 ») is not an internal tag
    hits: list[tuple[tuple[str, ...], Block, str]] = []
    by_text: dict[str, list[str]] = {}
    for block in rd.all_blocks():
        tags = by_text.get(block.texte)
        if tags is None:
            tags = by_text[block.texte] = _internal_tags(
                block.texte, names, clause_ids, row_ids, product_codes
            )
        hits.extend(((tag, block.fichier), block, tag) for tag in tags)
    return [
        Finding(
            code="TXT-001",
            severite="erreur",
            lot=_lot_for(items),
            message=f"{fichier} contient la mention interne « {tag} », qui n'a pas sa place dans une pièce "
            f"publiée : {_places(items)}.",
            base_legale=DOCUMENTS,
            correction="Retirez l'identifiant ou l'étiquette interne du modèle ou du texte de la clause.",
        )
        for (tag, fichier), items in sorted(_grouped(hits).items())
    ]


# ---------------------------------------------------------------------------------------------- typography


def check_typography(rd: RenderedDce) -> list[Finding]:
    """TXT-002: French spacing everywhere (template text included), after the render-level pass."""
    by_file: dict[str, list[tuple[Block, str]]] = defaultdict(list)
    for block in rd.all_blocks():
        replace, insert = edits(block.texte)
        if replace or insert:
            pos = min([*replace, *insert])
            by_file[block.fichier].append((block, block.texte[max(pos - 20, 0) : pos + 5]))
    return [
        Finding(
            code="TXT-002",
            severite="erreur",
            lot=None,
            message=f"{fichier} : {len(items)} passage(s) sans espace insécable (avant « : ; ! ? », dans les "
            f"guillemets ou les montants), par exemple « {items[0][1]} » ({_places(items)}).",
            base_legale="Lexique des règles typographiques en usage à l'Imprimerie nationale "
            "(espaces insécables)",
            correction="Les pièces passent par la correction typographique de lotsmarche ; vérifiez "
            "qu'un modèle personnalisé ne contient pas de texte hors paragraphe.",
        )
        for fichier, items in sorted(by_file.items())
    ]


# ---------------------------------------------------------------------------------------------- TOC


def check_toc(rd: RenderedDce) -> list[Finding]:
    """TXT-003: a table of contents is filled with the document's headings (never an F9 instruction)."""
    out: list[Finding] = []
    for name in rd.pieces(".docx"):
        info = rd.toc(name)
        if info is None:
            continue
        entries, headings = info
        missing = [h for h in headings if h not in entries]
        empty = not entries or any("F9" in e for e in entries)
        if empty or missing:
            detail = "vide" if empty else f"incomplet (absent : « {missing[0]} »)"
            out.append(
                Finding(
                    code="TXT-003",
                    severite="erreur",
                    message=f"{name} : le sommaire est {detail} ; un PDF produit sans Word l'imprimerait tel "
                    "quel.",
                    base_legale="Code de la commande publique, art. R2132-2 (documents de la consultation "
                    "lisibles et complets)",
                    correction="Gardez le champ TOC du modèle : lotsmarche le remplit avec les titres "
                    "du document.",
                )
            )
    return out


# ---------------------------------------------------------------------------------------------- annexes


def check_annexes(rd: RenderedDce) -> list[Finding]:
    """TXT-004: every reference to an annex resolves to an annex heading (per lot in the CCTP)."""
    out: list[Finding] = []
    for name in rd.pieces(".docx"):
        blocks = rd.blocks(name)
        headings = [b.texte for b in blocks if b.style.lower().startswith("heading")]
        annex_headings = [h for h in headings if h.strip().lower().startswith("annexe")]
        refs = [
            b
            for b in blocks
            if not b.style.lower().startswith("heading")
            and any(not _LEGAL_TEXT.search(b.texte[: m.start()]) for m in _ANNEXE.finditer(b.texte))
        ]
        unresolved: list[tuple[Block, str]] = []
        for b in refs:
            lot = _lot_of(b)
            if name == CCTP and lot is not None:
                ok = any(re.search(rf"\blot {lot}\b", h, re.IGNORECASE) for h in annex_headings)
            else:
                ok = bool(annex_headings)
            if not ok:
                unresolved.append((b, b.texte[:60]))
        if unresolved:
            out.append(
                Finding(
                    code="TXT-004",
                    severite="erreur",
                    lot=_lot_for(unresolved),
                    message=f"{name} renvoie à une annexe qui n'existe pas : {_places(unresolved)}.",
                    base_legale="Code de la commande publique, art. R2132-1 (documents de la consultation)",
                    correction="Ajoutez l'annexe (titre « Annexe … ») ou retirez le renvoi.",
                )
            )
    return out


# ---------------------------------------------------------------------------------------------- EGALIM


def check_egalim_documents(rd: RenderedDce) -> list[Finding]:
    """TXT-005: each label the EGALIM projection counts is required, « ou équivalent », on the item's CCTP
    row and BPU line (the same required_label drives the three)."""
    out: list[Finding] = []
    cctp_rows = rd.rows_by_lot(CCTP) if CCTP in rd.files else {}
    for lot in _published(rd):
        bpu = f"BPU_DQE/Lot_{lot.numero:02d}_BPU_DQE.xlsx"
        bpu_lines = rd.xlsx_rows(bpu, "BPU") if bpu in rd.files else {}
        for item in lot.items:
            label = required_label(item, lot.famille, rd.cat, rd.plan.date_lancement)
            if label is None:
                continue
            wanted = fold(label_requirement(label, rd.cat))
            places = []
            row = cctp_rows.get(lot.numero, {}).get(item.produit, "")
            if wanted not in fold(row):
                places.append(f"{CCTP} (ligne du produit, lot {lot.numero})")
            if bpu in rd.files and wanted not in fold(bpu_lines.get(item.produit, "")):
                places.append(f"{bpu} (ligne du BPU)")
            if places:
                out.append(
                    Finding(
                        code="TXT-005",
                        severite="erreur",
                        lot=lot.numero,
                        message=f"Le produit « {item.libelle} » est compté dans la projection EGALIM "
                        f"au titre de « {label.libelle} », mais ce label n'est pas exigé « ou équivalent » "
                        f"dans : {' ; '.join(places)}. La projection serait fausse.",
                        base_legale="Code rural et de la pêche maritime, art. L230-5-1 ; Code de la commande "
                        "publique, art. R2111-12 à R2111-17",
                        correction="Exigez le label « ou équivalent » sur la ligne du produit (CCTP et BPU), "
                        "ou retirez-le de la demande.",
                    )
                )
    return out


# ---------------------------------------------------------------------------------------------- packaging


def _lot_blocks(rd: RenderedDce, name: str, lot: Lot) -> list[Block]:
    """The blocks of piece ``name`` that belong to ``lot`` (by file name or heading), in document order."""
    if name not in rd.files:
        return []
    key = ("blocs par lot", name)
    if key not in rd.memo:
        index: dict[int | None, list[Block]] = defaultdict(list)
        for b in rd.blocks(name):
            index[_lot_of(b)].append(b)
        rd.memo[key] = index
    by_lot = rd.memo[key]
    assert isinstance(by_lot, dict)
    return list(by_lot.get(lot.numero, []))


def check_packaging(rd: RenderedDce) -> list[Finding]:
    """TXT-006: no frozen or prepared lot is required to come without plastic (D541-338 leaves storage and
    transport packaging out), and the CCTP packaging text agrees with the lot's take-back clause."""
    out: list[Finding] = []
    ban = fold(EMBALLAGE_REGIME["sans_plastique"])[:60]
    for lot in _published(rd):
        blocks = _lot_blocks(rd, CCTP, lot)
        text = fold("\n".join(b.texte for b in blocks))
        if lot.conservation in CONSERVATIONS_EMBALLAGE_PRIMAIRE and ban in text:
            out.append(
                Finding(
                    code="TXT-006",
                    severite="erreur",
                    lot=lot.numero,
                    message=f"Le CCTP exige que les produits du lot {lot.numero} ({lot.intitule}) soient "
                    "livrés sans emballage plastique, exigence impossible pour des produits surgelés ou "
                    "élaborés conditionnés (sachets, films, sous-vide).",
                    base_legale="Code de l'environnement, art. L541-15-10 III et D541-338 (emballages de "
                    "transport et de stockage hors champ) ; Code de la commande publique, art. L2111-1",
                    correction="Admettez l'emballage primaire plastique pour le stockage et le transport, "
                    "interdisez-le pour la cuisson et le service, exigez réduction et reprise.",
                )
            )
        takes_back = any(c.id == "ENV-EMB-02" for c in lot.clauses)
        if takes_back and "sans emballage plastique a usage unique" in text and "reprend" not in text:
            out.append(
                Finding(
                    code="TXT-006",
                    severite="erreur",
                    lot=lot.numero,
                    message=f"Le CCTP du lot {lot.numero} interdit les emballages à usage unique alors que "
                    "la clause de reprise du même lot organise leur reprise.",
                    base_legale="Code de la commande publique, art. L2112-2 (conditions d'exécution)",
                    correction="Rendez cohérents le régime d'emballage du CCTP et la clause de reprise.",
                )
            )
    return out


# ---------------------------------------------------------------------------------------------- temperatures


_MELTING_ICE = re.compile(r"0 ?°c a \+?2 ?°c|glace fondante|sous glace")


def check_temperatures(rd: RenderedDce) -> list[Finding]:
    """TXT-007: each product's CCTP row gives a temperature that fits it; live shellfish never at 0–2 °C."""
    out: list[Finding] = []
    rows = rd.rows_by_lot(CCTP) if CCTP in rd.files else {}
    from lotsmarche.render.context import temperature_of

    for lot in _published(rd):
        for item in lot.items:
            product = rd.cat.produits.get(item.produit)
            row = fold(rows.get(lot.numero, {}).get(item.produit, ""))
            expected = fold(temperature_of(product, lot, rd.cat))
            wrong = product is not None and product.vivant and _MELTING_ICE.search(row.replace("\u00a0", " "))
            if CCTP in rd.files and (expected not in row or wrong):
                out.append(
                    Finding(
                        code="TXT-007",
                        severite="erreur",
                        lot=lot.numero,
                        message=f"La température de livraison du produit « {item.libelle} » au CCTP ne "
                        "correspond pas au produit"
                        + (
                            " : un coquillage vivant n'est pas conservé à la température de la glace "
                            "fondante."
                            if wrong
                            else "."
                        ),
                        base_legale="Règlement (CE) n° 853/2004, annexe III, sections VII et VIII ; "
                        "arrêté du 21 décembre 2009",
                        correction="Indiquez la température du produit dans le catalogue (familles.yaml, ou "
                        "« temperature » du produit).",
                    )
                )
    return out


# ---------------------------------------------------------------------------------------------- vocabulary


def check_vocabulary(rd: RenderedDce) -> list[Finding]:
    """TXT-008: a lot's text uses only its family's vocabulary (no « pêcheur » in a dairy lot)."""
    out: list[Finding] = []
    own: dict[str, set[str]] = {
        code: {fold(t) for t in f.termes_propres} for code, f in rd.cat.familles.items()
    }
    for lot in _published(rd):
        foreign = sorted(set().union(*own.values()) - own.get(lot.famille, set()))
        if not foreign:
            continue
        pattern = re.compile(r"\b(" + "|".join(re.escape(t) for t in foreign) + r")\b")
        items: list[tuple[Block, str]] = []
        for name in rd.pieces(".docx"):
            for b in _lot_blocks(rd, name, lot):
                m = pattern.search(fold(b.texte))
                if m:
                    items.append((b, m.group(1)))
        if items:
            out.append(
                Finding(
                    code="TXT-008",
                    severite="erreur",
                    lot=lot.numero,
                    message=f"Le lot {lot.numero} ({lot.intitule}) emploie le vocabulaire d'une autre "
                    f"famille (« {items[0][1]} ») : {_places(items)}.",
                    base_legale="Code de la commande publique, art. L2111-1 et R2111-4 (besoin défini avec "
                    "précision)",
                    correction="Paramétrez le texte par le vocabulaire de la famille ({producteur}, "
                    "{producteurs} : familles.yaml).",
                )
            )
    return out


# ---------------------------------------------------------------------------------------------- agreement


def check_agreement(rd: RenderedDce) -> list[Finding]:
    """TXT-009: « X est désigné(e) coordonnateur » agrees with the coordinator's name."""
    if CONVENTION not in rd.files:
        return []
    from lotsmarche.render.context import coordonnateur_of, genre_of

    nom = coordonnateur_of(rd.plan)
    expected = "désignée" if genre_of(nom, rd.plan) == "f" else "désigné"
    out: list[Finding] = []
    for b in rd.blocks(CONVENTION):
        m = re.search(re.escape(nom) + r"\s+est\s+(désignée?)\b", b.texte)
        if m and m.group(1) != expected:
            out.append(
                Finding(
                    code="TXT-009",
                    severite="erreur",
                    message=f"{CONVENTION} : « {nom} est {m.group(1)} » (accord attendu : « {expected} »).",
                    base_legale="Code de la commande publique, art. L2113-7 (convention constitutive)",
                    correction="Indiquez le genre du nom du coordonnateur dans groupement.yaml "
                    "(membres[].genre).",
                )
            )
    return out


# ---------------------------------------------------------------------------------------------- units


def check_units(rd: RenderedDce) -> list[Finding]:
    """TXT-010: units are shown with their label (« pièce »), never their code (« piece »)."""
    codes = [u.code for u in rd.cat.unites.values() if u.code not in (u.libelle, u.pluriel)]
    if not codes:
        return []
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(c) for c in codes) + r")(?![\w-])")
    by_file: dict[str, list[tuple[Block, str]]] = defaultdict(list)
    for block in rd.all_blocks():
        m = pattern.search(block.texte)
        if m:
            by_file[block.fichier].append((block, m.group(1)))
    return [
        Finding(
            code="TXT-010",
            severite="erreur",
            message=f"{fichier} affiche le code d'unité « {items[0][1]} » au lieu de son libellé : "
            f"{_places(items)}.",
            base_legale="Code de la commande publique, art. R2111-4 (spécifications techniques claires)",
            correction="Affichez le libellé de l'unité (unites.yaml).",
        )
        for fichier, items in sorted(by_file.items())
    ]


CHECKS: list[Callable[[RenderedDce], list[Finding]]] = [
    check_lint,
    check_internal_tags,
    check_typography,
    check_toc,
    check_annexes,
    check_egalim_documents,
    check_packaging,
    check_temperatures,
    check_vocabulary,
    check_agreement,
    check_units,
]
