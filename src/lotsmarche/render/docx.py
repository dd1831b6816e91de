"""Word rendering with docxtpl's template syntax, compiled once and rendered many times, byte-reproducibly.

docxtpl reloads the .docx, re-runs its ~15 patch regexes and recompiles the whole Jinja template at every
``render()``. Here each template is read, patched (docxtpl's own ``patch_xml``, so the tag syntax is exactly
docxtpl's) and compiled once; a render only runs the compiled templates of the body and of the headers and
footers, checks that every produced part is well-formed XML (never ``recover=True``: a stray ``<`` must fail
loudly, not truncate the document), and writes a zip with sorted entries and fixed dates.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from docxtpl import DocxTemplate
from jinja2 import Environment, Template, TemplateError, TemplateSyntaxError, meta
from lxml import etree

from lotsmarche.errors import Problem, RenderError

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
CORE_DATE = "2000-01-01T00:00:00Z"
BROUILLON = "PROJET — DOCUMENT DE TRAVAIL NON VALIDÉ"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_JINJA_PARTS = ("/header", "/footer")
_BODY = re.compile(r"<w:body[ >].*</w:body>", re.DOTALL)
_NEWLINE_BEFORE_TAG = re.compile(r"\n<")
_HDR_OPEN = re.compile(r"<w:hdr\b[^>]*>")
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# docxtpl's patch_xml, resolve_listing and fix_tables do not use the instance state: one helper object.
_DOCXTPL = DocxTemplate(BytesIO())
_STRICT = etree.XMLParser(resolve_entities=False, huge_tree=True)


def core_xml(title: str, subject: str) -> bytes:
    """docProps/core.xml written in Python (docxtpl double-escapes properties) with fixed dates."""
    return (
        _DECL
        + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:subject>{escape(subject)}</dc:subject>"
        "<dc:creator>lotsmarche</dc:creator><cp:lastModifiedBy>lotsmarche</cp:lastModifiedBy>"
        "<cp:revision>1</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{CORE_DATE}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{CORE_DATE}</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode()


def write_zip(entries: dict[str, bytes]) -> bytes:
    """A zip with sorted entries, fixed date and permissions: same entries → same bytes."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, entries[name])
    return buffer.getvalue()


def read_zip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist() if not info.is_dir()}


def repack_docx(data: bytes, title: str | None = "", subject: str = "") -> bytes:
    """Rewrite a saved .docx deterministically (``title=None`` keeps no title; core.xml is always ours)."""
    entries = read_zip(data)
    entries["docProps/core.xml"] = core_xml(title or "", subject)
    return write_zip(entries)


def _parts_of(entries: dict[str, bytes]) -> list[str]:
    """Zip names of the header and footer parts related to the main document."""
    rels = entries.get("word/_rels/document.xml.rels")
    if rels is None:
        return []
    root = etree.fromstring(rels, _STRICT)
    names = []
    for rel in root.iter(f"{{{_REL_NS}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        if rel.get("Type", "").endswith(_JINJA_PARTS):
            target = rel.get("Target", "")
            names.append(target.lstrip("/") if target.startswith("/") else "word/" + target)
    return sorted(n for n in names if n in entries)


def _prepare(xml: str) -> str:
    # Same as docxtpl: one paragraph per line, so that Jinja error line numbers point at a paragraph.
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", _DOCXTPL.patch_xml(xml))


def _finish(xml: str) -> str:
    # The line breaks added by _prepare (and those left where a {%p %} paragraph was) sit before a tag;
    # a line break left after that is data, which docxtpl's resolve_listing turns into <w:br/>.
    xml = _NEWLINE_BEFORE_TAG.sub("<", xml)
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    if any(ch in xml for ch in "\n\t\a\f"):
        xml = _DOCXTPL.resolve_listing(xml)
    return xml


@dataclass
class CompiledDocx:
    """A .docx template read, patched and compiled once."""

    name: str
    entries: dict[str, bytes]
    head: str  # document.xml before <w:body>
    tail: str  # document.xml after </w:body>
    sources: dict[str, str]  # part name -> patched Jinja source (body is "word/document.xml")
    templates: dict[str, Template]
    has_tc: bool
    headers: list[str]

    def undeclared(self, env: Environment) -> set[str]:
        """Top-level names the template uses (as docxtpl's get_undeclared_template_variables)."""
        names: set[str] = set()
        for source in self.sources.values():
            names |= meta.find_undeclared_variables(env.parse(source))
        return names

    def render(self, context: dict[str, Any], title: str, subject: str, brouillon: bool = False) -> bytes:
        entries = dict(self.entries)
        for part, template in self.templates.items():
            try:
                xml = _finish(template.render(context))
            except TemplateError as exc:
                raise RenderError(
                    f"Le modèle « {self.name} » ne peut pas être rendu",
                    [Problem(f"{type(exc).__name__} : {exc.message or exc}", fichier=self.name)],
                ) from exc
            if part == "word/document.xml":
                self._check(xml, part)
                if self.has_tc:
                    xml = etree.tostring(_DOCXTPL.fix_tables(xml), encoding="unicode")
                entries[part] = (self.head + xml + self.tail).encode()
            else:
                if brouillon and part in self.headers:
                    xml = _HDR_OPEN.sub(lambda m: m.group(0) + _BROUILLON_P, xml, count=1)
                self._check(xml, part)
                entries[part] = (_DECL + xml).encode()
        if brouillon:
            for part in self.headers:
                if part not in self.templates:
                    xml = _HDR_OPEN.sub(lambda m: m.group(0) + _BROUILLON_P, entries[part].decode(), count=1)
                    entries[part] = xml.encode()
        entries["docProps/core.xml"] = core_xml(title, subject)
        return write_zip(entries)

    def _check(self, xml: str, part: str) -> None:
        try:
            etree.fromstring(xml.encode(), _STRICT)
        except etree.XMLSyntaxError as exc:
            raise RenderError(
                f"Le modèle « {self.name} » produit un XML invalide",
                [Problem(f"partie {part} : {exc}", fichier=self.name)],
            ) from exc


_BROUILLON_P = (
    '<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/><w:color w:val="C00000"/>'
    f'<w:sz w:val="20"/></w:rPr><w:t xml:space="preserve">{BROUILLON}</w:t></w:r></w:p>'
)

_CACHE: dict[tuple[str, int], CompiledDocx] = {}


def compile_docx(data: bytes, name: str, env: Environment) -> CompiledDocx:
    """Read, patch and compile a template (cached by content and environment)."""
    key = (hashlib.sha256(data).hexdigest(), id(env))
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    try:
        entries = read_zip(data)
        document = entries["word/document.xml"].decode("utf-8")
        root = etree.fromstring(entries["word/document.xml"], _STRICT)
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, etree.XMLSyntaxError) as exc:
        raise RenderError(
            f"Le modèle « {name} » n'est pas un document Word (.docx) valide",
            [Problem(str(exc), fichier=name)],
        ) from exc
    body_el = root.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}body")
    match = _BODY.search(document)
    if body_el is None or match is None:
        raise RenderError(
            f"Le modèle « {name} » n'a pas de corps de document", [Problem("w:body absent", fichier=name)]
        )
    sources = {"word/document.xml": _prepare(etree.tostring(body_el, encoding="unicode"))}
    headers = [p for p in _parts_of(entries) if "/header" in p]
    for part in _parts_of(entries):
        xml = etree.tostring(etree.fromstring(entries[part], _STRICT), encoding="unicode")
        if "{{" in xml or "{%" in xml or "{#" in xml:
            sources[part] = _prepare(xml)
    templates: dict[str, Template] = {}
    for part, source in sources.items():
        try:
            templates[part] = env.from_string(source)
        except TemplateSyntaxError as exc:
            text = re.sub(
                r"<[^>]+>", "", "\n".join(source.splitlines()[max(exc.lineno - 2, 0) : exc.lineno + 1])
            )
            raise RenderError(
                f"Le modèle « {name} » contient une balise invalide",
                [Problem(f"{exc.message} (près de : « {text.strip()[:120]} »)", fichier=name)],
            ) from exc
    compiled = CompiledDocx(
        name=name,
        entries=entries,
        head=document[: match.start()],
        tail=document[match.end() :],
        sources=sources,
        templates=templates,
        has_tc="{%tc " in re.sub(r"<[^>]+>", "", document),
        headers=headers,
    )
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[key] = compiled
    return compiled
