"""Where a demand line is delivered: postcode → commune → territory, with the shared-postcode rule.

A postcode may be shared by communes of different territories (62240: Desvres is in the Boulonnais,
Bécourt in the Montreuillois-Ternois). The commune of a line is, in this order: the line's ``commune``
column (name, INSEE code or postcode: the line's postcode decides between the communes it may
designate); the member's commune (groupement.yaml or the survey's "Membres" sheet) when
the line is delivered to the member's own site or takes the member's postcode; else the most populous
commune of the postcode. When that last guess chooses between territories, it is reported (DEM-007).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import Commune


@dataclass(frozen=True)
class Place:
    insee: str  # "" when the postcode is not in the national communes table (DEM-004)
    territoire: str
    ambigu: bool = False  # territory guessed among several: DEM-007
    error: str | None = None  # the line's commune does not have the line's postcode


def commune_of_text(text: str, cat: Catalogue) -> tuple[tuple[Commune, ...] | None, str | None]:
    """The communes a ``commune`` cell may designate (INSEE code, postcode, name; case and accents ignored).

    The line's postcode decides between them (:func:`resolve`): a 5-digit cell is both the communes of that
    postcode and the commune of that INSEE code, a name shared by several departments is each of them.
    """
    t = " ".join(text.split())
    if not t:
        return None, None
    code = "0" + t if t.isdigit() and len(t) == 4 else t.upper()
    if len(code) == 5 and code[:2].isalnum() and code[2:].isdigit():
        found = [cat.communes[c] for c in cat.codes_postaux.get(code, ()) if code.isdigit()]
        if code in cat.communes and all(c.code_insee != code for c in found):
            found.append(cat.communes[code])
        if found:
            return tuple(found), None
    r = cat.trouver_commune(t)
    if r.code is not None:
        return (cat.communes[r.code],), None
    if r.candidats:
        return tuple(cat.communes[c] for c in r.candidats), None
    return None, (
        f"commune « {t} » inconnue du code officiel géographique : indiquez son nom exact, son code INSEE "
        "ou son code postal (ex. Desvres, 62268 ou 62240)"
    )


def member_commune(cat: Catalogue, text: str | None, nom: str = "") -> Commune | None:
    """A member's commune from a ``Member.commune``-like text (``insee:62160``, a name, a postcode), or None
    when it does not designate one commune (the member's name decides a shared postcode)."""
    if not text:
        return None
    r = cat.trouver_commune(text, indice=nom)
    return cat.communes[r.code] if r.code is not None else None


def insee_ref(code: str) -> str:
    """The text form that designates a commune by INSEE code wherever a commune text is read back."""
    return f"insee:{code}"


def most_populous(cat: Catalogue, codes: Iterable[str]) -> Commune:
    """The most populous commune among INSEE codes (the smallest code on a tie: deterministic)."""
    return min((cat.communes[c] for c in codes), key=lambda c: (-c.population, c.code_insee))


def territory_choice(cat: Catalogue, code_postal: str) -> tuple[Commune, bool]:
    """The commune chosen for a bare postcode, and whether its communes span several territories."""
    return _choice(cat, cat.codes_postaux[code_postal])


def _choice(cat: Catalogue, codes: Iterable[str]) -> tuple[Commune, bool]:
    codes = list(codes)
    chosen = most_populous(cat, codes)
    return chosen, len({cat.communes[c].territoire for c in codes}) > 1


def resolve(
    cat: Catalogue, code_postal: str, cell: tuple[Commune, ...] | None, member: Commune | None
) -> Place:
    """Commune and territory of a line (see the module docstring)."""
    codes: tuple[str, ...] = cat.codes_postaux.get(code_postal) or ()
    if cell is not None:
        inside = [c for c in cell if c.code_insee in codes]
        if len(inside) == 1:
            return Place(inside[0].code_insee, inside[0].territoire)
        if not inside:
            if len(cell) == 1:
                what = (
                    f"la commune {cell[0].nom} ({cell[0].code_insee}) n'a pas le code postal {code_postal} "
                    f"(ses codes postaux : {', '.join(cell[0].codes_postaux)})"
                )
            else:
                what = (
                    f"aucune des communes désignées ({', '.join(f'{c.nom} ({c.code_insee})' for c in cell)}) "
                    f"n'a le code postal {code_postal}"
                )
            return Place("", "", error=f"{what} : corrigez la commune ou le code postal")
        if member is not None and member.code_insee in {c.code_insee for c in inside}:
            return Place(member.code_insee, member.territoire)
        chosen, ambiguous = _choice(cat, (c.code_insee for c in inside))
        return Place(chosen.code_insee, chosen.territoire, ambigu=ambiguous)
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
