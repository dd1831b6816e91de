"""Where a demand line is delivered: postcode → commune → territory, with the shared-postcode rule.

A postcode may be shared by communes of different territories (62240: Desvres is in the Boulonnais,
Bécourt in the Montreuillois-Ternois). The commune of a line is, in this order: the line's ``commune``
column (name or INSEE code); the member's commune (groupement.yaml or the survey's "Membres" sheet) when
the line is delivered to the member's own site or takes the member's postcode; else the most populous
commune of the postcode. When that last guess chooses between territories, it is reported (DEM-007).
"""

from __future__ import annotations

from dataclasses import dataclass

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import Commune


@dataclass(frozen=True)
class Place:
    insee: str  # "" when the postcode is not in the territories table (DEM-004)
    territoire: str
    ambigu: bool = False  # territory guessed among several: DEM-007
    error: str | None = None  # the line's commune does not have the line's postcode


def commune_of_text(text: str, cat: Catalogue) -> tuple[Commune | None, str | None]:
    """The commune a ``commune`` cell names (INSEE code or name, case and accents ignored)."""
    t = " ".join(text.split())
    if not t:
        return None, None
    found = cat.commune(t)
    if found is None:
        return None, (
            f"commune « {t} » inconnue du référentiel des territoires : indiquez son nom exact ou son "
            "code INSEE (ex. Desvres ou 62268)"
        )
    return found, None


def most_populous(cat: Catalogue, codes: list[str]) -> Commune:
    """The most populous commune among INSEE codes (the smallest code on a tie: deterministic)."""
    return min((cat.communes[c] for c in codes), key=lambda c: (-c.population, c.code_insee))


def territory_choice(cat: Catalogue, code_postal: str) -> tuple[Commune, bool]:
    """The commune chosen for a bare postcode, and whether its communes span several territories."""
    codes = cat.codes_postaux[code_postal]
    chosen = most_populous(cat, codes)
    return chosen, len({cat.communes[c].territoire for c in codes}) > 1


def resolve(cat: Catalogue, code_postal: str, cell: Commune | None, member: Commune | None) -> Place:
    """Commune and territory of a line (see the module docstring)."""
    codes = cat.codes_postaux.get(code_postal) or []
    if cell is not None:
        if cell.code_insee not in codes:
            return Place(
                "",
                "",
                error=(
                    f"la commune {cell.nom} ({cell.code_insee}) n'a pas le code postal {code_postal} "
                    f"(ses codes postaux : {', '.join(cell.codes_postaux)}) : corrigez la commune ou "
                    "le code postal"
                ),
            )
        return Place(cell.code_insee, cell.territoire)
    if not codes:
        return Place("", "")
    if member is not None and member.code_insee in codes:
        return Place(member.code_insee, member.territoire)
    chosen, ambiguous = territory_choice(cat, code_postal)
    return Place(chosen.code_insee, chosen.territoire, ambigu=ambiguous)


def candidates_text(cat: Catalogue, code_postal: str) -> str:
    """``Boulonnais : Brunembert, Desvres… ; Montreuillois-Ternois : Bécourt`` for a shared postcode."""
    by_territory: dict[str, list[str]] = {}
    for code in cat.codes_postaux[code_postal]:
        c = cat.communes[code]
        by_territory.setdefault(c.territoire, []).append(c.nom)
    return " ; ".join(f"{t} : {', '.join(sorted(names))}" for t, names in sorted(by_territory.items()))
