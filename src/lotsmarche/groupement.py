"""groupement.yaml → :class:`~lotsmarche.models.Groupement`, with French messages naming each bad key.

The YAML keys are the model's field names. Conveniences a buyer expects are accepted before validation:
a launch date written ``01/09/2026``, a member kind written ``Collège`` or ``EHPAD``, a code written as a
number. Each member's ``commune`` (a name, a postcode or an INSEE code) or ``insee`` is resolved against the
national communes table (``catalogue.communes``) into ``Member.insee``; a commune member's population is
filled from it; the coordinator defaults to the first member.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from lotsmarche.catalogue.communes import Resolution, departement_of, describe, name_key
from lotsmarche.catalogue.model import Catalogue
from lotsmarche.errors import InputError, Problem
from lotsmarche.intake.members import kind_from_text
from lotsmarche.models import MEMBER_KINDS, Duree, Groupement, Member
from lotsmarche.text import duree_fr, fold
from lotsmarche.yamlsafe import YamlProblem, load_yaml, quote

HEADLINE = "Fichier groupement invalide"
_FR_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def load_groupement(path: Path | None, cat: Catalogue) -> Groupement:
    """Read and validate groupement.yaml (defaults when ``path`` is None); raise InputError otherwise."""
    if path is None:
        return Groupement()
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(HEADLINE, [Problem("fichier introuvable", fichier=str(path))]) from None
    except (OSError, UnicodeDecodeError):
        raise InputError(
            HEADLINE,
            [Problem("fichier illisible : un fichier texte YAML en UTF-8 est attendu", fichier=name)],
        ) from None
    try:
        _node, data = load_yaml(text)
    except YamlProblem as exc:
        raise InputError(HEADLINE, [Problem(exc.text(), fichier=name)]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(
            HEADLINE,
            [
                Problem(
                    "le fichier doit contenir des champs « clé: valeur » "
                    "(nom, membres, date_lancement, duree...)",
                    fichier=name,
                )
            ],
        )
    problems: list[Problem] = []
    data = _prepare(data, name, problems)  # bad values it reports are replaced so validation goes on
    duree = _duree_problem(data.get("duree"), cat, name)
    try:
        groupement = Groupement.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        found = [_problem(err, name) for err in errors]
        if duree is not None:  # reported in the order of the fields of the file's model
            found.insert(_position_after_duree(errors), duree)
        raise InputError(HEADLINE, problems + found) from None
    if duree is not None:
        problems.append(duree)
    if problems:
        raise InputError(HEADLINE, problems)
    return _complete(groupement, cat, name, _member_lines(text))


def _duree_problem(raw: Any, cat: Catalogue, name: str) -> Problem | None:
    """The total duration against the accord-cadre maximum of the catalogue (L2125-1, parametres.yaml).

    Checked here rather than in the model because the maximum is catalogue data. A ``duree`` the model
    rejects anyway (wrong type) is left to the validation messages.
    """
    if raw is None:
        raw = {}
    try:
        duree = Duree.model_validate(raw)
    except ValidationError:
        return None
    param = cat.parametre("duree_max_accord_cadre_mois")
    max_mois = cat.parametre_int("duree_max_accord_cadre_mois")
    if duree.total_mois <= max_mois:
        return None
    # The renewals are what a buyer changes to stay within the maximum.
    key = "duree.reconductions" if isinstance(raw, dict) and "reconductions" in raw else "duree"
    return Problem(
        f"champ « {key} » : la durée totale ({duree.total_mois} mois, reconductions comprises) dépasse "
        f"{duree_fr(max_mois)}, maximum d'un accord-cadre ({param.base_legale})",
        fichier=name,
    )


def _position_after_duree(errors: list[Any]) -> int:
    """Index of the first validation error on a field declared after ``duree`` (unknown keys come last)."""
    fields = list(Groupement.model_fields)
    rank_duree = fields.index("duree")
    for i, err in enumerate(errors):
        loc = err.get("loc", ())
        top = loc[0] if loc else None
        rank = fields.index(top) if isinstance(top, str) and top in fields else len(fields)
        if rank > rank_duree:
            return i
    return len(errors)


def _prepare(data: dict[Any, Any], name: str, problems: list[Problem]) -> dict[Any, Any]:
    """Accept French date and kind spellings before the strict validation."""
    out = dict(data)
    launch = out.get("date_lancement")
    if isinstance(launch, str):
        m = _FR_DATE.match(launch)
        try:
            if m:
                out["date_lancement"] = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            else:
                out["date_lancement"] = date.fromisoformat(launch.strip())
        except ValueError:
            del out["date_lancement"]
            problems.append(
                Problem(
                    f"champ « date_lancement » : « {launch} » n'est pas une date (formats acceptés : "
                    f"2026-09-01 ou "
                    "01/09/2026)",
                    fichier=name,
                )
            )
    members = out.get("membres")
    if isinstance(members, list):
        fixed: list[Any] = []
        for i, m in enumerate(members):
            if isinstance(m, dict) and isinstance(m.get("type"), str):
                kind = kind_from_text(m["type"])
                if kind is None:
                    problems.append(
                        Problem(
                            f"champ « membres[{i + 1}].type » : type de membre « {m['type']} » inconnu ; "
                            f"types possibles : {', '.join(MEMBER_KINDS)}",
                            fichier=name,
                        )
                    )
                    fixed.append({**m, "type": "administration"})
                else:
                    fixed.append({**m, "type": kind})
                continue
            fixed.append(m)
        out["membres"] = [_codes_as_text(m) for m in fixed]
    dep = out.get("departement")
    if isinstance(dep, int) and not isinstance(dep, bool):
        out["departement"] = str(dep).zfill(2)  # « departement: 62 » unquoted is a YAML number
    return out


def _codes_as_text(member: Any) -> Any:
    """``commune: 62217`` / ``insee: 1400`` unquoted are YAML numbers: back to 5-character codes."""
    if not isinstance(member, dict):
        return member
    out = dict(member)
    for key in ("commune", "insee"):
        value = out.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            out[key] = str(value).zfill(5)
    return out


def _member_lines(text: str) -> dict[tuple[int, str], int]:
    """1-based line of each key of each member (``(1, "commune") -> 12``), for messages."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    out: dict[tuple[int, str], int] = {}
    if not isinstance(root, yaml.MappingNode):
        return out
    for key, value in root.value:
        if getattr(key, "value", None) == "membres" and isinstance(value, yaml.SequenceNode):
            for i, item in enumerate(value.value, start=1):
                out[(i, "")] = item.start_mark.line + 1
                if isinstance(item, yaml.MappingNode):
                    for k, v in item.value:
                        out[(i, str(getattr(k, "value", "")))] = v.start_mark.line + 1
    return out


def _resolve_communes(
    g: Groupement, cat: Catalogue, name: str, lines: dict[tuple[int, str], int], problems: list[Problem]
) -> list[Member]:
    """Each member's commune (``commune`` and/or ``insee``) → its INSEE code, see catalogue.communes.

    Names shared by several departments are decided by the ``departement`` key, else by the departments
    of the members whose commune is unambiguous (second pass).
    """
    found: dict[int, Resolution] = {}
    for i, m in enumerate(g.membres, start=1):
        if m.insee:
            found[i] = cat.trouver_commune(m.insee, insee_force=True)
        elif m.commune:
            found[i] = cat.trouver_commune(
                m.commune, indice=m.nom, departements=[g.departement] if g.departement else []
            )
    if not g.departement:
        known = sorted({departement_of(r.code) for r in found.values() if r.code})
        for i, r in found.items():
            m = g.membres[i - 1]
            if r.homonymes and m.commune:
                found[i] = cat.trouver_commune(m.commune, indice=m.nom, departements=known)
    membres: list[Member] = []
    for i, m in enumerate(g.membres, start=1):
        if i not in found:
            membres.append(m)
            continue
        r = found[i]
        key = "insee" if m.insee else "commune"
        line = lines.get((i, key), lines.get((i, "")))
        if r.code is None:
            problems.append(Problem(f"champ « membres[{i}].{key} » : {r.erreur}", fichier=name, ligne=line))
            membres.append(m)
            continue
        if m.insee and m.commune and name_key(m.commune) != name_key(cat.geo.rows[r.code].nom):
            also = cat.trouver_commune(m.commune, indice=m.nom, departements=[departement_of(r.code)])
            if also.code is not None and also.code != r.code:
                problems.append(
                    Problem(
                        f"champ « membres[{i}].commune » : « {m.commune} » désigne "
                        f"{describe(cat.geo, also.code)}, pas la commune du code INSEE « {m.insee} » "
                        f"({describe(cat.geo, r.code)}) : corrigez l'un des deux champs",
                        fichier=name,
                        ligne=lines.get((i, "commune"), line),
                    )
                )
        update: dict[str, object] = {"insee": r.code}
        if m.type == "commune" and m.population is None:
            update["population"] = cat.communes[r.code].population
        membres.append(m.model_copy(update=update))
    return membres


def _complete(g: Groupement, cat: Catalogue, name: str, lines: dict[tuple[int, str], int]) -> Groupement:
    problems: list[Problem] = []
    membres = _resolve_communes(g, cat, name, lines, problems)
    seen: dict[str, int] = {}
    for i, m in enumerate(membres, start=1):
        key = fold(m.nom)
        if key in seen:
            problems.append(
                Problem(
                    f"champ « membres[{i}].nom » : membre « {m.nom} » déclaré deux fois "
                    f"(membres n° {seen[key]} et {i})",
                    fichier=name,
                )
            )
        seen[key] = i
    coordonnateur = g.coordonnateur
    if membres:
        if coordonnateur is None:
            coordonnateur = membres[0].nom
        else:
            match = [m.nom for m in membres if fold(m.nom) == fold(coordonnateur)]
            if not match:
                listed = ", ".join(f"« {m.nom} »" for m in membres)
                problems.append(
                    Problem(
                        f"champ « coordonnateur » : « {coordonnateur} » n'est pas un membre du "
                        f"groupement ; membres : {listed}",
                        fichier=name,
                    )
                )
            else:
                coordonnateur = match[0]
    if problems:
        raise InputError(HEADLINE, problems)
    return g.model_copy(update={"membres": membres, "coordonnateur": coordonnateur})


_MESSAGES = {
    "missing": "champ obligatoire manquant",
    "extra_forbidden": "champ inconnu (faute de frappe ?)",
    "int_parsing": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "decimal_parsing": "nombre attendu",
    "decimal_type": "nombre attendu",
    "float_parsing": "nombre attendu",
    "bool_parsing": "oui/non (true/false) attendu",
    "bool_type": "oui/non (true/false) attendu",
    "string_type": "texte attendu",
    "list_type": "liste attendue (lignes commençant par « - »)",
    "dict_type": "ensemble de champs « clé: valeur » attendu",
    "model_type": "ensemble de champs « clé: valeur » attendu",
    "model_attributes_type": "ensemble de champs « clé: valeur » attendu",
    "date_type": "date attendue (2026-09-01 ou 01/09/2026)",
    "date_parsing": "date attendue (2026-09-01 ou 01/09/2026)",
    "date_from_datetime_parsing": "date attendue (2026-09-01 ou 01/09/2026)",
    "date_from_datetime_inexact": "date sans heure attendue",
    "finite_number": "nombre fini attendu (ni NaN ni infini)",
    "float_type": "nombre attendu",
    "string_too_long": "texte trop long",
    "too_long": "liste trop longue",
}


def _problem(err: Any, name: str) -> Problem:
    loc = _loc_text(err.get("loc", ()))
    kind = err.get("type", "")
    if kind == "value_error":
        message = str(err.get("msg", "")).removeprefix("Value error, ")
    elif kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        possible = expected.replace(" or ", ", ")
        message = f"valeur « {quote(err.get('input'))} » non admise ; valeurs possibles : {possible}"
    elif kind in ("greater_than_equal", "greater_than"):
        message = (
            f"valeur trop petite (minimum : {err.get('ctx', {}).get('ge', err.get('ctx', {}).get('gt'))})"
        )
    else:
        message = _MESSAGES.get(kind, "valeur invalide")
        if kind == "extra_forbidden":
            message += _closest_key(err.get("loc", ()))
        if (
            kind not in ("missing", "extra_forbidden")
            and "input" in err
            and not isinstance(err["input"], dict)
        ):
            message = f"« {quote(err['input'])} » : {message}"
    return Problem(f"champ « {loc} » : {message}" if loc else message, fichier=name)


def _closest_key(loc: tuple[Any, ...]) -> str:
    """« ; vouliez-vous dire « duree » ? » for a mistyped key (accents and case ignored), else ""."""
    import difflib

    from pydantic import BaseModel

    model: type[BaseModel] = Groupement
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return ""
        annotation = field.annotation
        inner = [a for a in getattr(annotation, "__args__", (annotation,)) if isinstance(a, type)]
        found = [a for a in inner if issubclass(a, BaseModel)]
        if not found:
            return ""
        model = found[0]
    if not loc:
        return ""
    fields = {fold(name): name for name in model.model_fields}
    typed = fold(str(loc[-1])).replace(" ", "_").replace("-", "_")
    close = difflib.get_close_matches(typed, list(fields), n=1, cutoff=0.6)
    return f" ; vouliez-vous dire « {fields[close[0]]} » ?" if close else ""


def _loc_text(loc: tuple[Any, ...]) -> str:
    """Key path as a user reads it: ``duree.reconductions``, ``membres[2].type`` (1-based)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + str(part)
    return out
