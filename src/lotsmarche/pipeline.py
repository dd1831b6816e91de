"""Glue used by the CLI: each function runs one user-visible step end to end (loading inputs included)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from lotsmarche.atomic import check_apart, replace_dir, temp_dir
from lotsmarche.errors import InputError, Problem
from lotsmarche.intake.model import Demand
from lotsmarche.intake.summary import DemandSummary
from lotsmarche.models import Finding, LotPlan

if TYPE_CHECKING:  # the renderers (docx, openpyxl, jinja2) load only when a DCE is written
    from lotsmarche.calendrier import LotCalendar
    from lotsmarche.catalogue.model import Catalogue
    from lotsmarche.models import Groupement
    from lotsmarche.render.dce import DceResult
    from lotsmarche.sourcing.merge import SourcingRead

EXAMPLE = "boulonnais"


SourcingPaths = Path | Sequence[Path] | None  # one file or folder, several, or none (built-in profiles)


def example_inputs() -> tuple[list[Path], Path | None, Path | None]:
    """Demand files, groupement.yaml and sourcing of the bundled example (absent files: None): the folder
    of the suppliers' filled questionnaires (``fournisseurs/``), else the table ``sourcing.csv``."""
    from lotsmarche.resources import examples_dir

    folder = examples_dir() / EXAMPLE
    demand = sorted(p for p in folder.glob("demande*") if p.suffix.lower() in (".csv", ".xlsx"))
    groupement = folder / "groupement.yaml"
    sourcing = folder / "fournisseurs"
    if not sourcing.is_dir():
        sourcing = folder / "sourcing.csv"
    return demand, groupement if groupement.is_file() else None, sourcing if sourcing.exists() else None


def check_demand(
    paths: list[Path],
    groupement_path: Path | None = None,
    catalogues: Path | None = None,
    sheet: str | None = None,
) -> DemandSummary:
    """Load catalogue and groupement, read the demand (bundled example if ``paths`` is empty), summarise."""
    from lotsmarche.catalogue import load_catalogue
    from lotsmarche.groupement import load_groupement
    from lotsmarche.intake.reader import read_demand
    from lotsmarche.intake.summary import summarize_demand
    from lotsmarche.resources import examples_dir

    cat = load_catalogue(catalogues)
    if not paths:
        try:
            example = examples_dir() / "boulonnais"
        except FileNotFoundError:
            example = Path("boulonnais")
        paths = sorted(p for p in example.glob("demande.*") if p.suffix in (".csv", ".xlsx"))[:1]
        if not paths:
            raise InputError(
                "Exemple intégré introuvable",
                [
                    Problem(
                        "aucun fichier de demande indiqué et l'exemple « boulonnais » est absent du paquet"
                    )
                ],
            )
        if groupement_path is None and (example / "groupement.yaml").exists():
            groupement_path = example / "groupement.yaml"
    groupement = load_groupement(groupement_path, cat)
    return summarize_demand(read_demand(paths, cat, groupement, sheet), cat)


@dataclass(frozen=True)
class PlanInputs:
    """The inputs of a lot plan, read and checked: catalogue, groupement, demand and the sourcing reading
    (None: no sourcing file, the catalogue's illustrative profiles)."""

    cat: Catalogue
    groupement: Groupement
    demand: Demand
    reading: SourcingRead | None


def load_inputs(
    demand_paths: list[Path],
    groupement_path: Path | None = None,
    sourcing_path: SourcingPaths = None,
    catalogues_dir: Path | None = None,
    date_lancement: date | None = None,
) -> PlanInputs:
    """Read catalogue, groupement, demand and sourcing as :func:`plan_lots` does (no demand file: the
    bundled example, with its groupement and questionnaires unless others are given)."""
    from lotsmarche.catalogue import load_catalogue
    from lotsmarche.groupement import load_groupement
    from lotsmarche.intake.reader import read_demand
    from lotsmarche.sourcing import read_sourcing, sourcing_paths

    cat = load_catalogue(catalogues_dir)
    if not demand_paths:
        demand_paths, example_groupement, example_sourcing = example_inputs()
        groupement_path = groupement_path or example_groupement
        sourcing_path = sourcing_path or example_sourcing
    groupement = load_groupement(groupement_path, cat)
    demand = read_demand(list(demand_paths), cat, groupement)
    sources = sourcing_paths(sourcing_path)
    launch = date_lancement or groupement.date_lancement
    reading = (
        read_sourcing(sources, cat, reference=launch, reference_text="date de lancement") if sources else None
    )
    return PlanInputs(cat, groupement, demand, reading)


def plan_lots(  # noqa: PLR0917 - the documented contract lists the options positionally
    demand_paths: list[Path],
    groupement_path: Path | None = None,
    sourcing_path: SourcingPaths = None,
    strategy: str = "capacite",
    plan_file: Path | None = None,
    date_lancement: date | None = None,
    duree_mois: int | None = None,
    sans_allotissement: str | None = None,
    lots_max_par_candidat: int | None = None,
    catalogues_dir: Path | None = None,
    today: date | None = None,
    *,
    time_limit: float | None = None,
    inputs: PlanInputs | None = None,
) -> tuple[LotPlan, Demand]:
    """Load catalogue, groupement, demand and sourcing, build the lot plan, then add clauses and findings.

    With no demand file, the bundled Boulonnais example is used, with its groupement.yaml and its suppliers'
    questionnaires unless the caller gives its own. ``sourcing_path``: files (questionnaires, tables) or
    folders of them; a label expired at the launch date is not counted (SRC-004, with the reading's other
    findings on the plan). ``today`` (the CLI passes ``date.today()``) makes a launch date in the
    past an error; without it that check is skipped, so that outputs depend on the inputs only. ``inputs``:
    the files already read by :func:`load_inputs` with the same paths and launch date (`compare` reads
    them once for every strategy).
    """
    from lotsmarche.lotting import build_plan
    from lotsmarche.rules import enrich_plan
    from lotsmarche.sourcing import builtin_sourcing_findings

    if inputs is None:
        inputs = load_inputs(demand_paths, groupement_path, sourcing_path, catalogues_dir, date_lancement)
    cat, groupement, demand, reading = inputs.cat, inputs.groupement, inputs.demand, inputs.reading
    suppliers = list(reading.fournisseurs) if reading is not None else list(cat.fournisseurs)
    plan = build_plan(
        demand,
        cat,
        groupement,
        suppliers,
        strategy=strategy,
        plan_file=plan_file,
        sans_allotissement=sans_allotissement,
        lots_max_par_candidat=lots_max_par_candidat,
        date_lancement=date_lancement,
        duree_mois=duree_mois,
        time_limit=time_limit,
    )
    enriched = enrich_plan(plan, cat, date_lancement or plan.date_lancement, today=today)
    # The rules engine attaches only the findings it computes; keep the lot builder's after them, in the
    # builder's order (small-lot allowance VAL-001, servability LOT-001, plan leftovers LOT-002/005, prices
    # LOT-006, solver OPT-001/002/003), each on its lot or on the plan.
    per_lot: dict[int, list[Finding]] = {}
    for f in plan.findings:
        per_lot.setdefault(f.lot if f.lot is not None else 0, []).append(f)
    lots = [
        lot.model_copy(update={"findings": [*lot.findings, *per_lot.pop(lot.numero, [])]})
        for lot in enriched.lots
    ]
    rest = [f for fs in per_lot.values() for f in fs]
    if reading is not None:
        rest += reading.findings
    else:
        familles = {cat.produits[code].famille for code in demand.table["produit"].unique()}
        rest += builtin_sourcing_findings(familles, cat, groupement.k_fournisseurs)
    return enriched.model_copy(update={"lots": lots, "findings": [*enriched.findings, *rest]}), demand


# ------------------------------------------------------------------------------------------------
# `lotsmarche run`: demand → lots → checks → DCE, written atomically into one folder
# ------------------------------------------------------------------------------------------------


class RunResult(BaseModel):
    """What `run` wrote. ``dce`` is None when compliance errors stopped the DCE (no ``--brouillon``)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    dossier: Path
    plan: LotPlan
    fichiers: list[str]  # relative paths written, sorted
    dce: DceResult | None


def findings_report(plan: LotPlan, pieces: list[Finding] | None = None) -> str:
    """French markdown report of the findings (controle.md), lot by lot, stable order."""
    from lotsmarche.text import md_cell

    lines = [
        f"# Contrôle de conformité — {md_cell(plan.groupement.nom)}",
        "",
        f"Référence : {md_cell(plan.groupement.reference)} · stratégie : {plan.strategie} · "
        f"lancement : {plan.date_lancement.isoformat()} · {len(plan.lots)} lot(s)",
        "",
    ]
    sections: list[tuple[str, list[Finding]]] = [("Plan dans son ensemble", list(plan.findings))]
    sections += [(f"Lot {lot.numero} — {md_cell(lot.intitule)}", list(lot.findings)) for lot in plan.lots]
    if pieces is not None:
        sections.append(("Pièces du DCE (vérification après génération)", list(pieces)))
    for title, findings in sections:
        lines += [f"## {title}", ""]
        if not findings:
            lines += ["Aucune observation.", ""]
            continue
        lines += ["| Gravité | Code | Message | Base légale | Correction |", "|---|---|---|---|---|"]
        lines += [
            f"| {f.severite} | {f.code} | {md_cell(f.message)} | {md_cell(f.base_legale)} "
            f"| {md_cell(f.correction or '')} |"
            for f in findings
        ]
        lines.append("")
    return "\n".join(lines)


def with_findings(plan: LotPlan, findings: list[Finding]) -> LotPlan:
    """The plan with the post-render controls' findings added: each on its lot, the others on the plan."""
    if not findings:
        return plan
    numbers = {lot.numero for lot in plan.lots}
    lots = [
        lot.model_copy(update={"findings": [*lot.findings, *(f for f in findings if f.lot == lot.numero)]})
        for lot in plan.lots
    ]
    rest = [f for f in findings if f.lot not in numbers]
    return plan.model_copy(update={"lots": lots, "findings": [*plan.findings, *rest]})


def has_errors(plan: LotPlan) -> bool:
    return any(f.severite == "erreur" for f in plan.findings) or any(
        f.severite == "erreur" for lot in plan.lots for f in lot.findings
    )


def run(
    demand_paths: list[Path],
    out: Path,
    *,
    groupement_path: Path | None = None,
    sourcing_path: SourcingPaths = None,
    strategy: str = "capacite",
    brouillon: bool = False,
    force: bool = False,
    zip_: bool = False,
    catalogues_dir: Path | None = None,
    templates: Path | None = None,
    progress: Callable[[str], None] | None = None,
    today: date | None = None,
) -> RunResult:
    """Whole pipeline into ``out``: lots.json, lots.xlsx, controle.md, the DCE/ folder and, when lots are
    taken out of the consultation, their note (Note_lots_hors_consultation.docx, beside DCE/: not published).
    With a sourcing file (the example's by default), ``sourcing/`` beside DCE/ holds one sheet per supplier:
    what the group would buy from it each month (``render.fiches``), written with the DCE.

    Everything is written into a temporary sibling folder that replaces ``out`` only at the end, so a
    failure leaves nothing half-written. With compliance errors the DCE is not rendered (the plan, its
    spreadsheet and the report still are) unless ``brouillon`` marks every page as a draft.
    """
    from lotsmarche.catalogue import load_catalogue
    from lotsmarche.errors import OutputExistsError
    from lotsmarche.lotsjson import plan_to_json, write_lots_xlsx
    from lotsmarche.render.dce import PiecesNonConformesError, render_dce
    from lotsmarche.render.manifest import sha256
    from lotsmarche.render.note import NOTE_NAME

    say = progress or (lambda _message: None)
    out = Path(out)
    from lotsmarche.sourcing import sourcing_paths

    check_apart(
        [out], [*demand_paths, groupement_path, *sourcing_paths(sourcing_path), catalogues_dir, templates]
    )
    if out.exists() and not force:
        raise OutputExistsError(
            "Le dossier de sortie existe déjà",
            [Problem(f"{out} existe ; ajoutez --force pour le remplacer", fichier=str(out))],
        )
    say("Lecture de la demande et allotissement")
    plan, demand = plan_lots(
        demand_paths,
        groupement_path,
        sourcing_path,
        strategy=strategy,
        catalogues_dir=catalogues_dir,
        today=today,
    )
    cat = load_catalogue(catalogues_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_dir(out.parent, out.name)
    try:
        say("Écriture du plan de lots (lots.json, lots.xlsx) et du rapport de contrôle")
        plan_json = plan_to_json(plan)  # serialised and hashed once: the DCE manifest cites this file
        (tmp / "lots.json").write_text(plan_json, encoding="utf-8")
        write_lots_xlsx(plan, tmp / "lots.xlsx")
        (tmp / "controle.md").write_text(findings_report(plan) + "\n", encoding="utf-8")
        from lotsmarche.calendrier import lot_calendars

        calendriers = lot_calendars(demand.table, plan)
        dce = None
        if brouillon or not has_errors(plan):
            say("Génération du DCE (Word et Excel)")
            try:
                dce = render_dce(
                    plan,
                    cat,
                    tmp / "DCE",
                    templates=templates,
                    zip_=zip_,
                    brouillon=brouillon,
                    note=tmp / NOTE_NAME,
                    plan_hash=sha256(plan_json.encode("utf-8")),
                    calendriers=calendriers,
                )
            except PiecesNonConformesError as exc:
                (tmp / "controle.md").write_text(findings_report(plan, exc.findings) + "\n", encoding="utf-8")
                # the pieces' errors make the run fail like the plan's (no DCE without --brouillon)
                plan = with_findings(plan, [f for f in exc.findings if f.severite == "erreur"])
            else:
                (tmp / "controle.md").write_text(findings_report(plan, dce.findings) + "\n", encoding="utf-8")
                # the suppliers' sheets quote the figures of the DCE's calendars: written with the DCE only
                sourced = sourcing_paths(sourcing_path or (example_inputs()[2] if not demand_paths else None))
                if sourced:
                    say("Fiches des fournisseurs du sourçage (sourcing/)")
                    _write_supplier_sheets(tmp, plan, calendriers, sourced, cat)
        replace_dir(tmp, out, force=force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    fichiers = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    if dce is not None:
        dce = dce.model_copy(
            update={
                "dossier": out / "DCE",
                "archive": _moved(dce.archive, tmp, out),
                "note": _moved(dce.note, tmp, out),
            }
        )
    from lotsmarche.render.dce import DceResult

    RunResult.model_rebuild(_types_namespace={"DceResult": DceResult})
    return RunResult(dossier=out, plan=plan, fichiers=fichiers, dce=dce)


def plan_calendars(
    plan: LotPlan, demand_paths: list[Path], catalogues_dir: Path | None = None
) -> list[LotCalendar]:
    """The lots' delivery calendars of ``plan`` from the demand files it was built from (``dce --demande``).

    The demand is read with the plan's groupement; a demand whose canonical fingerprint differs from the
    plan's (``empreinte_demande``) is refused: its lines would not be those of the lots.
    """
    from lotsmarche.calendrier import lot_calendars
    from lotsmarche.catalogue import load_catalogue
    from lotsmarche.intake.reader import read_demand

    demand = read_demand(list(demand_paths), load_catalogue(catalogues_dir), plan.groupement)
    if demand.empreinte != plan.empreinte_demande:
        raise InputError(
            "La demande ne correspond pas au plan de lots : les calendriers ne sont pas calculés",
            [
                Problem(
                    "ce n'est pas la demande dont le plan a été tiré (empreinte différente de « "
                    "empreinte_demande » de lots.json) ; indiquez les mêmes fichiers de demande que pour "
                    "« lotsmarche lots »",
                    fichier=", ".join(Path(p).name for p in demand_paths),
                )
            ],
        )
    return lot_calendars(demand.table, plan)


def _write_supplier_sheets(
    folder: Path, plan: LotPlan, calendriers: list[LotCalendar], sourcing: list[Path], cat: Catalogue
) -> None:
    """``sourcing/Fiche_NN_<nom>.docx``: what the group would buy from each sourced supplier, per month."""
    from lotsmarche.render.fiches import render_sheets
    from lotsmarche.sourcing import load_sourcing

    for name, blob in render_sheets(
        plan, calendriers, load_sourcing(sourcing, cat, reference=plan.date_lancement), cat
    ).items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)


def _moved(path: Path | None, old_root: Path, new_root: Path) -> Path | None:
    return None if path is None else new_root / path.relative_to(old_root)
