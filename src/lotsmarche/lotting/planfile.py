"""The buyer's own lot plan (``--plan PLAN.yaml``): explicit rules, validated, never dropping a line.

```yaml
lots:
  - intitule: "Poissons bleus frais — Boulonnais"
    especes: [hareng, maquereau, sardine]   # also: groupes_especes, familles, produits,
    conservations: [frais]                  #   conservations, territoires, regimes
    territoires: [Boulonnais]               # every key optional; keys are AND-ed, values OR-ed
```
A line matched by two rules, a rule mixing families, conservations, or plastic containers used for
cooking/reheating/serving with other packaging, or an unknown value is an input error naming the file, the
rule and the key (``regimes`` filters on each line's own packaging regime; the lot then takes the most
demanding regime of its lines, see ``lotting.lines``). Lines no rule matches go into extra lots built by
``famille-conservation``, and the plan says so (finding LOT-002).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.errors import InputError, Problem
from lotsmarche.lotting.strategies import Group
from lotsmarche.models import CONSERVATIONS, REGIMES
from lotsmarche.text import fold
from lotsmarche.yamlsafe import YamlProblem, load_yaml


class PlanRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    intitule: str = Field(min_length=1)
    especes: list[str] | None = None
    groupes_especes: list[str] | None = None
    familles: list[str] | None = None
    produits: list[str] | None = None
    conservations: list[str] | None = None
    territoires: list[str] | None = None
    regimes: list[str] | None = None


class PlanFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    lots: list[PlanRule] = Field(min_length=1)


# rule key -> column of the cells table it filters
KEY_COLUMNS: dict[str, str] = {
    "especes": "espece",
    "groupes_especes": "groupe_espece",
    "familles": "famille",
    "produits": "produit",
    "conservations": "conservation",
    "territoires": "territoire",
    "regimes": "regime",
}


def norm(value: str) -> str:
    """Accent/case-insensitive, with ``_``, ``-`` and spaces equivalent ("coquille_saint_jacques")."""
    return fold(value).replace("_", " ").replace("-", " ").replace("'", " ")


def load_plan_file(path: Path) -> PlanFile:
    """Read and validate PLAN.yaml (InputError naming the file, the rule and the key)."""
    name = path.name
    try:
        _node, data = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(
            "Plan d'allotissement illisible",
            [Problem(f"fichier introuvable ou illisible ({exc.strerror})", fichier=name)],
        ) from exc
    except UnicodeDecodeError:
        raise InputError(
            "Plan d'allotissement illisible",
            [Problem("fichier illisible : un fichier texte YAML en UTF-8 est attendu", fichier=name)],
        ) from None
    except YamlProblem as exc:
        raise InputError("Plan d'allotissement illisible", [Problem(exc.text(), fichier=name)]) from None
    try:
        return PlanFile.model_validate(data)
    except ValidationError as exc:
        problems = [Problem(_where(err["loc"]) + _message(err), fichier=name) for err in exc.errors()]
        raise InputError("Plan d'allotissement invalide", problems) from exc


def _where(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    if len(loc) >= 2 and loc[0] == "lots" and isinstance(loc[1], int):
        parts.append(f"lot {loc[1] + 1} du plan")
        if len(loc) >= 3:
            parts.append(f"clé « {loc[2]} »")
    elif loc:
        parts.append(f"clé « {loc[0]} »")
    return (", ".join(parts) + " : ") if parts else ""


def _message(err: object) -> str:
    kind = err["type"] if isinstance(err, dict) else ""
    if kind == "extra_forbidden":
        return "clé inconnue ; clés possibles : intitule, " + ", ".join(KEY_COLUMNS)
    if kind == "missing":
        return "valeur obligatoire manquante"
    if kind in ("list_type", "string_type"):
        return "type incorrect (une liste de textes est attendue)" if kind == "list_type" else "texte attendu"
    if kind in ("too_short", "string_too_short"):
        return "valeur vide ou liste sans lot"
    if kind in ("model_type", "dict_type"):
        return "structure attendue : « lots: » suivi d'une liste de règles"
    return "valeur invalide"


@dataclass(frozen=True)
class Resolved:
    groups: list[Group]
    unmatched: list[int]  # cell positions no rule matched
    empty_rules: list[int]  # 1-based rule numbers matching no line


def _known_values(cells: pd.DataFrame, cat: Catalogue) -> dict[str, dict[str, str]]:
    """For each key: normalised accepted value -> canonical value in the cells table."""
    especes = {p.espece for p in cat.produits.values() if p.espece}
    groupes = {p.groupe_espece for p in cat.produits.values() if p.groupe_espece}
    familles: dict[str, str] = {norm(code): code for code in cat.familles}
    familles.update({norm(f.libelle): code for code, f in cat.familles.items()})
    territoires = set(cat.territoires_cartes()) | {t for t in cells["territoire"].unique() if t}
    return {
        "especes": {norm(e): e for e in especes},
        "groupes_especes": {norm(g): g for g in groupes},
        "familles": familles,
        "produits": {norm(c): c for c in cat.produits},
        "conservations": {norm(c): c for c in CONSERVATIONS},
        "territoires": {norm(t): t for t in territoires},
        "regimes": {norm(r): r for r in REGIMES},
    }


def resolve(plan: PlanFile, cells: pd.DataFrame, cat: Catalogue, source: str) -> Resolved:
    """Match every rule against the cells; raise on unknown values, overlaps and mixed rules."""
    cells = cells.reset_index(drop=True)  # positions = index labels from here on
    known = _known_values(cells, cat)
    problems: list[Problem] = []
    masks: list[pd.Series] = []
    for i, rule in enumerate(plan.lots, start=1):
        mask = pd.Series(True, index=cells.index)
        for key, column in KEY_COLUMNS.items():
            values = getattr(rule, key)
            if values is None:
                continue
            wanted: set[str] = set()
            for v in values:
                canonical = known[key].get(norm(v))
                if canonical is None:
                    choices = ", ".join(sorted(set(known[key].values()))[:30])
                    problems.append(
                        Problem(
                            f"lot {i} du plan, clé « {key} » : valeur « {v} » inconnue "
                            f"(valeurs possibles : {choices})",
                            fichier=source,
                        )
                    )
                else:
                    wanted.add(canonical)
            mask &= cells[column].isin(sorted(wanted))
        masks.append(mask)
    if problems:
        raise InputError("Plan d'allotissement : valeurs inconnues", problems)
    hits = pd.concat(masks, axis=1).sum(axis=1) if masks else pd.Series(0, index=cells.index)
    overlap = cells[hits > 1]
    if len(overlap):
        for pos in overlap.index[:50]:
            rules = [str(i + 1) for i, m in enumerate(masks) if bool(m.loc[pos])]
            row = cells.loc[pos]
            problems.append(
                Problem(
                    f"le produit « {row['produit']} » (territoire « {row['territoire'] or 'inconnu'} ») est "
                    f"visé par les lots {' et '.join(rules)} du plan ; chaque ligne doit appartenir à "
                    "un seul lot",
                    fichier=source,
                )
            )
        raise InputError("Plan d'allotissement : règles qui se chevauchent", problems)
    groups: list[Group] = []
    empty: list[int] = []
    for i, (rule, mask) in enumerate(zip(plan.lots, masks, strict=True), start=1):
        matched = cells[mask]
        if len(matched) == 0:
            empty.append(i)
            continue
        classes = matched[["famille", "conservation", "contact"]].drop_duplicates()
        if len(classes) > 1:
            described = "; ".join(
                f"{r.famille} / {r.conservation} / "
                + ("contenants plastiques de service" if r.contact else "autres emballages")
                for r in classes.sort_values(list(classes.columns)).itertuples()
            )
            problems.append(
                Problem(
                    f"lot {i} du plan (« {rule.intitule} ») : ses lignes mélangent plusieurs familles, "
                    "conservations, ou des contenants plastiques de cuisson, de réchauffe ou de service avec "
                    f"d'autres emballages ({described}) ; un lot doit rester homogène (jamais de frais avec "
                    "du surgelé, jamais de contenants plastiques de service avec d'autres emballages) : "
                    "ajoutez « conservations », « familles » ou « regimes » à la règle, ou scindez-la",
                    fichier=source,
                )
            )
            continue
        territoires = sorted(set(matched["territoire"].tolist()))
        groups.append(
            Group(
                cells=tuple(int(p) for p in matched.index.tolist()),
                intitule=rule.intitule.strip(),
                territoire=territoires[0] if len(territoires) == 1 else None,
            )
        )
    if problems:
        raise InputError("Plan d'allotissement : lots non homogènes", problems)
    unmatched = [int(p) for p in cells.index[hits == 0].tolist()]
    return Resolved(groups, unmatched, empty)
