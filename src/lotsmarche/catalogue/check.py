"""Consistency and completeness checks of a loaded catalogue, beyond what loading enforces.

Loading guarantees that every entry is valid and every cross-reference resolves. ``check_catalogue`` then
says whether the catalogue is complete enough for the Boulonnais use (product counts, the species the criée
sells, suppliers for every family) and lists what rests on estimates or unconfirmed sources, so that a buyer
or a lawyer knows which figures to verify before publishing a consultation.
"""

from __future__ import annotations

from collections import Counter

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import Finding

MIN_SEAFOOD = 80
MIN_OTHERS = 60
MIN_SUPPLIERS = 10
# Species the Boulogne-sur-Mer criée sells in volume or value (RULES.md §13): a catalogue for the Boulonnais
# must offer each of them.
REQUIRED_SPECIES = (
    "hareng",
    "maquereau",
    "merlan",
    "lieu noir",
    "cabillaud",
    "églefin",
    "limande",
    "plie",
    "sole",
    "tacaud",
    "grondin",
    "rouget-barbet",
    "bar",
    "dorade grise",
    "roussette",
    "raie",
    "lotte",
    "encornet",
    "seiche",
    "coquille Saint-Jacques",
    "bulot",
    "moule",
    "crevette grise",
    "sardine",
)
REQUIRED_PRESENTATIONS = ("entier", "filet", "portion_calibree", "pane", "fume", "sale", "marine", "conserve")
REQUIRED_CONSERVATIONS = ("frais", "surgele", "appertise", "refrigere_elabore")
OTHER_FILES = {
    "clauses": "clauses.yaml",
    "criteres": "criteres.yaml",
    "regles_emballage": "regles_emballage.yaml",
    "lint": "lint.yaml",
}
CONTENU = "Catalogue de référence lotsmarche (contenu attendu, sans portée juridique propre)"
SOURCAGE = "Code de la commande publique, art. R2111-1 (études et échanges préalables avec les fournisseurs)"
EGALIM = "Code rural et de la pêche maritime, art. L230-5-1"


def check_catalogue(cat: Catalogue) -> list[Finding]:
    """Findings about the catalogue as a whole, sorted by severity then code (deterministic)."""
    out: list[Finding] = []
    out += _counts(cat)
    out += _seafood_coverage(cat)
    out += _suppliers(cat)
    out += _other_files(cat)
    out += _uncertain(cat)
    out += _neutral_texts(cat)
    out += _maps(cat)
    out += _school_packaging(cat)
    order = {"erreur": 0, "avertissement": 1, "info": 2}
    return sorted(out, key=lambda f: (order[f.severite], f.code, f.message))


def _counts(cat: Catalogue) -> list[Finding]:
    out: list[Finding] = []
    mer = [p for p in cat.produits.values() if p.famille == "produits_de_la_mer"]
    others = [p for p in cat.produits.values() if p.famille != "produits_de_la_mer"]
    if len(mer) < MIN_SEAFOOD:
        out.append(
            Finding(
                code="CAT-001",
                severite="erreur",
                base_legale=CONTENU,
                message=f"Le catalogue ne compte que {len(mer)} produits de la mer ; "
                f"{MIN_SEAFOOD} au moins sont attendus pour couvrir les espèces et présentations "
                "de la criée de Boulogne-sur-Mer.",
                correction="Compléter produits_mer.yaml.",
            )
        )
    if len(others) < MIN_OTHERS:
        out.append(
            Finding(
                code="CAT-002",
                severite="erreur",
                base_legale=CONTENU,
                message=f"Le catalogue ne compte que {len(others)} produits hors produits de la mer ; "
                f"{MIN_OTHERS} au "
                "moins sont attendus pour les achats courants d'un collège.",
                correction="Compléter produits_autres.yaml.",
            )
        )
    empty = sorted(code for code in cat.familles if not any(p.famille == code for p in cat.produits.values()))
    if empty:
        out.append(
            Finding(
                code="CAT-003",
                severite="avertissement",
                base_legale=CONTENU,
                message=f"Familles sans aucun produit au catalogue : {', '.join(empty)}.",
                correction="Ajouter des produits à ces familles ou retirer les familles inutilisées.",
            )
        )
    return out


def _seafood_coverage(cat: Catalogue) -> list[Finding]:
    out: list[Finding] = []
    mer = [p for p in cat.produits.values() if p.famille == "produits_de_la_mer"]
    species = {p.espece for p in mer}
    missing = [s for s in REQUIRED_SPECIES if s not in species]
    if missing:
        out.append(
            Finding(
                code="CAT-004",
                severite="erreur",
                base_legale=CONTENU,
                message="Espèces de la criée de Boulogne-sur-Mer absentes du catalogue : "
                f"{', '.join(missing)}.",
                correction="Ajouter au moins un produit de chacune de ces espèces dans produits_mer.yaml.",
            )
        )
    presentations = {p.presentation for p in mer}
    conservations = {p.conservation for p in mer}
    gaps = [x for x in REQUIRED_PRESENTATIONS if x not in presentations]
    gaps += [x for x in REQUIRED_CONSERVATIONS if x not in conservations]
    if gaps:
        out.append(
            Finding(
                code="CAT-005",
                severite="avertissement",
                base_legale=CONTENU,
                message=f"Présentations ou modes de conservation sans produit de la mer : {', '.join(gaps)}.",
                correction="Compléter produits_mer.yaml.",
            )
        )
    return out


def _suppliers(cat: Catalogue) -> list[Finding]:
    out: list[Finding] = []
    if len(cat.fournisseurs) < MIN_SUPPLIERS:
        out.append(
            Finding(
                code="CAT-010",
                severite="avertissement",
                base_legale=SOURCAGE,
                message=f"Seulement {len(cat.fournisseurs)} profils de fournisseurs "
                f"(au moins {MIN_SUPPLIERS} attendus pour dimensionner les lots sans sourçage).",
                correction="Compléter fournisseurs.yaml ou fournir un fichier de sourçage (--sourcing).",
            )
        )
    real = sorted(s.nom for s in cat.fournisseurs if not s.illustratif)
    if real:
        out.append(
            Finding(
                code="CAT-011",
                severite="avertissement",
                base_legale=SOURCAGE,
                message="Profils du catalogue non marqués comme illustratifs : "
                + ", ".join(real)
                + ". Le catalogue "
                "livré ne doit contenir que des profils fictifs ; les fournisseurs réels relèvent du "
                "sourçage.",
                correction="Mettre « illustratif: true » ou déplacer ces fournisseurs dans un fichier de "
                "sourçage.",
            )
        )
    # Every (family, conservation) present in the products should be servable by some profile.
    pairs = sorted({(p.famille, p.conservation) for p in cat.produits.values()})
    uncovered = [
        f"{fam} / {cons}"
        for fam, cons in pairs
        if not any(
            fam in s.familles and (s.conservations is None or cons in s.conservations)
            for s in cat.fournisseurs
        )
    ]
    if uncovered:
        out.append(
            Finding(
                code="CAT-012",
                severite="avertissement",
                base_legale=SOURCAGE,
                message="Aucun profil de fournisseur ne couvre : " + ", ".join(uncovered) + ".",
                correction="Ajouter un profil couvrant ces familles et modes de conservation dans "
                "fournisseurs.yaml.",
            )
        )
    return out


def _other_files(cat: Catalogue) -> list[Finding]:
    missing = [name for attr, name in OTHER_FILES.items() if not getattr(cat, attr)]
    if not missing:
        return []
    return [
        Finding(
            code="CAT-013",
            severite="avertissement",
            base_legale=CONTENU,
            message="Fichiers de catalogue absents ou vides : " + ", ".join(missing) + " ; les clauses, "
            "critères, "
            "règles d'emballage ou contrôles de rédaction correspondants ne seront pas appliqués.",
            correction="Ajouter ces fichiers au dossier de catalogues.",
        )
    ]


# Members whose canteens the plastic ban on serving containers covers first (L541-15-10 III): a default
# packaging must never put them in breach, or every group with a school would have to override it.
SCHOOL_KINDS = frozenset({"college", "lycee", "ecole", "creche", "universite"})


def _school_packaging(cat: Catalogue) -> list[Finding]:
    """CAT-030: a product's default packaging that a standing error rule bans for school canteens."""
    rules = [
        r
        for r in cat.regles_emballage
        if r.severite == "erreur"
        and r.au is None
        and (r.types_membres is None or SCHOOL_KINDS & set(r.types_membres))
    ]
    out: list[Finding] = []
    for product in sorted(cat.produits.values(), key=lambda p: p.code):
        packaging = cat.conditionnements.get(product.conditionnement_defaut)
        if packaging is None:
            continue
        for rule in rules:
            if packaging.regime in rule.regimes or packaging.code in rule.conditionnements:
                out.append(
                    Finding(
                        code="CAT-030",
                        severite="erreur",
                        base_legale=rule.base_legale,
                        message=f"Le conditionnement par défaut du produit {product.code} "
                        f"(« {packaging.libelle} ») est interdit en restauration scolaire ({rule.code} : "
                        f"{rule.titre}).",
                        correction="Choisir dans produits_*.yaml un conditionnement par défaut permis "
                        "(vrac, verre, bac inox réemployable) ; une demande peut toujours en préciser "
                        "un autre.",
                    )
                )
    return out


def _uncertain(cat: Catalogue) -> list[Finding]:
    out: list[Finding] = []
    estimated = Counter(p.famille for p in cat.produits.values() if p.prix_estime)
    if estimated:
        detail = ", ".join(f"{fam} : {n}" for fam, n in sorted(estimated.items()))
        out.append(
            Finding(
                code="CAT-020",
                severite="info",
                base_legale="Code de la commande publique, art. R2121-1 (estimation de la valeur du besoin)",
                message=f"{sum(estimated.values())} prix de référence sont des estimations ({detail}) : "
                "les montants estimés des lots en dépendent.",
                correction="Remplacer les prix estimés par les prix constatés (mercuriales, marchés "
                "précédents) ou fournir les prix dans la demande.",
            )
        )
    uncertain_species = sorted(
        {
            p.espece or p.libelle
            for p in cat.produits.values()
            if p.saisonnalite_confiance == "U" and p.famille == "produits_de_la_mer"
        }
    )
    if uncertain_species:
        out.append(
            Finding(
                code="CAT-021",
                severite="info",
                base_legale=CONTENU,
                incertain=True,
                message="Saisonnalité non confirmée [U] (une seule source ou inférence) pour : "
                + ", ".join(uncertain_species)
                + ".",
                correction="Vérifier les mois de disponibilité auprès des mareyeurs ou de la criée.",
            )
        )
    fv = sorted(
        p.code
        for p in cat.produits.values()
        if p.saisonnalite_confiance == "U" and p.famille != "produits_de_la_mer"
    )
    if fv:
        out.append(
            Finding(
                code="CAT-022",
                severite="info",
                base_legale=CONTENU,
                incertain=True,
                message=f"Saisonnalité non confirmée [U] pour {len(fv)} fruits et légumes frais "
                f"({', '.join(fv)}).",
                correction="Vérifier les mois de disponibilité auprès des producteurs.",
            )
        )
    for row in cat.seuils:
        soft = [
            f"{field} ({getattr(row, field).confiance})"
            for field in type(row).model_fields
            if field not in ("id", "du", "au") and getattr(row, field).confiance != "C"
        ]
        if soft:
            out.append(
                Finding(
                    code="CAT-023",
                    severite="info",
                    base_legale="Code de la commande publique, art. R2124-1 et "
                    "avis "
                    "relatif aux seuils de procédure",
                    incertain=any(s.endswith("(U)") for s in soft),
                    message=f"Seuils de la période {row.du.isoformat()} – {row.au.isoformat()} dont le texte "
                    "n'a pas été "
                    f"lu directement (sources secondaires concordantes [S] ou non confirmées [U]) : "
                    f"{', '.join(soft)}.",
                    correction="Vérifier ces valeurs au Journal officiel avant de publier.",
                )
            )
    for lab in sorted(cat.labels.values(), key=lambda x: x.code):
        if lab.valide_jusqu_au is not None:
            out.append(
                Finding(
                    code="CAT-024",
                    severite="info",
                    base_legale=lab.base_legale,
                    message=f"Le label {lab.code} n'est compté dans les parts EGALIM que jusqu'au "
                    f"{lab.valide_jusqu_au.isoformat()}.",
                    correction="Pour un marché qui court au-delà, viser plutôt le label qui le remplace "
                    "(HVE).",
                )
            )
    return out


def _neutral_texts(cat: Catalogue) -> list[Finding]:
    """The legal lint (lint.yaml) over every product designation and specification: they are printed in the
    CCTP and the BPU, so a place name, an origin, a particular process or a quality sign without « ou
    équivalent » there would be imposed on every bidder (R2111-7, R2111-12 to R2111-17)."""
    from lotsmarche.rules.lint import lint_text

    out: list[Finding] = []
    for code, product in sorted(cat.produits.items()):
        fichier = "produits_mer.yaml" if code.startswith("MER-") else "produits_autres.yaml"
        for champ, text in (("libelle", product.libelle), ("specifications", product.specifications)):
            for hit in lint_text(text, cat):
                out.append(
                    Finding(
                        code=hit.code,
                        severite="erreur",
                        base_legale=hit.base_legale,
                        message=f"{fichier}, entrée « {code} », champ « {champ} » : « {hit.extrait} » "
                        f"({hit.libelle}) serait imposé à tous les candidats par le CCTP et le BPU.",
                        correction=hit.alternative,
                    )
                )
    return out


GEO = "Code officiel géographique (INSEE), paquet @etalab/decoupage-administratif (communes.json.gz)"


def _maps(cat: Catalogue) -> list[Finding]:
    """CAT-025 / CAT-026: each department map against the national communes table (read here only)."""
    out: list[Finding] = []
    for info in cat.cartes_info:
        carte = cat.cartes.get(info.departement, {})
        unknown = sorted(c for c in carte if c not in cat.geo.rows)
        if unknown:
            out.append(
                Finding(
                    code="CAT-025",
                    severite="erreur",
                    base_legale=GEO,
                    message=f"Carte des territoires du département {info.departement} ({info.fichier}) : "
                    f"{len(unknown)} code(s) INSEE absent(s) du code officiel géographique "
                    f"({', '.join(unknown[:10])}{'…' if len(unknown) > 10 else ''}).",
                    correction="Corriger les codes (commune fusionnée ou renommée : code de la commune "
                    "nouvelle).",
                )
            )
        missing = sorted(
            code
            for code, row in cat.geo.rows.items()
            if row.departement == info.departement and code not in carte
        )
        if missing:
            names = ", ".join(f"{cat.geo.rows[c].nom} ({c})" for c in missing[:10])
            out.append(
                Finding(
                    code="CAT-026",
                    severite="avertissement",
                    base_legale=GEO,
                    message=f"Carte des territoires du département {info.departement} ({info.fichier}) : "
                    f"{len(missing)} commune(s) du département n'y figurent pas et sont livrées dans le "
                    f"territoire de leur EPCI : {names}{'…' if len(missing) > 10 else ''}.",
                    correction="Ajouter ces communes à la carte avec leur territoire.",
                )
            )
    return out
