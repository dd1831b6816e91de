"""A small synthetic lot plan, used to test-render user templates (``--check-templates``) without a plan."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import (
    ClauseSelection,
    Contact,
    Critere,
    Groupement,
    Lot,
    LotItem,
    LotPlan,
    Member,
    ProcedureGlobale,
    ProcedureLot,
    RepartitionMembre,
    RepartitionSite,
)

_D = Decimal


def sample_plan(cat: Catalogue) -> LotPlan:
    """One lot, one product, one clause per destination, two criteria: every template branch has data.

    The thresholds are the catalogue's latest row (loading refuses a catalogue without one): the sample
    never carries legal amounts of its own that could fall out of date."""
    membre = Member(nom="Collège exemple", type="college", commune="Boulogne-sur-Mer")
    site = RepartitionSite(
        membre=membre.nom, site="Cuisine", code_postal="62200", territoire="Boulonnais", quantite=_D(100)
    )
    item = LotItem(
        produit="MER-EXEMPLE",
        libelle="Filet de poisson frais",
        unite="kg",
        quantite_annuelle=_D(100),
        prix_unitaire_ht=_D("12.50"),
        montant_annuel_ht=_D("1250.00"),
        tva=_D("5.5"),
        cpv="03311000-2",
        famille_macantine="PRODUITS_DE_LA_MER",
        mois=[1, 2, 3],
        conditionnement="caisse",
        lignes=[1],
        repartition_sites=[site],
        repartition_membres=[
            RepartitionMembre(membre=membre.nom, quantite=_D(100), montant_annuel_ht=_D(1250))
        ],
    )
    clauses = [
        ClauseSelection(
            id=f"EX-{dest}",
            titre=f"Clause {dest}",
            type=kind,
            destinations=[dest],
            base_legale="exemple",
            texte="Texte de la clause.",
            motif="exemple",
            condition_execution=dest == "CCAP",
        )
        for dest, kind in (
            ("RC", "environnementale"),
            ("CCAP", "environnementale"),
            ("CCAP", "sociale"),
            ("CCTP", "environnementale"),
            ("AE", "sociale"),
        )
    ]
    lot = Lot(
        numero=1,
        intitule="Lot exemple",
        famille="produits_de_la_mer",
        conservation="frais",
        regime_emballage="reemployable",
        territoires=["Boulonnais"],
        cpv_principal="03311000-2",
        cpv_secondaires=[],
        items=[item],
        sites=[site],
        membres=[membre.nom],
        mois_approvisionnement=[1, 2, 3],
        livraisons_annuelles=52,
        montant_annuel_ht=_D("1250.00"),
        montant_estime_duree_ht=_D("5000.00"),
        montant_minimum_ht=_D("1000.00"),
        montant_maximum_ht=_D("60000.00"),
        procedure=ProcedureLot(
            code="mapa",
            libelle="Procédure adaptée",
            publicite="adaptee",
            derogation="petit_lot",
            motifs=["Exemple."],
        ),
        fournisseurs_capables=[],
        nb_fournisseurs_capables=0,
        indice_revision="000000000",
        indice_libelle="Indice exemple",
        clauses=clauses,
        criteres=[
            Critere(code="prix", libelle="Prix", ponderation=60),
            Critere(code="qualite", libelle="Qualité", ponderation=40, sous_criteres=["Fraîcheur"]),
        ],
    )
    return LotPlan(
        generateur="lotsmarche",
        strategie="exemple",
        date_lancement=date(2026, 9, 1),
        duree_mois=48,
        groupement=Groupement(
            membres=[membre],
            lots_max_par_candidat=2,
            exception_condition_sociale="Exemple.",
            contacts=[Contact(role="Acheteur", nom="Service achats", courriel="a@example.org")],
        ),
        seuils=cat.seuils[-1],
        lots=[lot],
        montant_total_annuel_ht=_D("1250.00"),
        montant_total_estime_ht=_D("5000.00"),
        montant_total_maximum_ht=_D("60000.00"),
        part_derogations=_D(1),
        lignes_demande=1,
        empreinte_demande="0",
        procedure=ProcedureGlobale(
            code="appel_offres",
            libelle="Appel d'offres ouvert",
            publicite="joue",
            motifs=["Exemple."],
            seuil_applique=_D(216000),
        ),
        justification_non_allotissement="Exemple.",
    )
