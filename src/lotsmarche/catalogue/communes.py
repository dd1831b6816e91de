"""Every current French commune (official geographic code), and how a commune written by a user is found.

The table is ``communes.json.gz`` (built by ``tools/build_communes.py`` from the npm package
``@etalab/decoupage-administratif``): INSEE code, name, postcodes, legal population and EPCI of the
34,969 current communes of every department, Corsica (2A, 2B) and overseas (971-976, and the overseas
collectivities) included. It is read on first use only — commands that never look a commune up do not pay
for it — and cached per file state, so repeated use in one process costs a dictionary lookup.

Resolution (:func:`resolve`) accepts what a buyer writes — an INSEE code, a postcode, a name (a former
commune's name or INSEE code leads, with a note, to the commune nouvelle that includes it), or a
combination (``62217 Achicourt``, ``Achicourt (62)``, ``insee: 62217``, ``cp: 62217``) — and never confuses
them: a 5-digit value that is a postcode is read as the postcode, even when it is also the INSEE code of
another commune (62217 is the postcode of Achicourt and the INSEE code of Cauchy-à-la-Tour); the result
then carries a note saying so and how to force the INSEE code. A postcode shared by several communes is
decided by the member's name when it names one of them (« Mairie d'Achicourt »), else the candidates are
listed; a name shared by communes of several departments is decided by the group's departments, else the
candidates are listed.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

FICHIER = "communes.json.gz"
_CODE = re.compile(r"^\d[\dAB]\d{3}$")
_INSEE_PREFIX = re.compile(r"^(?:code\s+)?insee\s*[:=]?\s*(\S+)$", re.IGNORECASE)
_CP_PREFIX = re.compile(r"^(?:cp|code\s+postal)\s*[:=]?\s*(\S+)$", re.IGNORECASE)
_CP_AND_NAME = re.compile(r"^(\d{5})[\s,]+(\D.*)$")
_NAME_AND_QUALIFIER = re.compile(r"^(.*\S)\s*\(\s*([\dAB]{2,5})\s*\)$", re.IGNORECASE)


def departement_of(code_insee: str) -> str:
    """Department code of an INSEE commune code: its first 2 characters, 3 overseas (97x, 98x)."""
    return code_insee[:3] if code_insee.startswith(("97", "98")) else code_insee[:2]


_SPACES_TABLE = str.maketrans({"-": " ", "'": " ", "\u2019": " ", ".": " "})
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}


_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"})


def name_key(text: str) -> str:
    """Key matching commune names as users write them: case, accents, hyphens, « St »/« Ste » ignored.

    Faster than ``text.fold`` (35,000 names are keyed when the name index is built): accents go through
    NFKD and an ASCII encoding, ligatures are spelt out first.
    """
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
        text = decomposed.encode("ascii", "ignore").decode("ascii")
    words = text.lower().translate(_SPACES_TABLE).split()
    return " ".join([_ABBREVIATIONS.get(w, w) for w in words])


class Row(NamedTuple):
    """One commune of the national table, as stored (territory excluded: it depends on the catalogue)."""

    code_insee: str
    nom: str
    codes_postaux: tuple[str, ...]
    population: int
    epci_siren: str

    @property
    def departement(self) -> str:
        return departement_of(self.code_insee)


class Referentiel:
    """The national table, indexed by INSEE code and by postcode; the name index is built on first use."""

    def __init__(self, doc: dict[str, object], path: Path) -> None:
        self.path = path
        self.version = str(doc["version"])
        self.extrait_le = str(doc["extrait_le"])
        self.source = str(doc["source"])
        self.regions: dict[str, str] = dict(doc["regions"])  # type: ignore[call-overload]
        deps: dict[str, list[str]] = dict(doc["departements"])  # type: ignore[call-overload]
        self.departements: dict[str, tuple[str, str]] = {k: (v[0], v[1]) for k, v in deps.items()}
        self.epci: dict[str, str] = dict(doc["epci"])  # type: ignore[call-overload]
        rows: dict[str, Row] = {}
        postcodes: dict[str, list[str]] = {}
        for code, nom, cps, population, siren in doc["communes"]:  # type: ignore[attr-defined]
            codes = tuple(cps.split())
            rows[code] = Row(code, nom, codes, population, siren)
            for cp in codes:
                postcodes.setdefault(cp, []).append(code)
        self.rows = rows
        self.anciens_codes: dict[str, str] = dict(doc.get("anciens_codes") or {})  # type: ignore[call-overload]
        self._anciens_noms: list[list[str]] = list(doc.get("anciens_noms") or [])  # type: ignore[call-overload]
        self.postcodes: dict[str, tuple[str, ...]] = {cp: tuple(sorted(c)) for cp, c in postcodes.items()}

    @functools.cached_property
    def by_name(self) -> dict[str, tuple[str, ...]]:
        """Name key -> INSEE codes of the communes of that name (built on the first name lookup)."""
        out: dict[str, tuple[str, ...]] = {}
        for code, row in self.rows.items():
            key = name_key(row.nom)
            prev = out.get(key)
            out[key] = (code,) if prev is None else (*prev, code)
        return out

    @functools.cached_property
    def anciens_par_nom(self) -> dict[str, tuple[str, ...]]:
        """Name key of a former commune (delegated or associated) -> current INSEE codes."""
        out: dict[str, tuple[str, ...]] = {}
        for nom, code in self._anciens_noms:
            key = name_key(nom)
            prev = out.get(key, ())
            if code not in prev:
                out[key] = (*prev, code)
        return out

    @functools.cached_property
    def epci_territoires(self) -> dict[str, str]:
        """EPCI SIREN -> territory name: the EPCI's official name, with its department when two share it."""
        count: dict[str, int] = {}
        for nom in self.epci.values():
            count[nom] = count.get(nom, 0) + 1
        out: dict[str, str] = {}
        for siren, nom in self.epci.items():
            if count[nom] == 1:
                out[siren] = nom
                continue
            members = [self.rows[c] for c in self.epci_membres.get(siren, ())]
            seat = min(members, key=lambda r: (-r.population, r.code_insee)).departement if members else "?"
            out[siren] = f"{nom} ({seat})"
        return out

    @functools.cached_property
    def epci_membres(self) -> dict[str, tuple[str, ...]]:
        """EPCI SIREN -> INSEE codes of its communes."""
        out: dict[str, list[str]] = {}
        for code, row in self.rows.items():
            if row.epci_siren:
                out.setdefault(row.epci_siren, []).append(code)
        return {k: tuple(v) for k, v in out.items()}

    def departement_nom(self, code: str) -> str:
        found = self.departements.get(code)
        return found[0] if found else code

    def label(self, code_insee: str) -> str:
        """``Achicourt`` when the name is unique in France, else ``Saint-Denis (974)``."""
        row = self.rows[code_insee]
        if len(self.by_name.get(name_key(row.nom), ())) <= 1:
            return row.nom
        return f"{row.nom} ({row.departement})"


def load(path: Path) -> Referentiel:
    """The national table in ``path`` (cached per file state: an edited file is re-read)."""
    st = path.stat()
    return _load(str(path), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=4)
def _load(path: str, mtime: int, size: int) -> Referentiel:
    del mtime, size  # cache key only
    from lotsmarche.catalogue import cache

    def build() -> Referentiel:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            doc = json.load(fh)
        return Referentiel(doc, Path(path))

    file = Path(path)
    return cache.cached("communes", file.parent, [file], build, lambda found: isinstance(found, Referentiel))


# ------------------------------------------------------------------------------------------------
# Resolution of a commune written by a user
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolution:
    """A commune found (``code``), or why not (``erreur``); ``note``: how an ambiguity was decided."""

    code: str | None = None
    erreur: str | None = None
    note: str | None = None
    homonymes: bool = False  # failed only because a name is shared by several departments
    candidats: tuple[str, ...] = ()  # INSEE codes between which it could not decide


def describe(ref: Referentiel, code: str) -> str:
    row = ref.rows[code]
    return f"{row.nom} ({ref.departement_nom(row.departement)}, code INSEE {code})"


def _listing(ref: Referentiel, codes: Iterable[str], limit: int = 12) -> str:
    codes = list(codes)
    shown = ", ".join(describe(ref, c) for c in codes[:limit])
    return shown + (f" et {len(codes) - limit} autre(s)" if len(codes) > limit else "")


def named_in(ref: Referentiel, codes: Iterable[str], text: str) -> list[str]:
    """The communes among ``codes`` whose name appears as whole words in ``text`` (longest names win)."""
    hay = f" {name_key(text)} "
    found = [c for c in codes if f" {name_key(ref.rows[c].nom)} " in hay]
    keys = {c: name_key(ref.rows[c].nom) for c in found}
    # "Saint-Laurent-Blangy" contains "Blangy": keep the longest names only.
    return [c for c in found if not any(o != c and f" {keys[c]} " in f" {keys[o]} " for o in found)]


def resolve(
    ref: Referentiel,
    text: str,
    *,
    departements: Iterable[str] = (),
    indice: str = "",
    insee_force: bool = False,
) -> Resolution:
    """The commune ``text`` designates (see the module docstring).

    ``departements``: the group's departments, deciding between homonyms; ``indice``: the member's name,
    deciding a shared postcode; ``insee_force``: ``text`` is an INSEE code (the ``insee:`` key).
    """
    t = " ".join(str(text).split())
    if not t:
        return Resolution(erreur="commune vide")
    m = _INSEE_PREFIX.match(t)
    if m or insee_force:
        return _by_insee(ref, m.group(1) if m else t)
    m = _CP_PREFIX.match(t)
    if m:
        cp = m.group(1).zfill(5) if m.group(1).isdigit() else m.group(1)
        return _by_postcode(ref, cp, indice, original=t, also_insee=False)
    if t.isdigit() and len(t) == 4:
        t = "0" + t  # a spreadsheet or YAML dropped the leading zero (01400 read as 1400)
    if _CODE.match(t.upper()):
        return _by_code(ref, t, indice)
    m = _CP_AND_NAME.match(t)
    if m:
        return _by_postcode_and_name(ref, m.group(1), m.group(2))
    m = _NAME_AND_QUALIFIER.match(t)
    if m:
        return _by_qualified_name(ref, t, m.group(1), m.group(2).upper(), indice)
    codes = ref.by_name.get(name_key(t), ())
    if len(codes) == 1:
        return Resolution(code=codes[0])
    if not codes:
        return _former_name(ref, t, departements)
    return _homonyms(ref, t, list(codes), indice, departements)


def _former_name(ref: Referentiel, t: str, departements: Iterable[str]) -> Resolution:
    """A name no current commune bears: a delegated or associated commune of a commune nouvelle?"""
    codes = ref.anciens_par_nom.get(name_key(t), ())
    wanted = set(departements)
    if len(codes) > 1 and wanted:
        codes = tuple(c for c in codes if ref.rows[c].departement in wanted) or codes
    if len(codes) == 1:
        return Resolution(
            code=codes[0],
            note=f"« {t} » n'est plus une commune (commune déléguée ou associée) ; commune actuelle "
            f"retenue : {describe(ref, codes[0])}",
        )
    if codes:
        return Resolution(
            erreur=f"« {t} » n'est plus une commune ; plusieurs communes actuelles comprennent une ancienne "
            f"commune de ce nom : {_listing(ref, codes)} ; donnez le nom actuel ou le code INSEE",
            candidats=codes,
        )
    return Resolution(erreur=_unknown_name(ref, t, ""))


def _by_insee(ref: Referentiel, text: str) -> Resolution:
    code = text.upper()
    code = code.zfill(5) if code.isdigit() else code
    if code in ref.rows:
        return Resolution(code=code)
    if code in ref.anciens_codes:
        return _former_code(ref, code)
    return Resolution(erreur=f"aucune commune n'a le code INSEE « {code} »")


def _former_code(ref: Referentiel, code: str) -> Resolution:
    current = ref.anciens_codes[code]
    return Resolution(
        code=current,
        note=f"« {code} » est un ancien code INSEE (commune fusionnée ou renumérotée) ; commune actuelle "
        f"retenue : {describe(ref, current)}",
    )


def _by_code(ref: Referentiel, t: str, indice: str) -> Resolution:
    """A 5-character code: the postcode first, else the INSEE code."""
    code = t.upper()
    if code.isdigit() and code in ref.postcodes:
        return _by_postcode(ref, code, indice, original=t, also_insee=True)
    if code in ref.rows:
        return Resolution(code=code)
    if code in ref.anciens_codes:
        return _former_code(ref, code)
    return Resolution(
        erreur=f"« {t} » n'est ni un code postal ni un code INSEE de commune : vérifiez le code ou "
        "écrivez le nom de la commune"
    )


def _by_postcode_and_name(ref: Referentiel, cp: str, name: str) -> Resolution:
    """« 62217 Achicourt », as in an address."""
    if cp not in ref.postcodes:
        return Resolution(erreur=f"le code postal {cp} n'existe pas")
    found = [c for c in ref.postcodes[cp] if name_key(ref.rows[c].nom) == name_key(name)]
    if len(found) == 1:
        return Resolution(code=found[0])
    return Resolution(
        erreur=f"aucune commune « {name} » n'a le code postal {cp} ; communes de ce code postal : "
        f"{_listing(ref, ref.postcodes[cp])}"
    )


def _by_qualified_name(ref: Referentiel, t: str, name: str, qual: str, indice: str) -> Resolution:
    """« Saint-Denis (974) » (department), « Saint-Denis (97411) » (INSEE code or postcode)."""
    codes = ref.by_name.get(name_key(name), ())
    if len(qual) == 5:
        found = [c for c in codes if qual in (c, *ref.rows[c].codes_postaux)]
    else:
        found = [c for c in codes if ref.rows[c].departement == qual]
    if len(found) == 1:
        return Resolution(code=found[0])
    if found:
        return _homonyms(ref, t, found, indice, ())
    return Resolution(erreur=_unknown_name(ref, name, f" avec « {qual} »"))


def _homonyms(
    ref: Referentiel, t: str, codes: list[str], indice: str, departements: Iterable[str]
) -> Resolution:
    wanted = set(departements)
    within = [c for c in codes if ref.rows[c].departement in wanted]
    if len(within) == 1:
        return Resolution(code=within[0])
    pool = within or codes
    return Resolution(
        erreur=f"plusieurs communes s'appellent « {t} » : {_listing(ref, pool)} ; précisez le "
        f"département entre parenthèses (ex. « {ref.rows[pool[0]].nom} ({ref.rows[pool[0]].departement}) »)"
        " ou donnez le code INSEE",
        homonymes=not within,
        candidats=tuple(pool),
    )


def _unknown_name(ref: Referentiel, name: str, qualifier: str) -> str:
    import difflib

    key = name_key(name)
    close = difflib.get_close_matches(key, [k for k in ref.by_name if k[:1] == key[:1]], n=3, cutoff=0.8)
    hint = ""
    if close:
        names = sorted({ref.rows[ref.by_name[k][0]].nom for k in close})
        hint = f" ; communes proches : {', '.join(names)}"
    return (
        f"commune « {name} »{qualifier} inconnue du code officiel géographique{hint} : indiquez son nom "
        "exact, son code INSEE ou son code postal"
    )


def _by_postcode(ref: Referentiel, cp: str, indice: str, *, original: str, also_insee: bool) -> Resolution:
    codes = ref.postcodes.get(cp)
    if not codes:
        return Resolution(erreur=f"le code postal {cp} n'existe pas")
    other = ref.rows.get(cp) if also_insee else None
    clash = ""
    if other is not None and other.code_insee not in codes:
        clash = (
            f" ; c'est aussi le code INSEE de {describe(ref, cp)} : pour désigner cette commune, "
            f"écrivez « insee: {cp} » (ou son nom)"
        )
    if len(codes) == 1:
        note = f"« {original} » lu comme code postal : {describe(ref, codes[0])}{clash}" if clash else None
        return Resolution(code=codes[0], note=note)
    named = named_in(ref, codes, indice) if indice else []
    if len(named) == 1:
        others = [c for c in codes if c != named[0]]
        return Resolution(
            code=named[0],
            note=(
                f"« {original} » lu comme code postal, commun à {len(codes)} communes : "
                f"{describe(ref, named[0])}, nommée par « {indice} », est retenue (autres communes : "
                f"{', '.join(ref.rows[c].nom for c in others)}){clash}"
            ),
        )
    return Resolution(
        candidats=codes,
        erreur=(
            f"le code postal {cp} est commun à {len(codes)} communes : {_listing(ref, codes)} ; indiquez "
            f"le nom de la commune ou son code INSEE{clash}"
        ),
    )
