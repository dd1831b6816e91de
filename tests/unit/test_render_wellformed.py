"""Speed-ups of the Word rendering that must not weaken it: compile-time proof of well-formedness, the
run-time check kept for what the proof does not cover, and the zip writer with pre-compressed members."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

import docx
import pytest

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.errors import RenderError
from lotsmarche.render import render_dce
from lotsmarche.render.dce import TEMPLATE_FILES
from lotsmarche.render.docx import compile_docx, read_zip
from lotsmarche.render.env import builtin_env, sandbox_env
from lotsmarche.render.wellformed import always_well_formed
from lotsmarche.resources import templates_dir
from lotsmarche.ziputil import write_zip
from tests.unit._render_factory import make_plan


@pytest.mark.parametrize("kind", sorted(TEMPLATE_FILES))
def test_every_part_of_the_builtin_templates_is_proven(kind: str) -> None:
    data = (templates_dir() / TEMPLATE_FILES[kind]).read_bytes()
    for env in (builtin_env(), sandbox_env()):
        compiled = compile_docx(data, kind, env)
        assert (
            compiled.proven
            == set(compiled.sources)
            == {
                "word/document.xml",
                "word/header1.xml",
                "word/footer1.xml",
            }
        )


NS = '<w:body xmlns:w="urn:w">'
PROOFS = [
    (NS + "<w:p>{% for p in lot.produits %}<w:r>{{ p.prix|montant }}</w:r>{% endfor %}</w:p></w:body>", True),
    (NS + '<w:p w:val="{{ lot.numero }}">{{ "<&>" }}</w:p></w:body>', True),  # attribute value, constant
    (NS + "<w:p>{% if a %}<w:r/>{% elif b %}<w:t/>{% else %}x{% endif %}</w:p></w:body>", True),
    (NS + "<w:p>{% if a %}</w:p><w:p>{% endif %}</w:p></w:body>", False),  # unbalanced branch
    (NS + '<w:p {% if a %}w:x="1"{% endif %}/></w:body>', False),  # branch inside a tag
    (NS + "<w:p {{ a }}/></w:body>", False),  # value inside a tag
    ('{% if a %}<w:body xmlns:w="urn:w"/>{% endif %}', False),  # branch beside the root
    (NS + "{{ a|safe }}</w:body>", False),  # markup filter
    (NS + "{{ a|upper }}</w:body>", False),  # a filter that is not lotsmarche's
    (NS + "{% set b = a %}{{ b }}</w:body>", False),
    (NS + "{{ a() }}</w:body>", False),
    (NS + "{% for x in a|safe %}{{ x }}{% endfor %}</w:body>", False),
    (NS + "<!-- {{ a }} --></w:body>", False),
    (NS + '{{ "\\x01" }}</w:body>', False),
]


@pytest.mark.parametrize(("source", "proven"), PROOFS)
def test_proof_accepts_only_what_any_data_keeps_well_formed(source: str, proven: bool) -> None:
    assert always_well_formed(source, builtin_env()) is proven
    assert always_well_formed(source, sandbox_env()) is proven


def _user_docx(path: Path, lines: list[str], table_cell: str | None = None) -> None:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    if table_cell is not None:
        document.add_table(rows=1, cols=1).cell(0, 0).text = table_cell
    path.parent.mkdir(exist_ok=True)
    document.save(str(path))


def test_unprovable_template_is_still_checked_after_rendering(tmp_path: Path, catalogue: Catalogue) -> None:
    # The condition opens in a paragraph and closes in a table cell: when false, the rendering loses the
    # start of the table and the XML is broken. It must fail with the template named, writing nothing.
    folder = tmp_path / "modeles"
    _user_docx(folder / "rc.docx", ["Début {% if reference == 'jamais' %}"], table_cell="{% endif %} fin")
    compiled = compile_docx((folder / "rc.docx").read_bytes(), "rc.docx", sandbox_env())
    assert "word/document.xml" not in compiled.proven
    with pytest.raises(RenderError, match=r"rc\.docx » produit un XML invalide") as info:
        render_dce(make_plan(), catalogue, tmp_path / "DCE", templates=folder)
    assert "mismatched tag" in info.value.problems[0].message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["modeles"]


def test_forbidden_character_outside_the_models_is_caught(tmp_path: Path) -> None:
    # The context models remove such characters; a context built another way must still fail loudly.
    _user_docx(tmp_path / "t.docx", ["Objet : {{ objet }}"])
    compiled = compile_docx((tmp_path / "t.docx").read_bytes(), "t.docx", builtin_env())
    assert "word/document.xml" in compiled.proven
    assert (
        "Objet\u00a0: Filets &amp; longes".encode()
        in read_zip(compiled.render({"objet": "Filets & longes"}, "t", "s"))["word/document.xml"]
    )
    for bad in ("Filet\x01", "Filet\ufffe"):
        with pytest.raises(RenderError, match="produit un XML invalide"):
            compiled.render({"objet": bad}, "t", "s")


def _zipfile_reference(entries: dict[str, bytes]) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, entries[name])
    return buffer.getvalue()


def test_zip_writer_gives_the_bytes_of_zipfile() -> None:
    entries = read_zip((templates_dir() / "cctp.docx").read_bytes())
    entries |= {"vide.txt": b"", "Lot_01_accentué.xml": "é".encode() * 5000}
    assert write_zip(entries) == _zipfile_reference(entries)
    assert read_zip(write_zip(entries)) == entries


def test_outputs_escaped_to_str_give_the_text_of_markupsafe() -> None:
    from decimal import Decimal

    from jinja2 import UndefinedError
    from markupsafe import Markup

    from lotsmarche.render.env import escape_outputs_as_str

    source = "<p>{{ a }}|{{ b }}|{{ c }}|{{ d|montant }}{% for x in e %}[{{ x }}]{% endfor %}</p>"
    values = {"a": "& < > \" ' {{ 7*7 }}", "b": Markup("<w:br/>"), "c": 5, "d": Decimal("1234.5"), "e": ["<"]}
    for env in (builtin_env(), sandbox_env()):
        plain = env.from_string(source).render(values)
        fast = escape_outputs_as_str(env.from_string(source))
        assert (
            fast.root_render_func.__globals__["escape"]
            is not env.from_string(source).root_render_func.__globals__["escape"]
        )  # the speed-up is in place (a Jinja upgrade that changes the generated code would drop it)
        assert fast.render(values) == plain
        assert plain == "<p>&amp; &lt; &gt; &#34; &#39; {{ 7*7 }}|<w:br/>|5|1\u202f234,50\u00a0€[&lt;]</p>"
        with pytest.raises(UndefinedError):
            fast.render({k: v for k, v in values.items() if k != "c"})
