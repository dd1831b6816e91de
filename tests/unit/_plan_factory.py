"""Small LotPlan builders for every test: make_item, make_lot, make_plan (sane defaults, exact amounts).

Defaults describe the Boulonnais seafood group: a collège and an EHPAD, fresh whiting fillets delivered in
polystyrene boxes, launch on 1 September 2026 for 48 months, maximum = estimate × 1.2. Any other field of
a Lot, or of the plan's Groupement, is given by keyword; ``_render_factory`` adds the DCE defaults (clauses,
criteria, two lots) on top of these builders.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from lotsmarche.models import (
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
from lotsmarche.valuation import articles_for

D = Decimal


def _tv(montant: str, base: str = "Code de la commande publique") -> ThresholdValue:
    return ThresholdValue(montant=D(montant), base_legale=base, source="test", confiance="C")


SEUILS_2026 = ThresholdRow(
    id="2026-04-2027",
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

COLLEGE = Member(nom="Collège Angellier", type="college", commune="Boulogne-sur-Mer")
EHPAD = Member(nom="EHPAD Guynemer", type="ehpad", commune="Boulogne-sur-Mer")
MEMBRES = [COLLEGE, EHPAD]


def make_item(
    produit: str = "MER-MERLAN-FILET-FR",
    montant: str = "1000.00",
    membres: Sequence[str] = ("Collège Angellier",),
    conditionnement: str = "caisse_polystyrene",
    labels: Sequence[str] = (),
    prix: str = "10.00",
    *,
    quantite: str | None = None,
    libelle: str | None = None,
    unite: str = "kg",
    tva: str = "5.5",
    mois: Sequence[int] | None = None,
) -> LotItem:
    """One item whose annual amount is split evenly between ``membres`` (amounts exact to the cent).

    Given ``quantite``, the amount is ``round_cents(quantite × prix)`` and ``montant`` is not used."""
    if quantite is not None:
        q = D(quantite)
        total = round_cents(q * D(prix))
    else:
        total = D(montant)
        q = total / D(prix)
    parts = [round_cents(total / len(membres)) for _ in membres]
    parts[-1] = total - sum(parts[:-1], D(0))
    return LotItem(
        produit=produit,
        libelle=libelle or produit,
        unite=unite,
        quantite_annuelle=q,
        prix_unitaire_ht=D(prix),
        montant_annuel_ht=total,
        tva=D(tva),
        cpv="03311000-2",
        famille_macantine="PRODUITS_DE_LA_MER",
        mois=list(mois or range(1, 13)),
        labels_requis=list(labels),
        caracteristiques_egalim=sorted(
            {"HVE" if x == "HVE_NIVEAU_2" else x for x in labels} - {"MSC", "FRANCE"}
        ),
        conditionnement=conditionnement,
        repartition_membres=[
            RepartitionMembre(membre=m, quantite=q / len(membres), montant_annuel_ht=p)
            for m, p in zip(membres, parts, strict=True)
        ],
        repartition_sites=[
            RepartitionSite(
                membre=m, site=m, code_postal="62200", territoire="Boulonnais", quantite=q / len(membres)
            )
            for m in membres
        ],
        lignes=[1],
    )


def make_lot(
    numero: int = 1,
    items: Sequence[LotItem] | None = None,
    famille: str = "produits_de_la_mer",
    conservation: str = "frais",
    regime: str = "plastique_transport",
    maximum: str | None = None,
    duree_mois: int = 48,
    derogation: str | None = None,
    indice: str | None = "010533935",
    intitule: str | None = None,
    territoires: Sequence[str] = ("Boulonnais",),
    groupe_espece: str | None = None,
    minimum: str | None = None,
    *,
    marge: str = "0.20",
    **fields: Any,
) -> Lot:
    """A lot; ``maximum`` overrides the amount derived from the items (estimate × (1 + marge)), ``fields``
    any other Lot field (procedure, clauses, criteres, findings, sites...)."""
    items = list(items) if items is not None else [make_item()]
    annual = sum((i.montant_annuel_ht for i in items), D(0))
    estimate = round_cents(annual * duree_mois / 12)
    factor = 1 + D(marge)
    maxi = D(maximum) if maximum is not None else ceil_cents(estimate * factor)
    if maximum is not None:
        estimate = round_cents(maxi / factor)
    membres = sorted({r.membre for i in items for r in i.repartition_membres})
    values: dict[str, Any] = {
        "numero": numero,
        "intitule": intitule or f"Lot {numero} — Produits de la mer frais — Boulonnais",
        "famille": famille,
        "conservation": conservation,
        "regime_emballage": regime,
        "groupe_espece": groupe_espece,
        "territoires": list(territoires),
        "cpv_principal": "03311000-2",
        "cpv_secondaires": [],
        "items": items,
        "sites": [s for i in items for s in i.repartition_sites][:1],
        "membres": membres,
        "mois_approvisionnement": list(range(1, 13)),
        "livraisons_annuelles": 52,
        "montant_annuel_ht": annual,
        "montant_estime_duree_ht": estimate,
        "montant_minimum_ht": D(minimum) if minimum is not None else None,
        "montant_maximum_ht": maxi,
        "procedure": ProcedureLot(
            code="mapa",
            libelle="Procédure adaptée (MAPA)",
            publicite="adaptee",
            derogation=derogation,
            motifs=["test"],
            articles=articles_for("mapa", derogation),  # type: ignore[arg-type]
        ),  # type: ignore[arg-type]
        "fournisseurs_capables": ["A", "B"],
        "indice_revision": indice,
        "indice_libelle": "IPPI – Poissons" if indice else None,
    }
    values.update(fields)
    values.setdefault("nb_fournisseurs_capables", len(values["fournisseurs_capables"]))
    return Lot(**values)


def make_plan(
    lots: Sequence[Lot] | None = None,
    membres: Sequence[Member] = (COLLEGE, EHPAD),
    date_lancement: date = date(2026, 9, 1),
    duree_mois: int = 48,
    allotissement: bool = True,
    justification: str | None = None,
    lots_max_par_candidat: int | None = None,
    procedure: str | ProcedureGlobale | None = None,
    *,
    generateur: str = "lotsmarche test",
    strategie: str | None = None,
    findings: Sequence[Finding] = (),
    egalim: dict[str, Any] | None = None,
    lignes_demande: int = 1,
    **groupement: Any,
) -> LotPlan:
    """A plan; the overall procedure follows the total of maxima against 216 000 € unless ``procedure`` (a
    code or the whole ProcedureGlobale) is given; ``groupement`` holds any other Groupement field."""
    lots = list(lots) if lots is not None else [make_lot()]
    total = sum((lot.montant_maximum_ht for lot in lots), D(0))
    if not isinstance(procedure, ProcedureGlobale):
        code = procedure or ("appel_offres" if total >= D("216000") else "mapa")
        procedure = ProcedureGlobale(
            code=code,  # type: ignore[arg-type]
            libelle="Appel d'offres ouvert" if code == "appel_offres" else "Procédure adaptée (MAPA)",
            publicite="boamp_jal",
            motifs=["test"],
            seuil_applique=D("216000"),
        )
    g = Groupement(
        membres=list(membres),
        date_lancement=date_lancement,
        lots_max_par_candidat=lots_max_par_candidat,
        **groupement,
    )
    if strategie is None:
        strategie = "famille-conservation" if allotissement else "sans_allotissement"
    return LotPlan(
        generateur=generateur,
        groupement=g,
        strategie=strategie,
        date_lancement=date_lancement,
        duree_mois=duree_mois,
        seuils=SEUILS_2026,
        allotissement=allotissement,
        justification_non_allotissement=justification,
        lots_max_par_candidat=lots_max_par_candidat,
        lots=lots,
        montant_total_annuel_ht=sum((lot.montant_annuel_ht for lot in lots), D(0)),
        montant_total_estime_ht=sum((lot.montant_estime_duree_ht for lot in lots), D(0)),
        montant_total_maximum_ht=total,
        procedure=procedure,
        part_derogations=D(0),
        lignes_demande=lignes_demande,
        empreinte_demande="0" * 64,
        findings=list(findings),
        egalim=egalim or {},
    )
