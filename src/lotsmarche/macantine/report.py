"""What ``macantine check`` writes: one ma-cantine import file per SIRET, and each member's EGALIM shares.

Shares, as ma-cantine counts them: a purchase counts as « durable et de qualité » when it carries at least
one EGALIM characteristic, as organic when one of them is ``BIO``; the meat-and-fish share is over the
families whose catalogue entry counts in the 60 % rule (``Famille.viande_poisson``). Targets are read from
catalogues/parametres.yaml (the State canteens' meat-and-fish target for members marked
``restauration_etat``). The shares cover the purchases of this statement only — one lot of one holder —,
not the member's whole year of food purchases: the table says so.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.macantine.check import Purchase, Statement
from lotsmarche.macantine.codes import field_names
from lotsmarche.models import LotPlan
from lotsmarche.rules.egalim_indicators import (
    CIBLE_BIO,
    CIBLE_EGALIM,
    CIBLE_VIANDE_POISSON,
    CIBLE_VIANDE_POISSON_ETAT,
)

IMPORT_PREFIX = "import_ma-cantine_"
TABLE_XLSX = "parts_egalim.xlsx"
TABLE_MD = "parts_egalim.md"
CHART_PNG = "parts_egalim.png"
REPORT_MD = "controle.md"
ZERO = Decimal(0)


@dataclass(frozen=True)
class Shares:
    siret: str
    membre: str
    total: Decimal
    egalim: Decimal
    bio: Decimal
    viande_poisson: Decimal
    viande_poisson_egalim: Decimal
    cible_egalim: Decimal
    cible_bio: Decimal
    cible_viande_poisson: Decimal

    @staticmethod
    def part(num: Decimal, den: Decimal) -> Decimal | None:
        return (num / den).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) if den else None

    @property
    def part_egalim(self) -> Decimal | None:
        return self.part(self.egalim, self.total)

    @property
    def part_bio(self) -> Decimal | None:
        return self.part(self.bio, self.total)

    @property
    def part_viande_poisson(self) -> Decimal | None:
        return self.part(self.viande_poisson_egalim, self.viande_poisson)


def import_files(statement: Statement) -> dict[str, bytes]:
    """``import_ma-cantine_<SIRET>.csv`` per SIRET: ma-cantine's columns in its order, UTF-8, comma."""
    by_siret: dict[str, list[Purchase]] = {}
    for p in statement.achats:
        by_siret.setdefault(p.siret, []).append(p)
    out: dict[str, bytes] = {}
    for siret, rows in sorted(by_siret.items()):
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=field_names(), lineterminator="\n")
        writer.writeheader()
        for p in sorted(rows, key=lambda x: (x.date, x.ligne)):
            writer.writerow(p.import_row())
        out[f"{IMPORT_PREFIX}{siret}.csv"] = buffer.getvalue().encode("utf-8")
    return out


def shares(statement: Statement, cat: Catalogue, plan: LotPlan | None) -> list[Shares]:
    vp_families = {f.famille_macantine for f in cat.familles.values() if f.viande_poisson}
    members = {m.siret: m for m in (plan.groupement.membres if plan else []) if m.siret}
    targets = (cat.parametre_decimal(CIBLE_EGALIM), cat.parametre_decimal(CIBLE_BIO))
    vp_target, vp_state = (
        cat.parametre_decimal(CIBLE_VIANDE_POISSON),
        cat.parametre_decimal(CIBLE_VIANDE_POISSON_ETAT),
    )
    sums: dict[str, list[Decimal]] = {}
    for p in statement.achats:
        acc = sums.setdefault(p.siret, [ZERO] * 5)
        egalim = bool(p.categories_egalim)
        vp = p.famille_produits in vp_families
        for i, counts in enumerate((True, egalim, "BIO" in p.categories_egalim, vp, vp and egalim)):
            if counts:
                acc[i] += p.prix_ht
    out = []
    for siret, acc in sorted(sums.items()):
        member = members.get(siret)
        out.append(
            Shares(
                siret=siret,
                membre=member.nom if member else "",
                total=acc[0],
                egalim=acc[1],
                bio=acc[2],
                viande_poisson=acc[3],
                viande_poisson_egalim=acc[4],
                cible_egalim=targets[0],
                cible_bio=targets[1],
                cible_viande_poisson=vp_state
                if member is not None and member.restauration_etat
                else vp_target,
            )
        )
    return out


def _pct(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{(value * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} %".replace(".", ",")


def _euros(value: Decimal) -> str:
    whole, _, cents = f"{value.quantize(Decimal('0.01')):f}".partition(".")
    groups = f"{int(whole):,}".replace(",", "\u202f")
    return f"{groups},{cents}\u00a0€"


def _status(part: Decimal | None, target: Decimal) -> str:
    if part is None:
        return "sans objet"
    return "atteint" if part >= target else "non atteint"


HEADERS = (
    "SIRET",
    "Membre",
    "Achats HT",
    "Part EGALIM",
    "Objectif EGALIM",
    "Part bio",
    "Objectif bio",
    "Part viandes et poissons EGALIM",
    "Objectif viandes et poissons",
)


def table_rows(items: list[Shares]) -> list[list[str]]:
    return [
        [
            s.siret,
            s.membre,
            _euros(s.total),
            _pct(s.part_egalim),
            f"{_pct(s.cible_egalim)} ({_status(s.part_egalim, s.cible_egalim)})",
            _pct(s.part_bio),
            f"{_pct(s.cible_bio)} ({_status(s.part_bio, s.cible_bio)})",
            _pct(s.part_viande_poisson),
            f"{_pct(s.cible_viande_poisson)} ({_status(s.part_viande_poisson, s.cible_viande_poisson)})",
        ]
        for s in items
    ]


SCOPE = (
    "Parts calculées sur les seuls achats de ce relevé (un lot, un titulaire), pas sur l'ensemble des achats "
    "alimentaires de l'année de chaque membre ; objectifs : catalogues/parametres.yaml (Code rural et de la "
    "pêche maritime, art. L230-5-1 et R230-30-1)."
)


def _markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    from lotsmarche.text import md_cell

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def shares_markdown(statement: Statement, items: list[Shares]) -> str:
    lot = f", lot {statement.lot}" if statement.lot is not None else ""
    return "\n".join(
        [
            f"# Parts EGALIM du relevé {statement.fichier}{lot}",
            "",
            SCOPE,
            "",
            _markdown_table(list(HEADERS), table_rows(items)),
            "",
        ]
    )


def shares_workbook(statement: Statement, items: list[Shares]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from lotsmarche.xlsxutil import EURO, header_cell, put_text, workbook_bytes

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Parts EGALIM"
    put_text(ws.cell(1, 1), SCOPE)
    headers = (
        "SIRET",
        "Membre",
        "Achats HT",
        "Part EGALIM",
        "Objectif EGALIM",
        "Part bio",
        "Objectif bio",
        "Part viandes et poissons EGALIM",
        "Objectif viandes et poissons",
    )
    for j, title in enumerate(headers, start=1):
        header_cell(ws.cell(3, j), title)
        ws.column_dimensions[get_column_letter(j)].width = 16 if j > 2 else 24
    for r, s in enumerate(items, start=4):
        put_text(ws.cell(r, 1), s.siret)
        put_text(ws.cell(r, 2), s.membre)
        ws.cell(r, 3, s.total).number_format = EURO
        values = (
            s.part_egalim,
            s.cible_egalim,
            s.part_bio,
            s.cible_bio,
            s.part_viande_poisson,
            s.cible_viande_poisson,
        )
        for j, value in enumerate(values, start=4):
            if value is None:
                put_text(ws.cell(r, j), "—")
            else:
                ws.cell(r, j, value).number_format = "0.0 %"
    ws.freeze_panes = "A4"
    return workbook_bytes(wb, f"Parts EGALIM — {statement.fichier}")


def shares_chart(items: list[Shares]) -> bytes:
    """Grouped bars (EGALIM, bio, meat and fish) per SIRET with the targets as marks; deterministic PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    labels = [s.membre or s.siret for s in items]
    series = (
        ("EGALIM", [s.part_egalim for s in items], [s.cible_egalim for s in items], "#2E75B6"),
        ("Bio", [s.part_bio for s in items], [s.cible_bio for s in items], "#70AD47"),
        (
            "Viandes et poissons",
            [s.part_viande_poisson for s in items],
            [s.cible_viande_poisson for s in items],
            "#C55A11",
        ),
    )
    fig, ax = plt.subplots(figsize=(max(7.5, 1.6 * len(items) + 3.5), 4.2), dpi=100)
    width = 0.26
    for k, (name, parts, targets, color) in enumerate(series):
        xs = [i + (k - 1) * width for i in range(len(items))]
        ax.bar(xs, [float(p or 0) * 100 for p in parts], width, label=name, color=color)
        ax.scatter(xs, [float(t) * 100 for t in targets], marker="_", s=300, color="black", zorder=3)
    ax.scatter([], [], marker="_", s=300, color="black", label="Objectif")
    ax.set_xticks(range(len(items)), [label[:34] for label in labels], rotation=20, ha="right", fontsize=8)
    ax.set_ylabel("Part des achats HT du relevé (%)")
    ax.set_ylim(0, 105)
    ax.set_title("Parts EGALIM par site, comparées aux objectifs")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def check_report(statement: Statement) -> str:
    lines = [f"# Contrôle du relevé {statement.fichier}", ""]
    if not statement.avertissements:
        lines.append("Aucun problème : le relevé respecte le schéma d'import ma-cantine et le lot.")
    else:
        lines += [f"- {p.render()}" for p in statement.avertissements]
    lines += ["", f"{len(statement.achats)} ligne(s) d'achat converties.", ""]
    return "\n".join(lines)


def check_outputs(statement: Statement, cat: Catalogue, plan: LotPlan | None) -> dict[str, bytes]:
    """Every file of the output folder (relative name -> bytes)."""
    items = shares(statement, cat, plan)
    files = import_files(statement)
    files[TABLE_MD] = shares_markdown(statement, items).encode("utf-8")
    files[TABLE_XLSX] = shares_workbook(statement, items)
    files[CHART_PNG] = shares_chart(items)
    files[REPORT_MD] = check_report(statement).encode("utf-8")
    return files
