"""`lotsmarche check lots.json`: formats, exit codes (0, 1 on errors, 2 on bad input), date override."""

from __future__ import annotations

import json

from lotsmarche.lotsjson import plan_to_json
from lotsmarche.models import ClauseOverrides
from tests.cli._runner import run
from tests.unit._plan_factory import COLLEGE, make_item, make_lot, make_plan


def _write(tmp_path, plan, name="lots.json"):
    path = tmp_path / name
    path.write_text(plan_to_json(plan), encoding="utf-8")
    return path


def test_clean_plan_exits_0_with_json_summary(tmp_path, capsys):
    code, out, _ = run(["check", str(_write(tmp_path, make_plan())), "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["resume"]["erreur"] == 0
    assert {f["code"] for f in data["findings"]} >= {"EMB-008", "EGA-008"}
    first = data["findings"][0]
    assert set(first) == {
        "code",
        "severite",
        "message",
        "base_legale",
        "lot",
        "correction",
        "membre",
        "incertain",
    }


def test_plastic_trays_for_a_college_exit_1(tmp_path, capsys):
    item = make_item(conditionnement="barquette_plastique_operculee")
    plan = make_plan([make_lot(items=[item], regime="plastique_contact")], membres=[COLLEGE])
    code, out, _ = run(["check", str(_write(tmp_path, plan)), "--format", "json"], capsys)
    assert code == 1
    errors = [f for f in json.loads(out)["findings"] if f["severite"] == "erreur"]
    assert [(f["code"], f["lot"], f["membre"]) for f in errors] == [("EMB-001", 1, "Collège Angellier")]


def test_date_override_rechecks_climate_law(tmp_path, capsys):
    ov = ClauseOverrides(
        ponderations={"frais": {"performance_environnementale": 0, "qualite_technique": 30, "livraison": 20}}
    )
    path = _write(tmp_path, make_plan(clauses=ov))
    assert run(["check", str(path), "--date-lancement", "2026-08-20"], capsys)[0] == 0
    code, out, _ = run(["check", str(path), "--date-lancement", "2026-08-21", "--format", "markdown"], capsys)
    assert code == 1
    assert "| Gravité | Code | Lot |" in out and "| erreur | CLI-001 | 1 |" in out


def test_table_format_lists_findings(tmp_path, capsys):
    code, out, _ = run(["check", str(_write(tmp_path, make_plan()))], capsys)
    assert code == 0
    assert "EMB-008" in out and "0 erreur(s)" in out


def test_bad_inputs_exit_2(tmp_path, capsys):
    bad = tmp_path / "lots.json"
    bad.write_text("{pas du json", encoding="utf-8")
    code, _, err = run(["check", str(bad)], capsys)
    assert code == 2 and "lots.json" in err
    code, _, err = run(["check", str(tmp_path / "absent.json")], capsys)
    assert code == 2 and "illisible" in err
    good = _write(tmp_path, make_plan(), "ok.json")
    code, _, err = run(["check", str(good), "--date-lancement", "21/08/2026"], capsys)
    assert code == 2 and "AAAA-MM-JJ" in err
