"""Lot builder on canonical demands built here: partition, homogeneity, amounts, breakdowns, CPV, options."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from lotsmarche.errors import InputError, LottingError
from lotsmarche.intake.model import CANONICAL_COLUMNS, Demand
from lotsmarche.lotting import STRATEGY_REGISTRY, build_plan, get_strategy
from lotsmarche.lotting.cpv import common_ancestor, index_by_prefix, lot_cpv, significant
from lotsmarche.lotting.lines import lot_regime
from lotsmarche.models import Groupement, LotPlan, Supplier, lot_conservations
from lotsmarche.money import amount_exact, round_cents
from lotsmarche.rules import check_plan

D = Decimal
SITES = [
    ("Collège Angellier", "62200", "62160", "Boulonnais"),
    ("Collège Paul Eluard", "62100", "62193", "Calaisis"),
    ("EHPAD Guynemer", "62170", "62588", "Montreuillois-Ternois"),
]
BUILT_IN = ("famille", "famille-conservation", "espece", "territoire", "capacite")


def line(n: int, produit: str, membre: str, cp: str, insee: str, terr: str, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "ligne": n,
        "fichier": "demande.csv",
        "feuille": "",
        "ligne_source": n + 1,
        "colonne_source": "",
        "membre": membre,
        "site_livraison": membre,
        "code_postal": cp,
        "commune_insee": insee,
        "territoire": terr,
        "produit": produit,
        "quantite_milli": 100_000,
        "prix_e4": 100_000,
        "prix_source": "catalogue",
        "mois": 4095,
        "label_requis": "",
        "conditionnement": "",
        "livraisons_par_semaine": float("nan"),
    }
    row.update(kw)
    return row


def demand_of(rows: list[dict[str, Any]]) -> Demand:
    table = pd.DataFrame(rows, columns=list(CANONICAL_COLUMNS))
    for col in ("ligne", "ligne_source", "quantite_milli", "prix_e4", "mois"):
        table[col] = table[col].astype("int64")
    return Demand(table=table, membres=[])


@pytest.fixture(scope="module")
def wide_demand(catalogue) -> Demand:
    """Every other catalogue product for three members in three territories, catalogue prices."""
    rows: list[dict[str, Any]] = []
    n = 0
    for i, (membre, cp, insee, terr) in enumerate(SITES):
        for code in sorted(catalogue.produits)[i % 2 :: 2]:
            n += 1
            price = int(catalogue.produits[code].prix_reference_ht * 10000)
            rows.append(
                line(n, code, membre, cp, insee, terr, quantite_milli=123_456 + 1000 * n, prix_e4=price)
            )
    return demand_of(rows)


def plan_for(demand: Demand, catalogue: Any, **kw: Any) -> LotPlan:
    return build_plan(demand, catalogue, Groupement(), catalogue.fournisseurs, **kw)


def check_invariants(plan: LotPlan, demand: Demand, catalogue: Any) -> None:
    ids = [i for lot in plan.lots for item in lot.items for i in item.lignes]
    assert sorted(ids) == sorted(demand.table["ligne"].tolist())  # each line in exactly one lot
    assert len(ids) == len(set(ids))
    table = demand.table
    by_line = table.set_index("ligne")
    for lot in plan.lots:
        cons = {catalogue.produits[it.produit].conservation for it in lot.items}
        # one conservation per lot, except « famille » (one lot per family, conditions per conservation)
        assert cons == set(lot_conservations(lot))
        assert lot.conservation in cons
        if plan.strategie != "famille":
            assert lot.conservations == []
        regimes = {
            catalogue.conditionnements[c or catalogue.produits[p].conditionnement_defaut].regime
            for it in lot.items
            for p, c in zip(
                by_line.loc[it.lignes, "produit"], by_line.loc[it.lignes, "conditionnement"], strict=True
            )
        }
        # contact containers never share a lot with other packaging; the lot takes the most demanding regime
        assert len({r == "plastique_contact" for r in regimes}) == 1
        assert lot.regime_emballage == lot_regime(regimes)
        assert {catalogue.conditionnements[it.conditionnement].regime for it in lot.items} == {
            lot.regime_emballage
        }
        assert lot.cpv_principal in catalogue.cpv
        assert all(c in catalogue.cpv for c in lot.cpv_secondaires)
        assert lot.montant_annuel_ht == sum((it.montant_annuel_ht for it in lot.items), D(0))
        for it in lot.items:
            sub = by_line.loc[it.lignes]
            exact = sum(
                (amount_exact(q, p) for q, p in zip(sub["quantite_milli"], sub["prix_e4"], strict=True)), D(0)
            )
            if table.loc[table["produit"] == it.produit, "prix_e4"].nunique() == 1:
                assert abs(exact - it.montant_annuel_ht) <= D("0.005")
            assert it.montant_annuel_ht == round_cents(it.quantite_annuelle * it.prix_unitaire_ht)
            assert it.quantite_annuelle == D(int(sub["quantite_milli"].sum())) / 1000
            assert sum((r.quantite for r in it.repartition_membres), D(0)) == it.quantite_annuelle
            assert sum((r.quantite for r in it.repartition_sites), D(0)) == it.quantite_annuelle
        assert lot.montant_maximum_ht >= lot.montant_estime_duree_ht
    assert plan.montant_total_annuel_ht == sum((lot.montant_annuel_ht for lot in plan.lots), D(0))
    assert plan.montant_total_maximum_ht == sum((lot.montant_maximum_ht for lot in plan.lots), D(0))
    assert [lot.numero for lot in plan.lots] == list(range(1, len(plan.lots) + 1))
    assert len({lot.intitule for lot in plan.lots}) == len(plan.lots)


@pytest.mark.parametrize("strategy", BUILT_IN)
def test_every_strategy_keeps_the_invariants(strategy: str, wide_demand: Demand, catalogue) -> None:
    plan = plan_for(wide_demand, catalogue, strategy=strategy)
    check_invariants(plan, wide_demand, catalogue)
    assert plan.strategie == strategy
    assert plan.lignes_demande == len(wide_demand.table)
    assert plan.empreinte_demande == wide_demand.empreinte
    # deterministic: the same inputs give the same plan
    assert plan_for(wide_demand, catalogue, strategy=strategy) == plan


def test_strategies_differ_as_documented(wide_demand: Demand, catalogue) -> None:
    counts = {s: len(plan_for(wide_demand, catalogue, strategy=s).lots) for s in BUILT_IN}
    assert counts["famille-conservation"] > counts["famille"]
    assert counts["espece"] > counts["famille"]
    assert counts["territoire"] > counts["famille"]
    espece = plan_for(wide_demand, catalogue, strategy="espece")
    titles = [lot.intitule for lot in espece.lots]
    assert "Céphalopodes frais" in titles
    seafood = [lot for lot in espece.lots if lot.famille == "produits_de_la_mer"]
    assert all(len({catalogue.produits[i.produit].groupe_espece for i in lot.items}) == 1 for lot in seafood)
    terr = plan_for(wide_demand, catalogue, strategy="territoire")
    assert all(len(lot.territoires) == 1 for lot in terr.lots)
    assert any(lot.intitule.endswith("— Boulonnais") for lot in terr.lots)


def test_numbering_follows_family_then_conservation_order(wide_demand: Demand, catalogue) -> None:
    plan = plan_for(wide_demand, catalogue, strategy="famille")
    families = list(catalogue.familles)
    keys = [(families.index(lot.famille), lot.conservation) for lot in plan.lots]
    assert [k[0] for k in keys] == sorted(k[0] for k in keys)
    seafood = [lot.conservation for lot in plan.lots if lot.famille == "produits_de_la_mer"]
    assert seafood == sorted(
        seafood, key=["frais", "surgele", "appertise", "refrigere_elabore", "ambiant"].index
    )


def test_item_price_is_the_weighted_mean_and_breakdowns_add_up(catalogue) -> None:
    code = (
        "MER-MERLAN-FILET-FR"
        if "MER-MERLAN-FILET-FR" in catalogue.produits
        else sorted(catalogue.produits)[0]
    )
    (m1, cp1, i1, t1), (m2, cp2, i2, t2) = SITES[0], SITES[1]
    demand = demand_of(
        [
            line(
                1,
                code,
                m1,
                cp1,
                i1,
                t1,
                quantite_milli=1000,
                prix_e4=100_000,
                mois=0b000000000111,
                livraisons_par_semaine=2.0,
            ),
            line(2, code, m2, cp2, i2, t2, quantite_milli=3000, prix_e4=120_000, mois=0b000000111000),
        ]
    )
    plan = plan_for(demand, catalogue, strategy="famille")
    (lot,) = plan.lots
    (item,) = lot.items
    assert item.quantite_annuelle == D("4")
    assert item.prix_unitaire_ht == D("11.50")  # (1 × 10 + 3 × 12) / 4
    assert item.montant_annuel_ht == D("46.00")
    assert item.mois == [1, 2, 3, 4, 5, 6]
    assert item.lignes == [1, 2]
    assert [(r.membre, r.quantite, r.montant_annuel_ht) for r in item.repartition_membres] == [
        (m1, D("1"), D("11.50")),
        (m2, D("3"), D("34.50")),
    ]
    assert [(s.site, s.code_postal, s.territoire) for s in lot.sites] == [(m1, cp1, t1), (m2, cp2, t2)]
    # site 1: 2 per week × 3 months; site 2: default 1 per week × 3 months; 52/12 weeks a month
    assert lot.livraisons_annuelles == 39
    assert lot.membres == [m1, m2]
    assert lot.territoires == ["Boulonnais", "Calaisis"]
    assert lot.montant_estime_duree_ht == D("184.00")  # 4 years by default
    assert lot.montant_maximum_ht == D("220.80")
    assert plan.procedure.code == "dispense"


def test_cpv_hierarchy_by_significant_digits(catalogue) -> None:
    by_prefix = index_by_prefix(catalogue.cpv)
    assert significant("03311500-7") == "033115"
    assert significant("03000000-1") == "03"
    assert common_ancestor(["03311500-7", "03311210-7"], by_prefix) == "03311000-2"
    assert common_ancestor(["03311500-7"], by_prefix) == "03311500-7"
    assert common_ancestor(["03311500-7", "15221000-3"], by_prefix) is None
    # across divisions, the class weighing at least half names the lot (frozen fish, 2/3 of the value)
    main, secondary = lot_cpv({"03311500-7": D("10"), "15221000-3": D("20")}, by_prefix, "03310000-5")
    assert (main, secondary) == ("15221000-3", ["03311500-7"])
    # no class weighs half: the family's own code, else the code weighing most
    amounts = {"03311500-7": D("10"), "15221000-3": D("10"), "15234000-7": D("5")}
    assert lot_cpv(amounts, by_prefix, "03310000-5")[0] == "03310000-5"
    assert lot_cpv(amounts, by_prefix)[0] == "03311500-7"
    # a common ancestor above class level (15200000-0) does not name a frozen lot: its class does
    frozen = {"15220000-6": D("60"), "15241800-7": D("30"), "15253000-6": D("10")}
    assert lot_cpv(frozen, by_prefix, "03310000-5") == ("15220000-6", ["15241800-7", "15253000-6"])
    assert lot_cpv({"15241300-2": D("1"), "15241500-4": D("1")}, by_prefix)[0] == "15241000-9"


def test_bad_options_are_input_errors(wide_demand: Demand, catalogue) -> None:
    with pytest.raises(InputError) as exc:
        plan_for(wide_demand, catalogue, strategy="au-hasard")
    assert "au-hasard" in exc.value.message
    assert all(s in exc.value.lines()[1] for s in STRATEGY_REGISTRY)
    with pytest.raises(InputError) as exc:
        plan_for(wide_demand, catalogue, duree_mois=49)
    assert "48" in exc.value.lines()[1]
    plan_for(wide_demand, catalogue, duree_mois=48, strategy="famille")
    with pytest.raises(InputError):
        plan_for(wide_demand, catalogue, date_lancement=date(2020, 1, 1))
    with pytest.raises(InputError):
        plan_for(wide_demand, catalogue, lots_max_par_candidat=0)


def test_overrides_of_date_and_duration(wide_demand: Demand, catalogue) -> None:
    plan = plan_for(
        wide_demand, catalogue, strategy="famille", date_lancement=date(2026, 3, 31), duree_mois=12
    )
    assert plan.date_lancement == date(2026, 3, 31)
    assert plan.seuils.dispense.montant == D("40000")
    assert plan.duree_mois == 12
    lot = plan.lots[0]
    assert lot.montant_estime_duree_ht == lot.montant_annuel_ht


def test_lots_max_par_candidat_is_recorded(wide_demand: Demand, catalogue) -> None:
    plan = plan_for(wide_demand, catalogue, strategy="famille", lots_max_par_candidat=2)
    assert plan.lots_max_par_candidat == 2
    assert "LOT-003" in [f.code for f in plan.findings]


def test_non_allotment_needs_a_justification_and_one_homogeneous_class(
    wide_demand: Demand, catalogue
) -> None:
    with pytest.raises(InputError) as exc:
        plan_for(wide_demand, catalogue, sans_allotissement="Coordination impossible.")
    assert "frais et surgelés" in exc.value.lines()[1]
    fresh = [c for c, p in sorted(catalogue.produits.items()) if p.conservation == "frais"]
    same = [
        c
        for c in fresh
        if catalogue.produits[c].famille == catalogue.produits[fresh[0]].famille
        and catalogue.produits[c].conditionnement_defaut
        == catalogue.produits[fresh[0]].conditionnement_defaut
    ][:3]
    m, cp, insee, terr = SITES[0]
    demand = demand_of([line(i + 1, c, m, cp, insee, terr) for i, c in enumerate(same)])
    with pytest.raises(InputError):
        plan_for(demand, catalogue, sans_allotissement="   ")
    plan = plan_for(demand, catalogue, sans_allotissement="  Un seul  fournisseur possible. ")
    assert len(plan.lots) == 1
    assert plan.allotissement is False
    assert plan.justification_non_allotissement == "Un seul fournisseur possible."
    assert plan.strategie == "sans_allotissement"


def test_optimal_is_lazy(wide_demand: Demand, catalogue) -> None:
    strategy = get_strategy("optimal")
    assert strategy.name == "optimal"
    try:
        plan = plan_for(wide_demand, catalogue, strategy="optimal")
    except LottingError as exc:  # module not shipped yet
        assert "non disponible" in exc.message
    else:
        check_invariants(plan, wide_demand, catalogue)


def _supplier(nom: str, **kw: Any) -> Supplier:
    data: dict[str, Any] = {
        "nom": nom,
        "type": "mareyeur",
        "familles": ["produits_de_la_mer"],
        "zones": ["*"],
    }
    data.update(kw)
    return Supplier(**data)


def test_capacite_splits_until_k_suppliers_and_explains_the_rest(catalogue) -> None:
    fresh = {
        p.groupe_espece: c
        for c, p in sorted(catalogue.produits.items())
        if p.conservation == "frais" and p.conditionnement_defaut == "caisse_polystyrene"
    }
    wanted = [fresh["poissons_blancs"], fresh["poissons_bleus"], fresh["cephalopodes"]]
    m, cp, insee, terr = SITES[0]
    demand = demand_of([line(i + 1, c, m, cp, insee, terr) for i, c in enumerate(wanted)])
    suppliers = [
        _supplier("Blancs 1", groupes_especes=["poissons_blancs", "poissons_bleus"]),
        _supplier("Blancs 2", groupes_especes=["poissons_blancs", "poissons_bleus"]),
        _supplier("Seiches", groupes_especes=["cephalopodes"]),
    ]
    g = Groupement()
    famille = build_plan(demand, catalogue, g, suppliers, strategy="famille")
    assert [lot.nb_fournisseurs_capables for lot in famille.lots] == [0]
    plan = build_plan(demand, catalogue, g, suppliers, strategy="capacite")
    check_invariants(plan, demand, catalogue)
    assert sorted(lot.nb_fournisseurs_capables for lot in plan.lots) == [1, 2]
    assert len(plan.lots) == 2  # blancs and bleus merged back: both suppliers serve both
    short = next(lot for lot in plan.lots if lot.nb_fournisseurs_capables == 1)
    assert short.intitule == "Céphalopodes frais"
    # LOT-001 is a rule (an error): the plan carries the reasons and the proposed merge it is built from.
    assert "2 fournisseurs (Blancs 1, Blancs 2) ne fournissent pas : céphalopodes" in short.raisons_capacite
    other = next(lot for lot in plan.lots if lot is not short)
    assert short.fusion_proposee == (
        f"Le lot voisin le plus proche est le lot {other.numero} (« {other.intitule} ») ; fusionnés, ils ne "
        "seraient servis que par 0 fournisseur(s) du sourçage : la fusion ne suffit pas."
    )
    (finding,) = [f for f in check_plan(plan, catalogue) if f.code == "LOT-001"]
    assert finding.lot == short.numero and finding.severite == "erreur"
    assert "2 fournisseurs (Blancs 1, Blancs 2) ne fournissent pas : céphalopodes" in finding.message
    assert finding.correction is not None and finding.correction.startswith("Le lot voisin le plus proche")


MERLAN, CABILLAUD = "MER-MERLAN-FILET-FR", "MER-CABILLAUD-FILET-FR"  # fresh fish, polystyrene by default


@pytest.fixture(scope="module")
def packaging_demand() -> Demand:
    """Merlan and cabillaud: default polystyrene boxes, returnable crates, and plastic serving trays."""
    (m0, cp0, i0, t0), (m1, cp1, i1, t1), (m2, cp2, i2, t2) = SITES
    return demand_of(
        [
            line(1, MERLAN, m0, cp0, i0, t0, quantite_milli=1000, prix_e4=100_000),
            line(2, MERLAN, m1, cp1, i1, t1, quantite_milli=3000, prix_e4=120_000,
                 conditionnement="caisse_reemployable"),
            line(3, CABILLAUD, m0, cp0, i0, t0, quantite_milli=2000, prix_e4=190_000),
            line(4, MERLAN, m2, cp2, i2, t2, quantite_milli=2000, prix_e4=140_000,
                 conditionnement="bac_gastronorme_plastique"),
            line(5, CABILLAUD, m2, cp2, i2, t2, quantite_milli=1000, prix_e4=190_000,
                 conditionnement="bac_gastronorme_plastique"),
        ]
    )  # fmt: skip


def test_packaging_regimes_share_a_lot_and_only_contact_containers_split(
    packaging_demand: Demand, catalogue
) -> None:
    returnable = _supplier("Caisses", livraison_reemployable=True)
    polystyrene_only = _supplier("Polystyrène")
    plan = build_plan(packaging_demand, catalogue, Groupement(), [returnable, polystyrene_only], "famille")
    check_invariants(plan, packaging_demand, catalogue)
    assert [(lot.intitule, lot.regime_emballage) for lot in plan.lots] == [
        ("Poissons blancs frais en filets", "reemployable"),
        ("Poissons blancs frais en filets (contenants de service en plastique)", "plastique_contact"),
    ]
    common, contact = plan.lots
    # merlan keeps the crate its members asked; cabillaud, asked in polystyrene only, takes the lot's crate
    assert [(it.produit, it.conditionnement) for it in common.items] == [
        (CABILLAUD, "caisse_reemployable"),
        (MERLAN, "caisse_reemployable"),
    ]
    assert [it.lignes for it in common.items] == [[3], [1, 2]]
    assert {it.conditionnement for it in contact.items} == {"bac_gastronorme_plastique"}
    # returnable delivery is a lot-level requirement: only the supplier with returnable crates can serve it
    assert common.fournisseurs_capables == ["Caisses"]
    assert contact.fournisseurs_capables == ["Caisses", "Polystyrène"]


def test_one_price_per_product_for_the_whole_plan(packaging_demand: Demand, catalogue) -> None:
    from babel.numbers import format_currency

    plan = plan_for(packaging_demand, catalogue, strategy="famille")
    merlan = [it for lot in plan.lots for it in lot.items if it.produit == MERLAN]
    # (1 × 10 + 3 × 12 + 2 × 14) / 6 = 12.3333… → 12.33 in both lots, whatever lines each lot holds
    assert [(it.quantite_annuelle, it.prix_unitaire_ht, it.montant_annuel_ht) for it in merlan] == [
        (D("4"), D("12.33"), D("49.32")),
        (D("2"), D("12.33"), D("24.66")),
    ]
    assert [(r.membre, r.montant_annuel_ht) for r in merlan[0].repartition_membres] == [
        (SITES[0][0], D("12.33")),
        (SITES[1][0], D("36.99")),
    ]
    # exact demand: 10 + 36 + 28 + 38 + 19 = 131.00 €; items: 49.32 + 24.66 + 38.00 + 19.00 = 130.98 €
    assert plan.montant_total_annuel_ht == D("130.98")
    (finding,) = [f for f in plan.findings if f.code == "LOT-006"]
    assert finding.message.startswith("1 produit(s) de la demande")
    assert "−" + format_currency(D("0.02"), "EUR", locale="fr_FR") in finding.message
    territoire = plan_for(packaging_demand, catalogue, strategy="territoire")
    assert {it.prix_unitaire_ht for lot in territoire.lots for it in lot.items if it.produit == MERLAN} == {
        D("12.33")
    }


def test_non_allotment_accepts_mixed_regimes_but_not_contact_containers(
    packaging_demand: Demand, catalogue
) -> None:
    table = packaging_demand.table
    common = Demand(table=table[table["ligne"] <= 3].reset_index(drop=True), membres=[])
    plan = plan_for(common, catalogue, sans_allotissement="Un seul mareyeur livre les trois sites.")
    assert [(len(lot.items), lot.regime_emballage) for lot in plan.lots] == [(2, "reemployable")]
    with pytest.raises(InputError) as exc:
        plan_for(packaging_demand, catalogue, sans_allotissement="Un seul mareyeur livre les trois sites.")
    assert "contenants plastiques de service" in exc.value.lines()[1]


def test_optimal_findings_are_carried_by_the_plan(wide_demand: Demand, catalogue) -> None:
    from lotsmarche.lotting.optimal import time_limit

    with time_limit(20):
        plan = plan_for(wide_demand, catalogue, strategy="optimal")
    from lotsmarche.lotting.optimal import STRATEGY

    solver = STRATEGY.last_findings
    assert [f.code for f in solver][:1] in (["OPT-001"], ["OPT-003"])
    assert all(plan.findings.count(f) == 1 for f in solver)  # every solver finding, exactly once
    assert [f for f in plan.findings if f.code.startswith("OPT-")] == solver


def test_breakdowns_made_without_validation_equal_validated_ones() -> None:
    from pydantic import BaseModel, ValidationError

    from lotsmarche.lotting.fastmodel import Maker
    from lotsmarche.models import RepartitionSite

    fields = ("membre", "site", "code_postal", "territoire", "quantite")
    rows = [
        dict(zip(fields, ("A", "Cuisine", "62200", "Boulonnais", D("1.5")), strict=True)),
        dict(zip(fields, ("B", "Self", "62100", None, D("2")), strict=True)),
    ]
    made = Maker(RepartitionSite).many([dict(r) for r in rows])
    valid = [RepartitionSite(**r) for r in rows]
    assert made == valid
    assert [m.model_dump_json() for m in made] == [v.model_dump_json() for v in valid]
    assert [hash(m) for m in made] == [hash(v) for v in valid]
    copy = made[0].model_copy(update={"quantite": D("3")})
    assert (copy.quantite, made[0].quantite, made[1].model_fields_set) == (D("3"), D("1.5"), set(rows[0]))
    with pytest.raises(ValidationError):
        made[0].membre = "C"  # still frozen
    with pytest.raises(ValueError, match="champs attendus"):
        Maker(RepartitionSite)({"membre": "A"})
    with pytest.raises(ValueError, match="non conformes"):
        Maker(RepartitionSite)({**rows[0], "quantite": "1.5"})

    class Mutable(BaseModel):
        x: int

    with pytest.raises(TypeError):
        Maker(Mutable)
