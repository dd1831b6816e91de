"""Typed domain models shared by every stage of the pipeline.

Domain words are French, as the law writes them; code words are English. Money is ``Decimal``.
These models are the contract between the stages: intake → lotting/valuation → clauses → rules → render.
``LotPlan`` is what ``lots.json`` serialises (see ``schemas/lots.schema.json``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = "1.1"  # 1.1: ma-cantine family and EGALIM characteristics on every item

# --------------------------------------------------------------------------------------------
# Enumerations (closed lists; the catalogues hold the open ones)
# --------------------------------------------------------------------------------------------

Conservation = Literal["frais", "surgele", "appertise", "refrigere_elabore", "ambiant"]
CONSERVATIONS: tuple[str, ...] = ("frais", "surgele", "appertise", "refrigere_elabore", "ambiant")
CONSERVATION_LIBELLES: dict[str, str] = {
    "frais": "frais",
    "surgele": "surgelés",
    "appertise": "appertisés",
    "refrigere_elabore": "réfrigérés élaborés",
    "ambiant": "épicerie ambiante",
}

MemberKind = Literal[
    "college",
    "lycee",
    "ecole",
    "creche",
    "universite",
    "esms",
    "ehpad",
    "hopital",
    "commune",
    "administration",
]
MEMBER_KINDS: tuple[str, ...] = get_args(MemberKind)  # the same kinds, in the same order, as values

# Packaging regime of a demand line, derived from the packaging delivered (see lotsmarche.rules.packaging).
# Lots never mix plastic containers for cooking/reheating/serving (plastique_contact) with the other
# regimes; among the others a lot takes the most demanding one asked (see lotsmarche.lotting.items).
Regime = Literal["reemployable", "sans_plastique", "plastique_transport", "plastique_contact"]
REGIMES: tuple[str, ...] = ("reemployable", "sans_plastique", "plastique_transport", "plastique_contact")
REGIME_LIBELLES: dict[str, str] = {
    "reemployable": "emballages de livraison réemployables (consignés)",
    "sans_plastique": "emballages sans plastique à usage unique",
    "plastique_transport": (
        "emballages plastiques de transport (hors contact de cuisson, réchauffe ou service)"
    ),
    "plastique_contact": "contenants plastiques de cuisson, de réchauffe ou de service",
}

Severity = Literal["erreur", "avertissement", "info"]
ClauseKind = Literal["environnementale", "sociale", "ethique", "economique"]
Destination = Literal["RC", "CCAP", "CCTP", "AE"]
ProcedureCode = Literal["dispense", "mapa", "appel_offres"]
Publicite = Literal["libre", "adaptee", "boamp_jal", "joue"]
Derogation = Literal["petit_lot", "mini_lot"]
# How the buyer uses the small-lot allowance (groupement.yaml « petits_lots »): « aucun » every lot follows
# the procedure of the whole; « mapa » small lots in MAPA under R2123-1 2° within the same notice;
# « hors_consultation » lots under the R2122-8 threshold taken out of the consultation (separate note: ask
# several quotes).
UsagePetitsLots = Literal["aucun", "mapa", "hors_consultation"]
USAGES_PETITS_LOTS: tuple[str, ...] = get_args(UsagePetitsLots)
Confidence = Literal["C", "S", "U"]


class Frozen(BaseModel):
    """Immutable, strict-ish base: unknown fields are errors (typos in YAML must not pass silently)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------------------------
# Findings: compliance results are data, never exceptions
# --------------------------------------------------------------------------------------------


class Finding(Frozen):
    code: str  # stable code, e.g. "EMB-001"; documented in the README
    severite: Severity
    message: str  # French, complete sentence
    base_legale: str  # e.g. "Code de l'environnement, art. L541-15-10 III"
    lot: int | None = None  # None: the whole plan
    correction: str | None = None  # how to fix it, in French
    membre: str | None = None
    incertain: bool = False  # True when the rule rests on a value RULES.md tags [U]


# --------------------------------------------------------------------------------------------
# Catalogue models (validated at load; see lotsmarche.catalogue)
# --------------------------------------------------------------------------------------------


class Famille(Frozen):
    code: str  # e.g. "produits_de_la_mer"
    libelle: str  # "Poissons, produits de la mer et d'eau douce"
    famille_macantine: str  # ma-cantine family, e.g. "PRODUITS_DE_LA_MER"
    viande_poisson: bool  # counts in the EGALIM 60 % meat-and-fish rule
    cpv: str  # default CPV of the family
    indice_insee: str | None = None  # default index for the revision clause
    indice_libelle: str | None = None
    # Family vocabulary of the clause texts ({producteur}, {producteurs}): « le producteur ou le pêcheur »
    producteur: str = "le producteur"
    producteurs: str = "producteurs"
    # Words that belong to this family only: a lot of another family must not print them (post-render check)
    termes_propres: list[str] = Field(default_factory=list)
    # Delivery temperature required for the family's products, by conservation (CCTP); a product may
    # override it (Product.temperature), e.g. live shellfish
    temperatures: dict[Conservation, str] = Field(default_factory=dict)


class Product(Frozen):
    code: str  # own stable code, e.g. "MER-MERLAN-FILET-FR"
    libelle: str
    famille: str  # Famille.code
    espece: str | None = None  # seafood species, e.g. "merlan"
    groupe_espece: str | None = None  # poissons_blancs, poissons_plats, poissons_bleus, cephalopodes,
    #                                   coquillages, crustaces, produits_transformes
    presentation: str  # entier, filet, portion_calibree, pane, fume, sale, marine, conserve, ...
    conservation: Conservation
    unite: str  # unit of quantities and prices: kg, piece, litre, colis
    conversions: dict[str, Decimal] = Field(default_factory=dict)  # other unit -> amount of `unite`
    prix_reference_ht: Decimal  # per `unite`
    prix_date: date
    prix_source: str  # where the price comes from, or "estimation"
    prix_estime: bool = False
    tva: Decimal = Decimal("5.5")  # VAT rate in %
    cpv: str  # e.g. "03311500-7"
    cnrc_code: str | None = None  # CNRC nomenclature code, e.g. "10.08-3"
    indice_insee: str | None = None  # INSEE series id
    labels_possibles: list[str] = Field(default_factory=list)  # Label.code
    mois_disponibles: list[int]  # 1..12
    saisonnalite_source: str  # URL / document, or why it is inferred
    saisonnalite_confiance: Confidence
    conditionnement_defaut: str  # Packaging.code
    sauvage: bool = False  # wild-caught: never organic
    specifications: str = ""  # short technical spec for the CCTP
    temperature: str | None = None  # delivery temperature when it differs from the family's (CCTP)
    vivant: bool = False  # delivered alive (live bivalves, gastropods): never at melting-ice temperature

    @field_validator("mois_disponibles")
    @classmethod
    def _months(cls, v: list[int]) -> list[int]:
        if not v or any(m < 1 or m > 12 for m in v):
            raise ValueError("les mois doivent être compris entre 1 et 12")
        return sorted(set(v))


class Packaging(Frozen):
    code: str  # e.g. "caisse_polystyrene"
    libelle: str
    materiau: str
    plastique: bool  # wholly or partly plastic (D541-338)
    polystyrene: bool = False
    usage_unique: bool
    usages: list[Literal["transport", "stockage", "cuisson", "rechauffage", "service"]]
    regime: Regime  # regime of a line delivered in this packaging
    remarque: str = ""


class Unite(Frozen):
    code: str  # unit code used in the demand and the catalogue: kg, piece, litre, colis
    libelle: str  # what users read: « kg », « pièce »
    pluriel: str  # « kg », « pièces »


class Label(Frozen):
    code: str  # ma-cantine code: BIO, LABEL_ROUGE, PECHE_DURABLE, ...
    libelle: str
    egalim: bool  # counts in the 50 % (False for FRANCE, CIRCUIT_COURT, LOCAL)
    bio: bool = False  # counts in the 20 % organic share
    priorite: int  # lower counts first when a product carries several labels
    familles_exclues: list[str] = Field(default_factory=list)  # ma-cantine families that may not carry it
    familles_autorisees: list[str] | None = None  # if set, only these families
    valide_jusqu_au: date | None = None  # e.g. HVE level 2 ends 2026-12-31
    base_legale: str
    equivalent_a: str | None = None  # e.g. MSC → PECHE_DURABLE (buyer-assessed equivalence)
    code_macantine: str | None = None  # ma-cantine characteristic when not ``code`` (HVE_NIVEAU_2 → HVE)


class ThresholdValue(Frozen):
    montant: Decimal
    base_legale: str
    source: str
    confiance: Confidence


class LegalParameter(Frozen):
    """One legal value read by the rules (catalogues/parametres.yaml): a date, a whole number or a share."""

    code: str  # e.g. "duree_max_accord_cadre_mois"
    valeur: date | int | Decimal
    libelle: str
    base_legale: str
    confiance: Confidence  # RULES.md tag; findings relying on a "U" value are flagged « incertain »
    du: date | None = None  # period for which the value was checked (informative)
    au: date | None = None

    @field_validator("valeur", mode="before")
    @classmethod
    def _plain_value(cls, value: Any) -> Any:
        # A bare YAML scalar only: true/false or a text would otherwise be coerced into a number or a date.
        if isinstance(value, bool) or not isinstance(value, date | int | Decimal):
            raise ValueError(
                f"une date AAAA-MM-JJ, un nombre entier ou un nombre décimal est attendu (lu : {value!r})"
            )
        return value

    @model_validator(mode="after")
    def _period(self) -> LegalParameter:
        if self.du is not None and self.au is not None and self.au < self.du:
            raise ValueError("« au » est antérieure à « du »")
        return self


class ThresholdRow(Frozen):
    """One period of thresholds; the consultation launch date picks the row (du <= date <= au)."""

    id: str
    du: date
    au: date
    dispense: ThresholdValue  # supplies/services: no publicity below (strict <)
    mini_lot: ThresholdValue  # lot without publicity (strict <), within the 20 % allowance
    petit_lot: ThresholdValue  # lot in MAPA inside a formal procedure (strict <)
    part_max_petits_lots: ThresholdValue  # 0.20 (cumulated share, <=)
    publicite_boamp: ThresholdValue  # MAPA >= this: BOAMP or JAL notice
    formalise_local: ThresholdValue  # EU threshold, other contracting authorities (>=)
    formalise_central: ThresholdValue  # EU threshold, central government (>=)
    formalise_entite_adjudicatrice: ThresholdValue
    ca_max_coefficient: ThresholdValue  # R2142-7: required turnover <= coef × lot value


class Commune(Frozen):
    """A current commune of the official geographic code (``catalogues/communes.json.gz``)."""

    code_insee: str
    nom: str
    codes_postaux: list[str]
    population: int
    epci_siren: str  # "" for the few communes outside any EPCI (islands, overseas collectivities)
    epci_nom: str
    territoire: str  # delivery territory: the department's own map where configured, else the EPCI
    departement: str = ""  # department code (62, 2A, 974)
    region: str = ""  # region code (32)


class CarteTerritoires(Frozen):
    """A department's own map of delivery territories (cartes_territoires.yaml), instead of the EPCI."""

    departement: str  # department code
    fichier: str  # CSV in the catalogue folder: code_insee, territoire (other columns ignored)
    libelle: str  # what the map is, for the documentation


class Tribunal(Frozen):
    """A tribunal administratif with its postal address and the departments of its territory (R221-3 CJA)."""

    code: str
    nom: str
    adresse: str
    departements: list[str]  # INSEE department codes: "62", "2A", "971" (overseas collectivities included)
    confiance: Confidence


class IndiceRevision(Frozen):
    """The revision index fit for a family × conservation (indices_revision.yaml), with its formula."""

    famille: str  # Famille.code
    conservation: Conservation
    indice: str  # INSEE series id (indices.csv)
    periodicite: str  # "mensuelle", "trimestrielle"...
    partie_fixe: Decimal  # share of the price that is not revised (0.15)
    justification: str


class ActeCoordonnateur(Frozen):
    """An act the convention entrusts to the coordinator (coordonnateur.yaml)."""

    code: str
    libelle: str  # the convention's wording, after « Le coordonnateur est chargé : »
    phase: Literal["passation", "execution", "contentieux"]
    ccap: bool = False  # the CCAP attributes this act to the coordinator
    motif: str | None = None  # regex (folded text) of a CCAP sentence attributing the act (ccap: true)


class Supplier(Frozen):
    """A supplier or a supplier profile from the sourcing (market research, R2111-1): sizes lots only."""

    nom: str
    type: str  # mareyeur, pecheur_vente_directe, fumaison, conserverie, grossiste_regional, ...
    familles: list[str]  # Famille.code it can supply
    conservations: list[Conservation] | None = None  # None: all
    groupes_especes: list[str] | None = None  # None: all
    produits: list[str] | None = None  # explicit Product.code list; None: all within the above
    capacite_annuelle_ht: Decimal | None = None
    capacite_annuelle_kg: Decimal | None = None
    zones: list[str]  # territory names; "*" = whole catalogue area
    livraison_reemployable: bool = False
    labels: list[str] = Field(default_factory=list)
    circuit_court: bool = False  # at most one intermediary
    illustratif: bool = False
    # Month-level answers of the supplier questionnaire (issue 13). ``volumes_mensuels``: product code ->
    # 12 volumes (January..December) in the catalogue unit of the product; None: yearly capacity only
    # (the CSV layout), spread evenly over the months a lot needs.
    volumes_mensuels: dict[str, tuple[Decimal, ...]] | None = None
    siret: str | None = None
    commune_insee: str | None = None
    jours_livraison: list[str] = Field(default_factory=list)  # lundi..samedi
    frequence_livraison: str | None = None  # e.g. « 2 par semaine »
    labels_echeances: dict[str, date] = Field(default_factory=dict)  # label code -> expiry date
    agrement_sanitaire: str | None = (
        None  # approval number of the establishment (EC mark), e.g. FR 62.160.001 CE
    )
    minimum_commande_ht: Decimal | None = None
    candidature: Literal["seul", "groupement", "seul_ou_groupement"] | None = None
    source: str | None = None  # file (and sheet) the answers were read from

    @field_validator("volumes_mensuels")
    @classmethod
    def _twelve_months(
        cls, v: dict[str, tuple[Decimal, ...]] | None
    ) -> dict[str, tuple[Decimal, ...]] | None:
        if v is not None:
            for code, months in v.items():
                if len(months) != 12 or any(m < 0 for m in months):
                    raise ValueError(f"{code} : 12 volumes mensuels positifs ou nuls attendus")
        return v


class ClauseConditions(Frozen):
    familles: list[str] | None = None
    conservations: list[Conservation] | None = None
    regimes: list[Regime] | None = None
    types_membres: list[MemberKind] | None = None  # at least one member of the lot is of these kinds
    groupes_especes: list[str] | None = None
    montant_min: Decimal | None = None  # lot maximum over the duration >= this
    montant_max: Decimal | None = None  # lot maximum over the duration < this
    lancement_du: date | None = None  # launch date >= this
    lancement_au: date | None = None  # launch date <= this
    procedure_formalisee: bool | None = None  # overall procedure is formal (>= EU threshold)
    option: bool = False  # only when the buyer asks for it in groupement.yaml
    nb_lots_min: int | None = None  # the plan has at least this many lots (R2113-1 mentions)
    allotissement: bool | None = None  # the plan is allotted (True) or not (False, L2113-11)
    limitation_lots: bool | None = None  # a maximum number of lots per bidder is set (R2113-1)


class DerogationCcag(Frozen):
    """A clause that departs from the CCAG-FCS 2021: recapitulated in the last article of the CCAP."""

    article: str  # the CCAG-FCS article departed from, e.g. "14.1"
    objet: str  # what the CCAP stipulates instead, in French
    confiance: Confidence = "S"  # U: the CCAG article number is to be confirmed


class Clause(Frozen):
    id: str  # e.g. "ENV-EMB-01"
    titre: str
    type: ClauseKind
    destinations: list[Destination]
    base_legale: str
    conditions: ClauseConditions = Field(default_factory=ClauseConditions)
    parametres: dict[str, Any] = Field(default_factory=dict)
    texte: str  # French text with {placeholders} filled from parametres and the lot
    date_revision: date
    condition_execution: bool = False  # an execution condition (L2112-2)
    incertain: bool = False
    obligatoire: bool = False  # a mandatory mention: removing it in groupement.yaml is an error
    derogations_ccag: list[DerogationCcag] = Field(default_factory=list)  # recapitulated in the CCAP
    article_ccap: str | None = None  # CCAP article stating it (duree, revision, livraison, penalites...)


class Critere(Frozen):
    code: str  # prix, qualite_technique, performance_environnementale, approvisionnement_direct, ...
    libelle: str
    ponderation: int  # percent; a lot's criteria sum to 100
    environnemental: bool = False
    sous_criteres: list[str] = Field(default_factory=list)
    base_legale: str = "Code de la commande publique, art. R2152-7"
    ponderation_min: int | None = None  # recommended range (CNRC guide); outside it: warning
    ponderation_max: int | None = None


class CriteriaSet(Frozen):
    """Award criteria for a kind of lot (criteres.yaml); weights sum to 100."""

    id: str  # "frais", "surgele", "defaut", ...
    libelle: str
    conservations: list[Conservation]  # lots of these conservations use this set
    criteres: list[Critere]
    base_legale: str = "Code de la commande publique, art. R2152-7, R2152-11 et R2152-12"

    @model_validator(mode="after")
    def _sum_100(self) -> CriteriaSet:
        total = sum(c.ponderation for c in self.criteres)
        if total != 100:
            raise ValueError(f"les pondérations doivent totaliser 100 (total : {total})")
        return self


class PackagingRule(Frozen):
    """A dated packaging rule (regles_emballage.yaml): which regime is forbidden or discouraged for whom."""

    code: str  # finding code, e.g. "EMB-001"
    titre: str
    severite: Severity
    regimes: list[Regime] = Field(default_factory=list)  # regimes concerned (empty: see conditionnements)
    conditionnements: list[str] = Field(default_factory=list)  # packaging codes concerned
    polystyrene: bool | None = None  # applies to polystyrene packaging only
    types_membres: list[MemberKind] | None = None  # None: every member
    population_min: int | None = None  # commune population >= this (communes only)
    population_max: int | None = None  # commune population < this (communes only)
    du: date  # in force from (launch date >= du)
    au: date | None = None  # until (launch date <= au)
    message: str
    base_legale: str
    correction: str
    incertain: bool = False


class LintPattern(Frozen):
    """A forbidden phrasing (geographic preference) with the lawful alternative (lint.yaml)."""

    code: str
    motif: str  # regular expression, matched on accent-folded lower-case text
    libelle: str
    alternative: str
    base_legale: str
    exceptions: list[str] = Field(default_factory=list)  # regexes of lawful phrasings that contain the motif


# --------------------------------------------------------------------------------------------
# Groupement (groupement.yaml)
# --------------------------------------------------------------------------------------------


class Member(Frozen):
    nom: str
    type: MemberKind
    # The commune as written in groupement.yaml: a name, a postcode or an INSEE code (« 62217 Achicourt »,
    # « Achicourt (62) » too); ``insee`` forces the INSEE code. load_groupement fills ``insee`` with the
    # commune found (see catalogue.communes.resolve); the population is looked up if not given.
    commune: str | None = None
    insee: str | None = None
    population: int | None = None  # commune population, for communes (2028 plastic deadline)
    siret: str | None = None
    restauration_etat: bool = False  # State canteen: 100 % meat-and-fish EGALIM target
    repas_par_an: int | None = None
    genre: Literal["f", "m"] | None = None  # grammatical gender of the name (« désignée »); None: derived
    # ATTRI1 part D, for the orders this member pays (None: a default by kind, or « à compléter »)
    ordonnateur: str | None = None
    comptable_assignataire: str | None = None
    designe_r2191_59: str | None = None  # who gives the R2191-59 information (cession, nantissement)
    imputation_budgetaire: str | None = None
    # the member's decision authorising membership and signature (kind by member type unless given)
    decision_adhesion: str | None = None
    decision_date: date | None = None
    decision_numero: str | None = None


class Duree(Frozen):
    periode_initiale_mois: Annotated[int, Field(ge=1)] = 12
    reconductions: Annotated[int, Field(ge=0)] = 3
    duree_reconduction_mois: Annotated[int, Field(ge=1)] = 12

    @property
    def total_mois(self) -> int:
        # The legal maximum (L2125-1) is catalogue data (parametres.yaml): load_groupement checks it.
        return self.periode_initiale_mois + self.reconductions * self.duree_reconduction_mois


class Contact(Frozen):
    role: str
    nom: str
    courriel: str | None = None
    telephone: str | None = None


class ClauseOverrides(Frozen):
    ajouter: list[str] = Field(default_factory=list)  # clause ids forced in (options included)
    retirer: list[str] = Field(default_factory=list)
    parametres: dict[str, dict[str, Any]] = Field(default_factory=dict)  # clause id -> parameter overrides
    ponderations: dict[str, dict[str, int]] = Field(
        default_factory=dict
    )  # "frais"/"surgele"/"defaut" -> weights


class Echantillons(Frozen):
    """Samples the RC asks for when a sub-criterion grades them (groupement.yaml « echantillons »)."""

    demandes: bool = True  # False: no samples, and the sub-criteria grading them are dropped
    lieu: str | None = None  # delivery address (None: « à compléter »)
    date_livraison: date | None = None  # None: a week after the deadline for tenders
    quantite: str = "une unité de vente"  # per product asked


class Groupement(Frozen):
    nom: str = "Groupement de commandes"
    reference: str = "GC-2026-01"  # consultation reference printed in headers
    objet: str = "Fourniture et livraison de denrées alimentaires pour la restauration collective"
    coordonnateur: str | None = None  # a member name; defaults to the first member
    acheteur: Literal["local", "central", "entite_adjudicatrice"] = "local"
    membres: list[Member] = Field(default_factory=list)
    date_lancement: date = date(2026, 9, 1)
    duree: Duree = Field(default_factory=Duree)
    forme: Literal["accord-cadre à bons de commande"] = "accord-cadre à bons de commande"
    marge_maximum: Decimal = Decimal("0.20")  # maximum = estimate over the duration × (1 + marge)
    part_minimum: Decimal | None = None  # minimum = estimate × part (None: maximum only, R2162-4)
    ccag: str = "CCAG-FCS 2021 (arrêté du 30 mars 2021)"
    contacts: list[Contact] = Field(default_factory=list)
    k_fournisseurs: Annotated[int, Field(ge=1)] = 2
    cout_gestion_par_lot: Decimal = Decimal("1500")  # administrative cost estimate per lot (compare)
    lots_max_par_candidat: int | None = None  # R2113-1
    clauses: ClauseOverrides = Field(default_factory=ClauseOverrides)
    exception_condition_sociale: str | None = None  # recorded reason (L2112-2-1) if no social condition
    adresse: str | None = None
    delai_remise_jours: int = 35
    profil_acheteur: str | None = None  # buyer-profile URL where the DCE is published and tenders lodged
    tribunal_administratif: str | None = None  # code in tribunaux.yaml (None: from the coordinator's place)
    echantillons: Echantillons = Field(default_factory=Echantillons)
    # Reason for a reduced time limit (R2161-3: prior information notice or duly justified urgency); without
    # it an open call for tenders allows at least the R2161-2 minimum (parametres.yaml).
    delai_reduit_motif: str | None = None
    petits_lots: UsagePetitsLots = "aucun"  # use of the small-lot allowance, see UsagePetitsLots
    # The group's department (code: 62, 2A, 974): decides between communes of the same name; by default the
    # departments of the members' communes.
    departement: str | None = None

    @property
    def departements(self) -> list[str]:
        """Departments of the members' communes (INSEE codes resolved by load_groupement), sorted."""
        from lotsmarche.catalogue.communes import departement_of

        return sorted({departement_of(m.insee) for m in self.membres if m.insee})

    @property
    def departement_principal(self) -> str | None:
        """The group's department: the ``departement`` key, else the coordinator's commune's, else the
        department of most members (the smallest code on a tie); None when no commune is known."""
        from lotsmarche.catalogue.communes import departement_of

        if self.departement:
            return self.departement
        coord = next((m for m in self.membres if m.nom == self.coordonnateur), None)
        if coord is not None and coord.insee:
            return departement_of(coord.insee)
        counts: dict[str, int] = {}
        for m in self.membres:
            if m.insee:
                d = departement_of(m.insee)
                counts[d] = counts.get(d, 0) + 1
        if not counts:
            return None
        return min(counts, key=lambda d: (-counts[d], d))


# --------------------------------------------------------------------------------------------
# Lot plan (lots.json)
# --------------------------------------------------------------------------------------------


class RepartitionMembre(Frozen):
    membre: str
    quantite: Decimal
    montant_annuel_ht: Decimal


class RepartitionSite(Frozen):
    membre: str
    site: str
    code_postal: str
    territoire: str | None
    quantite: Decimal


class LotItem(Frozen):
    produit: str
    libelle: str
    unite: str
    quantite_annuelle: Decimal
    prix_unitaire_ht: Decimal  # estimate used for valuation (cents)
    montant_annuel_ht: Decimal  # round_half_up(quantite × prix, 0.01): the DQE line
    tva: Decimal
    cpv: str
    famille_macantine: str  # ma-cantine family of the product (Purchase.Family), e.g. "PRODUITS_DE_LA_MER"
    mois: list[int]  # months of supply asked
    labels_requis: list[str] = Field(default_factory=list)
    # ma-cantine EGALIM characteristics (import column categories_egalim) of labels_requis, sorted
    caracteristiques_egalim: list[str] = Field(default_factory=list)
    conditionnement: str
    repartition_membres: list[RepartitionMembre]
    repartition_sites: list[RepartitionSite]
    lignes: list[int]  # canonical demand line ids


class ProcedureLot(Frozen):
    code: ProcedureCode
    libelle: str  # "Procédure adaptée (MAPA)", "Appel d'offres ouvert", ...
    publicite: Publicite
    derogation: Derogation | None = None
    motifs: list[str]  # French sentences: why this procedure, with articles
    # Articles of the Code de la commande publique of this lot's own procedure, e.g. ["L2124-2", "R2124-2",
    # "R2161-2 à R2161-5"]; the RC, CCAP and AE cite these and no other procedure's (R2123-5: MAPA lots only).
    articles: list[str] = Field(default_factory=list)
    # Awarded without publicity (R2122-8) outside the advertised consultation: no RC/CCAP/AE/BPU entry, a
    # separate note instead (never a no-publicity lot inside a published notice).
    hors_consultation: bool = False


class ClauseSelection(Frozen):
    id: str
    titre: str
    type: ClauseKind
    destinations: list[Destination]
    base_legale: str
    texte: str  # text with placeholders filled
    motif: str  # which condition selected it (French)
    condition_execution: bool = False
    incertain: bool = False


class Lot(Frozen):
    numero: int
    intitule: str
    famille: str
    conservation: Conservation  # the lot's main conservation (the one weighing most)
    # Every conservation of the lot, in CONSERVATIONS order, when it has several (strategy « famille »: one
    # lot per family, delivery conditions stated per conservation); empty: only ``conservation``.
    conservations: list[Conservation] = Field(default_factory=list)
    regime_emballage: Regime
    groupe_espece: str | None = None
    territoires: list[str]  # delivery zones
    cpv_principal: str
    cpv_secondaires: list[str]
    items: list[LotItem]
    sites: list[RepartitionSite]  # one per (membre, site)
    membres: list[str]
    mois_approvisionnement: list[int]
    livraisons_annuelles: int
    montant_annuel_ht: Decimal
    montant_estime_duree_ht: Decimal
    montant_minimum_ht: Decimal | None
    montant_maximum_ht: Decimal
    procedure: ProcedureLot
    fournisseurs_capables: list[str]
    nb_fournisseurs_capables: int
    # Why the other suppliers of the sourcing cannot serve the lot (French), and the merge the builder
    # proposes when fewer than k can (« » when none): stored so that `check` reports what `run` did (LOT-001).
    raisons_capacite: str = ""
    fusion_proposee: str = ""
    indice_revision: str | None = None
    indice_libelle: str | None = None
    clauses: list[ClauseSelection] = Field(default_factory=list)
    criteres: list[Critere] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)


class ProcedureGlobale(Frozen):
    code: ProcedureCode
    libelle: str
    publicite: Publicite
    motifs: list[str]
    seuil_applique: Decimal  # the EU threshold used


class LotPlan(Frozen):
    schema_version: str = SCHEMA_VERSION
    generateur: str  # "lotsmarche 0.1.0"
    groupement: Groupement
    strategie: str  # strategy name or "plan:<file name>" or "sans_allotissement"
    date_lancement: date
    duree_mois: int
    seuils: ThresholdRow
    allotissement: bool = True
    justification_non_allotissement: str | None = None
    lots_max_par_candidat: int | None = None
    lots: list[Lot]
    montant_total_annuel_ht: Decimal
    montant_total_estime_ht: Decimal
    montant_total_maximum_ht: Decimal
    procedure: ProcedureGlobale
    part_derogations: Decimal  # share of the total (maxima) in lots using petit_lot / mini_lot
    lignes_demande: int
    empreinte_demande: str  # sha256 of the canonical demand (determinism, manifest)
    findings: list[Finding] = Field(default_factory=list)  # plan-level findings
    egalim: dict[str, Any] = Field(default_factory=dict)  # projected shares, filled by rules


def lot_conservations(lot: Lot) -> list[str]:
    """Every conservation of ``lot`` (its ``conservations``, else its only ``conservation``)."""
    return list(lot.conservations) or [lot.conservation]


# Strategy names are part of the CLI contract.
STRATEGIES: tuple[str, ...] = (
    "famille",
    "famille-conservation",
    "espece",
    "territoire",
    "capacite",
    "optimal",
)
