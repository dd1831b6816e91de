"""Generated hostile inputs for every reader, shared by the hypothesis fuzz test and ``bench/fuzz.py``.

Each input is a mutation of a real file (the bundled example's demand, groupement.yaml and sourcing.csv,
a plan YAML, a members list, a lots.json, a catalogue file, a Word template): lines replaced by hostile
values, inserted, deleted, duplicated, cut, or bytes flipped. A reader passes when it returns or raises a
:class:`~lotsmarche.errors.LotsmarcheError` (a French message, exit 2 for the CLI); anything else — a
traceback, a hang — is a defect.
"""

from __future__ import annotations

import io
import json
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lotsmarche.errors import LotsmarcheError

PAYLOADS: tuple[str, ...] = (
    "2026-02-30",
    "2026-13-45",
    "31/02/2026",
    "0000-00-00",
    ".nan",
    ".inf",
    "-.inf",
    "NaN",
    "-1",
    "0",
    "1e308",
    "999999999999",
    "9" * 400,
    "١٢",
    "１２",
    "12,5,3",
    "'",
    '"',
    "&a [1, 2]",
    "*a",
    "*undefined_alias",
    "<<: *a",
    "[" * 80,
    "{" * 40,
    "- - - - -",
    ": :",
    "!!python/object/apply:os.system ['echo pwned']",
    "!!binary aGVsbG8=",
    "~",
    "null",
    "true",
    "[]",
    "{}",
    "\x0b",
    "\x00",
    "\x1b[31m",
    "\u202e",
    "\ufeff",
    "=SUM(A1)",
    "+1",
    "@cmd",
    "{{ 7*7 }}",
    "{% for x in y %}",
    "été",
    "x" * 5000,
    ";;;;;;;;",
    ",,,,",
    "\t\t",
    '"unterminated',
    "\\",
    "%",
    "kg",
    "colis",
    "MER-CABILLAUD-FILET-FR",
    "62200",
    "6200",
    "commune: Boulogne-sur-Mer",
)


def _lines(text: str) -> list[str]:
    return text.split("\n")


def mutate(rng: random.Random, text: str, separators: str = ":;,") -> str:
    """One to four random edits of ``text`` (a line-based file)."""
    lines = _lines(text)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(8)
        i = rng.randrange(len(lines)) if lines else 0
        payload = rng.choice(PAYLOADS)
        if op == 0 and lines:  # a value replaced
            line = lines[i]
            cut = max((line.rfind(s) for s in separators), default=-1)
            lines[i] = (line[: cut + 1] + " " + payload) if cut >= 0 else payload
        elif op == 1:  # a field of a separated line replaced
            if lines:
                sep = rng.choice(separators)
                cells = lines[i].split(sep)
                cells[rng.randrange(len(cells))] = payload
                lines[i] = sep.join(cells)
        elif op == 2:
            lines.insert(i, payload)
        elif op == 3 and len(lines) > 1:
            del lines[i]
        elif op == 4 and lines:
            lines.insert(i, lines[i])
        elif op == 5:  # cut anywhere
            joined = "\n".join(lines)
            lines = _lines(joined[: rng.randrange(len(joined) + 1)])
        elif op == 6 and lines:  # random characters inside a line
            line = lines[i]
            at = rng.randrange(len(line) + 1)
            noise = "".join(
                chr(rng.choice([0, 9, 11, 13, 27, 34, 39, 58, 59, 91, 123, 233, 0x202F])) for _ in range(3)
            )
            lines[i] = line[:at] + noise + line[at:]
        elif lines:  # indentation broken
            lines[i] = " " * rng.randrange(5) + lines[i].lstrip()
    return "\n".join(lines)


@dataclass
class Bases:
    """The real files mutated, and what the readers need (a catalogue, a work folder)."""

    folder: Path
    cat: object
    demand: str
    groupement: str
    sourcing: str
    plan_yaml: str
    members_yaml: str
    members_csv: str
    lots_json: str
    catalogue_dir: Path
    template: bytes


PLAN_YAML = """\
lots:
  - intitule: Poissons frais
    familles: [produits_de_la_mer]
    conservations: [frais]
  - intitule: Surgelés
    conservations: [surgele]
    territoires: [boulonnais]
"""

MEMBERS_YAML = """\
membres:
  - nom: Collège Angellier
    type: college
    code_postal: "62200"
    site: Cuisine
  - nom: Commune de Wimereux
    commune: Wimereux
  - EHPAD Guynemer
"""

MEMBERS_CSV = (
    "membre;type;site de livraison;code postal\nCollège Angellier;college;Cuisine;62200\nEHPAD;ehpad;;62930\n"
)


def make_bases(folder: Path) -> Bases:
    """Write the example, a plan and a template once (a few seconds)."""
    import docx

    from lotsmarche.catalogue import load_catalogue
    from lotsmarche.example import write_example
    from lotsmarche.lotsjson import plan_to_json
    from lotsmarche.pipeline import plan_lots
    from lotsmarche.resources import catalogues_dir

    folder.mkdir(parents=True, exist_ok=True)
    example = folder / "example"
    if not example.exists():
        write_example(example)
    cat = load_catalogue()
    demand = (example / "demande.csv").read_text(encoding="utf-8")
    demand = "\n".join(demand.split("\n")[:60])
    plan, _ = plan_lots([example / "demande.csv"], example / "groupement.yaml", example / "sourcing.csv")
    catalogue_dir = folder / "catalogue"
    if not catalogue_dir.exists():
        shutil.copytree(catalogues_dir(), catalogue_dir)
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "{{ reference }}"
    document.add_paragraph("Objet : {{ objet }}")
    document.add_paragraph("FUZZ")
    buffer = io.BytesIO()
    document.save(buffer)
    return Bases(
        folder=folder,
        cat=cat,
        demand=demand,
        groupement=(example / "groupement.yaml").read_text(encoding="utf-8"),
        sourcing=(example / "sourcing.csv").read_text(encoding="utf-8"),
        plan_yaml=PLAN_YAML,
        members_yaml=MEMBERS_YAML,
        members_csv=MEMBERS_CSV,
        lots_json=plan_to_json(plan),
        catalogue_dir=catalogue_dir,
        template=buffer.getvalue(),
    )


def _write(path: Path, text: str, rng: random.Random) -> Path:
    data = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.1:
        data = data.decode("utf-8", "replace").encode("cp1252", "replace")
    if rng.random() < 0.05 and data:
        at = rng.randrange(len(data))
        data = data[:at] + bytes([rng.randrange(256)]) + data[at + 1 :]
    path.write_bytes(data)
    return path


def _demand_csv(b: Bases, rng: random.Random, work: Path) -> None:
    from lotsmarche.intake.reader import read_demand
    from lotsmarche.models import Groupement

    read_demand([_write(work / "demande.csv", mutate(rng, b.demand, ";"), rng)], b.cat, Groupement())  # type: ignore[arg-type]


def _demand_xlsx(b: Bases, rng: random.Random, work: Path) -> None:
    import openpyxl

    from lotsmarche.intake.reader import read_demand
    from lotsmarche.models import Groupement

    wb = openpyxl.Workbook()
    ws = wb.active
    for line in mutate(rng, b.demand, ";").split("\n")[:40]:
        from lotsmarche.text import clean_text

        ws.append([clean_text(c)[:32000] for c in line.split(";")])
    if rng.random() < 0.3:
        hidden = wb.create_sheet("Cachée")
        hidden.sheet_state = rng.choice(["hidden", "veryHidden"])
        hidden.append(["membre", "produit", "quantite"])
    path = work / "demande.xlsx"
    wb.save(path)
    read_demand([path], b.cat, Groupement())  # type: ignore[arg-type]


def _groupement(b: Bases, rng: random.Random, work: Path) -> None:
    from lotsmarche.groupement import load_groupement

    load_groupement(_write(work / "groupement.yaml", mutate(rng, b.groupement), rng), b.cat)  # type: ignore[arg-type]


def _sourcing(b: Bases, rng: random.Random, work: Path) -> None:
    from lotsmarche.sourcing import load_sourcing

    load_sourcing(_write(work / "sourcing.csv", mutate(rng, b.sourcing, ";,"), rng), b.cat)  # type: ignore[arg-type]


def _plan_yaml(b: Bases, rng: random.Random, work: Path) -> None:
    from lotsmarche.lotting.planfile import load_plan_file

    load_plan_file(_write(work / "plan.yaml", mutate(rng, b.plan_yaml), rng))


def _members(b: Bases, rng: random.Random, work: Path) -> None:
    from lotsmarche.survey import load_survey_members

    if rng.random() < 0.5:
        load_survey_members(_write(work / "membres.yaml", mutate(rng, b.members_yaml), rng))
    else:
        load_survey_members(_write(work / "membres.csv", mutate(rng, b.members_csv, ";"), rng))


def _lots_json(b: Bases, rng: random.Random, work: Path) -> None:
    from lotsmarche.lotsjson import plan_from_json

    text = mutate(rng, b.lots_json, ":,")
    if rng.random() < 0.3:  # a well-formed JSON with a hostile value somewhere
        data = json.loads(b.lots_json)
        target = data["lots"][0] if data.get("lots") else data
        key = rng.choice(sorted(target))
        target[key] = rng.choice([None, -1, "x" * 500, [], {}, 1e308, "2026-02-30", rng.choice(PAYLOADS)])
        text = json.dumps(data, ensure_ascii=False)
    plan_from_json(text, "lots.json")


def _catalogue(b: Bases, rng: random.Random, work: Path) -> None:
    from lotsmarche.catalogue import load_catalogue
    from lotsmarche.resources import catalogues_dir

    name = rng.choice(["parametres.yaml", "conditionnements.yaml", "labels.yaml", "seuils.yaml"])
    original = (catalogues_dir() / name).read_text(encoding="utf-8")
    target = b.catalogue_dir / name
    try:
        _write(target, mutate(rng, original), rng)
        load_catalogue(b.catalogue_dir)
    finally:
        target.write_text(original, encoding="utf-8")


JINJA = (
    "{{ reference }}",
    "{{ objet | upper }}",
    "{% for l in lots %}{{ l }}{% endfor %}",
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "{{ range(10**9) }}",
    "{{ 'a' * 10**10 }}",
    "{{ 2 ** 99999 }}",
    "{% include '/etc/passwd' %}",
    "{% import 'x' as y %}",
    "{% extends 'base' %}",
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ self.__init__ }}",
    "{{ x }}",
    "{{ 1/0 }}",
    "{{ reference[999] }}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "{{",
    "{% if %}",
    "{% for %}",
    "{{ reference|attr('__class__') }}",
    "{{ 'x'|format(1,2,3) }}",
    "{% set x = [1] * 100000000 %}",
    "{{ lipsum(100) }}",
    "{{ namespace.__init__ }}",
)


def _template(b: Bases, rng: random.Random, work: Path) -> None:
    from xml.sax.saxutils import escape

    from lotsmarche.errors import RenderError
    from lotsmarche.render.dce import check_templates
    from lotsmarche.ziputil import read_zip, write_zip

    snippet = "".join(rng.choice(JINJA) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.3:
        snippet = mutate(rng, snippet, "{}%|")
    entries = read_zip(b.template)
    entries["word/document.xml"] = entries["word/document.xml"].replace(b"FUZZ", escape(snippet).encode())
    folder = work / "modeles"
    folder.mkdir(exist_ok=True)
    (folder / "rc.docx").write_bytes(write_zip(entries))
    problems = check_templates(folder, b.cat)  # type: ignore[arg-type]
    if problems:
        raise RenderError("modèle refusé", problems)


READERS: dict[str, Callable[[Bases, random.Random, Path], None]] = {
    "demande CSV": _demand_csv,
    "demande XLSX": _demand_xlsx,
    "groupement.yaml": _groupement,
    "sourçage": _sourcing,
    "plan YAML": _plan_yaml,
    "membres (recensement)": _members,
    "lots.json": _lots_json,
    "catalogue": _catalogue,
    "modèle Word": _template,
}


def attempt(reader: str, bases: Bases, seed: int, work: Path) -> str:
    """Run one generated input through ``reader``: "accepté" or "refusé"; any other exception escapes."""
    rng = random.Random(seed)
    work.mkdir(parents=True, exist_ok=True)
    try:
        READERS[reader](bases, rng, work)
    except LotsmarcheError as exc:
        for line in exc.lines():  # every message renders, in French
            assert isinstance(line, str)
        return "refusé"
    return "accepté"
