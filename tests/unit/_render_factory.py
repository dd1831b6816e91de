"""The DCE flavour of the plan factory: two seafood lots with clauses and criteria, for the render tests.

Built on :mod:`tests.unit._plan_factory` (same thresholds, members and amount rules); only what a rendered
tender file shows on top is set here: the group's name and contacts, the clauses, the award criteria.
"""

from __future__ import annotations

from decimal import Decimal

from lotsmarche.models import (
    ClauseSelection,
    Contact,
    Critere,
    Duree,
    Finding,
    Lot,
    LotItem,
    LotPlan,
    Member,
    ProcedureGlobale,
    ProcedureLot,
    RepartitionSite,
)
from tests.unit import _plan_factory as base

D = Decimal
MEMBRES = base.MEMBRES

CLAUSES = [
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
]

CRITERES = [
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
    return base.make_item(
        code, membres=membres, prix=prix, quantite=quantite, libelle=libelle, unite=unite, tva=tva, mois=mois
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
    membres = sorted({r.membre for i in items for r in i.repartition_membres})
    return base.make_lot(
        numero,
        items,
        conservation=conservation,
        duree_mois=duree_mois,
        intitule=intitule,
        groupe_espece="poissons_blancs",
        marge=marge,
        sites=[
            RepartitionSite(membre=m, site=m, code_postal="62200", territoire="Boulonnais", quantite=D(1))
            for m in membres
        ],
        livraisons_annuelles=104,
        procedure=ProcedureLot(
            code="appel_offres",
            libelle="Appel d'offres ouvert",
            publicite="joue",
            motifs=["Le montant total dépasse le seuil européen."],
        ),
        fournisseurs_capables=["Mareyeur A", "Mareyeur B"],
        indice_libelle="Poissons frais (IPC)",
        clauses=CLAUSES if clauses is None else clauses,
        criteres=CRITERES,
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
    return base.make_plan(
        lots,
        membres,
        procedure=ProcedureGlobale(
            code="appel_offres",
            libelle="Appel d'offres ouvert",
            publicite="joue",
            motifs=["Total des lots supérieur au seuil européen de 216 000 € HT."],
            seuil_applique=D("216000"),
        ),
        generateur="lotsmarche 0.1.0",
        findings=findings or [],
        lignes_demande=3,
        nom="Groupement halieutique du Boulonnais",
        reference=reference,
        duree=Duree(periode_initiale_mois=12, reconductions=3),
        contacts=[Contact(role="Acheteur", nom="Service commande publique", courriel="achats@example.org")],
    )
