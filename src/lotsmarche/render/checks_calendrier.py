"""Post-render checks of the lots' delivery calendars (``Annexes/Lot_NN_calendrier.xlsx``), codes PIE-027 to
PIE-029.

Each published lot has its workbook (PIE-027); read back with openpyxl, the workbook's figures sum to the
plan's (PIE-028): for every product, the twelve months of the recap and their total equal its yearly
quantity in the BPU/DQE, and at every site they equal the site's yearly quantity of the product. A calendar
computed without the demand file is reported (PIE-029, information). The checks only read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from io import BytesIO

from lotsmarche.calendrier import MONTHS, LotCalendar, calendar_file
from lotsmarche.models import Finding, Lot, LotPlan

BASE = "Code de la commande publique, art. R2111-1 et R2132-2 (documents de la consultation)"
_FIRST_MONTH = 4  # column D (render.calendrier.FIRST_MONTH)


def _decimal(value: object) -> Decimal:
    """A cell read back (float, int or None) as the exact Decimal it was written from (≤ 3 decimals)."""
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, int | float | Decimal):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    raise ValueError(f"valeur non numérique : {value!r}")


def read_calendar(data: bytes) -> tuple[dict[str, list[Decimal]], list[dict[str, list[Decimal]]]]:
    """The workbook's figures: recap code -> 12 months + total; per site block, in order, the same."""
    from openpyxl import load_workbook

    from lotsmarche.render.calendrier import PAR_SITE, RECAP, TOTAL_COL

    wb = load_workbook(BytesIO(data))
    recap: dict[str, list[Decimal]] = {}
    rows = list(wb[RECAP].iter_rows(min_row=1, max_col=TOTAL_COL, values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "Code") + 1
    for r in rows[start:]:
        if not isinstance(r[0], str) or not r[0]:
            break
        recap[r[0]] = [_decimal(v) for v in r[_FIRST_MONTH - 1 : TOTAL_COL]]
    sites: list[dict[str, list[Decimal]]] = []
    for r in wb[PAR_SITE].iter_rows(min_row=5, max_col=TOTAL_COL, values_only=True):
        if isinstance(r[0], str) and r[1] is None:  # a site's title row
            sites.append({})
        elif isinstance(r[0], str) and r[0] != "Code" and sites:
            sites[-1][r[0]] = [_decimal(v) for v in r[_FIRST_MONTH - 1 : TOTAL_COL]]
    return recap, sites


def _mismatches(lot: Lot, data: bytes) -> list[str]:
    try:
        recap, sites = read_calendar(data)
    except (KeyError, StopIteration, ValueError, OSError) as exc:
        return [f"le classeur ne peut pas être relu ({type(exc).__name__})"]
    out: list[str] = []
    for item in lot.items:
        row = recap.get(item.produit)
        if row is None:
            out.append(f"{item.produit} absent du récapitulatif")
            continue
        months, total = sum(row[:MONTHS], Decimal(0)), row[MONTHS]
        if months != item.quantite_annuelle or total != item.quantite_annuelle:
            out.append(
                f"{item.produit} : mois {months}, total {total}, quantité annuelle {item.quantite_annuelle}"
            )
        expected = {(s.membre, s.site, s.code_postal): s.quantite for s in item.repartition_sites}
        for site, block in zip(lot.sites, sites, strict=False):
            want = expected.get((site.membre, site.site, site.code_postal), Decimal(0))
            values = block.get(item.produit, [Decimal(0)] * (MONTHS + 1))
            got = sum(values[:MONTHS], Decimal(0))
            if got != want or values[MONTHS] != want:
                out.append(f"{item.produit} à {site.membre} — {site.site} : {got} au lieu de {want}")
    if len(sites) != len(lot.sites):
        out.append(f"{len(sites)} site(s) dans le classeur pour {len(lot.sites)} site(s) du lot")
    extra = sorted(set(recap) - {item.produit for item in lot.items})
    out += [f"{code} ne fait pas partie du lot" for code in extra]
    return out


def check_calendars(
    plan: LotPlan, calendriers: Sequence[LotCalendar], files: Mapping[str, bytes]
) -> list[Finding]:
    """PIE-027 (a published lot without its calendar), PIE-028 (figures that do not sum to the plan's),
    PIE-029 (calendars computed without the demand file)."""
    out: list[Finding] = []
    for lot in sorted(plan.lots, key=lambda x: x.numero):
        if lot.procedure.hors_consultation or not lot.items:
            continue
        path = calendar_file(lot.numero)
        data = files.get(path)
        if data is None:
            out.append(
                Finding(
                    code="PIE-027",
                    severite="erreur",
                    message=f"Le calendrier d'approvisionnement du lot {lot.numero} ({path}), auquel renvoie "
                    "le CCTP, n'est pas dans le dossier de consultation.",
                    base_legale=BASE,
                    lot=lot.numero,
                )
            )
            continue
        wrong = _mismatches(lot, data)
        if wrong:
            shown = " ; ".join(wrong[:3]) + (f" (et {len(wrong) - 3} autre(s))" if len(wrong) > 3 else "")
            out.append(
                Finding(
                    code="PIE-028",
                    severite="erreur",
                    message=f"Les quantités du calendrier du lot {lot.numero} ({path}) ne correspondent pas "
                    f"aux quantités annuelles du lot : {shown}.",
                    base_legale=BASE,
                    lot=lot.numero,
                    correction="Régénérez le DCE à partir du même plan et de la même demande.",
                )
            )
    if any(c.approche for c in calendriers):
        out.append(
            Finding(
                code="PIE-029",
                severite="info",
                message="Les calendriers d'approvisionnement sont établis sans le fichier de la demande : "
                "pour chaque site, les mois sont ceux demandés pour le produit dans l'ensemble du lot.",
                base_legale=BASE,
                correction="Générez le DCE avec « lotsmarche run », ou « lotsmarche dce --demande » et les "
                "fichiers de la demande, pour le détail exact par site.",
            )
        )
    return out
