"""Typed context models: one per template, so that every variable a template may use exists.

Templates see only these models (never the raw plan), built by :func:`build_contexts`. Under
``StrictUndefined`` a misspelt name fails loudly, and ``tests`` check that the names a template uses are
fields of its model. Every string is cleaned of XML-illegal characters on the way in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from lotsmarche.calendrier import LotCalendar, annex_title, calendar_file, calendars_from_plan
from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import (
    CONSERVATION_LIBELLES,
    REGIME_LIBELLES,
    ClauseSelection,
    Lot,
    LotPlan,
    Member,
    Product,
    lot_conservations,
)
from lotsmarche.render import pieces, texts
from lotsmarche.render.filters import mois_fr
from lotsmarche.render.highlight import A_COMPLETER, mark
from lotsmarche.rules.egalim import label_requirement, required_label
from lotsmarche.text import clean_text, fold


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


class Ctx(BaseModel):
    """Base of every context model: frozen, no unknown key, strings cleaned."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _strings(cls, v: Any) -> Any:
        return _clean(v)


class ClauseCtx(Ctx):
    id: str
    titre: str
    type_libelle: str
    texte: str
    base_legale: str


class GroupeCtx(Ctx):
    """A clause stated once for the lots sharing its wording."""

    titre: str
    texte: str
    base_legale: str
    lots: str  # « tous les lots », « lots 1 et 3 »
    tous: bool


class DerogationCtx(Ctx):
    article_ccap: str  # where the CCAP stipulates it
    titre: str
    objet: str
    article_ccag: str  # the CCAG-FCS article departed from (highlighted when to be confirmed)


class ActeCtx(Ctx):
    libelle: str
    phase: str


class CritereCtx(Ctx):
    libelle: str
    ponderation: int
    sous_criteres: list[str]
    sous_criteres_texte: str  # joined with " ; " (narrow no-break space), "—" when none
    environnemental: bool


class PayeurCtx(Ctx):
    """ATTRI1 part D: a member paying its own orders of the lot."""

    membre: str
    ordonnateur: str
    comptable: str
    designe: str  # person giving the R2191-59 information
    imputation: str


class ProduitCtx(Ctx):
    code: str
    libelle: str
    conservation: str
    unite: str
    quantite: Decimal
    specifications: str
    mois: str  # months asked, in words
    disponibilite: str  # months of availability from the catalogue, in words
    labels: str  # labels required, joined ("" if none)
    tva: Decimal
    unite_libelle: str  # the unit as users read it (« pièce », from unites.yaml), not the code
    label_exige: str  # « Label Rouge ou équivalent » (rules.egalim.required_label), "—" when none
    temperature: str  # delivery temperature (product, else its family and conservation; familles.yaml)
    calendrier: list[str]  # 12 cells, January first: "●" when a delivery is asked that month, else ""


class CalendrierProduitCtx(Ctx):
    """A product row of the lot's calendar annex: quantities per month, formatted (« » for no delivery)."""

    libelle: str
    unite: str
    mois: list[str]  # 12 cells, January first
    total: str


class CalendrierSiteCtx(Ctx):
    """A delivery site row of the calendar annex: deliveries per week and expected per month."""

    site: str  # « membre — site (code postal) »
    livraisons: str  # per week, « non indiqué » when unknown
    mois: list[str]  # 12 cells, January first


class SiteCtx(Ctx):
    membre: str
    site: str
    code_postal: str
    commune: str
    territoire: str


class LotCtx(Ctx):
    numero: int
    numero_texte: str  # "01"
    intitule: str
    famille: str
    conservation: str
    regime: str
    produits_de_la_mer: bool
    cpv_principal: str
    cpv_secondaires: str
    territoires: str
    membres: str
    montant_annuel_ht: Decimal
    montant_estime_duree_ht: Decimal
    a_minimum: bool
    montant_minimum_ht: Decimal
    montant_maximum_ht: Decimal
    procedure: str
    procedure_code: str  # appel_offres, mapa or dispense: this lot's own procedure
    procedure_motifs: list[str]
    articles: list[
        str
    ]  # articles of this lot's procedure only, e.g. ["L2124-2", "R2124-2", "R2161-2 à R2161-5"]
    articles_texte: str  # "art. L2124-2, R2124-2 et R2161-2 à R2161-5"
    a_derogation: bool
    derogation: str
    petit_lot: bool  # MAPA small lot within the same notice (R2123-1 2°)
    hors_consultation: bool  # awarded outside the consultation (R2122-8): in no published piece
    negociation: bool  # MAPA lots only (R2123-5)
    a_indice: bool
    indice_revision: str
    indice_libelle: str
    indice: str  # "id — libellé", the id alone, or "" when the lot has no index
    avance: bool
    mois: str
    livraisons_annuelles: int
    a_calendrier: bool  # the lot has products: its delivery calendar is an annex of the CCTP
    calendrier_titre: str  # exact heading of the CCTP annex (calendrier.annex_title)
    calendrier_fichier: str  # Annexes/Lot_NN_calendrier.xlsx
    calendrier_approche: bool  # computed from the plan alone (no demand file)
    calendrier_produits: list[CalendrierProduitCtx]
    calendrier_sites: list[CalendrierSiteCtx]
    temperatures: str
    fraicheur: str
    emballages: list[str]
    produits: list[ProduitCtx]
    sites: list[SiteCtx]
    criteres: list[CritereCtx]
    a_criteres: bool
    clauses_rc: list[ClauseCtx]
    clauses_ccap: list[ClauseCtx]
    clauses_cctp: list[ClauseCtx]
    clauses_ae: list[ClauseCtx]
    conditions_environnementales: list[ClauseCtx]
    conditions_sociales: list[ClauseCtx]
    a_condition_sociale: bool
    mapa: bool  # the lot's procedure is adapted (negotiation R2123-5)
    echantillons: bool  # a sub-criterion grades samples, which the RC asks for
    echantillons_produits: str
    criteres_techniques: list[CritereCtx]  # non-price criteria: the headings of the CRT
    payeurs: list[PayeurCtx]
    indice_periodicite: str
    indice_partie_fixe: str


class MembreCtx(Ctx):
    nom: str
    type: str
    commune: str
    siret: str
    coordonnateur: bool
    decision: str  # the decision authorising membership, with its number and date
    montant_annuel_ht: Decimal
    part: Decimal  # percent of the yearly total, 2 decimals
    lots: str  # "1, 3 et 4"


class ContactCtx(Ctx):
    role: str
    nom: str
    courriel: str
    telephone: str


class DceContext(Ctx):
    """Everything the procedure-wide documents share."""

    nom_document: str
    reference: str
    objet: str
    groupement: str
    coordonnateur: str
    adresse: str
    date_lancement: date
    date_remise: date
    delai_remise_jours: int
    duree_initiale_mois: int
    reconductions: int
    duree_reconduction_mois: int
    duree_totale_mois: int
    forme: str
    ccag: str
    procedure: str
    procedure_motifs: list[str]
    procedure_formalisee: bool
    allotissement: bool
    justification_non_allotissement: str
    a_limite_lots: bool
    lots_max_par_candidat: int
    nb_lots: int  # lots of the consultation (lots taken out of it excluded)
    lots: list[LotCtx]  # lots of the consultation only: the published pieces never list the others
    lots_hors_consultation: list[LotCtx]  # awarded without publicity outside it (note of their own)
    a_petits_lots: bool  # some lot is a MAPA small lot within the notice (R2123-1 2°)
    # Draft: every page is marked « PROJET » (errors accepted with --brouillon, or the group's identity is
    # unknown); never a final DCE.
    brouillon: bool
    membres: list[MembreCtx]
    contacts: list[ContactCtx]
    montant_total_annuel_ht: Decimal
    montant_total_estime_ht: Decimal
    montant_total_maximum_ht: Decimal
    coordonnateur_designe: str  # « désigné » or « désignée »: agreement with the coordinator's name
    a_exception_sociale: bool
    exception_condition_sociale: str
    profil_acheteur: str
    tribunal_nom: str
    tribunal_adresse: str
    delai_suspension_jours: int
    delai_suspension_texte: str  # « onze »
    refere_contractuel_avis_jours: int
    refere_contractuel_max_mois: int
    recours_contrat_mois: int
    recours_contrat_texte: str  # « deux »
    a_echantillons: bool
    echantillons_date: date
    echantillons_lieu: str
    echantillons_quantite: str
    avance_seuil_ht: Decimal
    avance_duree_mois: int
    avance_taux: Decimal
    avance_taux_pourcent: Decimal
    rc_numero_modalites: int  # number of the RC sub-article after the per-lot criteria
    rc_clauses: list[GroupeCtx]
    ccap_duree: list[GroupeCtx]
    ccap_revision: list[GroupeCtx]
    ccap_livraison: list[GroupeCtx]
    ccap_penalites: list[GroupeCtx]
    ccap_reglement: list[GroupeCtx]
    ccap_environnementales: list[GroupeCtx]
    ccap_sociales: list[GroupeCtx]
    a_ccap_sociales: bool
    ccap_autres: list[GroupeCtx]
    derogations: list[DerogationCtx]
    actes_coordonnateur: list[ActeCtx]
    cao: str


class RcContext(DceContext):
    pass


class CcapContext(DceContext):
    pass


class CctpContext(DceContext):
    pass


class ConventionContext(DceContext):
    pass


class AeContext(DceContext):
    lot: LotCtx


class CrtContext(DceContext):
    lot: LotCtx


CONTEXT_MODELS: dict[str, type[DceContext]] = {
    "rc": RcContext,
    "ccap": CcapContext,
    "cctp": CctpContext,
    "ae": AeContext,
    "convention": ConventionContext,
    "crt": CrtContext,
}
PER_LOT = ("ae", "crt")

NOMS_DOCUMENTS: dict[str, str] = {
    "rc": "Règlement de la consultation",
    "ccap": "Cahier des clauses administratives particulières",
    "cctp": "Cahier des clauses techniques particulières",
    "ae": "Acte d'engagement",
    "convention": "Convention constitutive du groupement de commandes",
    "crt": "Cadre de réponse technique",
}


def _join(values: list[str]) -> str:
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + " et " + values[-1]


def _clauses(lot: Lot, destination: str) -> list[ClauseCtx]:
    return [
        ClauseCtx(
            id=c.id,
            titre=c.titre,
            type_libelle=texts.CLAUSE_TYPES.get(c.type, c.type),
            texte=c.texte,
            base_legale=c.base_legale,
        )
        for c in lot.clauses
        if destination in c.destinations
    ]


def _conditions(lot: Lot, kinds: tuple[str, ...]) -> list[ClauseCtx]:
    # Execution conditions (L2112-2) are stated in the CCAP even when the library files them under the
    # CCTP (technical wording): the CCAP is where their breach is sanctioned.
    chosen = [
        c
        for c in lot.clauses
        if c.condition_execution and c.type in kinds and {"CCAP", "CCTP"} & set(c.destinations)
    ]
    return [
        ClauseCtx(
            id=c.id,
            titre=c.titre,
            type_libelle=texts.CLAUSE_TYPES[c.type],
            texte=c.texte,
            base_legale=c.base_legale,
        )
        for c in chosen
    ]


def _site_commune(code_postal: str, membre: Member | None, cat: Catalogue) -> str:
    """The commune of a delivery site: the member's own when it has this postcode, the only commune of the
    postcode otherwise, else "—" (a postcode may cover a dozen villages; listing them all misleads)."""
    codes = [c for c in cat.codes_postaux.get(code_postal, []) if c in cat.communes]
    if membre is not None:
        own = cat.commune_du_membre(membre)
        if own is not None and own.code_insee in codes:
            return own.nom
    if len(codes) == 1:
        return cat.communes[codes[0]].nom
    return "—"


def _quantity_text(value: Decimal) -> str:
    """« 1 234,5 » (as many decimals as the value has, three at most), « » for zero."""
    from lotsmarche.clauses.text import fmt_number

    if not value:
        return ""
    exponent = value.normalize().as_tuple().exponent
    decimals = min(max(-exponent, 0), 3) if isinstance(exponent, int) else 0
    return fmt_number(value, decimals)


def _calendar_ctx(
    cal: LotCalendar | None, cat: Catalogue
) -> tuple[list[CalendrierProduitCtx], list[CalendrierSiteCtx]]:
    if cal is None:
        return [], []
    produits = [
        CalendrierProduitCtx(
            libelle=p.libelle,
            unite=cat.unite(p.unite, p.total),
            mois=[_quantity_text(v) for v in p.mois],
            total=_quantity_text(p.total),
        )
        for p in cal.produits
    ]
    sites = [
        CalendrierSiteCtx(
            site=f"{s.membre} — {s.site} ({s.code_postal})",
            livraisons="non indiqué"
            if s.livraisons_par_semaine is None
            else _quantity_text(s.livraisons_par_semaine),
            mois=[_quantity_text(v) for v in s.livraisons_mois()],
        )
        for s in cal.sites
    ]
    return produits, sites


def _lot_ctx(
    lot: Lot,
    plan: LotPlan,
    cat: Catalogue,
    member_kinds: dict[str, str],
    cal: LotCalendar | None = None,
) -> LotCtx:
    famille = cat.familles.get(lot.famille)
    mer = lot.famille == "produits_de_la_mer" or lot.groupe_espece is not None
    produits: list[ProduitCtx] = []
    for item in lot.items:
        product = cat.produits.get(item.produit)
        required = required_label(item, lot.famille, cat, plan.date_lancement)
        produits.append(
            ProduitCtx(
                code=item.produit,
                libelle=item.libelle,
                conservation=CONSERVATION_LIBELLES[product.conservation]
                if product
                else CONSERVATION_LIBELLES[lot.conservation],
                unite=item.unite,
                quantite=item.quantite_annuelle,
                specifications=product.specifications if product and product.specifications else "—",
                mois=mois_fr(item.mois),
                disponibilite=mois_fr(product.mois_disponibles) if product else "non renseignée",
                labels=_join([cat.labels[c].libelle if c in cat.labels else c for c in item.labels_requis]),
                tva=item.tva,
                unite_libelle=cat.unite(item.unite),
                label_exige=label_requirement(required, cat) if required else "—",
                temperature=temperature_of(product, lot, cat),
                calendrier=["●" if m in item.mois else "" for m in range(1, 13)],
            )
        )
    members = {m.nom: m for m in plan.groupement.membres}
    sites = []
    for s in lot.sites:
        commune = _site_commune(s.code_postal, members.get(s.membre), cat)
        sites.append(
            SiteCtx(
                membre=s.membre,
                site=s.site,
                code_postal=s.code_postal,
                commune=commune or "—",
                territoire=s.territoire or "—",
            )
        )
    regime = regime_cctp(lot)
    emballages = [texts.EMBALLAGE_REGIME[regime]]
    if lot.conservation in texts.CONSERVATIONS_EMBALLAGE_PRIMAIRE:
        emballages.append(texts.EMBALLAGE_PRIMAIRE)
    if any(member_kinds.get(m) in texts.TYPES_SCOLAIRES for m in lot.membres):
        emballages.append(texts.EMBALLAGE_SCOLAIRE)
    conservations = lot_conservations(lot)
    if mer and "frais" in conservations:
        emballages.append(texts.EMBALLAGE_POLYSTYRENE)
    environnementales = _conditions(lot, ("environnementale",))
    sociales = _conditions(lot, ("sociale", "ethique"))
    derogation = lot.procedure.derogation
    demandes = plan.groupement.echantillons.demandes
    criteres = []
    for c in lot.criteres:
        sous = [x for x in c.sous_criteres if demandes or not pieces.grades_samples(x)]
        texte = "\u202f; ".join(sous) or "—"
        if len(sous) > 1:
            texte += " (sous-critères d'égale importance)"
        criteres.append(
            CritereCtx(
                libelle=c.libelle,
                ponderation=c.ponderation,
                sous_criteres=sous,
                sous_criteres_texte=texte,
                environnemental=c.environnemental,
            )
        )
    echantillons = any(pieces.grades_samples(x) for c in criteres for x in c.sous_criteres)
    fitting = cat.indice_pour(lot.famille, lot.conservation)
    cal_produits, cal_sites = _calendar_ctx(cal, cat)
    return LotCtx(
        numero=lot.numero,
        numero_texte=f"{lot.numero:02d}",
        intitule=lot.intitule,
        famille=famille.libelle if famille else lot.famille,
        conservation=_join([CONSERVATION_LIBELLES[c] for c in conservations]),
        regime=REGIME_LIBELLES[regime],
        produits_de_la_mer=mer,
        cpv_principal=_cpv(lot.cpv_principal, cat),
        cpv_secondaires=_join([_cpv(c, cat) for c in lot.cpv_secondaires]) or "aucun",
        territoires=_join(lot.territoires) or "—",
        membres=_join(lot.membres),
        montant_annuel_ht=lot.montant_annuel_ht,
        montant_estime_duree_ht=lot.montant_estime_duree_ht,
        a_minimum=lot.montant_minimum_ht is not None,
        montant_minimum_ht=lot.montant_minimum_ht or Decimal(0),
        montant_maximum_ht=lot.montant_maximum_ht,
        procedure=lot.procedure.libelle,
        procedure_code=lot.procedure.code,
        procedure_motifs=lot.procedure.motifs,
        articles=list(lot.procedure.articles),
        articles_texte=articles_text(lot.procedure.articles),
        a_derogation=derogation is not None,
        derogation=texts.DEROGATIONS[derogation] if derogation else "",
        petit_lot=derogation == "petit_lot",
        hors_consultation=lot.procedure.hors_consultation,
        negociation=lot.procedure.code == "mapa" and not lot.procedure.hors_consultation,
        a_indice=bool(lot.indice_revision),
        indice_revision=lot.indice_revision or "",
        indice_libelle=lot.indice_libelle or "",
        indice=" — ".join(x for x in (mark(lot.indice_revision or ""), lot.indice_libelle) if x),
        avance=lot.montant_maximum_ht > cat.parametre_decimal("avance_seuil_ht"),
        mois=mois_fr(lot.mois_approvisionnement),
        livraisons_annuelles=lot.livraisons_annuelles,
        temperatures=_per_conservation(texts.TEMPERATURES, conservations, mer),
        fraicheur=_per_conservation(texts.FRAICHEUR, conservations, mer),
        a_calendrier=bool(lot.items),
        calendrier_titre=annex_title(lot.numero),
        calendrier_fichier=calendar_file(lot.numero),
        calendrier_approche=cal.approche if cal is not None else True,
        calendrier_produits=cal_produits,
        calendrier_sites=cal_sites,
        emballages=emballages,
        produits=produits,
        sites=sites,
        criteres=criteres,
        a_criteres=bool(lot.criteres),
        clauses_rc=_clauses(lot, "RC"),
        clauses_ccap=[
            c for c in _clauses(lot, "CCAP") if c.id not in {x.id for x in environnementales + sociales}
        ],
        clauses_cctp=_clauses(lot, "CCTP"),
        clauses_ae=_clauses(lot, "AE"),
        conditions_environnementales=environnementales,
        conditions_sociales=sociales,
        a_condition_sociale=bool(sociales),
        mapa=lot.procedure.code == "mapa",
        echantillons=echantillons,
        echantillons_produits=_join(pieces.sample_products(lot)),
        criteres_techniques=[
            c.model_copy(
                update={
                    "sous_criteres": [x for x in c.sous_criteres if not pieces.grades_samples(x)]
                    or [c.libelle]
                }
            )
            for c in criteres
            if c.ponderation > 0 and not _is_price(c.libelle)
        ],
        payeurs=_payeurs(lot, plan),
        indice_periodicite=fitting.periodicite if fitting else "",
        indice_partie_fixe=f"{fitting.partie_fixe:.2f}".replace(".", ",") if fitting else "",
    )


def _per_conservation(table: dict[str, str], conservations: list[str], mer: bool) -> str:
    """The delivery condition of each conservation of the lot: one sentence for a lot of one conservation,
    « Produits frais : … Produits surgelés : … » for a lot of several (strategy « famille »)."""

    def key(c: str) -> str:
        return "frais_mer" if mer and c == "frais" and "frais_mer" in table else c

    if len(conservations) == 1:
        return table[key(conservations[0])]
    return " ".join(
        f"Produits {CONSERVATION_LIBELLES[c]}\u00a0: {table[key(c)][0].lower()}{table[key(c)][1:]}"
        for c in conservations
    )


def _is_price(libelle: str) -> bool:
    from lotsmarche.text import fold

    return fold(libelle).startswith(("prix", "cout"))


def _payeurs(lot: Lot, plan: LotPlan) -> list[PayeurCtx]:
    """One ATTRI1 D row per member of the lot, in the order of groupement.yaml."""
    known = {m.nom: m for m in plan.groupement.membres}
    out = []
    for nom in lot.membres:
        m = known.get(nom)
        if m is None:
            out.append(
                PayeurCtx(
                    membre=nom,
                    ordonnateur=A_COMPLETER,
                    comptable=A_COMPLETER,
                    designe=A_COMPLETER,
                    imputation=A_COMPLETER,
                )
            )
            continue
        ordonnateur = pieces.value_or_mark(m.ordonnateur, pieces.ORDONNATEURS.get(m.type))
        out.append(
            PayeurCtx(
                membre=nom,
                ordonnateur=ordonnateur,
                comptable=pieces.value_or_mark(m.comptable_assignataire),
                designe=pieces.value_or_mark(m.designe_r2191_59, ordonnateur),
                imputation=pieces.value_or_mark(m.imputation_budgetaire),
            )
        )
    return out


def articles_text(articles: list[str]) -> str:
    """« art. L2124-2, R2124-2 et R2161-2 à R2161-5 » (« » without articles)."""
    if not articles:
        return ""
    return ("art. " if len(articles) > 1 else "article ") + _join(list(articles))


def _cpv(code: str, cat: Catalogue) -> str:
    libelle = cat.cpv.get(code)
    return f"{code} ({libelle})" if libelle else code


def _membres(plan: LotPlan, cat: Catalogue) -> list[MembreCtx]:
    g = plan.groupement
    montants: dict[str, Decimal] = defaultdict(Decimal)
    lots_of: dict[str, set[int]] = defaultdict(set)
    for lot in plan.lots:
        for item in lot.items:
            for r in item.repartition_membres:
                montants[r.membre] += r.montant_annuel_ht
                lots_of[r.membre].add(lot.numero)
    known = {m.nom: m for m in g.membres}
    noms = [m.nom for m in g.membres] + sorted(set(montants) - set(known))
    total = sum(montants.values(), Decimal(0))
    coordonnateur = coordonnateur_of(plan)
    out = []
    for nom in noms:
        m = known.get(nom)
        part = (montants[nom] * 100 / total).quantize(Decimal("0.01")) if total else Decimal(0)
        out.append(
            MembreCtx(
                nom=nom,
                type=texts.TYPES_MEMBRES.get(m.type, m.type) if m else "—",
                commune=_commune(m, cat) if m else "—",
                siret=(m.siret or "") if m else "",
                coordonnateur=nom == coordonnateur,
                decision=pieces.decision_text(m) if m else f"décision {A_COMPLETER}",
                montant_annuel_ht=montants[nom],
                part=part,
                lots=_join([str(n) for n in sorted(lots_of[nom])]) or "aucun",
            )
        )
    return out


def _commune(member: Member, cat: Catalogue) -> str:
    """A member's commune as a name (groupement.yaml may give a postcode or an INSEE code)."""
    if not member.commune and not member.insee:
        return "—"
    found = cat.commune_du_membre(member)
    return found.nom if found else (member.commune or "—")


def regime_cctp(lot: Lot) -> str:
    """The packaging regime the CCTP requires of ``lot``: a frozen or prepared lot is never required to
    come without plastic (its primary packaging is storage and transport packaging, outside D541-338)."""
    if (
        lot.conservation in texts.CONSERVATIONS_EMBALLAGE_PRIMAIRE
        and lot.regime_emballage == "sans_plastique"
    ):
        return "plastique_transport"
    return lot.regime_emballage


def temperature_of(product: Product | None, lot: Lot, cat: Catalogue) -> str:
    """Delivery temperature of a product: its own (live shellfish...), else its family's for its conservation
    (familles.yaml), else the generic wording of the conservation."""
    if product is not None and product.temperature:
        return product.temperature
    conservation = product.conservation if product else lot.conservation
    famille = cat.familles.get(product.famille if product else lot.famille)
    if famille is not None and conservation in famille.temperatures:
        return famille.temperatures[conservation]
    return CONSERVATION_LIBELLES[conservation]


def genre_of(nom: str, plan: LotPlan) -> str:
    """« f » or « m »: the member's ``genre`` in groupement.yaml, else the first word of its name
    (« Commune », « Département »...), else its kind; « m » by default."""
    member = next((m for m in plan.groupement.membres if m.nom == nom), None)
    if member is not None and member.genre:
        return member.genre
    words = fold(nom).replace("'", " ").split()
    if words and words[0] in texts.GENRE_MOTS:
        return texts.GENRE_MOTS[words[0]]
    if member is not None:
        return texts.GENRE_TYPES.get(member.type, "m")
    return "m"


def coordonnateur_of(plan: LotPlan) -> str:
    g = plan.groupement
    if g.coordonnateur:
        return g.coordonnateur
    return g.membres[0].nom if g.membres else g.nom


def build_contexts(
    plan: LotPlan,
    cat: Catalogue,
    brouillon: bool = False,
    calendriers: Sequence[LotCalendar] | None = None,
) -> tuple[DceContext, list[LotCtx]]:
    """The shared context (``nom_document`` left empty) and the views of the lots of the consultation.

    ``calendriers`` are the lots' delivery calendars (``calendrier.lot_calendars`` from the demand); without
    them the calendars are computed from the plan alone (``calendrier.calendars_from_plan``).

    Lots taken out of the consultation (R2122-8) are in ``lots_hors_consultation`` only. ``brouillon`` is
    forced on when the plan has errors or the group's identity is unknown (:func:`is_draft`).
    """
    g = plan.groupement
    kinds: dict[str, str] = {m.nom: m.type for m in g.membres}
    by_lot = {c.numero: c for c in (calendars_from_plan(plan) if calendriers is None else calendriers)}
    every = [
        _lot_ctx(lot, plan, cat, kinds, by_lot.get(lot.numero))
        for lot in sorted(plan.lots, key=lambda x: x.numero)
    ]
    lots = [lot for lot in every if not lot.hors_consultation]
    limite = plan.lots_max_par_candidat or g.lots_max_par_candidat
    date_remise = plan.date_lancement + timedelta(days=g.delai_remise_jours)
    base = DceContext(
        nom_document="",
        reference=g.reference,
        objet=g.objet,
        groupement=g.nom,
        coordonnateur=coordonnateur_of(plan),
        adresse=g.adresse or "",
        date_lancement=plan.date_lancement,
        date_remise=date_remise,
        delai_remise_jours=g.delai_remise_jours,
        duree_initiale_mois=g.duree.periode_initiale_mois,
        reconductions=g.duree.reconductions,
        duree_reconduction_mois=g.duree.duree_reconduction_mois,
        duree_totale_mois=plan.duree_mois,
        forme=g.forme,
        ccag=g.ccag,
        procedure=plan.procedure.libelle,
        procedure_motifs=plan.procedure.motifs,
        procedure_formalisee=plan.procedure.code == "appel_offres",
        allotissement=plan.allotissement,
        justification_non_allotissement=plan.justification_non_allotissement or "",
        a_limite_lots=bool(limite),
        lots_max_par_candidat=limite or 0,
        nb_lots=len(lots),
        lots=lots,
        lots_hors_consultation=[lot for lot in every if lot.hors_consultation],
        a_petits_lots=any(lot.petit_lot for lot in lots),
        brouillon=brouillon or is_draft(plan),
        membres=_membres(plan, cat),
        contacts=[
            ContactCtx(role=c.role, nom=c.nom, courriel=c.courriel or "", telephone=c.telephone or "")
            for c in g.contacts
        ],
        montant_total_annuel_ht=plan.montant_total_annuel_ht,
        montant_total_estime_ht=plan.montant_total_estime_ht,
        montant_total_maximum_ht=plan.montant_total_maximum_ht,
        coordonnateur_designe="désignée" if genre_of(coordonnateur_of(plan), plan) == "f" else "désigné",
        a_exception_sociale=bool(g.exception_condition_sociale),
        exception_condition_sociale=g.exception_condition_sociale or "",
        **_pieces_fields(plan, cat, coordonnateur_of(plan), date_remise),
    )
    return base, lots


def _groupes(groups: list[pieces.Groupe], total: int, indices: list[str]) -> list[GroupeCtx]:
    out = []
    for gr in groups:
        texte = gr.texte
        for ident in indices:
            texte = texte.replace(ident, mark(ident))
        out.append(
            GroupeCtx(
                titre=gr.titre,
                texte=texte,
                base_legale=gr.base_legale,
                lots=pieces.lots_text(gr.lots, total),
                tous=len(gr.lots) == total,
            )
        )
    return out


def _pieces_fields(plan: LotPlan, cat: Catalogue, coordonnateur: str, date_remise: date) -> dict[str, Any]:
    """The fields of the RC, CCAP, AE and convention that do not come from one lot."""
    g = plan.groupement
    consulted = [lot for lot in plan.lots if not lot.procedure.hors_consultation]  # in the published pieces
    total = len(consulted)
    defs = pieces.clause_definitions(cat)
    indices = sorted({lot.indice_revision for lot in consulted if lot.indice_revision})

    def article(c: ClauseSelection) -> str:
        d = defs.get(c.id)
        return (
            (d.article_ccap if d and d.article_ccap else "autres")
            if not c.condition_execution
            else "execution"
        )

    def ccap(name: str) -> list[GroupeCtx]:
        groups = pieces.group_clauses(
            consulted, lambda c: "CCAP" in c.destinations and not c.condition_execution and article(c) == name
        )
        return _groupes(groups, total, indices)

    def conditions(kinds: tuple[str, ...]) -> list[GroupeCtx]:
        groups = pieces.group_clauses(
            consulted,
            lambda c: (
                c.condition_execution and c.type in kinds and bool({"CCAP", "CCTP"} & set(c.destinations))
            ),
        )
        return _groupes(groups, total, indices)

    found: dict[tuple[str, str], tuple[str, list[str], str]] = {}  # (ccag art., objet) -> ccap art., titles
    for lot in sorted(consulted, key=lambda x: x.numero):
        for c in lot.clauses:
            d = defs.get(c.id)
            if d is None or ("CCAP" not in c.destinations and not c.condition_execution):
                continue
            for dero in d.derogations_ccag:
                ccag_art = f"article {dero.article} du CCAG-FCS"
                if dero.confiance == "U":
                    ccag_art = mark(ccag_art + " (numéro à confirmer)")
                key = (ccag_art, dero.objet)
                entry = found.setdefault(key, (pieces.ARTICLES_CCAP.get(article(c), "11"), [], dero.objet))
                if c.titre not in entry[1]:
                    entry[1].append(c.titre)
    derogations = [
        DerogationCtx(article_ccap=art, titre=" ; ".join(titres), objet=objet, article_ccag=key[0])
        for key, (art, titres, objet) in found.items()
    ]
    derogations.sort(key=lambda x: (int(x.article_ccap), x.titre))
    rec = pieces.recours(plan, cat, coordonnateur)
    seuil, duree_avance, taux = pieces.avance_parametres(cat)
    demandes = g.echantillons.demandes
    lieu = g.echantillons.lieu or g.adresse or ""
    sociales = conditions(("sociale", "ethique"))
    formal = plan.procedure.code == "appel_offres"
    cao = (
        f"la commission d'appel d'offres du coordonnateur, {coordonnateur} (article L1414-3 du code "
        "général des collectivités territoriales)"
        if formal
        else "la commission consultative du groupement réunissant un représentant de chaque membre qui le "
        "souhaite, présidée par le représentant du coordonnateur"
    )
    return {
        "profil_acheteur": g.profil_acheteur or A_COMPLETER,
        "tribunal_nom": rec.tribunal_nom,
        "tribunal_adresse": rec.tribunal_adresse,
        "delai_suspension_jours": rec.delai_suspension_jours,
        "delai_suspension_texte": pieces.nombre_fr(rec.delai_suspension_jours),
        "refere_contractuel_avis_jours": rec.refere_contractuel_avis_jours,
        "refere_contractuel_max_mois": rec.refere_contractuel_max_mois,
        "recours_contrat_mois": rec.recours_contrat_mois,
        "recours_contrat_texte": pieces.nombre_fr(rec.recours_contrat_mois),
        "a_echantillons": demandes
        and any(pieces.grades_samples(x) for lot in consulted for c in lot.criteres for x in c.sous_criteres),
        "echantillons_date": pieces.echantillons_date(plan, date_remise),
        "echantillons_lieu": lieu or A_COMPLETER,
        "echantillons_quantite": g.echantillons.quantite,
        "avance_seuil_ht": seuil,
        "avance_duree_mois": duree_avance,
        "avance_taux": taux,
        "avance_taux_pourcent": taux * 100,
        "rc_numero_modalites": total + 1,
        "rc_clauses": _groupes(pieces.group_clauses(consulted, lambda c: "RC" in c.destinations), total, []),
        "ccap_duree": ccap("duree"),
        "ccap_revision": ccap("revision"),
        "ccap_livraison": ccap("livraison"),
        "ccap_penalites": ccap("penalites"),
        "ccap_reglement": ccap("reglement"),
        "ccap_environnementales": conditions(("environnementale",)),
        "ccap_sociales": sociales,
        "a_ccap_sociales": bool(sociales),
        "ccap_autres": ccap("autres"),
        "derogations": derogations,
        "actes_coordonnateur": [ActeCtx(libelle=a.libelle, phase=a.phase) for a in cat.actes_coordonnateur],
        "cao": cao,
    }


def is_draft(plan: LotPlan) -> bool:
    """A DCE of this plan can only be a draft: it carries errors, or the group's identity is unknown."""
    if not plan.groupement.membres:
        return True
    return any(f.severite == "erreur" for f in plan.findings) or any(
        f.severite == "erreur" for lot in plan.lots for f in lot.findings
    )


def context_for(kind: str, base: DceContext, lot: LotCtx | None = None) -> DceContext:
    """The context of template ``kind`` (``ae`` needs its lot)."""
    data = dict(base)
    data["nom_document"] = NOMS_DOCUMENTS[kind]
    if kind in PER_LOT:
        if lot is None:
            raise ValueError(f"le document « {kind} » se rend lot par lot")
        data["lot"] = lot
    return CONTEXT_MODELS[kind].model_validate(data)
