"""Cross-references between catalogue files, checked at load time (after each entry is validated).

A catalogue that loads is internally consistent: every product points to an existing family, packaging,
labels allowed for its family and an official CPV code; threshold rows tile time without gaps; suppliers
cover existing families and territories. Problems are reported through the loader (file, entry, field).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from lotsmarche.catalogue.cpv import cpv_problem
from lotsmarche.models import (
    Clause,
    CriteriaSet,
    Famille,
    Label,
    Packaging,
    PackagingRule,
    Product,
    Supplier,
    ThresholdRow,
)

if TYPE_CHECKING:
    from lotsmarche.catalogue.loader import _Reader

# ma-cantine purchase families (data/models/purchase.py, Purchase.Family)
MACANTINE_FAMILIES = (
    "VIANDES_VOLAILLES",
    "CHARCUTERIE",
    "PRODUITS_DE_LA_MER",
    "FRUITS_ET_LEGUMES",
    "PRODUITS_LAITIERS",
    "BOULANGERIE",
    "BOISSONS",
    "AUTRES",
)
GROUPES_ESPECES = (
    "poissons_blancs",
    "poissons_plats",
    "poissons_bleus",
    "cephalopodes",
    "coquillages",
    "crustaces",
    "produits_transformes",
)
# Product code prefix -> family code: the prefix tells a buyer the family at a glance, so it must agree.
PREFIXES = {
    "MER": "produits_de_la_mer",
    "VIA": "viandes_boucherie",
    "VOL": "volailles",
    "CHA": "charcuterie",
    "OEU": "oeufs",
    "FLE": "fruits_legumes",
    "LAI": "produits_laitiers",
    "BOU": "boulangerie",
    "EPI": "epicerie",
    "BOI": "boissons",
}
PRODUCT_CODE = re.compile(r"^[A-Z]{3}(-[A-Z0-9]+)+$")
TVA_RATES = (Decimal("2.1"), Decimal("5.5"), Decimal("10"), Decimal("20"))
CNRC_CODE = re.compile(r"^10\.\d{2}-\d+$")
POSTCODE = re.compile(r"^\d{5}$")
THRESHOLD_FIELDS = (
    "dispense",
    "mini_lot",
    "petit_lot",
    "part_max_petits_lots",
    "publicite_boamp",
    "formalise_local",
    "formalise_central",
    "formalise_entite_adjudicatrice",
    "ca_max_coefficient",
)


@dataclass(frozen=True)
class Tables:
    familles: dict[str, Famille]
    produits: dict[str, Product]
    conditionnements: dict[str, Packaging]
    labels: dict[str, Label]
    seuils: list[ThresholdRow]
    cartes: dict[str, dict[str, str]]  # department -> INSEE code -> territory
    fournisseurs: list[Supplier]
    clauses: list[Clause]
    criteres: list[CriteriaSet]
    regles: list[PackagingRule]
    cpv: dict[str, str]


def _unknown(reader: _Reader, table: Mapping[str, object], fichier: str, key: str) -> bool:
    """True when ``key`` is missing from ``table`` and was not an entry that already failed validation."""
    return key not in table and key not in reader.invalid.get(fichier, set())


def run(reader: _Reader, t: Tables) -> None:
    _familles(reader, t)
    _labels(reader, t)
    _products(reader, t)
    _packaging(reader, t)
    _thresholds(reader, t)
    _suppliers(reader, t)
    _others(reader, t)


def _cpv(reader: _Reader, t: Tables, name: str, entry: str, code: str) -> None:
    if not t.cpv and reader.has_problem("cpv.csv"):
        return  # the list itself is broken: already reported
    problem = cpv_problem(code, t.cpv)
    if problem is not None:
        reader.add(name, problem, entry, "cpv", reader.index_of(name, entry))


def _familles(reader: _Reader, t: Tables) -> None:
    name = "familles.yaml"
    for code, f in t.familles.items():
        if f.famille_macantine not in MACANTINE_FAMILIES:
            reader.add(
                name,
                f"famille ma-cantine inconnue ({f.famille_macantine}) ; valeurs admises : "
                f"{', '.join(MACANTINE_FAMILIES)}",
                code,
                "famille_macantine",
                reader.index_of(name, code),
            )
        _cpv(reader, t, name, code, f.cpv)


def label_allowed(label: Label, famille_macantine: str) -> bool:
    """Whether a product of this ma-cantine family may carry the label (CharacteristicFamilyExceptions)."""
    if label.familles_autorisees is not None and famille_macantine not in label.familles_autorisees:
        return False
    return famille_macantine not in label.familles_exclues


def _labels(reader: _Reader, t: Tables) -> None:
    name = "labels.yaml"
    for code, lab in t.labels.items():
        idx = reader.index_of(name, code)
        for fam in [*lab.familles_exclues, *(lab.familles_autorisees or [])]:
            if fam not in MACANTINE_FAMILIES:
                reader.add(name, f"famille ma-cantine inconnue ({fam})", code, "familles_exclues", idx)
        if lab.equivalent_a is not None and lab.equivalent_a not in t.labels:
            reader.add(name, f"label inconnu ({lab.equivalent_a})", code, "equivalent_a", idx)
        if lab.bio and not lab.egalim:
            reader.add(
                name, "un label bio compte forcément dans la part EGALIM (egalim: true)", code, "egalim", idx
            )


def _products(reader: _Reader, t: Tables) -> None:  # noqa: C901, PLR0912
    for code, p in t.produits.items():
        name = (
            "produits_mer.yaml"
            if reader.index_of("produits_mer.yaml", code) is not None
            else "produits_autres.yaml"
        )
        idx = reader.index_of(name, code)

        def bad(msg: str, champ: str, code: str = code, name: str = name, idx: int | None = idx) -> None:
            reader.add(name, msg, code, champ, idx)

        if not PRODUCT_CODE.match(code):
            bad(
                "code invalide : lettres majuscules sans accent, chiffres et tirets (ex. "
                "MER-MERLAN-FILET-FR)",
                "code",
            )
        famille = t.familles.get(p.famille)
        if famille is None:
            if p.famille not in reader.invalid.get("familles.yaml", set()):
                bad(f"famille inconnue ({p.famille})", "famille")
        else:
            expected = PREFIXES.get(code[:3])
            if expected is not None and expected != p.famille:
                bad(f"le préfixe {code[:3]}- est réservé à la famille {expected}", "famille")
            if name == "produits_mer.yaml" and p.famille != "produits_de_la_mer":
                bad(
                    "produits_mer.yaml ne contient que des produits de la famille produits_de_la_mer",
                    "famille",
                )
        if (
            p.conditionnement_defaut not in t.conditionnements
            and p.conditionnement_defaut not in reader.invalid.get("conditionnements.yaml", set())
        ):
            bad(f"conditionnement inconnu ({p.conditionnement_defaut})", "conditionnement_defaut")
        for lab_code in p.labels_possibles:
            lab = t.labels.get(lab_code)
            if lab is None:
                if lab_code not in reader.invalid.get("labels.yaml", set()):
                    bad(f"label inconnu ({lab_code})", "labels_possibles")
            elif famille is not None and not label_allowed(lab, famille.famille_macantine):
                bad(
                    f"le label {lab_code} n'est pas admis pour la famille ma-cantine "
                    f"{famille.famille_macantine}",
                    "labels_possibles",
                )
            elif lab.bio and p.sauvage:
                bad(
                    f"un produit sauvage ne peut pas porter le label {lab_code} (le bio ne concerne que "
                    "l'aquaculture et l'agriculture)",
                    "labels_possibles",
                )
        if len(set(p.labels_possibles)) != len(p.labels_possibles):
            bad("label en double", "labels_possibles")
        _cpv(reader, t, name, code, p.cpv)
        if p.groupe_espece is not None and p.groupe_espece not in GROUPES_ESPECES:
            bad(
                f"groupe d'espèces inconnu ({p.groupe_espece}) ; valeurs admises : "
                f"{', '.join(GROUPES_ESPECES)}",
                "groupe_espece",
            )
        if p.famille == "produits_de_la_mer" and (p.espece is None or p.groupe_espece is None):
            bad("espèce et groupe d'espèces obligatoires pour les produits de la mer", "groupe_espece")
        if p.prix_reference_ht <= 0:
            bad("le prix de référence doit être positif", "prix_reference_ht")
        if p.tva not in TVA_RATES:
            bad(f"taux de TVA inattendu ({p.tva} %) ; taux français : 2,1, 5,5, 10 ou 20 %", "tva")
        for unit, qty in p.conversions.items():
            if qty <= 0:
                bad(f"conversion {unit} : la quantité doit être positive", "conversions")
            if unit == p.unite:
                bad(f"conversion vers l'unité du produit elle-même ({unit})", "conversions")
        if p.cnrc_code is not None and not CNRC_CODE.match(p.cnrc_code):
            bad(f"code CNRC mal formé ({p.cnrc_code}) ; format 10.08-4", "cnrc_code")
        if p.indice_insee is not None and not re.fullmatch(r"\d{9}", p.indice_insee):
            bad(f"identifiant de série INSEE mal formé ({p.indice_insee}) ; 9 chiffres", "indice_insee")


def _packaging(reader: _Reader, t: Tables) -> None:
    name = "conditionnements.yaml"
    for code, c in t.conditionnements.items():
        idx = reader.index_of(name, code)
        if c.polystyrene and not c.plastique:
            reader.add(
                name, "un emballage en polystyrène est en plastique (plastique: true)", code, "plastique", idx
            )
        if c.regime == "sans_plastique" and c.plastique:
            reader.add(name, "régime sans_plastique incompatible avec plastique: true", code, "regime", idx)
        if c.regime in ("plastique_contact", "plastique_transport") and not c.plastique:
            reader.add(name, f"régime {c.regime} incompatible avec plastique: false", code, "regime", idx)
        if c.regime == "reemployable" and c.usage_unique:
            reader.add(name, "régime reemployable incompatible avec usage_unique: true", code, "regime", idx)
        if not c.usages:
            reader.add(name, "au moins un usage est attendu", code, "usages", idx)


def _thresholds(reader: _Reader, t: Tables) -> None:
    name = "seuils.yaml"
    rows = sorted(t.seuils, key=lambda r: r.du)
    if not rows and not reader.has_problem(name):
        reader.add(name, "aucune ligne de seuils")
    for row in rows:
        idx = reader.index_of(name, row.id)
        if row.au < row.du:
            reader.add(name, f"période inversée : du {row.du} au {row.au}", row.id, "au", idx)
        for field in THRESHOLD_FIELDS:
            value = getattr(row, field)
            if not value.base_legale.strip():
                reader.add(name, "base légale manquante", row.id, f"{field}.base_legale", idx)
            if not value.source.strip():
                reader.add(name, "source manquante", row.id, f"{field}.source", idx)
            if value.montant <= 0:
                reader.add(name, "le montant doit être positif", row.id, f"{field}.montant", idx)
        if row.part_max_petits_lots.montant > 1:
            reader.add(
                name,
                "une part s'exprime entre 0 et 1 (0.20 pour 20 %)",
                row.id,
                "part_max_petits_lots.montant",
                idx,
            )
    for prev, nxt in itertools.pairwise(rows):
        if nxt.du <= prev.au:
            reader.add(
                name,
                f"période chevauchant la ligne « {prev.id} » (qui va jusqu'au {prev.au})",
                nxt.id,
                "du",
                reader.index_of(name, nxt.id),
            )
        elif nxt.du != prev.au + timedelta(days=1):
            reader.add(
                name,
                f"trou entre la ligne « {prev.id} » (jusqu'au {prev.au}) et celle-ci "
                f"(à partir du {nxt.du}) : les périodes doivent se suivre sans interruption",
                nxt.id,
                "du",
                reader.index_of(name, nxt.id),
            )


def _suppliers(reader: _Reader, t: Tables) -> None:
    name = "fournisseurs.yaml"
    # Zone names other than « * » and the map territories (an EPCI, a department) are checked against the
    # national communes table by the loader (_Reader._zones), which reads it only then.
    for s in t.fournisseurs:
        idx = reader.index_of(name, s.nom)
        for fam in s.familles:
            if _unknown(reader, t.familles, "familles.yaml", fam):
                reader.add(name, f"famille inconnue ({fam})", s.nom, "familles", idx)
        for zone in s.zones:
            if not zone.strip():
                reader.add(
                    name,
                    "zone vide ; valeurs admises : un territoire, un EPCI, un département ou « * »",
                    s.nom,
                    "zones",
                    idx,
                )
        for lab in s.labels:
            if _unknown(reader, t.labels, "labels.yaml", lab):
                reader.add(name, f"label inconnu ({lab})", s.nom, "labels", idx)
        for g in s.groupes_especes or []:
            if g not in GROUPES_ESPECES:
                reader.add(name, f"groupe d'espèces inconnu ({g})", s.nom, "groupes_especes", idx)
        for prod in s.produits or []:
            if prod not in t.produits:
                reader.add(name, f"produit inconnu ({prod})", s.nom, "produits", idx)
        if not s.zones:
            reader.add(
                name, "au moins une zone est attendue (nom de territoire ou « * »)", s.nom, "zones", idx
            )


def _others(reader: _Reader, t: Tables) -> None:
    for cl in t.clauses:
        idx = reader.index_of("clauses.yaml", cl.id)
        for fam in cl.conditions.familles or []:
            if _unknown(reader, t.familles, "familles.yaml", fam):
                reader.add("clauses.yaml", f"famille inconnue ({fam})", cl.id, "conditions.familles", idx)
        for g in cl.conditions.groupes_especes or []:
            if g not in GROUPES_ESPECES:
                reader.add(
                    "clauses.yaml",
                    f"groupe d'espèces inconnu ({g})",
                    cl.id,
                    "conditions.groupes_especes",
                    idx,
                )
    for i, rule in enumerate(t.regles):
        for code in rule.conditionnements:
            if _unknown(reader, t.conditionnements, "conditionnements.yaml", code):
                reader.add(
                    "regles_emballage.yaml",
                    f"conditionnement inconnu ({code})",
                    rule.code,
                    "conditionnements",
                    reader.index_of("regles_emballage.yaml", rule.code, i),
                )
