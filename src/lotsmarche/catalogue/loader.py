"""Read and validate the catalogue files into a :class:`Catalogue`.

Every entry is validated with its pydantic model; every problem is collected (not only the first) and
reported in French with the file, the entry (its code) and the field, then cross-references between files
are checked (families, packaging, labels, CPV codes, thresholds, territories). The result is cached per
directory and per file state, because every command loads the catalogue.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from lotsmarche.catalogue import crosscheck
from lotsmarche.catalogue.cpv import cpv_format_ok
from lotsmarche.catalogue.model import KIND_TEXT, PARAMETRES_ATTENDUS, PARAMETRES_FILE, Catalogue, kind_ok
from lotsmarche.errors import CatalogueError, Problem
from lotsmarche.models import (
    ActeCoordonnateur,
    CarteTerritoires,
    Clause,
    CriteriaSet,
    Famille,
    IndiceRevision,
    Label,
    LegalParameter,
    LintPattern,
    Packaging,
    PackagingRule,
    Product,
    Supplier,
    ThresholdRow,
    Tribunal,
    Unite,
)
from lotsmarche.yamlsafe import YamlProblem, load_yaml

M = TypeVar("M", bound=BaseModel)

# File name -> model. Order matters only for the order of reported problems.
YAML_FILES: dict[str, type[BaseModel]] = {
    "familles.yaml": Famille,
    "produits_mer.yaml": Product,
    "produits_autres.yaml": Product,
    "conditionnements.yaml": Packaging,
    "labels.yaml": Label,
    "seuils.yaml": ThresholdRow,
    "fournisseurs.yaml": Supplier,
    "clauses.yaml": Clause,
    "criteres.yaml": CriteriaSet,
    "regles_emballage.yaml": PackagingRule,
    "lint.yaml": LintPattern,
    PARAMETRES_FILE: LegalParameter,
    "unites.yaml": Unite,
    "tribunaux.yaml": Tribunal,
    "indices_revision.yaml": IndiceRevision,
    "coordonnateur.yaml": ActeCoordonnateur,
    "cartes_territoires.yaml": CarteTerritoires,
}
# Every file is mandatory: a catalogue without its clauses or packaging rules would produce a DCE that
# silently misses legal checks. (While the rules files were being written they were optional.)
OPTIONAL_FILES: frozenset[str] = frozenset()
CSV_FILES = ("cpv.csv", "indices.csv")
# The national communes table: read on first use only (catalogue.communes). A catalogue folder without it
# (a copy made before it existed) uses the packaged one.
COMMUNES_FILE = "communes.json.gz"
ALL_FILES = (*YAML_FILES, *CSV_FILES, COMMUNES_FILE)
HEADLINE = "Catalogue invalide"


class _DecimalLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """Safe YAML loader reading floats as Decimal: money must never pass through binary floats."""


def _decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")  # type: ignore[arg-type]
    return Decimal(text)


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def load(directory: Path | None = None) -> Catalogue:
    """Load the catalogues from ``directory`` (same file names) or the packaged ones when None.

    Raises :class:`CatalogueError` listing every problem. Cached per directory and file state
    (modification time and size), so an edited copy is re-read but repeated loads cost a few stat calls.
    """
    from lotsmarche.resources import catalogues_dir

    packaged = directory is None
    folder = (catalogues_dir() if directory is None else Path(directory)).resolve()
    if not folder.is_dir():
        raise CatalogueError(
            HEADLINE,
            [Problem(f"le dossier de catalogues « {directory} » n'existe pas ou n'est pas un dossier")],
        )
    # Department maps are CSV files named in cartes_territoires.yaml: every CSV of the folder is stamped.
    names = sorted({*ALL_FILES, *(p.name for p in folder.glob("*.csv"))})
    stamp = tuple((name, _stat(folder / name)) for name in names)
    label = "catalogues" if packaged else str(directory)
    return _load_cached(str(folder), label, stamp)


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=16)
def _load_cached(folder: str, label: str, stamp: tuple[tuple[str, tuple[int, int] | None], ...]) -> Catalogue:
    """Validated once per file state in a process, and once per file content across processes (the
    on-disk cache of :mod:`lotsmarche.catalogue.cache`; the communes table has its own entry)."""
    from lotsmarche.catalogue import cache

    path = Path(folder)
    files = [path / name for name, _ in stamp if name != COMMUNES_FILE]
    fields = cache.cached("catalogue", path, files, lambda: _fields(_Reader(path, label).read()), _is_fields)
    return Catalogue(**fields)


_CATALOGUE_FIELDS = frozenset(f.name for f in dataclasses.fields(Catalogue))


def _fields(cat: Catalogue) -> dict[str, Any]:
    """The catalogue as its fields (what is cached: never the lazily built communes or indexes)."""
    return {name: getattr(cat, name) for name in _CATALOGUE_FIELDS}


def _is_fields(found: object) -> bool:
    return isinstance(found, dict) and set(found) == _CATALOGUE_FIELDS


class _Reader:
    """One loading pass: collects problems across all files before raising."""

    def __init__(self, folder: Path, label: str) -> None:
        self.folder = folder
        self.label = label
        self.problems: list[Problem] = []
        self.versions: dict[str, str] = {}
        self.lines: dict[str, list[int | None]] = {}  # file -> line of each entry (for messages)
        self.indices: dict[str, dict[str, int]] = {}  # file -> entry key -> position in the file
        # Keys of entries that failed validation: references to them are not reported again as unknown.
        self.invalid: dict[str, set[str]] = {}

    def index_of(self, name: str, entry: str, default: int | None = None) -> int | None:
        return self.indices.get(name, {}).get(entry, default)

    def has_problem(self, name: str) -> bool:
        where = self.where(name)
        return any(p.fichier == where for p in self.problems)

    # -- problem helpers ---------------------------------------------------------------------------

    def where(self, name: str) -> str:
        return f"{self.label}/{name}"

    def add(
        self,
        name: str,
        message: str,
        entry: str | None = None,
        champ: str | None = None,
        index: int | None = None,
    ) -> None:
        parts = []
        if entry is not None:
            parts.append(f"entrée « {entry} »")
        if champ:
            parts.append(f"champ « {champ} »")
        text = f"{', '.join(parts)} : {message}" if parts else message
        line = None
        if index is not None:
            lines = self.lines.get(name, [])
            line = lines[index] if index < len(lines) else None
        self.problems.append(Problem(text, fichier=self.where(name), ligne=line))

    # -- reading -------------------------------------------------------------------------------------

    def read(self) -> Catalogue:
        raw: dict[str, list[Any]] = {}
        for name in YAML_FILES:
            raw[name] = self._read_yaml(name)
        cpv = self._read_cpv()
        indices = self._read_indices()
        cartes_info = self._validate_list("cartes_territoires.yaml", raw, CarteTerritoires)
        cartes = self._read_cartes(cartes_info)

        familles = self._validate_keyed("familles.yaml", raw, Famille, "code")
        produits = self._validate_keyed("produits_mer.yaml", raw, Product, "code")
        autres = self._validate_keyed("produits_autres.yaml", raw, Product, "code")
        for code in sorted(set(produits) & set(autres)):
            self.add("produits_autres.yaml", "code produit déjà utilisé dans produits_mer.yaml", code, "code")
        produits.update(autres)
        conditionnements = self._validate_keyed("conditionnements.yaml", raw, Packaging, "code")
        labels = self._validate_keyed("labels.yaml", raw, Label, "code")
        seuils = list(self._validate_keyed("seuils.yaml", raw, ThresholdRow, "id").values())
        fournisseurs = list(self._validate_keyed("fournisseurs.yaml", raw, Supplier, "nom").values())
        clauses = list(self._validate_keyed("clauses.yaml", raw, Clause, "id").values())
        criteres = list(self._validate_keyed("criteres.yaml", raw, CriteriaSet, "id").values())
        regles = self._validate_list("regles_emballage.yaml", raw, PackagingRule)
        lint = list(self._validate_keyed("lint.yaml", raw, LintPattern, "code").values())
        unites = self._validate_keyed("unites.yaml", raw, Unite, "code")
        parametres = self._parametres(raw)
        for code, product in sorted(produits.items()):
            for unit in (product.unite, *product.conversions):
                if unites and unit not in unites:
                    self.add(_product_file(code), f"unité « {unit} » absente de unites.yaml", code, "unite")
        tribunaux = list(self._validate_keyed("tribunaux.yaml", raw, Tribunal, "code").values())
        self._tribunaux(tribunaux)
        indices_revision = self._validate_list("indices_revision.yaml", raw, IndiceRevision)
        for i, entry in enumerate(indices_revision):
            if entry.indice not in indices:
                self.add(
                    "indices_revision.yaml", "série INSEE absente de indices.csv", entry.indice, "indice", i
                )
            if entry.famille not in familles and entry.famille not in self.invalid.get(
                "familles.yaml", set()
            ):
                self.add("indices_revision.yaml", "famille inconnue", entry.famille, "famille", i)
        actes = list(self._validate_keyed("coordonnateur.yaml", raw, ActeCoordonnateur, "code").values())

        crosscheck.run(
            self,
            crosscheck.Tables(
                familles,
                produits,
                conditionnements,
                labels,
                seuils,
                cartes,
                fournisseurs,
                clauses,
                criteres,
                regles,
                cpv,
            ),
        )
        for code, product in sorted(produits.items()):
            if product.indice_insee and product.indice_insee not in indices:
                self.add(_product_file(code), "série INSEE absente de indices.csv", code, "indice_insee")
        for code, famille in familles.items():
            if famille.indice_insee and famille.indice_insee not in indices:
                self.add("familles.yaml", "série INSEE absente de indices.csv", code, "indice_insee")
        communes_fichier = self.folder / COMMUNES_FILE
        if not communes_fichier.is_file():
            from lotsmarche.resources import catalogues_dir

            communes_fichier = catalogues_dir() / COMMUNES_FILE
        cat = Catalogue(
            dossier=self.folder,
            familles=dict(familles.items()),  # file order: lots are numbered in this order
            produits=dict(sorted(produits.items())),
            conditionnements=dict(sorted(conditionnements.items())),
            labels=dict(sorted(labels.items(), key=lambda kv: (kv[1].priorite, kv[0]))),
            seuils=sorted(seuils, key=lambda r: r.du),
            cartes=cartes,
            communes_fichier=communes_fichier,
            fournisseurs=fournisseurs,
            clauses=clauses,
            criteres=criteres,
            regles_emballage=regles,
            lint=lint,
            cpv=cpv,
            indices=indices,
            versions=dict(sorted(self.versions.items())),
            parametres=dict(sorted(parametres.items())),
            unites=dict(sorted(unites.items())),
            tribunaux=tribunaux,
            indices_revision=indices_revision,
            actes_coordonnateur=actes,
            cartes_info=cartes_info,
        )
        cat = self._zones(cat)
        if self.problems:
            raise CatalogueError(HEADLINE, self.problems)
        return cat

    def _zones(self, cat: Catalogue) -> Catalogue:
        """Supplier zones other than « * » and the map territories (an EPCI, a department) are checked
        against the national communes table, read only then, and replaced by the territories they cover."""
        name = "fournisseurs.yaml"
        known = set(cat.territoires_cartes()) | {"*"}
        if all(z in known for s in cat.fournisseurs for z in s.zones):
            return cat
        fournisseurs = []
        for s in cat.fournisseurs:
            zones: list[str] = []
            for z in s.zones:
                named = [z] if z in known else cat.zone(z)
                if named is None:
                    self.add(
                        name,
                        f"territoire inconnu ({z}) ; valeurs admises : un territoire "
                        f"({', '.join(sorted(known - {'*'}))}), un EPCI, un département ou « * »",
                        s.nom,
                        "zones",
                        self.index_of(name, s.nom),
                    )
                    continue
                zones.extend(t for t in named if t not in zones)
            fournisseurs.append(s.model_copy(update={"zones": zones}))
        return dataclasses.replace(cat, fournisseurs=fournisseurs)

    def _tribunaux(self, tribunaux: list[Tribunal]) -> None:
        """Every department and overseas collectivity in exactly one tribunal's territory."""
        name = "tribunaux.yaml"
        seen: dict[str, str] = {}
        for t in tribunaux:
            for dep in t.departements:
                if dep in seen:
                    self.add(name, f"département {dep} déjà dans le ressort de « {seen[dep]} »", t.code)
                seen[dep] = t.code
        if not tribunaux:
            return
        expected = {f"{n:02d}" for n in range(1, 96) if n != 20} | {"2A", "2B"}
        expected |= {"971", "972", "973", "974", "975", "976", "977", "978", "984", "986", "987", "988"}
        missing = sorted(expected - set(seen))
        if missing:
            self.add(name, f"départements sans tribunal administratif : {', '.join(missing)}")

    def _parametres(self, raw: dict[str, list[Any]]) -> dict[str, LegalParameter]:
        """Legal parameters: each one a rule reads must be present and hold the expected kind of value."""
        name = PARAMETRES_FILE
        out = self._validate_keyed(name, raw, LegalParameter, "code")
        for code, kind in PARAMETRES_ATTENDUS.items():
            param = out.get(code)
            if param is None:
                if code not in self.invalid.get(name, set()):
                    self.add(name, "paramètre obligatoire absent (il est lu par les règles)", code, "code")
            elif not kind_ok(param.valeur, kind):
                self.add(
                    name,
                    f"valeur invalide pour ce paramètre : {KIND_TEXT[kind]} (lu : {param.valeur})",
                    code,
                    "valeur",
                    self.index_of(name, code),
                )
        return out

    def _read_yaml(self, name: str) -> list[Any]:
        path = self.folder / name
        if not path.is_file():
            if name not in OPTIONAL_FILES:
                self.add(name, "fichier absent du dossier de catalogues")
            return []
        try:
            node, data = _parse(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            self.add(name, "le fichier n'est pas encodé en UTF-8")
            return []
        except YamlProblem as exc:
            self.add(name, f"YAML illisible : {exc.text()}")
            return []
        if not isinstance(data, dict) or "entries" not in data:
            self.add(
                name,
                "le fichier doit être un dictionnaire avec les clés « version », « sources » et « entries »",
            )
            return []
        self._header(name, data)
        entries = data["entries"]
        if not isinstance(entries, list):
            self.add(name, "« entries » doit être une liste d'entrées")
            return []
        self.lines[name] = _entry_lines(node, len(entries))
        return entries

    def _header(self, name: str, data: dict[str, Any]) -> None:
        version = data.get("version")
        try:
            date.fromisoformat(str(version))
        except ValueError:
            self.add(
                name, f"« version » doit être la date de vérification au format AAAA-MM-JJ (lu : {version!r})"
            )
        else:
            self.versions[name] = str(version)
        sources = data.get("sources")
        if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
            self.add(name, "« sources » doit être une liste non vide de textes (d'où viennent les données)")
        extra = sorted(set(data) - {"version", "sources", "entries"})
        if extra:
            self.add(name, f"clés inconnues en tête de fichier : {', '.join(extra)}")

    def _read_csv(self, name: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
        path = self.folder / name
        if not path.is_file():
            self.add(name, "fichier absent du dossier de catalogues")
            return []
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            self.add(name, "le fichier n'est pas encodé en UTF-8")
            return []
        reader = csv.reader(io.StringIO(text))
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in columns if c not in header]
        if missing:
            self.add(name, f"colonnes manquantes : {', '.join(missing)} (attendu : {','.join(columns)})")
            return []
        rows = [dict(zip(header, row, strict=False)) for row in reader if row]
        self.lines[name] = [i + 2 for i in range(len(rows))]  # header is line 1
        return rows

    def _read_cpv(self) -> dict[str, str]:
        name = "cpv.csv"
        path = self.folder / name
        if not path.is_file():
            self.add(name, "fichier absent du dossier de catalogues")
            return {}
        # 9,454 rows read at every start: plain csv rows and a single pass, no per-row dict.
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        if not rows or [h.strip() for h in rows[0][:2]] != ["CODE", "FR"]:
            self.add(name, "en-tête attendu : CODE,FR")
            return {}
        out = {row[0]: row[1] for row in rows[1:] if len(row) >= 2}
        if len(out) != len(rows) - 1 or not all(map(cpv_format_ok, out)):
            self.lines[name] = [i + 2 for i in range(len(rows) - 1)]
            seen: set[str] = set()
            for i, row in enumerate(rows[1:]):
                code = row[0].strip() if row else ""
                if len(row) < 2 or not cpv_format_ok(code):
                    self.add(
                        name,
                        "code CPV mal formé : 8 chiffres, un tiret et le chiffre de contrôle",
                        code or None,
                        "CODE",
                        i,
                    )
                elif code in seen:
                    self.add(name, "code CPV en double", code, "CODE", i)
                seen.add(code)
        return out

    def _read_indices(self) -> dict[str, str]:
        """INSEE series used for price revision: id -> "type – libellé" (from the CNRC referential)."""
        name = "indices.csv"
        out: dict[str, str] = {}
        for i, row in enumerate(self._read_csv(name, ("code_insee", "type", "libelle", "source"))):
            code = (row.get("code_insee") or "").strip()
            libelle = (row.get("libelle") or "").strip()
            if not code.isdigit() or not libelle:
                self.add(
                    name,
                    "identifiant de série (chiffres) et libellé obligatoires",
                    code or None,
                    "code_insee",
                    i,
                )
                continue
            out[code] = f"{(row.get('type') or '').strip()} – {libelle}"
        return out

    def _read_cartes(self, cartes: list[CarteTerritoires]) -> dict[str, dict[str, str]]:
        """Each department's own territory map: INSEE code -> territory (checked against the national
        table by ``catalogue check`` only, so that loading never reads the 35,000 communes)."""
        out: dict[str, dict[str, str]] = {}
        name = "cartes_territoires.yaml"
        for i, carte in enumerate(cartes):
            if carte.departement in out:
                self.add(name, "département déjà doté d'une carte", carte.departement, "departement", i)
                continue
            if not re.fullmatch(r"\d[\dAB]\d?", carte.departement):
                self.add(
                    name, "code de département mal formé (62, 2A, 974)", carte.departement, "departement", i
                )
                continue
            table: dict[str, str] = {}
            for j, row in enumerate(self._read_csv(carte.fichier, ("code_insee", "territoire"))):
                code = (row.get("code_insee") or "").strip().upper()
                territoire = (row.get("territoire") or "").strip()
                if not re.fullmatch(r"\d[\dAB]\d{3}", code) or not code.startswith(carte.departement):
                    self.add(
                        carte.fichier,
                        f"code INSEE mal formé ou hors du département {carte.departement}",
                        code or None,
                        "code_insee",
                        j,
                    )
                elif not territoire:
                    self.add(carte.fichier, "territoire manquant", code, "territoire", j)
                elif code in table:
                    self.add(carte.fichier, "code INSEE en double", code, "code_insee", j)
                else:
                    table[code] = territoire
            out[carte.departement] = table
        return out

    # -- validation ----------------------------------------------------------------------------------

    def _validate_one(self, name: str, index: int, data: Any, model: type[M], key: str | None) -> M | None:
        entry = key if key else f"n° {index + 1}"
        if not isinstance(data, dict):
            self.add(name, "l'entrée doit être un dictionnaire de champs", entry, None, index)
            return None
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                champ = ".".join(str(p) for p in err["loc"]) or None
                self.add(name, french_error(err), entry, champ, index)
            return None

    def _validate_keyed(self, name: str, raw: dict[str, list[Any]], model: type[M], key: str) -> dict[str, M]:
        out: dict[str, M] = {}
        for i, data in enumerate(raw[name]):
            ident = data.get(key) if isinstance(data, dict) else None
            ident_s = str(ident) if ident not in (None, "") else None
            obj = self._validate_one(name, i, data, model, ident_s)
            if obj is None:
                if ident_s is not None:
                    self.invalid.setdefault(name, set()).add(ident_s)
                continue
            value = str(getattr(obj, key))
            if value in out:
                self.add(
                    name, f"« {key} » en double (chaque entrée doit avoir un {key} unique)", value, key, i
                )
                continue
            out[value] = obj
            self.indices.setdefault(name, {})[value] = i
        return out

    def _validate_list(self, name: str, raw: dict[str, list[Any]], model: type[M]) -> list[M]:
        out: list[M] = []
        for i, data in enumerate(raw[name]):
            ident = data.get("code") if isinstance(data, dict) else None
            obj = self._validate_one(name, i, data, model, str(ident) if ident else None)
            if obj is not None:
                out.append(obj)
                self.indices.setdefault(name, {}).setdefault(str(ident), i)
        return out


def _parse(text: str) -> tuple[yaml.Node | None, Any]:
    """Parse once, keeping the node tree (for line numbers) and the data (safe constructors only)."""
    return load_yaml(text, _DecimalLoader)


def _entry_lines(node: yaml.Node | None, count: int) -> list[int | None]:
    """1-based line of each entry of ``entries`` (so a user can jump to it in an editor)."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == "entries" and isinstance(v, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in v.value]
    return [None] * count


_TYPE_MESSAGES: dict[str, str] = {
    "missing": "champ obligatoire manquant",
    "extra_forbidden": "champ inconnu (faute de frappe ?)",
    "string_type": "valeur invalide : un texte est attendu",
    "int_type": "valeur invalide : un nombre entier est attendu",
    "int_parsing": "valeur invalide : un nombre entier est attendu",
    "int_from_float": "valeur invalide : un nombre entier est attendu",
    "decimal_parsing": "valeur invalide : un nombre décimal est attendu",
    "decimal_type": "valeur invalide : un nombre décimal est attendu",
    "bool_type": "valeur invalide : true ou false est attendu",
    "bool_parsing": "valeur invalide : true ou false est attendu",
    "date_type": "valeur invalide : une date AAAA-MM-JJ est attendue",
    "date_parsing": "valeur invalide : une date AAAA-MM-JJ est attendue",
    "date_from_datetime_parsing": "valeur invalide : une date AAAA-MM-JJ est attendue",
    "list_type": "valeur invalide : une liste est attendue",
    "dict_type": "valeur invalide : un dictionnaire est attendu",
    "model_type": "valeur invalide : un dictionnaire de champs est attendu",
    "greater_than_equal": "valeur invalide : trop petite",
    "less_than_equal": "valeur invalide : trop grande",
}


def french_error(err: Any) -> str:
    """A pydantic error in French: what is wrong and, for a bad value, the value read."""
    kind = str(err.get("type", ""))
    value = err.get("input")
    shown = f" (lu : {value!r})" if kind != "missing" and not isinstance(value, dict | list) else ""
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"valeur invalide : {value!r} n'est pas une valeur admise ({expected.replace(' or ', ', ')})"
    if kind == "value_error":
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        return f"valeur invalide : {msg}"
    if kind in _TYPE_MESSAGES:
        return _TYPE_MESSAGES[kind] + ("" if kind in ("missing", "extra_forbidden") else shown)
    return f"valeur invalide{shown}"


def _product_file(code: str) -> str:
    return "produits_mer.yaml" if code.startswith("MER-") else "produits_autres.yaml"
