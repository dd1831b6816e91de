"""The in-memory catalogue: every reference table, validated, with pure lookups."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from lotsmarche.errors import CatalogueError, InputError, Problem
from lotsmarche.models import (
    ActeCoordonnateur,
    CarteTerritoires,
    Clause,
    Commune,
    CriteriaSet,
    Famille,
    IndiceRevision,
    Label,
    LegalParameter,
    LintPattern,
    Member,
    Packaging,
    PackagingRule,
    Product,
    Supplier,
    ThresholdRow,
    Tribunal,
    Unite,
)

if TYPE_CHECKING:
    from lotsmarche.catalogue.communes import Referentiel, Resolution

PARAMETRES_FILE = "parametres.yaml"
# Parameters the rules read, with the kind of value each must hold (checked at load: a missing or mistyped
# legal value is a catalogue error, never a crash in the middle of a rule).
PARAMETRES_ATTENDUS: dict[str, type] = {
    "loi_climat_criteres_environnementaux": date,
    "duree_max_accord_cadre_mois": int,
    "revision_duree_min_mois": int,
    "egalim_part_durable": Decimal,
    "egalim_part_bio": Decimal,
    "egalim_part_viande_poisson": Decimal,
    "egalim_part_viande_poisson_etat": Decimal,
    "delai_suspension_signature_jours": int,
    "refere_contractuel_delai_avis_jours": int,
    "refere_contractuel_delai_max_mois": int,
    "recours_contrat_delai_mois": int,
    "avance_seuil_ht": Decimal,
    "avance_duree_min_mois": int,
    "avance_taux": Decimal,
    "delai_min_appel_offres_ouvert_jours": int,
    "delai_min_appel_offres_reduit_jours": int,
    "delai_min_procedure_adaptee_jours": int,
}
KIND_TEXT: dict[type, str] = {
    date: "une date AAAA-MM-JJ est attendue",
    int: "un nombre entier est attendu",
    Decimal: "un nombre décimal est attendu (part en fraction : 0.50 pour 50 %)",
}


def kind_ok(value: object, kind: type) -> bool:
    """Whether a parameter value has the expected kind (a whole number is accepted for a share)."""
    if kind is Decimal:
        return isinstance(value, Decimal | int) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, date)


@dataclass(frozen=True)
class Catalogue:
    dossier: Path  # where it was loaded from
    familles: dict[str, Famille]
    produits: dict[str, Product]
    conditionnements: dict[str, Packaging]
    labels: dict[str, Label]
    seuils: list[ThresholdRow]  # sorted by `du`
    # Department -> INSEE code -> territory, from the department's own map (cartes_territoires.yaml);
    # departments without a map deliver by EPCI. The communes themselves are the national table.
    cartes: dict[str, dict[str, str]]
    communes_fichier: Path  # communes.json.gz (read on first use, see catalogue.communes)
    fournisseurs: list[Supplier]  # illustrative supplier profiles (used when no sourcing is given)
    clauses: list[Clause]
    criteres: list[CriteriaSet]
    regles_emballage: list[PackagingRule]
    lint: list[LintPattern]
    cpv: dict[str, str]  # official CPV code -> French label (the subset shipped)
    indices: dict[str, str] = field(default_factory=dict)  # INSEE series id -> "type – libellé"
    versions: dict[str, str] = field(default_factory=dict)  # file name -> "date" / version line
    parametres: dict[str, LegalParameter] = field(default_factory=dict)  # legal values by code
    tribunaux: list[Tribunal] = field(default_factory=list)  # tribunaux.yaml, file order
    indices_revision: list[IndiceRevision] = field(default_factory=list)  # family × conservation → index
    actes_coordonnateur: list[ActeCoordonnateur] = field(default_factory=list)  # coordonnateur.yaml

    def tribunal_du_departement(self, departement: str) -> Tribunal | None:
        """The tribunal administratif whose territory holds ``departement`` (INSEE code: 62, 2A, 974)."""
        for tribunal in self.tribunaux:
            if departement in tribunal.departements:
                return tribunal
        return None

    def indice_pour(self, famille: str, conservation: str) -> IndiceRevision | None:
        """The revision index the catalogue assigns to a family × conservation, if any."""
        for entry in self.indices_revision:
            if entry.famille == famille and entry.conservation == conservation:
                return entry
        return None

    cartes_info: list[CarteTerritoires] = field(default_factory=list)
    unites: dict[str, Unite] = field(default_factory=dict)  # unit code -> label shown to users

    def unite(self, code: str, quantite: object = 1) -> str:
        """The label of unit ``code`` users read (« pièce », « pièces » when ``quantite`` > 1)."""
        unit = self.unites.get(code)
        if unit is None:
            return code
        try:
            plural = float(str(quantite)) >= 2
        except ValueError:
            plural = False
        return unit.pluriel if plural else unit.libelle

    def parametre(self, code: str) -> LegalParameter:
        """The legal parameter ``code`` of parametres.yaml; CatalogueError naming the file and code."""
        param = self.parametres.get(code)
        if param is None:
            self._param_error(code, "paramètre absent du catalogue")
        return param

    def parametre_date(self, code: str) -> date:
        value = self.parametre(code).valeur
        if not isinstance(value, date):
            self._param_error(code, f"{KIND_TEXT[date]} (lu : {value})")
        return value

    def parametre_int(self, code: str) -> int:
        value = self.parametre(code).valeur
        if not isinstance(value, int):
            self._param_error(code, f"{KIND_TEXT[int]} (lu : {value})")
        return value

    def parametre_decimal(self, code: str) -> Decimal:
        value = self.parametre(code).valeur
        if isinstance(value, date):
            self._param_error(code, f"{KIND_TEXT[Decimal]} (lu : {value})")
        return Decimal(value)

    def _param_error(self, code: str, message: str) -> NoReturn:
        champ = "" if code not in self.parametres else ", champ « valeur »"
        raise CatalogueError(
            "Catalogue invalide",
            [Problem(f"entrée « {code} »{champ} : {message}", fichier=str(self.dossier / PARAMETRES_FILE))],
        )

    def seuils_pour(self, launch: date) -> ThresholdRow:
        """The thresholds row in force on the consultation launch date (``du <= launch <= au``)."""
        for row in self.seuils:
            if row.du <= launch <= row.au:
                return row
        first, last = self.seuils[0].du, self.seuils[-1].au
        raise InputError(
            "Date de lancement hors du tableau des seuils",
            [
                Problem(
                    f"aucune ligne de seuils ne couvre le {launch.isoformat()} ; le catalogue des seuils "
                    f"couvre du {first.isoformat()} au {last.isoformat()}. Complétez seuils.yaml ou "
                    "choisissez une autre date de lancement."
                )
            ],
        )

    # -- communes and territories (national table, loaded on first use) --------------------------------

    @property
    def geo(self) -> Referentiel:
        """The national communes table (read on first use, cached per file state)."""
        from lotsmarche.catalogue import communes

        return communes.load(self.communes_fichier)

    @functools.cached_property
    def communes(self) -> Mapping[str, Commune]:
        """Every current commune by INSEE code, with its delivery territory (built per commune on access)."""
        return _Communes(self)

    @property
    def codes_postaux(self) -> Mapping[str, tuple[str, ...]]:
        """Postcode -> INSEE codes of its communes (sorted)."""
        return self.geo.postcodes

    def territoire(self, code_insee: str) -> str:
        """Delivery territory of a commune: its department's own map if configured, else its EPCI."""
        from lotsmarche.catalogue.communes import departement_of

        carte = self.cartes.get(departement_of(code_insee))
        if carte is not None and code_insee in carte:
            return carte[code_insee]
        row = self.geo.rows[code_insee]
        if row.epci_siren:
            return self.geo.epci_territoires.get(row.epci_siren, row.epci_siren)
        return row.nom  # a commune outside any EPCI (island, overseas collectivity) is its own territory

    def territoires_cartes(self) -> list[str]:
        """Territory names of the departments' own maps (sorted)."""
        return sorted({t for carte in self.cartes.values() for t in carte.values()})

    def territoires_du_departement(self, departement: str) -> list[str]:
        """Every delivery territory of a department's communes (sorted)."""
        return sorted(
            {self.territoire(c) for c, row in self.geo.rows.items() if row.departement == departement}
        )

    def zone(self, text: str) -> list[str] | None:
        """Territories a supplier's delivery zone names: a territory (map or EPCI), or a department (code
        or name: all its territories); None when unknown."""
        from lotsmarche.text import fold

        key = fold(text)
        for t in self.territoires_cartes():
            if fold(t) == key:
                return [t]
        for siren, t in self.geo.epci_territoires.items():
            if key in (fold(t), fold(self.geo.epci[siren]), siren):
                # In a department with its own map, an EPCI's communes lie in the map's territories.
                return sorted({self.territoire(c) for c in self.geo.epci_membres.get(siren, ())})
        for code, (nom, _region) in self.geo.departements.items():
            if key in (fold(code), fold(nom)):
                return self.territoires_du_departement(code)
        return None

    def departement_nom(self, code: str) -> str:
        return self.geo.departement_nom(code)

    def departements_du_code_postal(self, code_postal: str) -> list[str]:
        """Departments of a postcode's communes (a few postcodes cross a border; 20xxx: 2A or 2B)."""
        rows = self.geo.rows
        return sorted({rows[c].departement for c in self.codes_postaux.get(code_postal, ())})

    def territoire_du_code_postal(self, code_postal: str) -> str | None:
        """Territory of a postcode: its most populous commune's (None for an unknown postcode)."""
        codes = self.codes_postaux.get(code_postal)
        if not codes:
            return None
        rows = self.geo.rows
        return self.territoire(min(codes, key=lambda c: (-rows[c].population, c)))

    def commune(self, nom_ou_code: str) -> Commune | None:
        """The commune of an INSEE code, or of a name unique in France (case and accents ignored).

        For what a user writes (a postcode, a name shared by several departments, « 62217 Achicourt »),
        use :meth:`trouver_commune`, which never takes a postcode for an INSEE code.
        """
        text = " ".join(str(nom_ou_code).split())
        if text.upper() in self.geo.rows:
            return self.communes[text.upper()]
        from lotsmarche.catalogue.communes import name_key

        codes = self.geo.by_name.get(name_key(text), ())
        if len(codes) == 1:
            return self.communes[codes[0]]
        return None

    def trouver_commune(
        self,
        text: str,
        *,
        departements: Iterable[str] = (),
        indice: str = "",
        insee_force: bool = False,
    ) -> Resolution:
        """The commune a user designates by INSEE code, postcode or name (see catalogue.communes.resolve)."""
        from lotsmarche.catalogue.communes import resolve

        return resolve(self.geo, text, departements=departements, indice=indice, insee_force=insee_force)

    def commune_du_membre(self, membre: Member) -> Commune | None:
        """A member's commune: its resolved INSEE code (load_groupement), else what its ``commune`` text
        designates (the member's name deciding a shared postcode); None when unknown or ambiguous."""
        if membre.insee and membre.insee in self.geo.rows:
            return self.communes[membre.insee]
        if not membre.commune:
            return None
        r = self.trouver_commune(membre.commune, indice=membre.nom)
        return self.communes[r.code] if r.code is not None else None

    def libelle_commune(self, code_insee: str) -> str:
        """A commune's name as a user can write it back unambiguously (« Saint-Denis (974) »)."""
        return self.geo.label(code_insee)


class _Communes(Mapping[str, Commune]):
    """The national table seen as Commune models; each is built on first access (35,000 communes)."""

    def __init__(self, cat: Catalogue) -> None:
        self._cat = cat
        self._built: dict[str, Commune] = {}

    def __getitem__(self, code: str) -> Commune:
        found = self._built.get(code)
        if found is None:
            geo = self._cat.geo
            row = geo.rows[code]
            dep = geo.departements.get(row.departement)
            found = Commune.model_construct(
                code_insee=row.code_insee,
                nom=row.nom,
                codes_postaux=list(row.codes_postaux),
                population=row.population,
                epci_siren=row.epci_siren,
                epci_nom=geo.epci.get(row.epci_siren, ""),
                territoire=self._cat.territoire(code),
                departement=row.departement,
                region=dep[1] if dep else "",
            )
            self._built[code] = found
        return found

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._cat.geo.rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._cat.geo.rows)

    def __len__(self) -> int:
        return len(self._cat.geo.rows)
