"""Legal lint: every unlawful phrasing caught, no lawful one flagged; where it looks (titles, criteria...)."""

from __future__ import annotations

import pytest

from lotsmarche.models import ClauseOverrides, Critere
from lotsmarche.rules import check_plan, enrich_plan, lint_text
from tests.unit._plan_factory import make_lot, make_plan

UNLAWFUL = [
    "Produits locaux uniquement",
    "Priorité aux producteurs locaux",
    "Poisson local et de saison",
    "Une filière LOCALE sera privilégiée",
    "Les denrées doivent être produites localement",
    "Approvisionnement en circuit local",
    "Fournisseurs du département exclusivement",
    "Produits départementaux",
    "Bonus pour les entreprises départementales",
    "Valorisation des produits régionaux",
    "Une filière régionale est exigée",
    "Produits de la région Hauts-de-France",
    "Poisson pêché dans le Pas-de-Calais",
    "Poisson débarqué à Boulogne-sur-Mer",
    "Poissons de la Côte d’Opale",
    "Merlan boulonnais",
    "Made in France",
    "Fabriqué en France",
    "Viande d'origine France",
    "Produits d’origine française",
    "Poissons français uniquement",
    "Pêché en Manche",
    "Produits élevés en Bretagne",
    "Producteurs situés dans un rayon de 50 km",
    "Livraison à moins de 100 km du lieu de production",
    "Distance maximale entre le lieu de production et la cantine",
    "Produits à 30 kilomètres maximum",
    "Cinquante kilomètres au plus",
    "Circuits de proximité",
    "Produits du terroir",
    "Entreprises implantées dans le Boulonnais",
    "Fournisseur installé sur le territoire",
    "Siège social en Hauts-de-France",
    "Préférence nationale",
    "Acheter français",
    "Poisson capturé exclusivement en zone FAO 27",
    "Les mareyeurs basés à Capécure",
    "Approvisionnement de proximité géographique",
]

LAWFUL = [
    "Approvisionnement direct",
    "Circuit court (au plus un intermédiaire)",
    "Produits de saison",
    "Fraîcheur du poisson à la réception",
    "Émissions liées au transport",
    "Émissions de gaz à effet de serre liées aux livraisons",
    "Dans les locaux du titulaire",
    "Livraison dans les locaux de chaque membre",
    "La mission locale accompagne le titulaire pour les heures d'insertion",
    "Les collectivités locales membres du groupement",
    "Le local de stockage réfrigéré",
    "Livraison avant 8 heures, heure locale",
    "La zone de capture figure sur l'étiquette",
    "Localisation des sites de livraison en annexe",
    "Label Rouge ou équivalent",
    "Écolabel Pêche durable ou équivalent",
    "Espèces pêchées en saison",
    "Poissons transformés en filets le jour de la livraison",
    "Température à cœur entre 0 et 2 °C",
    "Délai de 2 jours entre la première mise en vente et la livraison",
    "Réduction des kilomètres parcourus par les véhicules de livraison",
    "Avis de l'agence régionale de santé",
    "Délibération du conseil départemental",
    "Le titulaire est présent à la réception",
    "Le titulaire base ses prix sur l'indice",
    "Origine des produits indiquée pour la traçabilité",
    "Commande à distance par voie électronique",
    "Nombre d'intermédiaires entre le pêcheur et l'acheteur",
    "Lot 3 réparti par zone de livraison",
    "Performances en matière de développement des approvisionnements directs",
    "Produits élevés en plein air",
    "Cuisiné au four sans contenant plastique",
]


def test_lists_are_long_enough():
    assert len(UNLAWFUL) >= 30 and len(LAWFUL) >= 30


@pytest.mark.parametrize("text", UNLAWFUL)
def test_unlawful_phrasing_is_caught(catalogue, text):
    hits = lint_text(text, catalogue)
    assert hits, text
    assert all(h.code.startswith("LIN-") and h.alternative for h in hits)
    assert all(text[h.debut : h.fin] == h.extrait for h in hits)


@pytest.mark.parametrize("text", LAWFUL)
def test_lawful_phrasing_passes(catalogue, text):
    assert lint_text(text, catalogue) == [], text


def test_accents_case_plural_feminine(catalogue):
    for text in ("PRODUITS RÉGIONAUX", "filières régionales", "Entreprise Départementale", "locales"):
        assert lint_text(text, catalogue), text


def test_hit_quotes_original_text(catalogue):
    hits = lint_text("Des   poissons   du Département, s’il vous plaît", catalogue)
    assert [(h.code, h.extrait) for h in hits] == [("LIN-002", "du Département")]


def test_lot_title_delivery_zone_is_lawful_but_preference_wording_is_not(catalogue):
    ok = make_lot(1, intitule="Poissons frais — Boulonnais", territoires=["Boulonnais"])
    bad = make_lot(2, intitule="Poissons locaux — Boulonnais", territoires=["Boulonnais"])
    other = make_lot(3, intitule="Poissons frais — Pas-de-Calais", territoires=["Boulonnais"])
    findings = [f for f in check_plan(make_plan([ok, bad, other]), catalogue) if f.code.startswith("LIN")]
    assert sorted((f.code, f.lot) for f in findings) == [("LIN-001", 2), ("LIN-004", 3)]
    assert all(f.severite == "erreur" for f in findings)


def test_buyer_parameter_override_and_objet_are_linted(catalogue):
    plan = make_plan(
        objet="Fourniture de poissons locaux pour les cantines",
        clauses=ClauseOverrides(parametres={"ENV-FRA-01": {"categories": "Extra, pêché en Manche"}}),
    )
    findings = [f for f in check_plan(plan, catalogue) if f.code.startswith("LIN")]
    assert sorted(f.code for f in findings) == ["LIN-001", "LIN-005"]
    assert all(f.lot is None for f in findings)


def test_criteria_are_linted(catalogue):
    plan = enrich_plan(make_plan(), catalogue)
    lot = plan.lots[0]
    crit = Critere(code="x", libelle="Part de produits régionaux", ponderation=0)
    from lotsmarche.rules.lint import lint_lot

    findings = lint_lot(lot.model_copy(update={"criteres": [*lot.criteres, crit]}), catalogue, plan)
    assert [f.code for f in findings] == ["LIN-003"]


def test_bundled_library_is_lint_clean(catalogue):
    from lotsmarche.rules.lint import lint_text as lt

    for clause in catalogue.clauses:
        assert lt(clause.titre, catalogue) == [], clause.id
        assert lt(clause.texte, catalogue) == [], clause.id
    for cs in catalogue.criteres:
        for c in cs.criteres:
            for text in (c.libelle, *c.sous_criteres):
                assert lt(text, catalogue) == [], text
