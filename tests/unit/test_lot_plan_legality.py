"""Lot plan legality (issue 10 §1, §9, §10): servability is an error, small lots never sit unpublished
inside a notice, each lot cites its own procedure's articles, launch dates and time limits are checked,
an unknown group gives a draft, and `check` on a written plan reports what `run` reported.

Asserted on the bundled example (every strategy) and on groups the tests build (another family, a launch
before the Climate-law date, every small-lot choice).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lotsmarche.lotsjson import plan_from_json, plan_to_json
from lotsmarche.models import STRATEGIES, Finding, LotPlan
from lotsmarche.pipeline import plan_lots
from lotsmarche.resources import examples_dir
from lotsmarche.rules import check_plan
from tests.unit._plan_factory import make_lot, make_plan

TODAY = date(2026, 6, 1)
EXAMPLE = examples_dir() / "boulonnais"
AO_ARTICLES = ["L2124-2", "R2124-2", "R2161-2 à R2161-5"]


def _serious(findings: list[Finding]) -> list[tuple[str, str, int | None, str]]:
    return sorted((f.code, f.severite, f.lot, f.message) for f in findings if f.severite != "info")


def _all_findings(plan: LotPlan) -> list[Finding]:
    return [*plan.findings, *(f for lot in plan.lots for f in lot.findings)]


def _example(tmp_path: Path, strategy: str = "capacite", **groupement: object) -> LotPlan:
    path = EXAMPLE / "groupement.yaml"
    if groupement:
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data.update(groupement)
        path = tmp_path / "groupement.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    plan, _ = plan_lots(
        sorted(EXAMPLE.glob("demande*.csv")),
        path,
        EXAMPLE / "sourcing.csv",
        strategy=strategy,
        today=TODAY,
    )
    return plan


# --- the bundled example ------------------------------------------------------------------------------


def test_default_plan_has_no_error_and_every_lot_servable_by_k(tmp_path: Path) -> None:
    plan = _example(tmp_path)
    k = plan.groupement.k_fournisseurs
    assert [f for f in _all_findings(plan) if f.severite == "erreur"] == []
    assert all(lot.nb_fournisseurs_capables >= k for lot in plan.lots)
    # petits_lots: aucun (default): every lot in the main procedure, citing only its articles
    assert all(lot.procedure.code == "appel_offres" for lot in plan.lots)
    assert all(lot.procedure.articles == AO_ARTICLES for lot in plan.lots)
    assert not any(lot.procedure.hors_consultation for lot in plan.lots)
    # the lot CPV follows its products: frozen fish, not the generic prepared-fish code
    frozen = next(lot for lot in plan.lots if lot.conservation == "surgele")
    assert frozen.cpv_principal == "15220000-6"


@pytest.mark.parametrize("strategy", [s for s in STRATEGIES if s != "optimal"])
def test_check_on_the_written_plan_reports_what_run_reported(
    tmp_path: Path, catalogue, strategy: str
) -> None:
    plan = _example(tmp_path, strategy)
    written = plan_from_json(plan_to_json(plan), "lots.json")
    assert _serious(check_plan(written, catalogue, today=TODAY)) == _serious(_all_findings(plan))
    k = plan.groupement.k_fournisseurs
    thin = sorted(lot.numero for lot in plan.lots if lot.nb_fournisseurs_capables < k)
    assert sorted(f.lot for f in _all_findings(plan) if f.code == "LOT-001") == thin
    assert all(f.severite == "erreur" for f in _all_findings(plan) if f.code == "LOT-001")


def test_famille_leaves_a_lot_no_two_suppliers_serve_an_error_with_reasons(tmp_path: Path) -> None:
    plan = _example(tmp_path, "famille")
    errors = [f for f in _all_findings(plan) if f.code == "LOT-001"]
    assert errors and all(f.severite == "erreur" for f in errors)
    assert all("Raisons :" in f.message and "ne fournit" in f.message for f in errors)


# --- small-lot allowance: the buyer's choice -------------------------------------------------------------


def test_mapa_small_lots_stay_in_the_notice_and_only_they_cite_r2123_5(tmp_path: Path, catalogue) -> None:
    plan = _example(tmp_path, petits_lots="mapa")
    petits = [lot for lot in plan.lots if lot.procedure.derogation == "petit_lot"]
    assert [lot.numero for lot in petits] == [1, 2, 6]
    for lot in plan.lots:
        assert not lot.procedure.hors_consultation
        assert ("R2123-5" in lot.procedure.articles) == (lot in petits)
        assert lot.procedure.code == ("mapa" if lot in petits else "appel_offres")
    assert _serious(check_plan(plan, catalogue, today=TODAY)) == []


def test_hors_consultation_lots_leave_the_consultation(tmp_path: Path, catalogue) -> None:
    plan = _example(tmp_path, petits_lots="hors_consultation")
    out = [lot.numero for lot in plan.lots if lot.procedure.hors_consultation]
    assert out == [2, 6]  # under 60 000 € HT, together within 20 %
    for lot in plan.lots:
        assert lot.procedure.articles == (["R2122-8"] if lot.numero in out else AO_ARTICLES)
    assert _serious(check_plan(plan, catalogue, today=TODAY)) == []


def test_no_publicity_lot_inside_a_notice_is_an_error(catalogue) -> None:
    from lotsmarche.models import ProcedureLot

    inside = ProcedureLot(
        code="dispense",
        libelle="Marché sans publicité ni mise en concurrence préalables (mini-lot)",
        publicite="libre",
        derogation="mini_lot",
        motifs=["test"],
        articles=["R2122-8", "R2123-5"],
    )
    big = make_lot(maximum="400000.00")
    small = make_lot(numero=2, maximum="20000.00", procedure=inside)
    plan = make_plan([big, small], procedure="appel_offres")
    codes = {(f.code, f.lot) for f in check_plan(plan, catalogue, today=TODAY) if f.severite == "erreur"}
    assert {("SEU-007", 2), ("SEU-008", 2), ("SEU-009", 2)} <= codes
    fixed = plan.model_copy(
        update={
            "groupement": plan.groupement.model_copy(update={"petits_lots": "hors_consultation"}),
            "lots": [
                big,
                small.model_copy(
                    update={
                        "procedure": inside.model_copy(
                            update={"hors_consultation": True, "articles": ["R2122-8"]}
                        )
                    }
                ),
            ],
        }
    )
    codes = {f.code for f in check_plan(fixed, catalogue, today=TODAY) if f.severite == "erreur"}
    assert not codes & {"SEU-007", "SEU-008", "SEU-009"}


# --- dates and time limits ------------------------------------------------------------------------------


def _dat(plan: LotPlan, catalogue, today: date | None = TODAY) -> list[tuple[str, str]]:
    return [
        (f.code, f.severite) for f in check_plan(plan, catalogue, today=today) if f.code.startswith("DAT")
    ]


def test_launch_in_the_past_is_an_error_only_when_today_is_given(catalogue) -> None:
    plan = make_plan([make_lot(maximum="400000.00")], date_lancement=date(2026, 9, 1))
    assert _dat(plan, catalogue, date(2026, 9, 1)) == []
    assert _dat(plan, catalogue, date(2026, 9, 2)) == [("DAT-001", "erreur")]
    assert _dat(plan, catalogue, None) == []  # the library never reads the clock itself


@pytest.mark.parametrize(
    ("procedure", "maximum", "delai", "motif", "expected"),
    [
        ("appel_offres", "400000.00", 30, None, []),
        ("appel_offres", "400000.00", 29, None, [("DAT-002", "erreur")]),
        (
            "appel_offres",
            "400000.00",
            15,
            "avis de préinformation publié le 3 mars 2027",
            [("DAT-003", "info")],
        ),
        ("appel_offres", "400000.00", 14, "urgence", [("DAT-002", "erreur")]),
        ("mapa", "100000.00", 15, None, []),
        ("mapa", "100000.00", 14, None, [("DAT-002", "erreur")]),
    ],
)
def test_time_limit_for_tenders(catalogue, procedure, maximum, delai, motif, expected) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(
        [make_lot(maximum=maximum)], procedure=procedure, delai_remise_jours=delai, delai_reduit_motif=motif
    )
    assert _dat(plan, catalogue) == expected


def test_launch_before_the_climate_law_date_still_works(catalogue) -> None:
    plan = make_plan([make_lot(maximum="400000.00")], date_lancement=date(2026, 8, 20))
    findings = check_plan(plan, catalogue, today=date(2026, 6, 1))
    assert not [f for f in findings if f.code.startswith(("DAT", "CLI-001", "CLI-002"))]


# --- an unknown group -----------------------------------------------------------------------------------


def test_without_members_the_group_is_unknown_and_the_dce_a_draft(catalogue) -> None:
    from lotsmarche.render.context import build_contexts, is_draft

    plan = make_plan(membres=())
    (grp,) = [f for f in check_plan(plan, catalogue) if f.code == "GRP-001"]
    assert grp.severite == "erreur" and "--brouillon" in (grp.correction or "")
    assert is_draft(plan)
    base, _ = build_contexts(plan, catalogue)
    assert base.brouillon
    known = make_plan()
    assert not is_draft(known) and not build_contexts(known, catalogue)[0].brouillon
    assert build_contexts(known, catalogue, brouillon=True)[0].brouillon


# --- what the pieces get ---------------------------------------------------------------------------------


def test_hors_consultation_lots_are_in_no_piece_and_in_their_own_note(tmp_path: Path) -> None:
    import yaml

    from lotsmarche.pipeline import run
    from tests.unit._render_helpers import docx_lines

    data = yaml.safe_load((EXAMPLE / "groupement.yaml").read_text(encoding="utf-8"))
    data["petits_lots"] = "hors_consultation"
    groupement = tmp_path / "groupement.yaml"
    groupement.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    demand = sorted(EXAMPLE.glob("demande*.csv"))
    result = run(
        demand,
        tmp_path / "out",
        groupement_path=groupement,
        sourcing_path=EXAMPLE / "sourcing.csv",
        today=TODAY,
    )
    assert result.dce is not None and not result.dce.brouillon
    files = set(result.fichiers)
    assert "Note_lots_hors_consultation.docx" in files  # beside DCE/, never in the published folder
    assert not any(f.startswith("DCE/") and "hors_consultation" in f for f in files)
    assert "DCE/AE/Lot_01_AE.docx" in files and "DCE/AE/Lot_02_AE.docx" not in files
    assert "DCE/BPU_DQE/Lot_06_BPU_DQE.xlsx" not in files
    rc = "\n".join(docx_lines(tmp_path / "out/DCE/00_RC.docx"))
    assert "sans publicité" not in rc
    note = "\n".join(docx_lines(tmp_path / "out/Note_lots_hors_consultation.docx"))
    assert "Lot 2" in note and "Lot 6" in note and "Lot 1" not in note
    assert "R2122-8" in note and "R2123-1" in note and "20\u00a0%" in note
    assert "plusieurs devis" in note
    # same inputs, same bytes
    again = run(
        demand,
        tmp_path / "again",
        groupement_path=groupement,
        sourcing_path=EXAMPLE / "sourcing.csv",
        today=TODAY,
    )
    assert again.dce is not None
    first = (tmp_path / "out/Note_lots_hors_consultation.docx").read_bytes()
    assert first == (tmp_path / "again/Note_lots_hors_consultation.docx").read_bytes()


def test_mapa_small_lots_cite_r2123_5_in_the_rc_and_ae_and_the_others_do_not(
    tmp_path: Path, catalogue
) -> None:
    from lotsmarche.render.context import build_contexts

    plan = _example(tmp_path, petits_lots="mapa")
    base, lots = build_contexts(plan, catalogue)
    assert [lot.numero for lot in lots if lot.petit_lot] == [1, 2, 6] and base.a_petits_lots
    for lot in lots:
        assert lot.negociation == lot.petit_lot
        assert ("R2123-5" in lot.articles_texte) == lot.petit_lot
    assert base.lots_hors_consultation == []


# --- « famille »: one lot per family, conditions per conservation; another family ----------------------

DAIRY_DEMAND = (
    "membre;site_livraison;code_postal;produit;quantite;unite;prix_unitaire_ht;mois;label_requis;"
    "conditionnement;livraisons_par_semaine\n"
    """Collège Angellier;Cuisine;62200;LAI-BEURRE-DOUX;400;kg;;;;;2
Collège Angellier;Cuisine;62200;LAI-YAOURT-NATURE;9000;piece;;;;;2
Collège Angellier;Cuisine;62200;LAI-LAIT-UHT;3000;litre;;;;;1
EHPAD Guynemer;Cuisine;62930;LAI-CAMEMBERT;1200;piece;;;;;1
EHPAD Guynemer;Cuisine;62930;LAI-CREME-UHT;800;litre;;;;;1
"""
)
DAIRY_GROUPEMENT = """nom: Groupement laitier de test
reference: GC-LAIT-2027-01
date_lancement: 2027-03-01
membres:
  - {nom: Collège Angellier, type: college, commune: Boulogne-sur-Mer}
  - {nom: EHPAD Guynemer, type: ehpad, commune: Wimereux}
"""
DAIRY_SOURCING = (
    "fournisseur;type;familles;conservations;groupes_especes;produits;capacite_annuelle_ht;"
    "capacite_annuelle_kg;zones;livraison_reemployable;labels;circuit_court\n"
    """Laiterie A;grossiste_regional;produits_laitiers;frais|ambiant;;;500000;;*;oui;BIO;non
Laiterie B;grossiste_regional;produits_laitiers;frais|ambiant;;;500000;;*;oui;;non
Crèmerie C;grossiste_regional;produits_laitiers;frais;;;500000;;*;oui;;non
"""
)


@pytest.fixture
def dairy(tmp_path: Path) -> tuple[Path, Path, Path]:
    files = []
    for name, text in (
        ("demande.csv", DAIRY_DEMAND),
        ("groupement.yaml", DAIRY_GROUPEMENT),
        ("sourcing.csv", DAIRY_SOURCING),
    ):
        (tmp_path / name).write_text(text, encoding="utf-8")
        files.append(tmp_path / name)
    return files[0], files[1], files[2]


def test_famille_gives_one_lot_per_family_with_conditions_per_conservation(dairy, catalogue) -> None:  # type: ignore[no-untyped-def]
    from lotsmarche.render.context import build_contexts

    demand, groupement, sourcing = dairy
    plan, _ = plan_lots([demand], groupement, sourcing, strategy="famille", today=TODAY)
    (lot,) = plan.lots
    assert lot.conservations == ["frais", "ambiant"]
    assert lot.conservation == "frais"  # the conservation weighing most names the criteria set
    assert lot.intitule == "Lait, produits laitiers, beurre et fromages (frais et épicerie ambiante)"
    assert lot.fournisseurs_capables == ["Laiterie A", "Laiterie B"]  # the fresh-only dairy cannot serve it
    assert not [f for f in _all_findings(plan) if f.severite == "erreur"]
    _, lots = build_contexts(plan, catalogue)
    assert lots[0].temperatures.startswith("Produits frais\u00a0: les produits sont livrés réfrigérés")
    assert (
        "Produits épicerie ambiante\u00a0: les produits sont livrés à température ambiante"
        in lots[0].temperatures
    )
    # the other strategies keep one conservation per lot
    split, _ = plan_lots([demand], groupement, sourcing, strategy="famille-conservation", today=TODAY)
    assert sorted(x.conservation for x in split.lots) == ["ambiant", "frais"]
    assert all(x.conservations == [] for x in split.lots)


@pytest.mark.parametrize("strategy", [s for s in STRATEGIES if s != "optimal"])
def test_another_family_every_strategy_check_matches_and_lots_cite_their_articles(
    dairy, catalogue, strategy: str
) -> None:  # type: ignore[no-untyped-def]
    demand, groupement, sourcing = dairy
    plan, _ = plan_lots([demand], groupement, sourcing, strategy=strategy, today=TODAY)
    written = plan_from_json(plan_to_json(plan), "lots.json")
    assert _serious(check_plan(written, catalogue, today=TODAY)) == _serious(_all_findings(plan))
    assert plan.procedure.code == "mapa"  # a small group: below the EU threshold
    for lot in plan.lots:
        assert lot.procedure.articles == ["L2123-1", "R2123-1 1°", "R2123-4", "R2123-5"]
        assert not lot.procedure.hors_consultation
        assert lot.cpv_principal in catalogue.cpv
        assert lot.cpv_principal.startswith("155")  # dairy products (15500000-3 and below)
