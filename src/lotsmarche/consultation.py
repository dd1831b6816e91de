"""The consultation service: the steps of a buying group's consultation, on files, for any front end.

Not web-specific: the web application (``lotsmarche.web``) stores files and calls these functions; so
could another tool. Every function validates before it returns anything to store, so a caller never keeps
a half-valid input: an :class:`~lotsmarche.errors.InputError` lists every problem (file, sheet, row,
column), exactly as the CLI reports them.

* a groupement.yaml from a form (:func:`groupement_yaml`), checked by the library's own loader;
* a member's census answer from table rows (:func:`census_csv`) or an uploaded survey sheet
  (:func:`member_answer`), restricted to that member, normalised into one long CSV;
* the consolidated demand of the census (:func:`consolidate`): imported files, where each member who
  answered the census replaces its imported lines by its answer;
* manual adjustments of a plan (:func:`plan_rules`, :func:`move_product`, :func:`rename_lot`) as a buyer's
  plan file that ``plan_lots(plan_file=...)`` rebuilds, findings included;
* what changed between two DCE versions (:func:`version_changes`).
"""

from __future__ import annotations

import csv
import io
import math
import tempfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.errors import InputError, Problem
from lotsmarche.intake.model import Demand
from lotsmarche.lotting.planfile import PlanFile, PlanRule
from lotsmarche.models import LotPlan
from lotsmarche.text import fold

LONG_HEADER = (
    "membre",
    "site_livraison",
    "code_postal",
    "produit",
    "quantite",
    "unite",
    "prix_unitaire_ht",
    "mois",
    "label_requis",
    "conditionnement",
    "livraisons_par_semaine",
)


# ------------------------------------------------------------------------------------------------
# groupement.yaml from a form
# ------------------------------------------------------------------------------------------------


class MembreForm(BaseModel):
    model_config = ConfigDict(frozen=True)
    nom: str
    type: str
    commune: str = ""  # INSEE code or commune name


class GroupementForm(BaseModel):
    """What the creation form asks; the rest takes the library's defaults."""

    model_config = ConfigDict(frozen=True)
    nom: str
    reference: str
    coordonnateur: str = ""
    adresse: str = ""
    date_lancement: str = ""  # AAAA-MM-JJ
    periode_initiale_mois: str = "12"
    reconductions: str = "3"
    membres: list[MembreForm] = Field(default_factory=list)


def _int_field(value: str, label: str, problems: list[Problem]) -> int | None:
    try:
        return int(value.strip())
    except ValueError:
        problems.append(Problem("nombre entier attendu", fichier="formulaire", colonne=label))
        return None


def groupement_yaml(form: GroupementForm, cat: Catalogue) -> str:
    """The groupement.yaml text of the form, validated by :func:`~lotsmarche.groupement.load_groupement`."""
    problems: list[Problem] = []
    if not form.nom.strip():
        problems.append(Problem("le nom est obligatoire", fichier="formulaire", colonne="nom"))
    if not form.reference.strip():
        problems.append(Problem("la référence est obligatoire", fichier="formulaire", colonne="reference"))
    data: dict[str, object] = {"nom": form.nom.strip(), "reference": form.reference.strip()}
    if form.coordonnateur.strip():
        data["coordonnateur"] = form.coordonnateur.strip()
    if form.adresse.strip():
        data["adresse"] = form.adresse.strip()
    if form.date_lancement.strip():
        try:
            data["date_lancement"] = date.fromisoformat(form.date_lancement.strip())
        except ValueError:
            problems.append(
                Problem("date attendue au format AAAA-MM-JJ", fichier="formulaire", colonne="date_lancement")
            )
    initiale = _int_field(form.periode_initiale_mois, "periode_initiale_mois", problems)
    reconductions = _int_field(form.reconductions, "reconductions", problems)
    if initiale is not None and reconductions is not None:
        data["duree"] = {
            "periode_initiale_mois": initiale,
            "reconductions": reconductions,
            "duree_reconduction_mois": 12,
        }
    membres: list[dict[str, str]] = []
    for i, m in enumerate(form.membres, start=1):
        if not m.nom.strip():
            continue
        entry = {"nom": m.nom.strip(), "type": m.type.strip()}
        commune = m.commune.strip()
        if commune:
            # « 62160 — Boulogne-sur-Mer » comes from the search list: the code is an INSEE code
            code, sep, _name = commune.partition("—")
            found = cat.trouver_commune(code.strip() if sep else commune, insee_force=bool(sep))
            if found.code is None:
                problems.append(
                    Problem(
                        found.erreur or f"commune « {commune} » inconnue",
                        fichier="formulaire",
                        ligne=i,
                        colonne="commune",
                    )
                )
            else:
                entry["insee"] = found.code
        membres.append(entry)
    if membres:
        data["membres"] = membres
    if problems:
        raise InputError("Formulaire du groupement invalide", problems)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    check_groupement_text(text, cat)
    return text


def check_groupement_text(text: str, cat: Catalogue, name: str = "groupement.yaml") -> None:
    """Validate a groupement.yaml text with the library's loader (InputError naming ``name``)."""
    from lotsmarche.groupement import load_groupement

    with tempfile.TemporaryDirectory(prefix="lotsmarche-") as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8")
        load_groupement(path, cat)


def search_communes(cat: Catalogue, query: str, limit: int = 20) -> list[tuple[str, str]]:
    """Communes whose name, INSEE code or postcode starts with ``query`` → [(INSEE code, « nom (dép.) »)]."""
    q = fold(" ".join(query.split()))
    if len(q) < 2:
        return []
    found: list[tuple[int, str, str]] = []
    for c in cat.communes.values():
        name = fold(c.nom)
        if (
            name.startswith(q)
            or c.code_insee.startswith(q)
            or any(cp.startswith(q) for cp in c.codes_postaux)
        ):
            found.append((0 if name == q else 1, c.nom, c.code_insee))
    found.sort()
    return [(code, f"{nom} ({code[:2]})") for _rank, nom, code in found[:limit]]


# ------------------------------------------------------------------------------------------------
# A member's census answer
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CensusRow:
    """One line of the census form (texts as typed; validated by the intake)."""

    produit: str = ""
    quantite: str = ""
    unite: str = ""
    mois: str = ""
    label_requis: str = ""
    conditionnement: str = ""
    livraisons_par_semaine: str = ""
    site_livraison: str = ""
    code_postal: str = ""

    def empty(self) -> bool:
        return not (self.produit.strip() or self.quantite.strip())


# form field of each long-layout column, to put an intake problem next to its cell
FORM_FIELDS = {
    "produit": "produit",
    "quantite": "quantite",
    "unite": "unite",
    "mois": "mois",
    "label_requis": "label_requis",
    "conditionnement": "conditionnement",
    "livraisons_par_semaine": "livraisons_par_semaine",
    "site_livraison": "site_livraison",
    "code_postal": "code_postal",
}


def product_code(text: str, cat: Catalogue) -> str:
    """The catalogue code in « CODE — libellé » (what the search list offers), else the text itself."""
    head = text.split("—", 1)[0].strip()
    return head if head in cat.produits else text.strip()


def census_csv(membre: str, rows: list[CensusRow], cat: Catalogue) -> tuple[bytes, list[int]]:
    """The long CSV of the non-empty form rows, and for each CSV data row the 1-based form row it came from.

    Row ``n`` of the CSV (header = row 1) is form row ``positions[n - 2]``.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(LONG_HEADER)
    positions: list[int] = []
    for i, row in enumerate(rows, start=1):
        if row.empty():
            continue
        positions.append(i)
        writer.writerow(
            [
                membre,
                row.site_livraison.strip() or membre,
                row.code_postal.strip(),
                product_code(row.produit, cat),
                row.quantite.strip(),
                row.unite.strip(),
                "",
                row.mois.strip(),
                row.label_requis.strip(),
                row.conditionnement.strip(),
                row.livraisons_par_semaine.strip(),
            ]
        )
    return out.getvalue().encode("utf-8"), positions


def member_answer(path: Path, membre: str, groupement_path: Path | None, cat: Catalogue) -> bytes:
    """Validate one member's answer file (long CSV/XLSX or the filled survey sheet) → normalised long CSV.

    Every line must belong to ``membre``; an answer with no line is refused. Raises InputError.
    """
    from lotsmarche.groupement import load_groupement
    from lotsmarche.intake.reader import read_demand

    groupement = load_groupement(groupement_path, cat)
    demand = read_demand([path], cat, groupement)
    table = demand.table
    if table.empty:
        raise InputError(
            "Réponse vide", [Problem("aucune ligne avec une quantité n'a été trouvée", fichier=path.name)]
        )
    key = fold(membre)
    others = table[[fold(str(m)) != key for m in table["membre"]]]
    if not others.empty:
        problems = [
            Problem(
                f"ligne du membre « {r['membre']} » : vous ne pouvez répondre que pour « {membre} »",
                fichier=path.name,
                feuille=str(r["feuille"]) or None,
                ligne=int(r["ligne_source"]),
                colonne=str(r["colonne_source"]) or "membre",
            )
            for r in others.to_dict("records")
        ][:50]
        raise InputError("Réponse refusée : des lignes appartiennent à un autre membre", problems)
    return demand_csv(demand, cat, membre=membre)


def _months_text(mask: int) -> str:
    return ",".join(str(m + 1) for m in range(12) if mask >> m & 1)


def _qty_text(milli: int) -> str:
    value = (Decimal(milli) / 1000).normalize()
    return format(value, "f").replace(".", ",")


def demand_csv(demand: Demand, cat: Catalogue, membre: str | None = None) -> bytes:
    """The canonical demand as a long CSV (``;``, decimal commas) the intake reads back to the same table.

    ``membre`` renames every line's member (a member's answer keeps the name its invitation gives).
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(LONG_HEADER)
    for r in demand.table.to_dict("records"):
        product = cat.produits[str(r["produit"])]
        price = ""
        if r["prix_source"] == "demande":
            price = format((Decimal(int(r["prix_e4"])) / 10000).normalize(), "f").replace(".", ",")
        deliveries = r["livraisons_par_semaine"]
        writer.writerow(
            [
                membre or r["membre"],
                r["site_livraison"],
                r["code_postal"],
                r["produit"],
                _qty_text(int(r["quantite_milli"])),
                product.unite,
                price,
                _months_text(int(r["mois"])),
                r["label_requis"],
                r["conditionnement"],
                "" if math.isnan(deliveries) else format(Decimal(str(deliveries)).normalize(), "f"),
            ]
        )
    return out.getvalue().encode("utf-8")


class MemberLine(BaseModel):
    """One line of a member's needs, as the census page and ``GET /api/membre/demande`` show it."""

    model_config = ConfigDict(frozen=True)
    site_livraison: str
    code_postal: str
    produit: str
    libelle: str
    quantite: str
    unite: str
    mois: str
    label_requis: str
    conditionnement: str
    livraisons_par_semaine: str


def member_lines(answer_csv: bytes, cat: Catalogue) -> list[MemberLine]:
    """The lines of a stored (normalised) answer."""
    reader = csv.DictReader(io.StringIO(answer_csv.decode("utf-8")), delimiter=";")
    lines = []
    for row in reader:
        product = cat.produits.get(row["produit"])
        lines.append(
            MemberLine(
                site_livraison=row["site_livraison"],
                code_postal=row["code_postal"],
                produit=row["produit"],
                libelle=product.libelle if product else "",
                quantite=row["quantite"],
                unite=row["unite"],
                mois=row["mois"],
                label_requis=row["label_requis"],
                conditionnement=row["conditionnement"],
                livraisons_par_semaine=row["livraisons_par_semaine"],
            )
        )
    return lines


def imported_lines(imported: list[Path], membre: str, groupement_path: Path | None, cat: Catalogue) -> bytes:
    """The lines of ``membre`` in the coordinator's imported demand files, as a normalised long CSV.

    What the member sees before answering: its answer will replace exactly these lines (see consolidate).
    """
    from lotsmarche.groupement import load_groupement
    from lotsmarche.intake.reader import read_demand

    if not imported:
        return demand_csv(Demand(table=_empty_table(), membres=[]), cat)
    demand = read_demand(imported, cat, load_groupement(groupement_path, cat))
    key = fold(membre)
    table = demand.table[[fold(str(m)) == key for m in demand.table["membre"]]]
    return demand_csv(Demand(table=table, membres=demand.membres), cat, membre=membre)


def _empty_table() -> pd.DataFrame:
    from lotsmarche.intake.model import CANONICAL_COLUMNS

    return pd.DataFrame({c: [] for c in CANONICAL_COLUMNS})


def census_rows(lines: list[MemberLine]) -> list[CensusRow]:
    """Form rows showing stored lines (to edit them)."""
    return [
        CensusRow(
            produit=f"{line.produit} — {line.libelle}" if line.libelle else line.produit,
            quantite=line.quantite,
            unite=line.unite,
            mois=line.mois,
            label_requis=line.label_requis,
            conditionnement=line.conditionnement,
            livraisons_par_semaine=line.livraisons_par_semaine,
            site_livraison=line.site_livraison,
            code_postal=line.code_postal,
        )
        for line in lines
    ]


# ------------------------------------------------------------------------------------------------
# The consolidated demand
# ------------------------------------------------------------------------------------------------


def consolidate(
    imported: list[Path], answers: dict[str, Path], groupement_path: Path | None, cat: Catalogue
) -> tuple[Demand, bytes]:
    """Read the imported demand files and the members' answers together (every problem reported at once).

    A member who answered the census replaces its lines of the imported files by its answer. Returns the
    demand and its long CSV (what the lot plans are built from).
    """
    from lotsmarche.groupement import load_groupement
    from lotsmarche.intake.reader import read_demand

    paths = [*imported, *answers.values()]
    if not paths:
        raise InputError(
            "Aucune demande", [Problem("importez un fichier de demande ou attendez les réponses des membres")]
        )
    groupement = load_groupement(groupement_path, cat)
    demand = read_demand(paths, cat, groupement)
    answered = {fold(m) for m in answers}
    answer_files = {p.name for p in answers.values()}
    table = demand.table
    keep = [
        not (fold(str(m)) in answered and str(f) not in answer_files)
        for m, f in zip(table["membre"], table["fichier"], strict=True)
    ]
    if not all(keep):
        table = table[keep].reset_index(drop=True)
        table["ligne"] = range(1, len(table) + 1)
        demand = Demand(
            table=table,
            membres=demand.membres,
            avertissements=demand.avertissements,
            fichiers=demand.fichiers,
        )
    return demand, demand_csv(demand, cat)


# ------------------------------------------------------------------------------------------------
# Manual adjustments of a plan
# ------------------------------------------------------------------------------------------------


def plan_rules(plan: LotPlan) -> PlanFile:
    """A buyer's plan file that rebuilds ``plan``'s lots: one rule per lot listing its products.

    A product found in several lots (split by territory or packaging) keeps its lots apart by their
    delivery territories and packaging regimes.
    """
    seen: dict[str, int] = {}
    for lot in plan.lots:
        for item in lot.items:
            seen[item.produit] = seen.get(item.produit, 0) + 1
    rules = []
    for lot in plan.lots:
        produits = sorted({i.produit for i in lot.items})
        shared = any(seen[p] > 1 for p in produits)
        rules.append(
            PlanRule(
                intitule=lot.intitule,
                produits=produits,
                territoires=sorted(lot.territoires) if shared and lot.territoires else None,
                regimes=[lot.regime_emballage] if shared else None,
            )
        )
    return PlanFile(lots=rules)


def _rule_index(plan: PlanFile, numero: int) -> int:
    if not 1 <= numero <= len(plan.lots):
        raise InputError("Ajustement impossible", [Problem(f"le lot {numero} n'existe pas")])
    return numero - 1


def move_product(plan: PlanFile, produit: str, vers: int) -> PlanFile:
    """Move every line of ``produit`` into lot ``vers`` (1-based); a new lot number = a new lot."""
    if not any(produit in (r.produits or []) for r in plan.lots):
        raise InputError("Ajustement impossible", [Problem(f"le produit « {produit} » n'est dans aucun lot")])
    rules = list(plan.lots)
    if vers == len(rules) + 1:
        rules.append(PlanRule(intitule=f"Lot {vers}", produits=[]))
    target = _rule_index(PlanFile(lots=rules), vers)
    moved = []
    for i, rule in enumerate(rules):
        produits = [p for p in rule.produits or [] if p != produit]
        if i == target:
            produits = sorted({*produits, produit})
        if produits:
            update: dict[str, object] = {"produits": produits}
            if i == target:
                update.update({"territoires": None, "regimes": None})
            moved.append(rule.model_copy(update=update))
    return PlanFile(lots=moved)


def rename_lot(plan: PlanFile, numero: int, intitule: str) -> PlanFile:
    if not intitule.strip():
        raise InputError("Ajustement impossible", [Problem("l'intitulé du lot ne peut pas être vide")])
    index = _rule_index(plan, numero)
    rules = list(plan.lots)
    rules[index] = rules[index].model_copy(update={"intitule": intitule.strip()})
    return PlanFile(lots=rules)


def plan_yaml(plan: PlanFile) -> str:
    data = {"lots": [r.model_dump(exclude_none=True) for r in plan.lots]}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def load_plan_yaml(text: str) -> PlanFile:
    return PlanFile.model_validate(yaml.safe_load(text))


def apply_titles(plan: LotPlan, rules: PlanFile) -> LotPlan:
    """Lots keep the titles of their rules (the builder names extra lots itself)."""
    lots = [
        lot.model_copy(update={"intitule": rules.lots[lot.numero - 1].intitule})
        if lot.numero <= len(rules.lots)
        else lot
        for lot in plan.lots
    ]
    return plan.model_copy(update={"lots": lots})


# ------------------------------------------------------------------------------------------------
# DCE versions
# ------------------------------------------------------------------------------------------------


class Change(BaseModel):
    model_config = ConfigDict(frozen=True)
    lot: int | None
    quoi: str  # French sentence


def version_changes(old: LotPlan, new: LotPlan) -> list[Change]:
    """Which lots, amounts and clauses changed between two plans (French sentences, stable order)."""
    changes: list[Change] = []
    if old.strategie != new.strategie:
        changes.append(Change(lot=None, quoi=f"stratégie : {old.strategie} → {new.strategie}"))
    if old.montant_total_maximum_ht != new.montant_total_maximum_ht:
        changes.append(
            Change(
                lot=None,
                quoi=f"montant maximum total : {old.montant_total_maximum_ht} € → "
                f"{new.montant_total_maximum_ht} € HT",
            )
        )
    before = {lot.numero: lot for lot in old.lots}
    after = {lot.numero: lot for lot in new.lots}
    for numero in sorted(before.keys() | after.keys()):
        a, b = before.get(numero), after.get(numero)
        if a is None and b is not None:
            changes.append(Change(lot=numero, quoi=f"lot ajouté : {b.intitule}"))
            continue
        if b is None and a is not None:
            changes.append(Change(lot=numero, quoi=f"lot supprimé : {a.intitule}"))
            continue
        assert a is not None and b is not None
        if a.intitule != b.intitule:
            changes.append(Change(lot=numero, quoi=f"intitulé : « {a.intitule} » → « {b.intitule} »"))
        if a.montant_maximum_ht != b.montant_maximum_ht:
            changes.append(
                Change(
                    lot=numero,
                    quoi=f"montant maximum : {a.montant_maximum_ht} € → {b.montant_maximum_ht} € HT",
                )
            )
        pa, pb = {i.produit for i in a.items}, {i.produit for i in b.items}
        if pa != pb:
            added, removed = sorted(pb - pa), sorted(pa - pb)
            text = "produits" + (f" ajoutés : {', '.join(added)}" if added else "")
            text += (" ;" if added and removed else "") + (
                f" retirés : {', '.join(removed)}" if removed else ""
            )
            changes.append(Change(lot=numero, quoi=text))
        ca, cb = {c.id for c in a.clauses}, {c.id for c in b.clauses}
        if ca != cb:
            added, removed = sorted(cb - ca), sorted(ca - cb)
            text = "clauses" + (f" ajoutées : {', '.join(added)}" if added else "")
            text += (" ;" if added and removed else "") + (
                f" retirées : {', '.join(removed)}" if removed else ""
            )
            changes.append(Change(lot=numero, quoi=text))
        if a.procedure.code != b.procedure.code:
            changes.append(
                Change(lot=numero, quoi=f"procédure : {a.procedure.libelle} → {b.procedure.libelle}")
            )
    return changes
