"""Plan metrics against hand-computed values, and the comparison outputs."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from lotsmarche.compare import (
    compare_plans,
    comparison_json,
    comparison_markdown,
    comparison_png,
    comparison_xlsx,
    lots_file_name,
    plan_metrics,
    write_comparison,
)
from lotsmarche.errors import OutputExistsError
from lotsmarche.models import Finding, Lot, LotPlan, ProcedureGlobale, ProcedureLot
from tests.unit import _plan_factory as base

D = Decimal


def _finding(code: str, sev: str, lot: int | None = None) -> Finding:
    return Finding(code=code, severite=sev, message="m", base_legale="b", lot=lot)  # type: ignore[arg-type]


def _lot(numero: int, maximum: str, estime: str, code: str, derog: str | None, n: int, findings=()) -> Lot:  # type: ignore[no-untyped-def]
    """A lot reduced to what the metrics read: amounts, procedure, capable suppliers, findings."""
    return base.make_lot(
        numero,
        [],
        regime="reemployable",
        indice=None,
        intitule=f"Lot {numero}",
        montant_annuel_ht=D(estime) / 4,
        montant_estime_duree_ht=D(estime),
        montant_maximum_ht=D(maximum),
        procedure=ProcedureLot(code=code, libelle=code, publicite="adaptee", derogation=derog, motifs=[]),  # type: ignore[arg-type]
        fournisseurs_capables=[f"F{i}" for i in range(n)],
        findings=list(findings),
    )


def make_plan(
    strategie: str, lots: list[Lot], egalim: dict | None = None, findings=(), cout: str = "1500"
) -> LotPlan:  # type: ignore[no-untyped-def,type-arg]
    return base.make_plan(
        lots,
        membres=(),
        procedure=ProcedureGlobale(
            code="appel_offres",
            libelle="Appel d'offres ouvert",
            publicite="joue",
            motifs=[],
            seuil_applique=D("216000"),
        ),
        generateur="test",
        strategie=strategie,
        findings=findings,
        egalim=egalim,
        lignes_demande=3,
        cout_gestion_par_lot=D(cout),
    )


def fixture_plan() -> LotPlan:
    return make_plan(
        "espece",
        [
            _lot(
                1, "100000.00", "83333.33", "appel_offres", None, 3, [_finding("EMB-001", "avertissement", 1)]
            ),
            _lot(2, "30000.00", "25000.00", "mapa", "petit_lot", 1, [_finding("CLA-001", "info", 2)]),
            _lot(3, "20000.00", "16666.67", "mapa", "petit_lot", 2),
        ],
        egalim={"groupe": {"part_egalim": "0.4567", "part_bio": "0.2150", "part_viande_poisson": None}},
        findings=[_finding("THR-001", "erreur")],
    )


def test_plan_metrics_hand_computed() -> None:
    m = plan_metrics(fixture_plan(), 2)
    assert m.nb_lots == 3
    assert m.montant_total_maximum_ht == D("150000.00")
    assert m.montant_total_estime_ht == D("125000.00")
    assert m.procedure == "appel_offres"
    assert m.procedures_lots == {"mapa": 2, "appel_offres": 1}
    assert list(m.procedures_lots) == ["mapa", "appel_offres"]
    assert m.nb_lots_derogation == 2
    assert m.part_petits_lots == D("0.3333")  # 50 000 / 150 000
    assert m.part_petits_lots_max == D("0.20")
    assert m.nb_lots_servables_k == 2  # lots 1 (3 suppliers) and 3 (2)
    assert m.part_valeur_servable_k == D("0.8000")  # 120 000 / 150 000
    assert m.fournisseurs_moyen == D("2.00")
    assert m.fournisseurs_min == 1
    assert (m.egalim_part, m.egalim_bio, m.egalim_viande_poisson) == (D("0.4567"), D("0.2150"), None)
    assert m.constats == {"erreur": 1, "avertissement": 1, "info": 1}
    assert m.constats_emballage == 1
    assert m.cout_administratif == D("4500")


def test_egalim_shares_at_top_level_and_in_percent() -> None:
    plan = make_plan("x", [], egalim={"part_egalim": "45.67", "part_bio": "0.2"})
    m = plan_metrics(plan, 2)
    assert (m.egalim_part, m.egalim_bio, m.egalim_viande_poisson) == (D("0.4567"), D("0.2000"), None)


def test_k_changes_servability() -> None:
    m = plan_metrics(fixture_plan(), 3)
    assert m.nb_lots_servables_k == 1
    assert m.part_valeur_servable_k == D("0.6667")  # 100 000 / 150 000, half up


def test_empty_plan_has_zero_shares() -> None:
    m = plan_metrics(make_plan("vide", []), 2)
    assert (m.nb_lots, m.part_valeur_servable_k, m.fournisseurs_min, m.cout_administratif) == (
        0,
        D("0.0000"),
        0,
        0,
    )


def _two_plans() -> dict[str, LotPlan]:
    coarse = make_plan("famille", [_lot(1, "150000.00", "125000.00", "appel_offres", None, 1)])
    return {"famille": coarse, "espece": fixture_plan()}


def test_compare_marks_best_per_column() -> None:
    cmp = compare_plans(_two_plans(), 2)
    assert [r.strategie for r in cmp.lignes] == ["famille", "espece"]
    assert cmp.meilleurs["nb_lots"] == ["famille"]
    assert cmp.meilleurs["part_valeur_servable_k"] == ["espece"]
    assert cmp.meilleurs["cout_administratif"] == ["famille"]
    assert cmp.meilleurs["erreurs"] == ["famille"]
    assert cmp.meilleurs["egalim_part"] == ["espece"]  # None never wins
    assert cmp.meilleurs["egalim_viande_poisson"] == []
    assert "montant_total_maximum_ht" not in cmp.meilleurs  # a fact, not a goal


def test_markdown_and_json() -> None:
    cmp = compare_plans(_two_plans(), 2)
    md = comparison_markdown(cmp)
    assert md.splitlines()[0] == "# Comparaison des allotissements (k = 2 fournisseurs)"
    assert "| Stratégie | Lots |" in md
    espece = next(line for line in md.splitlines() if line.startswith("| espece"))
    assert "**80,00\u202f%**" in espece and "4\u202f500,00" in espece and "33,33\u202f%" in espece
    data = comparison_json(cmp)
    assert list(data) == ["version", "k", "strategies", "meilleurs"]
    assert data["strategies"][1]["part_valeur_servable_k"] == "0.8000"
    assert data["strategies"][1]["procedures_lots"] == {"mapa": 2, "appel_offres": 1}
    json.dumps(data)  # serialisable as is


def test_xlsx_literal_and_formats() -> None:
    from openpyxl import load_workbook

    plans = _two_plans()
    plans['=HYPERLINK("x")'] = plans.pop("famille")
    cmp = compare_plans(plans, 2)
    data = comparison_xlsx(cmp)
    assert data == comparison_xlsx(cmp)  # deterministic bytes
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.cell(1, 1).value == "Stratégie" and ws.cell(1, 2).value == "Lots"
    assert ws.cell(3, 1).value == '=HYPERLINK("x")' and ws.cell(3, 1).data_type == "s"
    assert ws.cell(2, 2).value == 3
    servable_col = 1 + [c.value for c in ws[1]].index("Valeur servable par ≥ 2")
    assert ws.cell(2, servable_col).number_format == "0.00%"
    assert ws.cell(2, servable_col).value == pytest.approx(0.8)


def test_png_is_deterministic() -> None:
    cmp = compare_plans(_two_plans(), 2)
    png = comparison_png(cmp)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png == comparison_png(cmp)
    assert b"Software" not in png[:200]


def test_write_comparison_refuses_overwrite(tmp_path: Path) -> None:
    cmp = compare_plans(_two_plans(), 2)
    out = tmp_path / "cmp"
    paths = write_comparison(cmp, out)
    assert [p.name for p in paths] == ["comparaison.md", "comparaison.png", "comparaison.xlsx"]
    before = (out / "comparaison.md").read_bytes()
    with pytest.raises(OutputExistsError):
        write_comparison(cmp, out)
    assert write_comparison(cmp, out, force=True) == paths
    assert (out / "comparaison.md").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left


def test_lots_file_names() -> None:
    assert lots_file_name("optimal") == "lots_optimal.json"
    assert lots_file_name("famille-conservation") == "lots_famille-conservation.json"
    assert lots_file_name("plan:mon plan.yaml") == "lots_plan-mon-plan.json"


@pytest.mark.soffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice absent")
def test_xlsx_opens_in_libreoffice(tmp_path: Path) -> None:
    path = tmp_path / "comparaison.xlsx"
    path.write_bytes(comparison_xlsx(compare_plans(_two_plans(), 2)))
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    text = (tmp_path / "comparaison.csv").read_text(encoding="utf-8", errors="replace")
    assert text.startswith("Stratégie,Lots,")
    assert "espece,3," in text


def test_identical_plans_are_said_and_one_strategy_recommended() -> None:
    """Newcomer's trap: six strategies gave the same plan and nothing said so (issue 11, part 5)."""
    same = fixture_plan()
    cmp = compare_plans({"famille": same, "capacite": same.model_copy(update={"strategie": "capacite"})}, 2)
    assert cmp.conseil.identiques == [["famille", "capacite"]]
    assert cmp.conseil.recommandee == "famille"  # same plan: the first asked
    assert cmp.conseil.raisons[0].startswith("Les 2 stratégies donnent le même plan (3 lots)")
    assert "même plan que capacite" in cmp.conseil.raisons[1]
    md = comparison_markdown(cmp)
    assert "## Conseil" in md and "Stratégie recommandée : famille" in md


def test_recommendation_prefers_compliance_then_servable_value_then_cost() -> None:
    cmp = compare_plans(_two_plans(), 2)
    assert cmp.conseil.identiques == []
    # famille has fewer errors... unless: the row with fewest errors wins first
    rows = {r.strategie: r for r in cmp.lignes}
    errors = {n: r.constats.get("erreur", 0) for n, r in rows.items()}
    expected = min(
        rows, key=lambda n: (errors[n], -rows[n].part_valeur_servable_k, rows[n].cout_administratif)
    )
    assert cmp.conseil.recommandee == expected
    assert f"Stratégie recommandée : {expected} — {errors[expected]} erreur(s)" in cmp.conseil.raisons[-1]
    assert compare_plans({"seul": fixture_plan()}, 2).conseil.recommandee is None
