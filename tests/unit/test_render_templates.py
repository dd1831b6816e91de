"""The Word templates: variables ⊆ context models, structural-tag lint, fields, user templates, injection."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import openpyxl
import pytest
from docxtpl import DocxTemplate

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import Member
from lotsmarche.render import check_templates, render_dce
from lotsmarche.render.context import CONTEXT_MODELS
from lotsmarche.render.dce import TEMPLATE_FILES
from lotsmarche.render.docx import compile_docx, read_zip
from lotsmarche.render.env import builtin_env
from lotsmarche.render.verify import leftover_tags
from lotsmarche.resources import templates_dir
from tests.unit._render_factory import make_item, make_lot, make_plan
from tests.unit._render_helpers import docx_lines

KINDS = sorted(TEMPLATE_FILES)


@pytest.mark.parametrize("kind", KINDS)
def test_template_variables_are_context_fields(kind: str) -> None:
    path = templates_dir() / TEMPLATE_FILES[kind]
    fields = set(CONTEXT_MODELS[kind].model_fields)
    declared = DocxTemplate(str(path)).get_undeclared_template_variables(jinja_env=builtin_env())
    assert declared, kind
    assert declared <= fields, declared - fields
    assert compile_docx(path.read_bytes(), path.name, builtin_env()).undeclared(builtin_env()) == declared


@pytest.mark.parametrize("kind", KINDS)
def test_template_structure_follows_the_docxtpl_rules(kind: str) -> None:
    path = templates_dir() / TEMPLATE_FILES[kind]
    document = docx.Document(str(path))
    paragraphs = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            paragraphs.extend(c.text for c in row.cells)
    for text in paragraphs:
        structural = re.findall(r"\{%(p|tr|tc|r) ", text)
        if structural:
            assert len(structural) == 1 and re.fullmatch(r"\{%(p|tr|tc|r) [^%}«»\"']*%\}", text), text
        for tag in re.findall(r"\{[{%].*?[}%]\}", text):
            assert not set(tag) & set("«»“”‘’"), tag
    parts = read_zip(path.read_bytes())
    settings = parts["word/settings.xml"].decode()
    assert '<w:updateFields w:val="true"/>' in settings
    footer = b"".join(v for k, v in parts.items() if k.startswith("word/footer")).decode()
    assert "> PAGE <" in footer and "> NUMPAGES <" in footer
    header = b"".join(v for k, v in parts.items() if k.startswith("word/header")).decode()
    assert "{{ reference }}" in header
    if kind not in ("ae", "convention", "crt"):
        assert "TOC \\o" in parts["word/document.xml"].decode()
    styles = parts["word/styles.xml"].decode()
    assert 'w:ascii="Arial"' in styles and "majorHAnsi" not in styles.split('w:styleId="Heading1"')[1][:600]


@pytest.mark.parametrize("kind", KINDS)
def test_table_text_size_comes_from_the_table_style(kind: str) -> None:
    # 10 pt in the document defaults (not in Normal, which would hide a table style's size), 7, 8 or 9 pt
    # in the table styles; no run of the body repeats a size (a 50-lot CCTP has 8 000 cells).
    parts = read_zip((templates_dir() / TEMPLATE_FILES[kind]).read_bytes())
    styles = parts["word/styles.xml"].decode()
    defaults = styles.split("<w:docDefaults>")[1].split("</w:docDefaults>")[0]
    assert '<w:sz w:val="20"/><w:szCs w:val="20"/>' in defaults
    normal = styles.split('w:styleId="Normal">')[1].split("</w:style>")[0]
    assert "<w:sz " not in normal and 'w:ascii="Arial"' in normal
    for size in (8, 9):
        style = styles.split(f'w:styleId="Grille{size}pt">')[1].split("</w:style>")[0]
        assert f'<w:basedOn w:val="TableGrid"/><w:rPr><w:sz w:val="{size * 2}"/></w:rPr>' in style
    body = parts["word/document.xml"].decode()
    used = set(re.findall(r'<w:tblStyle w:val="([^"]+)"/>', body))
    # the CCTP's calendar annexes (12 months per row) use the 7 pt style
    assert used == ({"Grille7pt", "Grille8pt"} if kind == "cctp" else {"Grille9pt"})
    assert "<w:sz " not in body


def test_builtin_templates_pass_the_check(catalogue: Catalogue) -> None:
    assert check_templates(templates_dir(), catalogue) == []


def _user_template(folder: Path, name: str, lines: list[str], header: bool = True) -> None:
    document = docx.Document()
    if header:
        document.sections[0].header.paragraphs[0].text = "{{ reference }}"
    for line in lines:
        document.add_paragraph(line)
    folder.mkdir(exist_ok=True)
    document.save(str(folder / name))


def test_check_templates_names_template_and_variable(tmp_path: Path, catalogue: Catalogue) -> None:
    folder = tmp_path / "modeles"
    _user_template(folder, "rc.docx", ["Objet : {{ objet }}", "Acheteur : {{ acheteur_inconnu }}"])
    _user_template(folder, "ae.docx", ["{{ lot.titre_inexistant }}"])
    _user_template(folder, "ccap.docx", ["{% for x in lots %}"])
    _user_template(folder, "cctp.docx", ["{{ objet }}"], header=False)
    problems = {(p.fichier, p.message.split(" (")[0]) for p in check_templates(folder, catalogue)}
    assert ("rc.docx", "variable inconnue « acheteur_inconnu »") in problems
    assert any(f == "ae.docx" and "titre_inexistant" in m for f, m in problems)
    assert any(f == "ccap.docx" for f, _ in problems)
    assert any(f == "cctp.docx" and "en-tête" in m for f, m in problems)
    assert not any(f == "convention.docx" for f, _ in problems)


def test_user_templates_are_sandboxed_and_fall_back_to_builtin(tmp_path: Path, catalogue: Catalogue) -> None:
    folder = tmp_path / "modeles"
    _user_template(folder, "rc.docx", ["Référence : {{ reference }}"])
    out = tmp_path / "DCE"
    render_dce(make_plan(), catalogue, out, templates=folder)
    assert "Référence\u00a0: GC-2026-01" in docx_lines(out / "00_RC.docx")
    assert "1. Objet et forme des accords-cadres" in docx_lines(out / "01_CCAP.docx")  # built-in
    _user_template(folder, "rc.docx", ["{{ reference.__class__.__mro__ }}"])
    problems = check_templates(folder, catalogue)
    assert [p.fichier for p in problems] == ["rc.docx"]
    assert "accès interdit à l'attribut interne « __class__ »" in problems[0].message


HOSTILE = ["& < > \" '", "{{ 7*7 }}", "{% for x in y %}", "=SUM(A1)", "+cmd", "@x", "-1+1"]


def test_hostile_data_is_printed_literally_everywhere(tmp_path: Path, catalogue: Catalogue) -> None:
    membres = [Member(nom=f"Collège {h}", type="college") for h in HOSTILE[:3]]
    noms = [m.nom for m in membres]
    items = [make_item(f"X{i}", h, "10", "1.5", noms) for i, h in enumerate(HOSTILE)]
    plan = make_plan(lots=[make_lot(1, "Lot {{ 7*7 }} & <b>", items)], membres=membres)
    out = tmp_path / "DCE"
    render_dce(plan, catalogue, out)
    cctp = "\n".join(docx_lines(out / "02_CCTP.docx"))
    for value in HOSTILE:
        assert f"| {value} |" in cctp, value
    assert "3.1. Lot 1 — Lot {{ 7*7 }} & <b>" in cctp
    assert "49" not in cctp.replace("2026", "")
    convention = "\n".join(docx_lines(out / "Convention_groupement.docx"))
    for nom in noms:
        assert nom in convention
    ae = docx_lines(out / "AE/Lot_01_AE.docx")
    assert ae[1] == "Lot {{ 7*7 }} & <b>"
    assert leftover_tags((out / "00_RC.docx").read_bytes()) != []  # the data really contains tag markers
    literal = {*HOSTILE, *noms, "Lot {{ 7*7 }} & <b>"}
    for path in out.rglob("*.docx"):
        assert leftover_tags(path.read_bytes(), literal) == [], path
    wb = openpyxl.load_workbook(out / "BPU_DQE/Lot_01_BPU_DQE.xlsx")
    for sheet in ("BPU", "DQE"):
        cells = {c.value: c for c in wb[sheet]["B"] if c.value in HOSTILE}
        assert sorted(cells) == sorted(HOSTILE)
        assert all(c.data_type == "s" for c in cells.values())
    assert wb["BPU"]["A1"].value == "Bordereau des prix unitaires — lot 1\u00a0: Lot {{ 7*7 }} & <b>"
    sheet_xml = read_zip((out / "BPU_DQE/Lot_01_BPU_DQE.xlsx").read_bytes())["xl/worksheets/sheet1.xml"]
    assert b"<f>SUM(A1)" not in sheet_xml and b"<f>cmd" not in sheet_xml


def test_control_characters_are_stripped(tmp_path: Path, catalogue: Catalogue) -> None:
    items = [make_item("X1", "Filet\x00 de\x0b merlan\x07", "10", "1.5", ["Collège Angellier"])]
    plan = make_plan(lots=[make_lot(1, "Lot\x1f test", items)])
    render_dce(plan, catalogue, tmp_path / "DCE")
    assert "3.1. Lot 1 — Lot test" in docx_lines(tmp_path / "DCE/02_CCTP.docx")


def test_line_breaks_in_clause_text_become_word_line_breaks(tmp_path: Path, catalogue: Catalogue) -> None:
    from lotsmarche.models import ClauseSelection

    clause = ClauseSelection(
        id="X",
        titre="Titre",
        type="economique",
        destinations=["CCTP"],
        base_legale="B",
        texte="Alinéa un.\nAlinéa deux.",
        motif="m",
    )
    items = [make_item("X1", "Produit", "10", "1.5", ["Collège Angellier"])]
    render_dce(make_plan(lots=[make_lot(1, "Lot", items, clauses=[clause])]), catalogue, tmp_path / "DCE")
    xml = read_zip((tmp_path / "DCE/02_CCTP.docx").read_bytes())["word/document.xml"].decode()
    assert 'Alinéa un.</w:t><w:br/><w:t xml:space="preserve">Alinéa deux.' in xml
    assert "\n<w:p" not in xml and "\n<w:tbl" not in xml
