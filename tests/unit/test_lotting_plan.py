"""The buyer's own plan (PLAN.yaml): matching, validation messages, overlaps, homogeneity, leftovers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lotsmarche.errors import InputError
from lotsmarche.intake.model import Demand
from lotsmarche.lotting import build_plan
from lotsmarche.models import Groupement, LotPlan
from tests.unit.test_lotting import SITES, demand_of, line

PRODUCTS = [
    "MER-HARENG-FILET-FR",  # poissons bleus, frais, polystyrène
    "MER-MAQUEREAU-ENTIER-FR",  # poissons bleus, frais, polystyrène
    "MER-CABILLAUD-FILET-FR",  # poissons blancs, frais, polystyrène
    "MER-ENCORNET-ENTIER-FR",  # céphalopodes, frais, polystyrène
]


@pytest.fixture(scope="module")
def demand(catalogue) -> Demand:
    frozen = next(
        c
        for c, p in sorted(catalogue.produits.items())
        if p.famille == "produits_de_la_mer" and p.conservation == "surgele"
    )
    rows: list[dict[str, Any]] = []
    n = 0
    for membre, cp, insee, terr in SITES[:2]:
        for code in [*PRODUCTS, frozen]:
            n += 1
            rows.append(line(n, code, membre, cp, insee, terr))
    return demand_of(rows)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run(demand: Demand, catalogue: Any, path: Path) -> LotPlan:
    return build_plan(demand, catalogue, Groupement(), catalogue.fournisseurs, plan_file=path)


def test_rules_make_lots_and_leftovers_are_never_dropped(tmp_path: Path, demand: Demand, catalogue) -> None:
    path = write(
        tmp_path,
        """
lots:
  - intitule: "Poissons bleus frais — Boulonnais"
    especes: [Hareng, maquereau, sardine]
    conservations: [frais]
    territoires: [boulonnais]
  - intitule: "Poissons blancs frais"
    groupes_especes: [poissons_blancs]
    conservations: [frais]
""",
    )
    plan = run(demand, catalogue, path)
    assert plan.strategie == "plan:plan.yaml"
    by_title = {lot.intitule: lot for lot in plan.lots}
    bleus = by_title["Poissons bleus frais — Boulonnais"]
    assert sorted(i.produit for i in bleus.items) == ["MER-HARENG-FILET-FR", "MER-MAQUEREAU-ENTIER-FR"]
    assert bleus.territoires == ["Boulonnais"]
    assert [i.produit for i in by_title["Poissons blancs frais"].items] == ["MER-CABILLAUD-FILET-FR"]
    ids = sorted(i for lot in plan.lots for it in lot.items for i in it.lignes)
    assert ids == sorted(demand.table["ligne"].tolist())
    (leftover,) = [f for f in plan.findings if f.code == "LOT-002"]
    assert leftover.severite == "avertissement"
    assert "MER-ENCORNET-ENTIER-FR" in leftover.message
    assert "MER-HARENG-FILET-FR" in leftover.message  # the Calaisis herring matched no rule
    assert len(plan.lots) >= 4


def test_unknown_values_name_the_file_the_rule_and_the_key(tmp_path: Path, demand: Demand, catalogue) -> None:
    path = write(
        tmp_path,
        """
lots:
  - intitule: "A"
    especes: [hareng]
  - intitule: "B"
    especes: [licorne]
    territoires: [Atlantide]
    produits: [MER-INCONNU]
""",
    )
    with pytest.raises(InputError) as exc:
        run(demand, catalogue, path)
    lines = exc.value.lines()
    assert any("plan.yaml : lot 2 du plan, clé « especes » : valeur « licorne » inconnue" in x for x in lines)
    assert any("clé « territoires » : valeur « Atlantide »" in x for x in lines)
    assert any("clé « produits » : valeur « MER-INCONNU »" in x for x in lines)


def test_overlapping_rules_are_refused(tmp_path: Path, demand: Demand, catalogue) -> None:
    path = write(
        tmp_path,
        """
lots:
  - intitule: "Bleus"
    groupes_especes: [poissons_bleus]
  - intitule: "Harengs"
    especes: [hareng]
""",
    )
    with pytest.raises(InputError) as exc:
        run(demand, catalogue, path)
    assert "chevauchent" in exc.value.message
    assert any("MER-HARENG-FILET-FR" in x and "lots 1 et 2 du plan" in x for x in exc.value.lines())


def test_rule_mixing_fresh_and_frozen_is_refused(tmp_path: Path, demand: Demand, catalogue) -> None:
    path = write(tmp_path, 'lots:\n  - intitule: "Tout"\n    familles: [produits_de_la_mer]\n')
    with pytest.raises(InputError) as exc:
        run(demand, catalogue, path)
    assert "homogène" in exc.value.lines()[1]
    assert "frais" in exc.value.lines()[1] and "surgele" in exc.value.lines()[1]


def test_structure_errors(tmp_path: Path, demand: Demand, catalogue) -> None:
    path = write(tmp_path, 'lots:\n  - intitule: "X"\n    especies: [hareng]\n')
    with pytest.raises(InputError) as exc:
        run(demand, catalogue, path)
    assert any("lot 1 du plan, clé « especies » : clé inconnue" in x for x in exc.value.lines())
    path = write(tmp_path, "lots: [\n")
    with pytest.raises(InputError) as exc:
        run(demand, catalogue, path)
    assert "YAML invalide" in exc.value.lines()[1]
    with pytest.raises(InputError):
        run(demand, catalogue, tmp_path / "absent.yaml")


def test_rule_matching_nothing_is_reported(tmp_path: Path, demand: Demand, catalogue) -> None:
    path = write(
        tmp_path,
        'lots:\n  - intitule: "Soles"\n    especes: [sole]\n  - intitule: "Reste"\n'
        "    familles: [produits_de_la_mer]\n    conservations: [frais]\n",
    )
    plan = run(demand, catalogue, path)
    assert [f.code for f in plan.findings if f.code in ("LOT-002", "LOT-005")] == ["LOT-002", "LOT-005"]
    assert "Soles" not in [lot.intitule for lot in plan.lots]


def test_regimes_key_matches_each_line_own_regime(tmp_path: Path, catalogue) -> None:
    (m0, cp0, i0, t0), (m1, cp1, i1, t1) = SITES[:2]
    merlan = "MER-MERLAN-FILET-FR"
    demand = demand_of(
        [
            line(1, merlan, m0, cp0, i0, t0, conditionnement="caisse_reemployable"),
            line(2, merlan, m1, cp1, i1, t1),  # default polystyrene box
            line(3, merlan, m1, cp1, i1, t1, ligne_source=9, conditionnement="bac_gastronorme_plastique"),
        ]
    )
    path = write(
        tmp_path,
        'lots:\n  - intitule: "Merlan en caisses"\n    regimes: [reemployable, plastique_transport]\n'
        '  - intitule: "Merlan en bacs"\n    regimes: [plastique_contact]\n',
    )
    plan = run(demand, catalogue, path)
    assert [(lot.intitule, lot.regime_emballage, lot.items[0].lignes) for lot in plan.lots] == [
        ("Merlan en bacs", "plastique_contact", [3]),
        ("Merlan en caisses", "reemployable", [1, 2]),
    ]
    path = write(tmp_path, 'lots:\n  - intitule: "Tout le merlan"\n    produits: [MER-MERLAN-FILET-FR]\n')
    with pytest.raises(InputError) as exc:
        run(demand, catalogue, path)
    assert "contenants plastiques de service" in exc.value.lines()[1]
