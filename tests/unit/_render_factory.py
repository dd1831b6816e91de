"""Small, exact LotPlan objects for the render tests (amounts reconcile to the cent)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lotsmarche.models import (
    ClauseSelection,
    Contact,
    Critere,
    Duree,
    Finding,
    Groupement,
    Lot,
    LotItem,
    LotPlan,
    Member,
    ProcedureGlobale,
    ProcedureLot,
    RepartitionMembre,
    RepartitionSite,
    ThresholdRow,
    ThresholdValue,
)
from lotsmarche.money import ceil_cents, round_cents

D = Decimal


def _tv(montant: str) -> ThresholdValue:
    return ThresholdValue(montant=D(montant), base_legale="CCP", source="test", confiance="C")


SEUILS = ThresholdRow(
    id="2026-04",
    du=date(2026, 4, 1),
    au=date(2027, 12, 31),
    dispense=_tv("60000"),
    mini_lot=_tv("60000"),
    petit_lot=_tv("80000"),
    part_max_petits_lots=_tv("0.20"),
    publicite_boamp=_tv("90000"),
    formalise_local=_tv("216000"),
    formalise_central=_tv("140000"),
    formalise_entite_adjudicatrice=_tv("432000"),
    ca_max_coefficient=_tv("1.5"),
)

MEMBRES = [
    Member(nom="Collège Angellier", type="college", commune="Boulogne-sur-Mer"),
    Member(nom="EHPAD Guynemer", type="ehpad", commune="Boulogne-sur-Mer"),
]


def make_item(
    code: str,
    libelle: str,
    quantite: str,
    prix: str,
    membres: list[str],
    unite: str = "kg",
    tva: str = "5.5",
    mois: list[int] | None = None,
) -> LotItem:
    q, p = D(quantite), D(prix)
    montant = round_cents(q * p)
    share = q / len(membres)
    return LotItem(
        produit=code,
        libelle=libelle,
        unite=unite,
        quantite_annuelle=q,
        prix_unitaire_ht=p,
        montant_annuel_ht=montant,
        tva=D(tva),
        cpv="03311000-2",
        mois=mois or list(range(1, 13)),
        conditionnement="caisse_polystyrene",
        repartition_membres=[
            RepartitionMembre(membre=m, quantite=share, montant_annuel_ht=round_cents(montant / len(membres)))
            for m in membres
        ],
        repartition_sites=[
            RepartitionSite(membre=m, site=m, code_postal="62200", territoire="Boulonnais", quantite=share)
            for m in membres
        ],
        lignes=[1],
    )


def make_lot(
    numero: int,
    intitule: str,
    items: list[LotItem],
    duree_mois: int = 48,
    marge: str = "0.20",
    clauses: list[ClauseSelection] | None = None,
    findings: list[Finding] | None = None,
    conservation: str = "frais",
) -> Lot:
    annuel = sum((i.montant_annuel_ht for i in items), D(0))
    estime = round_cents(annuel * duree_mois / 12)
    maximum = ceil_cents(estime * (1 + D(marge)))
    membres = sorted({r.membre for i in items for r in i.repartition_membres})
    return Lot(
        numero=numero,
        intitule=intitule,
        famille="produits_de_la_mer",
        conservation=conservation,  # type: ignore[arg-type]
        regime_emballage="plastique_transport",
        groupe_espece="poissons_blancs",
        territoires=["Boulonnais"],
        cpv_principal="03311000-2",
        cpv_secondaires=[],
        items=items,
        sites=[
            RepartitionSite(membre=m, site=m, code_postal="62200", territoire="Boulonnais", quantite=D(1))
            for m in membres
        ],
        membres=membres,
        mois_approvisionnement=list(range(1, 13)),
        livraisons_annuelles=104,
        montant_annuel_ht=annuel,
        montant_estime_duree_ht=estime,
        montant_minimum_ht=None,
        montant_maximum_ht=maximum,
        procedure=ProcedureLot(
            code="appel_offres",
            libelle="Appel d'offres ouvert",
            publicite="joue",
            motifs=["Le montant total dépasse le seuil européen."],
        ),
        fournisseurs_capables=["Mareyeur A", "Mareyeur B"],
        nb_fournisseurs_capables=2,
        indice_revision="010533935",
        indice_libelle="Poissons frais (IPC)",
        clauses=clauses
        if clauses is not None
        else [
            ClauseSelection(
                id="ENV-EMB-01",
                titre="Emballages réemployables",
                type="environnementale",
                destinations=["CCAP"],
                base_legale="CCP, art. L2112-2",
                texte="Le titulaire reprend les caisses à chaque livraison.",
                motif="test",
                condition_execution=True,
            ),
            ClauseSelection(
                id="SOC-INS-01",
                titre="Insertion professionnelle",
                type="sociale",
                destinations=["CCAP"],
                base_legale="CCP, art. L2112-2",
                texte="Le titulaire réserve 35 heures d'insertion par an.",
                motif="test",
                condition_execution=True,
            ),
            ClauseSelection(
                id="ENV-PECHE-01",
                titre="Pêche durable",
                type="environnementale",
                destinations=["CCTP"],
                base_legale="CRPM, art. L230-5-1",
                texte="Espèces de saison, stocks non surexploités.",
                motif="test",
            ),
        ],
        criteres=[
            Critere(code="prix", libelle="Prix", ponderation=40),
            Critere(
                code="qualite_technique",
                libelle="Qualité technique",
                ponderation=40,
                sous_criteres=["Fraîcheur", "Calibrage"],
            ),
            Critere(
                code="performance_environnementale",
                libelle="Performance environnementale",
                ponderation=20,
                environnemental=True,
            ),
        ],
        findings=findings or [],
    )


def make_plan(
    lots: list[Lot] | None = None,
    membres: list[Member] | None = None,
    findings: list[Finding] | None = None,
    reference: str = "GC-2026-01",
) -> LotPlan:
    membres = membres or MEMBRES
    noms = [m.nom for m in membres]
    if lots is None:
        lots = [
            make_lot(
                1,
                "Poissons blancs frais",
                [
                    make_item("MER-MERLAN-FILET-FR", "Filet de merlan frais", "1200", "14.35", noms),
                    make_item("MER-CABILLAUD-FILET-FR", "Filet de cabillaud frais", "800.5", "18.99", noms),
                ],
            ),
            make_lot(
                2,
                "Poissons surgelés",
                [
                    make_item("MER-LIEU-PORTION-SG", "Portion de lieu noir surgelée", "2000", "9.873", noms),
                ],
                conservation="surgele",
            ),
        ]
    annuel = sum((lot.montant_annuel_ht for lot in lots), D(0))
    return LotPlan(
        generateur="lotsmarche 0.1.0",
        groupement=Groupement(
            nom="Groupement halieutique du Boulonnais",
            reference=reference,
            membres=membres,
            duree=Duree(periode_initiale_mois=12, reconductions=3),
            contacts=[
                Contact(role="Acheteur", nom="Service commande publique", courriel="achats@example.org")
            ],
        ),
        strategie="famille-conservation",
        date_lancement=date(2026, 9, 1),
        duree_mois=48,
        seuils=SEUILS,
        lots=lots,
        montant_total_annuel_ht=annuel,
        montant_total_estime_ht=sum((lot.montant_estime_duree_ht for lot in lots), D(0)),
        montant_total_maximum_ht=sum((lot.montant_maximum_ht for lot in lots), D(0)),
        procedure=ProcedureGlobale(
            code="appel_offres",
            libelle="Appel d'offres ouvert",
            publicite="joue",
            motifs=["Total des lots supérieur au seuil européen de 216 000 € HT."],
            seuil_applique=D("216000"),
        ),
        part_derogations=D(0),
        lignes_demande=3,
        empreinte_demande="0" * 64,
        findings=findings or [],
    )
