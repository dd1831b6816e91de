"""lots.json (byte-stable, schema, errors with JSON paths) and lots.xlsx (literal text, numbers, stable)."""

from __future__ import annotations

import io
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from lotsmarche.errors import InputError, OutputExistsError
from lotsmarche.lotsjson import (
    json_path,
    lots_json_schema,
    lots_workbook_bytes,
    plan_from_json,
    plan_to_json,
    save_plan,
    schema_text,
)
from lotsmarche.lotting import build_plan
from lotsmarche.models import Groupement, LotPlan
from lotsmarche.resources import schemas_dir
from tests.unit.test_lotting import SITES, demand_of, line

SCHEMA_SOURCE = Path(__file__).resolve().parent.parent.parent / "schemas" / "lots.schema.json"


@pytest.fixture(scope="module")
def plan(catalogue) -> LotPlan:
    codes = ["MER-HARENG-FILET-FR", "MER-CABILLAUD-FILET-FR", "MER-ENCORNET-ENTIER-FR"]
    rows: list[dict[str, Any]] = []
    n = 0
    for i, (membre, cp, insee, terr) in enumerate(SITES):
        name = "=SOMME(A1:A9)" if i == 0 else membre  # a member name that looks like a formula
        for code in codes:
            n += 1
            rows.append(line(n, code, name, cp, insee, terr, quantite_milli=1_234_567 + n, prix_e4=123_456))
    return build_plan(demand_of(rows), catalogue, Groupement(), catalogue.fournisseurs, strategy="espece")


def test_json_is_byte_stable_and_round_trips(plan: LotPlan) -> None:
    text = plan_to_json(plan)
    assert text.endswith("}\n")
    assert plan_from_json(text, "lots.json") == plan
    assert plan_to_json(plan_from_json(text, "lots.json")) == text
    data = json.loads(text)
    assert data["schema_version"] == "1.1"
    item = data["lots"][0]["items"][0]
    assert isinstance(item["montant_annuel_ht"], str)
    assert "E" not in item["quantite_annuelle"]  # quantities never use exponents
    assert item["prix_unitaire_ht"] == "12.35"


def test_committed_schema_is_the_generated_one_and_validates(plan: LotPlan) -> None:
    import jsonschema

    if os.environ.get("UPDATE_GOLDEN"):
        SCHEMA_SOURCE.write_text(schema_text(), encoding="utf-8")
    committed = (schemas_dir() / "lots.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text()
    schema = lots_json_schema()
    assert schema["$id"].endswith("lots.schema.json")
    jsonschema.validate(json.loads(plan_to_json(plan)), schema)
    broken = json.loads(plan_to_json(plan))
    broken["lots"][0]["montant_maximum_ht"] = 12
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_reading_errors_name_the_file_and_the_json_path(plan: LotPlan) -> None:
    with pytest.raises(InputError) as exc:
        plan_from_json("{ pas du json", "lots.json")
    assert exc.value.problems[0].fichier == "lots.json"
    assert exc.value.problems[0].ligne == 1
    data = json.loads(plan_to_json(plan))
    data["schema_version"] = "0.9"
    with pytest.raises(InputError) as exc:
        plan_from_json(json.dumps(data), "ancien.json")
    assert "0.9" in exc.value.lines()[1]
    data = json.loads(plan_to_json(plan))
    data["lots"][1]["items"][0]["quantite_annuelle"] = "beaucoup"
    del data["lots"][0]["intitule"]
    with pytest.raises(InputError) as exc:
        plan_from_json(json.dumps(data), "lots.json")
    cols = {p.colonne for p in exc.value.problems}
    assert {"lots[1].items[0].quantite_annuelle", "lots[0].intitule"} <= cols
    assert json_path(("lots", 2, "items", 0, "cpv")) == "lots[2].items[0].cpv"


def test_xlsx_keeps_text_literal_and_numbers_numeric(plan: LotPlan) -> None:
    data = lots_workbook_bytes(plan)
    assert data == lots_workbook_bytes(plan)  # deterministic bytes
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[:3] == ["Lots", "Articles", "Répartition"]
    lots = wb["Lots"]
    assert lots.freeze_panes == "A2"
    assert lots.cell(row=2, column=2).value == plan.lots[0].intitule
    assert lots.cell(row=2, column=11).value == pytest.approx(float(plan.lots[0].montant_maximum_ht))
    assert lots.cell(row=2, column=11).number_format == '#,##0.00 "€"'
    shares = wb["Répartition"]
    members = [shares.cell(row=r, column=4) for r in range(2, shares.max_row + 1)]
    formula_like = [c for c in members if c.value == "=SOMME(A1:A9)"]
    assert formula_like and all(c.data_type == "s" for c in formula_like)
    items = wb["Articles"]
    assert items.cell(row=2, column=5).value == pytest.approx(float(plan.lots[0].items[0].quantite_annuelle))


def test_save_plan_refuses_to_overwrite_without_force(plan: LotPlan, tmp_path: Path) -> None:
    out, xlsx = tmp_path / "lots.json", tmp_path / "lots.xlsx"
    save_plan(plan, out, xlsx)
    assert out.read_text(encoding="utf-8") == plan_to_json(plan)
    assert oct(out.stat().st_mode & 0o777) != oct(0o600)  # not the private mode of temporary files
    before = xlsx.read_bytes()
    with pytest.raises(OutputExistsError):
        save_plan(plan, out, xlsx)
    save_plan(plan, out, xlsx, force=True)
    assert xlsx.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lots.json", "lots.xlsx"]  # no temporary left


def test_decimal_amounts_survive_the_round_trip(plan: LotPlan) -> None:
    again = plan_from_json(plan_to_json(plan), "lots.json")
    assert again.montant_total_maximum_ht == plan.montant_total_maximum_ht
    assert isinstance(again.lots[0].items[0].montant_annuel_ht, Decimal)
