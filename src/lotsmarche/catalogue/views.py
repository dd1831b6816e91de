"""Tabular views of a catalogue for ``lotsmarche catalogue list|show`` (pure: data in, rows of text out).

Each kind has French column headers and one formatter per column; the JSON form is the full model dump, so
that scripts get every field while people read a compact table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.errors import InputError, Problem
from lotsmarche.money import eur as money_eur

MOIS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


def eur(value: Decimal) -> str:
    """French amount: 40 000 € or 12,50 € (``money.eur``, whole amounts without cents)."""
    return money_eur(value, whole=True)


def yes(flag: bool) -> str:
    return "oui" if flag else "non"


def months(values: list[int]) -> str:
    """« toute l'année » or month ranges: « janv.–févr., oct.–déc. »."""
    if len(values) == 12:
        return "toute l'année"
    runs: list[list[int]] = []
    for m in sorted(values):
        if runs and m == runs[-1][-1] + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    return ", ".join(MOIS[r[0] - 1] if len(r) == 1 else f"{MOIS[r[0] - 1]}–{MOIS[r[-1] - 1]}" for r in runs)


def joined(values: list[str] | None, none: str = "toutes") -> str:
    return none if values is None else ", ".join(values) or "—"


def fits(headers: list[str], rows: list[list[str]], width: int) -> bool:
    """Whether a table of these cells reads in ``width`` columns: codes whole, other cells wrapped at 30."""
    if not headers:
        return True
    widths = [max([len(headers[0]), *(len(r[0]) for r in rows)])]
    for i, head in enumerate(headers[1:], start=1):
        longest = max([*(len(w) for w in head.split()), *(len(r[i]) for r in rows)], default=0)
        widths.append(min(longest, 30))
    return sum(widths) + 3 * len(headers) + 1 <= width


def records(headers: list[str], rows: list[list[str]]) -> list[str]:
    """One block per entry: its code alone on a line, then « champ : valeur » lines, a blank line between."""
    lines: list[str] = []
    for row in rows:
        lines.append(row[0])
        lines += [f"  {head} : {cell}" for head, cell in zip(headers[1:], row[1:], strict=True)]
        lines.append("")
    return lines


Column = tuple[str, Callable[[Any], str]]


@dataclass(frozen=True)
class Kind:
    name: str
    fichier: str
    libelle: str
    entries: Callable[[Catalogue], list[BaseModel]]
    columns: tuple[Column, ...]


def _seuil(field: str) -> Callable[[Any], str]:
    return lambda r: eur(getattr(r, field).montant)


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "familles",
            "familles.yaml",
            "Familles de produits",
            lambda c: list(c.familles.values()),
            (
                ("Code", lambda f: f.code),
                ("Libellé", lambda f: f.libelle),
                ("Famille ma-cantine", lambda f: f.famille_macantine),
                ("Viandes et poissons (60 %)", lambda f: yes(f.viande_poisson)),
                ("CPV", lambda f: f.cpv),
                ("Indice INSEE", lambda f: f.indice_insee or "—"),
            ),
        ),
        Kind(
            "produits",
            "produits_mer.yaml, produits_autres.yaml",
            "Produits",
            lambda c: list(c.produits.values()),
            (
                ("Code", lambda p: p.code),
                ("Libellé", lambda p: p.libelle),
                ("Famille", lambda p: p.famille),
                ("Conservation", lambda p: p.conservation),
                (
                    "Prix HT",
                    lambda p: (
                        f"{eur(p.prix_reference_ht)}/{p.unite}" + (" (estimé)" if p.prix_estime else "")
                    ),
                ),
                ("CPV", lambda p: p.cpv),
                ("Labels possibles", lambda p: joined(p.labels_possibles)),
                ("Disponibilité", lambda p: f"{months(p.mois_disponibles)} [{p.saisonnalite_confiance}]"),
                ("Conditionnement", lambda p: p.conditionnement_defaut),
            ),
        ),
        Kind(
            "conditionnements",
            "conditionnements.yaml",
            "Conditionnements",
            lambda c: list(c.conditionnements.values()),
            (
                ("Code", lambda p: p.code),
                ("Libellé", lambda p: p.libelle),
                ("Plastique", lambda p: yes(p.plastique)),
                ("Usage unique", lambda p: yes(p.usage_unique)),
                ("Usages", lambda p: ", ".join(p.usages)),
                ("Régime", lambda p: p.regime),
            ),
        ),
        Kind(
            "labels",
            "labels.yaml",
            "Labels et mentions",
            lambda c: list(c.labels.values()),
            (
                ("Code", lambda x: x.code),
                ("Libellé", lambda x: x.libelle),
                ("EGALIM", lambda x: yes(x.egalim)),
                ("Bio", lambda x: yes(x.bio)),
                ("Priorité", lambda x: str(x.priorite)),
                ("Familles admises", lambda x: joined(x.familles_autorisees)),
                ("Familles exclues", lambda x: joined(x.familles_exclues)),
                ("Valable jusqu'au", lambda x: x.valide_jusqu_au.isoformat() if x.valide_jusqu_au else "—"),
            ),
        ),
        Kind(
            "seuils",
            "seuils.yaml",
            "Seuils de procédure",
            lambda c: list(c.seuils),
            (
                ("Période", lambda r: r.id),
                ("Du", lambda r: r.du.isoformat()),
                ("Au", lambda r: r.au.isoformat()),
                ("Dispense", _seuil("dispense")),
                ("Petit lot", _seuil("petit_lot")),
                ("BOAMP / JAL", _seuil("publicite_boamp")),
                ("Formalisé (collectivités)", _seuil("formalise_local")),
                ("Formalisé (État)", _seuil("formalise_central")),
                ("Formalisé (entités adjudicatrices)", _seuil("formalise_entite_adjudicatrice")),
                (
                    "CA exigible max.",
                    lambda r: f"{r.ca_max_coefficient.montant} × valeur du lot".replace(".", ","),
                ),
            ),
        ),
        Kind(
            "territoires",
            "cartes_territoires.yaml",
            "Territoires propres à un département (cartes)",
            lambda c: [c.communes[code] for carte in c.cartes.values() for code in sorted(carte)],
            (
                ("Code INSEE", lambda x: x.code_insee),
                ("Commune", lambda x: x.nom),
                ("Codes postaux", lambda x: ", ".join(x.codes_postaux)),
                ("Population", lambda x: f"{x.population:,}".replace(",", "\u202f")),
                ("EPCI", lambda x: x.epci_nom),
                ("Territoire", lambda x: x.territoire),
            ),
        ),
        Kind(
            "fournisseurs",
            "fournisseurs.yaml",
            "Profils de fournisseurs",
            lambda c: list(c.fournisseurs),
            (
                ("Nom", lambda s: s.nom),
                ("Type", lambda s: s.type),
                ("Familles", lambda s: joined(s.familles)),
                ("Conservations", lambda s: joined(s.conservations)),
                (
                    "Capacité annuelle HT",
                    lambda s: eur(s.capacite_annuelle_ht) if s.capacite_annuelle_ht else "—",
                ),
                ("Zones", lambda s: ", ".join("tout le territoire" if z == "*" else z for z in s.zones)),
                ("Circuit court", lambda s: yes(s.circuit_court)),
            ),
        ),
        Kind(
            "clauses",
            "clauses.yaml",
            "Clauses",
            lambda c: list(c.clauses),
            (
                ("Identifiant", lambda x: x.id),
                ("Titre", lambda x: x.titre),
                ("Type", lambda x: x.type),
                ("Pièces", lambda x: ", ".join(x.destinations)),
                ("Base légale", lambda x: x.base_legale),
            ),
        ),
        Kind(
            "criteres",
            "criteres.yaml",
            "Critères d'attribution",
            lambda c: list(c.criteres),
            (
                ("Identifiant", lambda x: x.id),
                ("Libellé", lambda x: x.libelle),
                ("Conservations", lambda x: ", ".join(x.conservations)),
                ("Critères", lambda x: " ; ".join(f"{k.libelle} {k.ponderation} %" for k in x.criteres)),
            ),
        ),
        Kind(
            "regles",
            "regles_emballage.yaml",
            "Règles d'emballage",
            lambda c: list(c.regles_emballage),
            (
                ("Code", lambda x: x.code),
                ("Titre", lambda x: x.titre),
                ("Gravité", lambda x: x.severite),
                ("Du", lambda x: x.du.isoformat()),
                ("Au", lambda x: x.au.isoformat() if x.au else "—"),
                ("Base légale", lambda x: x.base_legale),
            ),
        ),
        Kind(
            "parametres",
            "parametres.yaml",
            "Paramètres légaux",
            lambda c: list(c.parametres.values()),
            (
                ("Code", lambda x: x.code),
                ("Valeur", lambda x: str(x.valeur).replace(".", ",")),
                ("Libellé", lambda x: x.libelle),
                ("Confiance", lambda x: x.confiance),
                ("Base légale", lambda x: x.base_legale),
            ),
        ),
        Kind(
            "lint",
            "lint.yaml",
            "Formulations interdites (préférence géographique)",
            lambda c: list(c.lint),
            (
                ("Code", lambda x: x.code),
                ("Formulation", lambda x: x.libelle),
                ("Alternative", lambda x: x.alternative),
                ("Base légale", lambda x: x.base_legale),
            ),
        ),
    )
}


def kind_of(name: str) -> Kind:
    """The view named ``name``; InputError listing the valid kinds otherwise."""
    if name not in KINDS:
        raise InputError(
            "Type de catalogue inconnu",
            [
                Problem(
                    f"« {name} » n'est pas un type de catalogue ; types disponibles : {', '.join(KINDS)}",
                    colonne="KIND",
                )
            ],
        )
    return KINDS[name]


def summary(cat: Catalogue) -> list[dict[str, Any]]:
    """One row per kind: name, file(s), number of entries, version date(s) of the file(s)."""
    rows: list[dict[str, Any]] = []
    for kind in KINDS.values():
        files = [f.strip() for f in kind.fichier.split(",")]
        versions = sorted({cat.versions[f] for f in files if f in cat.versions})
        rows.append(
            {
                "type": kind.name,
                "libelle": kind.libelle,
                "fichier": kind.fichier,
                "entrees": len(kind.entries(cat)),
                "version": ", ".join(versions) or None,
            }
        )
    rows.append(
        {
            "type": "cpv",
            "libelle": "Nomenclature CPV 2008 (codes officiels)",
            "fichier": "cpv.csv",
            "entrees": len(cat.cpv),
            "version": None,
        }
    )
    rows.append(
        {
            "type": "communes",
            "libelle": "Communes de France (code officiel géographique) et EPCI",
            "fichier": cat.communes_fichier.name,
            "entrees": len(cat.communes),
            "version": f"{cat.geo.extrait_le} (@etalab/decoupage-administratif {cat.geo.version})",
        }
    )
    return rows


def table(cat: Catalogue, name: str) -> tuple[list[str], list[list[str]]]:
    """Headers and text rows of the kind ``name``."""
    kind = kind_of(name)
    headers = [h for h, _ in kind.columns]
    return headers, [[fmt(e) for _, fmt in kind.columns] for e in kind.entries(cat)]


def dump(cat: Catalogue, name: str) -> list[dict[str, Any]]:
    """Every entry of the kind ``name`` as JSON-ready dicts (Decimal and dates as strings)."""
    return [e.model_dump(mode="json") for e in kind_of(name).entries(cat)]
