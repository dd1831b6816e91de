"""Entry point of intake: buyers' files → the canonical demand table (see :mod:`lotsmarche.intake`).

Layouts, detected on the header row (the first row, title rows skipped, holding the expected columns):

* **long** — one row per member × site × product: ``membre``, ``produit``, ``quantite`` required;
  ``site_livraison`` (default: the member), ``code_postal`` (default: the member's, from the survey's
  "Membres" sheet or the commune given in groupement.yaml), ``unite`` (default: the product unit),
  ``prix_unitaire_ht`` (default: the catalogue reference price), ``mois``, ``label_requis``,
  ``conditionnement`` (default: the product's), ``livraisons_par_semaine``. French or English names,
  any case, accents, spaces or underscores (``Code postal``, ``CP``, ``Qté``, ``unit price``...).
* **survey** (the sheet ``lotsmarche demand template`` writes) — one row per product (``code`` column,
  informative columns such as libellé, unité, prix de référence) and one quantity column per member, the
  member's name in the header. An empty cell or 0 means "no need". Sites and postcodes come from the
  workbook's "Membres" sheet (membre, type, site de livraison, code postal), else from groupement.yaml.
* **one file per member** — the survey layout with a single member column, or with a ``quantité`` column
  and the member named in a "Membre : …" cell above the header (else the file name). Give all the files.

Files: CSV (``;``, ``,`` or tab, sniffed; UTF-8 with or without BOM, else Windows-1252) or XLSX (every
sheet except "Instructions"; ``sheet`` picks one). Numbers: ``12,5``, ``12.5``, ``1 234,5`` (space, NBSP,
narrow NBSP), ``1.234,5``; quantities at most 3 decimals, prices at most 4 — never rounded silently.
Months (``mois``): empty (the product's months of availability in the catalogue), ``toute l'année``,
``1,2,3``, ``1-3``, ``janv-mars``, ``octobre à mars``, ``nov-fév`` (wraps over the new year), French or
English month names.
Units: kg, g, t, pièce (pce, u, unité), litre (l), cl, ml, colis, barquette, douzaine... converted to the
product's unit (metric conversions and the product's ``conversions``).

Every problem of every file is collected, then one :class:`~lotsmarche.errors.InputError` lists them
(file, sheet, row as the user sees it, column header): a file is accepted whole or not at all. Cell
contents are never evaluated (``=SUM(A1)`` or ``{{ x }}`` stay plain text).
"""

from __future__ import annotations

from pathlib import Path

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.errors import InputError, Problem
from lotsmarche.intake.checks import BASE_GROUPEMENT, demand_warnings, territory_warnings
from lotsmarche.intake.layouts import Extracted, LongPart, extract, member_key
from lotsmarche.intake.lines import canonical_lines, lines_frame
from lotsmarche.intake.members import SiteInfo, infer_kind, kind_from_text
from lotsmarche.intake.model import Demand
from lotsmarche.intake.places import insee_ref
from lotsmarche.intake.tabular import read_source
from lotsmarche.intake.validate import Context, Lines, validate_part
from lotsmarche.models import MEMBER_KINDS, Finding, Groupement, Member

MAX_PROBLEMS = 200
HEADLINE = "Demande invalide : aucune ligne n'a été retenue, corrigez les problèmes suivants"


class _Problems:
    """All problems of a run; sorted by file (in the order given), sheet, row and column when raised."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.total = 0

    def add(self, message: str, **where: object) -> None:
        self.total += 1
        if len(self.items) < 20 * MAX_PROBLEMS:
            self.items.append(Problem(message, **where))  # type: ignore[arg-type]

    def raise_if_any(self, order: dict[str, int]) -> None:
        if not self.items:
            return
        items = sorted(
            self.items,
            key=lambda p: (order.get(p.fichier or "", -1), p.feuille or "", p.ligne or 0, p.colonne or ""),
        )[:MAX_PROBLEMS]
        if self.total > len(items):
            items.append(Problem(f"… et {self.total - len(items)} autre(s) problème(s) du même genre"))
        raise InputError(HEADLINE, items)


def read_demand(
    paths: list[Path], cat: Catalogue, groupement: Groupement, sheet: str | None = None
) -> Demand:
    """Read, normalise and validate the demand files; raise InputError listing every problem."""
    problems = _Problems()
    if not paths:
        raise InputError(HEADLINE, [Problem("aucun fichier de demande indiqué")])
    order = {Path(p).name: i for i, p in enumerate(paths)}
    order.update({str(p): i for i, p in enumerate(paths)})
    found = Extracted()
    for path in paths:
        source = read_source(Path(path), problems.add, sheet)
        if source is not None:
            extract(source, problems.add, sheet, found)

    _unmatched_member_columns(found, groupement, problems)
    ctx = Context(cat=cat, add=problems.add)
    types: dict[str, str] = {}
    _known_sites(ctx, groupement=groupement, cat=cat, found=found, types=types, problems=problems)
    parts = [lines for part in found.parts if (lines := validate_part(part, ctx)) is not None]
    found.parts.clear()  # the raw text columns are no longer needed: free them before the table is built
    if not problems.items and not any(len(lines) for lines in parts):
        problems.add(
            "aucune quantité renseignée : la demande ne contient aucune ligne de besoin",
            fichier=", ".join(Path(p).name for p in paths),
        )
    problems.raise_if_any(order)

    lines = canonical_lines(parts)
    del parts
    table = lines_frame(lines)
    membres, member_findings = _members(lines, groupement, ctx, types)
    findings = (
        demand_warnings(lines, cat)
        + member_findings
        + [
            Finding(
                code="DEM-006",
                severite="info",
                message=(
                    f"{fichier}, feuille « {feuille} » : aucune ligne d'en-tête reconnue, feuille ignorée."
                ),
                base_legale=BASE_GROUPEMENT,
                correction="Si elle contient des besoins, ajoutez les en-têtes attendus ou indiquez --sheet.",
            )
            for fichier, feuille in found.ignored_sheets
        ]
        + [
            Finding(
                code="DEM-008",
                severite="avertissement",
                message=(
                    f"{fichier}, feuille masquée « {feuille} » : feuille ignorée, ses lignes ne sont pas "
                    "comptées dans la demande."
                ),
                base_legale=BASE_GROUPEMENT,
                correction=(
                    "Si elle contient des besoins, affichez-la dans le tableur (clic droit sur un onglet, "
                    f"« Afficher ») ou indiquez --sheet « {feuille} » ; sinon supprimez-la."
                ),
            )
            for fichier, feuille in found.hidden_sheets
        ]
        + territory_warnings(lines, cat)
    )
    return Demand(
        table=table, membres=membres, avertissements=findings, fichiers=[Path(p).name for p in paths]
    )


def _unmatched_member_columns(found: Extracted, groupement: Groupement, problems: _Problems) -> None:
    """A survey member column whose header names no member of its workbook's "Membres" sheet (nor of
    groupement.yaml): the header was most likely edited. One problem per column, naming the closest
    declared member, instead of one "code postal manquant" per row; its rows are left out."""
    import difflib

    import numpy as np

    declared: dict[str, list[str]] = {}
    for info, fichier, _feuille, _row in found.sites:
        declared.setdefault(fichier, []).append(info.membre)
    known = {member_key(m.nom) for m in groupement.membres}
    for i, part in enumerate(found.parts):
        names = declared.get(part.fichier)
        if not part.survey or not names:
            continue
        keys = {member_key(n) for n in names} | known
        column = part.cols["membre"]
        unknown = [j for j, v in enumerate(column.values) if member_key(str(v)) not in keys]
        if not unknown:
            continue
        listed = ", ".join(f"« {n} »" for n in names[:8]) + (" …" if len(names) > 8 else "")
        for j in unknown:
            header = str(column.values[j])
            close = difflib.get_close_matches(header, names, n=1, cutoff=0.5)
            hint = f" ; vouliez-vous dire « {close[0]} » ?" if close else ""
            problems.add(
                f"l'en-tête « {header} » ne correspond à aucun membre de la feuille « Membres » "
                f"({listed}){hint} — l'en-tête a-t-il été modifié ? Rétablissez le nom exact du membre "
                "ou ajoutez-le à la feuille « Membres »",
                fichier=part.fichier,
                feuille=part.feuille or None,
                colonne=header,
            )
        keep = ~np.isin(column.codes, unknown)
        found.parts[i] = LongPart(
            part.fichier,
            part.feuille,
            {f: c.take(keep) for f, c in part.cols.items()},
            part.rows[keep],
            part.colonne_source.take(keep),
            part.headers,
            part.survey,
        )


def _known_sites(
    ctx: Context,
    *,
    groupement: Groupement,
    cat: Catalogue,
    found: Extracted,
    types: dict[str, str],
    problems: _Problems,
) -> None:
    """Members and sites known before reading the lines: groupement.yaml, then the survey "Membres" sheets."""
    for m in groupement.membres:
        key = member_key(m.nom)
        ctx.members[key] = m.nom
        commune = cat.commune_du_membre(m)
        cp = commune.codes_postaux[0] if commune and commune.codes_postaux else None
        ref = insee_ref(commune.code_insee) if commune is not None else m.commune
        ctx.sites[key] = SiteInfo(membre=m.nom, type=m.type, code_postal=cp, commune=ref)
    for info, fichier, feuille, row in found.sites:
        key = member_key(info.membre)
        name = ctx.members.setdefault(key, info.membre)
        if info.type:
            kind = kind_from_text(info.type)
            if kind is None:
                problems.add(
                    f"type de membre « {info.type} » inconnu ; types possibles : {', '.join(MEMBER_KINDS)}",
                    fichier=fichier,
                    feuille=feuille,
                    ligne=row,
                    colonne="Type",
                )
            elif key not in types:
                types[key] = kind
        old = ctx.sites.get(key)
        ctx.sites[key] = SiteInfo(
            membre=name,
            type=(old.type if old else None) or info.type,
            site=info.site or (old.site if old else None),
            code_postal=info.code_postal or (old.code_postal if old else None),
            commune=info.commune or (old.commune if old else None),
        )


def _members(
    lines: Lines, groupement: Groupement, ctx: Context, types: dict[str, str]
) -> tuple[list[Member], list[Finding]]:
    """The group's members, then those found only in the demand (kind from the survey, else the name)."""
    membres = list(groupement.membres)
    known = {member_key(m.nom) for m in membres}
    findings: list[Finding] = []
    column = lines.text["membre"]
    for name in sorted({str(x) for x in column.values[column.used()]}):
        key = member_key(name)
        if key in known:
            continue
        known.add(key)
        info = ctx.sites.get(key)
        kind = types.get(key)
        if kind is None:
            kind, sure = infer_kind(name)
            if not sure:
                findings.append(
                    Finding(
                        code="DEM-005",
                        severite="avertissement",
                        message=(
                            f"Le type du membre « {name} » n'a pas pu être déduit de son nom : il est traité "
                            "comme une administration (les règles sur les emballages plastiques des "
                            "cantines scolaires et des crèches ne lui sont pas appliquées)."
                        ),
                        base_legale=BASE_GROUPEMENT,
                        correction=(
                            "Déclarez le membre et son type dans groupement.yaml ou la feuille « Membres »."
                        ),
                        membre=name,
                    )
                )
        membres.append(Member(nom=name, type=kind, commune=info.commune if info else None))
    return membres, findings
