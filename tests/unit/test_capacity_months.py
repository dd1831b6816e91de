"""Month-level capacity in lotting (issue 13, point 3): the even spreading, the rule, every strategy."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pytest

from lotsmarche.compare.metrics import plan_metrics
from lotsmarche.groupement import load_groupement
from lotsmarche.intake.model import ALL_MONTHS, CANONICAL_COLUMNS, Demand
from lotsmarche.lotting import build_plan
from lotsmarche.lotting.capacity import LotNeed, blocking_reasons, can_serve, servable_by
from lotsmarche.lotting.lines import prepare
from lotsmarche.lotting.months import (
    MONTH_COLUMNS,
    MONTH_UNIT,
    ProductMonths,
    ceil_milli,
    cell_month_needs,
    month_data,
    months_fr,
)
from lotsmarche.models import LotPlan, Supplier
from lotsmarche.resources import examples_dir
from lotsmarche.rules.plan import check_plan_basics

D = Decimal
SOLE = "MER-SOLE-FILET-FR"  # « Filet de sole frais », poissons plats, frais
PLIE = "MER-PLIE-FILET-FR"
HARENG = "MER-HARENG-FUME-RE"  # « Filet de hareng fumé doux », produits transformés, réfrigéré élaboré
CP = {"Boulonnais": "62200", "Calaisis": "62100"}


def mask(*months: int) -> int:
    return sum(1 << (m - 1) for m in months)


def demand(rows: list[tuple[str, str, int, int]], catalogue: Any) -> Demand:
    """Lines (product, territory, quantity in thousandths, month mask), one site per territory."""
    n = len(rows)
    table = pd.DataFrame(
        {
            "ligne": np.arange(1, n + 1, dtype=np.int64),
            "fichier": "demande.csv",
            "feuille": "",
            "ligne_source": np.arange(2, n + 2, dtype=np.int64),
            "colonne_source": "",
            "membre": [f"Collège {t}" for _, t, _, _ in rows],
            "site_livraison": "Cuisine",
            "code_postal": [CP[t] for _, t, _, _ in rows],
            "commune_insee": [catalogue.codes_postaux[CP[t]][0] for _, t, _, _ in rows],
            "territoire": [t for _, t, _, _ in rows],
            "produit": [p for p, _, _, _ in rows],
            "quantite_milli": np.array([q for _, _, q, _ in rows], dtype=np.int64),
            "prix_e4": np.array(
                [int(catalogue.produits[p].prix_reference_ht * 10000) for p, _, _, _ in rows], dtype=np.int64
            ),
            "prix_source": "catalogue",
            "mois": np.array([m for _, _, _, m in rows], dtype=np.int64),
            "label_requis": "",
            "conditionnement": "",
            "livraisons_par_semaine": np.nan,
        },
        columns=list(CANONICAL_COLUMNS),
    )
    return Demand(table=table, membres=[])


@pytest.fixture(scope="module")
def groupement(catalogue: Any) -> Any:
    return load_groupement(examples_dir() / "boulonnais" / "groupement.yaml", catalogue)


def supplier(nom: str, volumes: dict[str, list[Any]] | None, **extra: Any) -> Supplier:
    fields: dict[str, Any] = {
        "type": "mareyeur",
        "familles": ["produits_de_la_mer"],
        "zones": ["*"],
        "livraison_reemployable": True,
    }
    fields.update(extra)
    months = None if volumes is None else {c: tuple(D(str(v)) for v in vs) for c, vs in volumes.items()}
    return Supplier(nom=nom, volumes_mensuels=months, **fields)


def fresh_need(mois: dict[str, ProductMonths]) -> LotNeed:
    return LotNeed(
        famille="produits_de_la_mer",
        conservation="frais",
        regime="sans_plastique",
        groupes_especes=frozenset(),
        produits=frozenset(mois),
        territoires=frozenset(),
        montant_annuel_ht=D(0),
        mois=mois,
    )


def plan(demand_: Demand, catalogue: Any, groupement: Any, suppliers: list[Supplier], **kw: Any) -> LotPlan:
    return build_plan(demand_, catalogue, groupement, suppliers, **kw)


# --------------------------------------------------------------------------------------------
# The even spreading (lotting.months)
# --------------------------------------------------------------------------------------------


def test_1200_kg_over_ten_months_is_120_kg_each_and_nothing_elsewhere() -> None:
    ten = mask(1, 2, 3, 4, 5, 6, 9, 10, 11, 12)  # no July, no August
    needs = cell_month_needs(np.array([0]), np.array([ten]), np.array([1_200_000]), 1)
    assert [ceil_milli(v) for v in needs[0].tolist()] == [120_000] * 6 + [0, 0] + [120_000] * 4
    assert needs[0].tolist() == [120_000 * MONTH_UNIT] * 6 + [0, 0] + [120_000 * MONTH_UNIT] * 4


def test_remainders_are_exact_and_shown_rounded_up() -> None:
    # 1 000 kg over 3 months: exactly 333,333… kg a month, shown 333,334 kg; the three months sum exactly.
    needs = cell_month_needs(np.array([0]), np.array([mask(3, 4, 5)]), np.array([1_000_000]), 1)[0].tolist()
    assert [Fraction(v, MONTH_UNIT) for v in needs[2:5]] == [Fraction(1_000_000, 3)] * 3
    assert sum(needs) == 1_000_000 * MONTH_UNIT
    assert ceil_milli(needs[2]) == 333_334
    pm = {SOLE: ProductMonths("Filet de sole frais", "kg", "kg", tuple(needs))}
    need = fresh_need(pm)
    just_under = supplier("A", {SOLE: [0, 0, "333.333", "333.333", "333.333", 0, 0, 0, 0, 0, 0, 0]})
    enough = supplier("B", {SOLE: [0, 0, "333.334", "333.334", "333.334", 0, 0, 0, 0, 0, 0, 0]})
    assert blocking_reasons(just_under, need) == [
        "333,333 kg de filet de sole frais de mars à mai pour 333,334 kg demandés par mois"
    ]
    assert can_serve(enough, need)
    assert servable_by(need, [just_under, enough]) == ["B"]


def test_spreading_does_not_depend_on_how_lines_are_grouped() -> None:
    # Lines of one cell: 7 over all year, 5 over January–May, 1 over June: per line or summed, same needs.
    cells = np.array([0, 0, 0, 1])
    masks = np.array([ALL_MONTHS, mask(1, 2, 3, 4, 5), mask(6), ALL_MONTHS])
    qty = np.array([7, 5, 1, 12])
    needs = cell_month_needs(cells, masks, qty, 2)
    expected = [Fraction(7, 12) + (Fraction(1) if m <= 5 else 0) + (1 if m == 6 else 0) for m in range(1, 13)]
    assert [Fraction(v, MONTH_UNIT) for v in needs[0].tolist()] == expected
    assert [Fraction(v, MONTH_UNIT) for v in needs[1].tolist()] == [1] * 12


def test_cells_carry_the_month_needs(catalogue: Any) -> None:
    d = demand(
        [(SOLE, "Boulonnais", 1_200_000, ALL_MONTHS), (SOLE, "Boulonnais", 600_000, mask(6))], catalogue
    )
    cells = prepare(d, catalogue).cells
    row = cells.iloc[0]
    assert [ceil_milli(int(row[c])) for c in MONTH_COLUMNS] == [100_000] * 5 + [700_000] + [100_000] * 6
    data = month_data(cells)
    assert data is not None
    months = data.of([0])[SOLE]
    assert (months.libelle, months.unite) == ("Filet de sole frais", "kg")


@pytest.mark.parametrize(
    ("months", "text"),
    [
        ([6], "en juin"),
        (list(range(3, 11)), "de mars à octobre"),
        ([11, 12, 1, 2], "de novembre à février"),
        ([4, 5, 6], "d'avril à juin"),
        ([8, 9, 10], "d'août à octobre"),
        ([1, 3, 4, 5], "en janvier et de mars à mai"),
        ([1, 3, 6, 7, 12], "en mars, de juin à juillet et de décembre à janvier"),
        (list(range(1, 13)), "toute l'année"),
    ],
)
def test_months_in_words(months: list[int], text: str) -> None:
    assert months_fr(months) == text


# --------------------------------------------------------------------------------------------
# The rule, through build_plan: LOT-001, capacite, optimal, metrics
# --------------------------------------------------------------------------------------------

WINTER = [300, 300, 0, 0, 0, 0, 0, 0, 0, 0, 300, 300]  # herring smoker: November to February only


def herring_case(catalogue: Any) -> tuple[Demand, list[Supplier]]:
    d = demand([(HARENG, "Boulonnais", 1_200_000, ALL_MONTHS)], catalogue)  # 100 kg a month
    suppliers = [
        supplier("Profil H", {HARENG: WINTER}),
        supplier("Profil K", {HARENG: [200] * 12}),
        supplier("Profil M", None, capacite_annuelle_ht=D(1_000_000)),
    ]
    return d, suppliers


@pytest.mark.parametrize("strategy", ["capacite", "optimal", "famille"])
def test_a_seasonal_supplier_is_not_capable_for_a_year_round_lot(
    strategy: str, catalogue: Any, groupement: Any
) -> None:
    d, suppliers = herring_case(catalogue)
    result = plan(d, catalogue, groupement, suppliers, strategy=strategy)
    assert [lot.fournisseurs_capables for lot in result.lots] == [["Profil K", "Profil M"]]
    # with k = 3 the lot is thin: LOT-001 names the months and the product the seasonal supplier lacks
    thin = plan(
        d, catalogue, groupement.model_copy(update={"k_fournisseurs": 3}), suppliers, strategy=strategy
    )
    (lot,) = thin.lots
    assert lot.nb_fournisseurs_capables == 2
    assert lot.raisons_capacite == "« Profil H » aucun volume de filet de hareng fumé doux de mars à octobre"
    lot001 = [f for f in check_plan_basics(thin, catalogue) if f.code == "LOT-001"]
    assert len(lot001) == 1
    assert "aucun volume de filet de hareng fumé doux de mars à octobre" in lot001[0].message
    metrics = plan_metrics(thin, 3)
    assert (metrics.nb_lots_servables_k, metrics.fournisseurs_min) == (0, 2)
    assert plan_metrics(result, 2).nb_lots_servables_k == 1


def test_a_lot_needed_in_winter_only_is_served_by_the_winter_supplier(
    catalogue: Any, groupement: Any
) -> None:
    d = demand([(HARENG, "Boulonnais", 1_200_000, mask(12, 1, 2))], catalogue)  # 400 kg a month
    suppliers = [supplier("Profil H", {HARENG: [400] * 2 + [0] * 9 + [400]}), supplier("Profil K", None)]
    result = plan(d, catalogue, groupement, suppliers, strategy="capacite")
    assert result.lots[0].fournisseurs_capables == ["Profil H", "Profil K"]


def test_partial_volume_is_named_with_both_quantities(catalogue: Any, groupement: Any) -> None:
    d = demand([(SOLE, "Boulonnais", 2_160_000, ALL_MONTHS)], catalogue)  # 180 kg a month
    june_short = [200] * 5 + [120] + [200] * 6
    suppliers = [supplier("Profil D", {SOLE: june_short}), supplier("Profil A", {SOLE: [180] * 12})]
    result = plan(d, catalogue, groupement, suppliers, strategy="famille")
    (lot,) = result.lots
    assert lot.fournisseurs_capables == ["Profil A"]
    assert lot.raisons_capacite == "« Profil D » 120 kg de filet de sole frais en juin pour 180 kg demandés"


def test_a_covered_product_without_volume_line_has_no_volume(catalogue: Any, groupement: Any) -> None:
    d = demand(
        [(SOLE, "Boulonnais", 1_200_000, ALL_MONTHS), (PLIE, "Boulonnais", 120_000, mask(4))], catalogue
    )
    only_sole = supplier("Profil D", {SOLE: [500] * 12})
    (lot,) = plan(d, catalogue, groupement, [only_sole], strategy="famille").lots
    assert lot.fournisseurs_capables == []
    assert lot.raisons_capacite == "« Profil D » aucun volume de filet de plie frais en avril"


def test_capacite_and_optimal_split_territories_a_monthly_volume_cannot_serve_together(
    catalogue: Any, groupement: Any
) -> None:
    # 180 kg a month in each territory; each supplier has 200 kg a month for both zones together.
    d = demand(
        [(SOLE, "Boulonnais", 2_160_000, ALL_MONTHS), (SOLE, "Calaisis", 2_160_000, ALL_MONTHS)], catalogue
    )
    suppliers = [supplier("Profil A", {SOLE: [200] * 12}), supplier("Profil B", {SOLE: [200] * 12})]
    for strategy in ("capacite", "optimal"):
        result = plan(d, catalogue, groupement, suppliers, strategy=strategy)
        assert sorted(lot.territoires for lot in result.lots) == [["Boulonnais"], ["Calaisis"]], strategy
        assert all(lot.fournisseurs_capables == ["Profil A", "Profil B"] for lot in result.lots)
    opt = plan(d, catalogue, groupement, suppliers, strategy="optimal")
    codes = [f.code for f in opt.findings]
    assert "OPT-004" in codes
    assert "OPT-001" not in codes
    # with 400 kg a month each, one lot serves both territories: the proven optimum stands
    roomy = [supplier("Profil A", {SOLE: [400] * 12}), supplier("Profil B", {SOLE: [400] * 12})]
    one = plan(d, catalogue, groupement, roomy, strategy="optimal")
    assert len(one.lots) == 1
    assert [f.code for f in one.findings if f.code.startswith("OPT-")] == ["OPT-001"]


def test_yearly_and_monthly_limits_both_apply(catalogue: Any, groupement: Any) -> None:
    d = demand([(SOLE, "Boulonnais", 2_160_000, ALL_MONTHS)], catalogue)  # 2 160 kg a year
    both = supplier("Profil A", {SOLE: [500] * 12}, capacite_annuelle_kg=D(2000))
    (lot,) = plan(d, catalogue, groupement, [both], strategy="famille").lots
    assert (
        lot.raisons_capacite
        == "« Profil A » capacité annuelle de 2\u202f000 kg inférieure au besoin de 2\u202f160 kg"
    )


def test_yearly_only_sourcing_is_said_once_with_its_profiles(catalogue: Any, groupement: Any) -> None:
    d, suppliers = herring_case(catalogue)
    result = plan(d, catalogue, groupement, suppliers, strategy="capacite")
    found = [f for f in result.findings if f.code == "LOT-007"]
    assert len(found) == 1
    assert found[0].severite == "info"
    assert "1 fournisseur du sourçage (« Profil M »)" in found[0].message
    monthly_only = plan(d, catalogue, groupement, suppliers[:2], strategy="capacite")
    assert not [f for f in monthly_only.findings if f.code == "LOT-007"]


def test_vectorised_check_agrees_with_the_per_supplier_rule() -> None:
    rng = random.Random(7)
    codes = [SOLE, PLIE, HARENG]
    suppliers = [
        supplier(
            f"S{i}", {c: [rng.choice([0, 50, 100, 150]) for _ in range(12)] for c in rng.sample(codes, 2)}
        )
        for i in range(40)
    ] + [supplier("Y", None)]
    for _ in range(50):
        kg = (0, 40, 100, 120)
        mois = {
            c: ProductMonths(c, "kg", "kg", tuple(rng.choice(kg) * 1000 * MONTH_UNIT for _ in range(12)))
            for c in rng.sample(codes, rng.randint(1, 3))
        }
        need = fresh_need(mois)
        assert servable_by(need, suppliers) == sorted(s.nom for s in suppliers if can_serve(s, need))


def test_the_cell_level_check_of_capacite_agrees_with_the_rule(catalogue: Any) -> None:
    """capacite counts suppliers from per-cell arrays: same answers as capacity.can_serve on the lot."""
    from dataclasses import replace

    from lotsmarche.lotting.capacite import NEEDED, make_part
    from lotsmarche.lotting.capacity import CellCapability, sourcing_index

    rng = random.Random(3)
    terr = list(CP)
    rows = [
        (
            code,
            rng.choice(terr),
            rng.randint(1, 400) * 1000,
            rng.choice([ALL_MONTHS, mask(11, 12, 1, 2), mask(6)]),
        )
        for code in (SOLE, PLIE, "MER-SOLE-ENTIER-FR", "MER-PLIE-ENTIER-FR")
        for _ in range(3)
    ]
    cells = prepare(demand(rows, catalogue), catalogue).cells
    cols = {c: cells[c].tolist() for c in NEEDED}
    months = month_data(cells)
    suppliers = [
        supplier(
            f"S{i}",
            None
            if i % 5 == 0
            else {c: [rng.choice([0, 20, 60, 200]) for _ in range(12)] for c in (SOLE, PLIE)},
            zones=rng.choice([["*"], ["Boulonnais"], ["Calaisis"]]),
            capacite_annuelle_kg=rng.choice([None, D(300), D(3000)]),
        )
        for i in range(30)
    ]
    singles = [
        replace(make_part(cols, [c]).need(), montant_annuel_ht=D(0), kg_annuel=None)
        for c in range(len(cells))
    ]
    check = CellCapability(sourcing_index(suppliers), singles, months)
    for _ in range(60):
        positions = sorted(rng.sample(range(len(cells)), rng.randint(1, len(cells))))
        need = make_part(cols, positions, months=months).need()
        flags = check.able(positions, need.montant_annuel_ht, need.kg_annuel).tolist()
        assert flags == [can_serve(s, need) for s in suppliers]


def test_a_month_level_sourcing_csv_sizes_the_lots(catalogue: Any, groupement: Any, tmp_path: Any) -> None:
    """Month volumes read from a sourcing file (sourcing.csvfile) reach the lotting."""
    from lotsmarche.sourcing import load_sourcing

    path = tmp_path / "sourcing.csv"
    path.write_text(
        "fournisseur;type;familles;conservations;zones;volumes_mensuels;capacite_annuelle_ht\n"
        "Profil H;fumaison;produits_de_la_mer;refrigere_elabore;*;"
        "MER-HARENG-FUME-RE:300/300/0/0/0/0/0/0/0/0/300/300;\n"
        "Profil K;grossiste_regional;produits_de_la_mer;refrigere_elabore;*;"
        "MER-HARENG-FUME-RE:200/200/200/200/200/200/200/200/200/200/200/200;\n"
        "Profil M;grossiste_regional;produits_de_la_mer;refrigere_elabore;*;;1000000\n",
        encoding="utf-8",
    )
    suppliers = load_sourcing(path, catalogue)
    assert [s.volumes_mensuels is not None for s in suppliers] == [True, True, False]
    d = demand([(HARENG, "Boulonnais", 1_200_000, ALL_MONTHS)], catalogue)
    (lot,) = plan(d, catalogue, groupement.model_copy(update={"k_fournisseurs": 3}), suppliers).lots
    assert lot.fournisseurs_capables == ["Profil K", "Profil M"]
    assert lot.raisons_capacite == "« Profil H » aucun volume de filet de hareng fumé doux de mars à octobre"
