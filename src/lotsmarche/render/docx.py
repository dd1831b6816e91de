"""Word rendering with docxtpl's template syntax, compiled once and rendered many times, byte-reproducibly.

docxtpl reloads the .docx, re-runs its ~15 patch regexes and recompiles the whole Jinja template at every
``render()``. Here each template is read, patched (docxtpl's own ``patch_xml``, so the tag syntax is exactly
docxtpl's) and compiled once; a render only runs the compiled templates of the body and of the headers and
footers and writes a zip with sorted entries and fixed dates, in which the members that do not change
(styles, theme, settings...) were compressed once, at compilation.

Every produced part is well-formed XML (never ``recover=True``: a stray ``<`` must fail loudly, not truncate
the document): proven once for all renderings when the template allows it (``render.wellformed``, the case
of the built-in templates), checked by a parse after each rendering otherwise.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import zipfile
from dataclasses import dataclass
from io import BytesIO
from typing import Any
from xml.parsers import expat

from docxtpl import DocxTemplate
from jinja2 import Environment, Template, TemplateError, TemplateSyntaxError, meta
from lxml import etree

from lotsmarche.errors import Problem, RenderError
from lotsmarche.render.env import BudgetSandbox, escape_outputs_as_str, french_template_error, render_budget
from lotsmarche.render.highlight import END, START, apply_highlights
from lotsmarche.render.toc import fill_toc
from lotsmarche.render.typo import french_tree
from lotsmarche.render.wellformed import always_well_formed
from lotsmarche.ziputil import ZIP_DATE, Packed, core_xml, pack, read_zip, write_zip, zip_packed

__all__ = ["ZIP_DATE", "CompiledDocx", "compile_docx", "core_xml", "read_zip", "repack_docx", "write_zip"]

BROUILLON = "PROJET — DOCUMENT DE TRAVAIL NON VALIDÉ"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_JINJA_PARTS = ("/header", "/footer")
_BODY = re.compile(r"<w:body[ >].*</w:body>", re.DOTALL)
_HDR_OPEN = re.compile(r"<w:hdr\b[^>]*>")
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# docxtpl's patch_xml, resolve_listing and fix_tables do not use the instance state: one helper object.
_DOCXTPL = DocxTemplate(BytesIO())
_STRICT = etree.XMLParser(resolve_entities=False, huge_tree=True)
_C0 = bytes(c for c in range(32) if c not in (9, 10, 13))


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
    return str(_DOCXTPL.patch_xml(xml))


def _by_paragraph(source: str) -> str:
    # docxtpl puts each paragraph on its own line so that Jinja's line numbers point at a paragraph, then
    # removes those line breaks from every rendering (a str.replace over 1.5 MB for a 50-lot CCTP). Here
    # the compiled source has none; this version is only built to quote a syntax error.
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", source)


def _finish(xml: str) -> tuple[str, bool]:
    """The rendered part as docxtpl leaves it, and whether docxtpl's resolve_listing rewrote runs."""
    if "\n" in xml:  # from the data: a line break before a tag is dropped (as docxtpl does)...
        xml = xml.replace("\n<", "<")
    if "{_" in xml or "_}" in xml:  # docxtpl's escaped braces; none of the four can occur otherwise
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    if any(ch in xml for ch in "\n\t\a\f"):  # ...the others become <w:br/>, <w:tab/>...
        return _DOCXTPL.resolve_listing(xml), True
    return xml, False


def _forbidden_chars(data: bytes) -> bool:
    """A control character or U+FFFE / U+FFFF, which XML forbids (two fast byte scans, no decoding)."""
    if len(data.translate(None, _C0)) != len(data):
        return True
    return b"\xef\xbf" in data and (b"\xef\xbf\xbe" in data or b"\xef\xbf\xbf" in data)


def _check(xml: bytes, name: str, part: str) -> None:
    """Fail if a rendered part is not well-formed XML.

    expat (standard library) without namespace processing and without building a tree: two to four
    times faster than an lxml parse on a 50-lot CCTP. It still rejects what a rendering could break:
    unbalanced or mismatched tags, an unescaped ``<`` or ``&``, an unknown entity, a character that XML
    forbids. Namespace prefixes are not checked here because they only come from the template, whose
    parts were parsed strictly by lxml at compilation (data are always escaped text).
    """
    try:
        expat.ParserCreate().Parse(xml, True)
    except expat.ExpatError as exc:
        raise RenderError(
            f"Le modèle « {name} » produit un XML invalide",
            [Problem(f"partie {part} : {exc}", fichier=name)],
        ) from exc


@dataclass
class CompiledDocx:
    """A .docx template read, patched and compiled once."""

    name: str
    entries: dict[str, bytes]
    packed: dict[str, Packed]  # the members no rendering changes, compressed once
    head: bytes  # document.xml before <w:body>, UTF-8
    tail: bytes  # document.xml after </w:body>, UTF-8
    sources: dict[str, str]  # part name -> patched Jinja source (body is "word/document.xml")
    templates: dict[str, Template]
    has_tc: bool
    headers: list[str]
    proven: frozenset[str]  # parts whose every rendering is well-formed (render.wellformed)

    def undeclared(self, env: Environment) -> set[str]:
        """Top-level names the template uses (as docxtpl's get_undeclared_template_variables)."""
        names: set[str] = set()
        for source in self.sources.values():
            names |= meta.find_undeclared_variables(env.parse(source))
        return names

    def render(self, context: dict[str, Any], title: str, subject: str, brouillon: bool = False) -> bytes:
        members = dict(self.packed)
        for part, template in self.templates.items():
            user = isinstance(template.environment, BudgetSandbox)
            try:
                with render_budget() if user else contextlib.nullcontext():
                    rendered = template.render(context)
                xml, listing = _finish(rendered)
            except TemplateError as exc:
                raise RenderError(
                    f"Le modèle « {self.name} » ne peut pas être rendu",
                    [Problem(french_template_error(exc), fichier=self.name)],
                ) from exc
            except (ArithmeticError, LookupError, TypeError, ValueError, MemoryError, RecursionError) as exc:
                if not user:
                    raise
                raise RenderError(
                    f"Le modèle « {self.name} » ne peut pas être rendu",
                    [Problem(french_template_error(exc), fichier=self.name)],
                ) from None
            marked = START in xml or END in xml
            if marked:
                xml = apply_highlights(xml)
            data = xml.encode() if part == "word/document.xml" else (_DECL + xml).encode()
            # Re-parse only what the template does not guarantee: resolve_listing rewrites runs with
            # regexes, and a context not built by the models could carry a forbidden character.
            if listing or marked or part not in self.proven or _forbidden_chars(data):
                _check(data, self.name, part)
            xml = finish_text(xml, toc=part == "word/document.xml")
            if part != "word/document.xml" and brouillon and part in self.headers:
                xml = _HDR_OPEN.sub(_with_brouillon, xml, count=1)
            data = xml.encode() if part == "word/document.xml" else (_DECL + xml).encode()
            if part == "word/document.xml":
                if self.has_tc:
                    data = etree.tostring(_DOCXTPL.fix_tables(xml), encoding="unicode").encode()
                data = self.head + data + self.tail
            members[part] = pack(part, data)
        if brouillon:
            for part in self.headers:
                if part not in self.templates:
                    xml = self.entries[part].decode()
                    xml = _HDR_OPEN.sub(_with_brouillon, xml, count=1)
                    members[part] = pack(part, xml.encode())
        members["docProps/core.xml"] = pack("docProps/core.xml", core_xml(title, subject))
        return zip_packed([members[name] for name in sorted(members)])


# A watermark as Word draws one (a VML WordArt shape anchored in the header, behind the text, on every page
# of the section), plus a red line of text at the top of the header.
_FILIGRANE = (
    '<w:r><w:pict><v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:path textpathok="t" o:connecttype="custom"/>'
    '<v:textpath on="t" fitshape="t"/><o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>'
    '<v:shape id="PowerPlusWaterMarkObject1" o:spid="_x0000_s2049" type="#_x0000_t136" '
    'style="position:absolute;margin-left:0;margin-top:0;width:430pt;height:143pt;rotation:315;'
    "z-index:-251657216;mso-position-horizontal:center;mso-position-horizontal-relative:margin;"
    'mso-position-vertical:center;mso-position-vertical-relative:margin" o:allowincell="f" '
    'fillcolor="#d8d8d8" stroked="f"><v:fill opacity=".5"/>'
    '<v:textpath style="font-family:&quot;Arial&quot;;font-size:1pt" string="PROJET"/>'
    '<w10:wrap anchorx="margin" anchory="margin"/></v:shape></w:pict></w:r>'
)
_BROUILLON_P = (
    '<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/><w:color w:val="C00000"/>'
    f'<w:sz w:val="20"/></w:rPr><w:t xml:space="preserve">{BROUILLON}</w:t></w:r>{_FILIGRANE}</w:p>'
)

_BROUILLON_TEXTE = _BROUILLON_P.replace(_FILIGRANE, "")
_VML_NS = ("xmlns:v=", "xmlns:o=", "xmlns:w10=")


def _with_brouillon(match: re.Match[str]) -> str:
    """The header's opening tag followed by the draft line, with the watermark when VML is declared."""
    tag = match.group(0)
    return tag + (_BROUILLON_P if all(ns in tag for ns in _VML_NS) else _BROUILLON_TEXTE)


_CACHE: dict[tuple[str, int], CompiledDocx] = {}


def finish_text(xml: str, toc: bool) -> str:
    """A rendered part with French spacing applied to every paragraph and, for the body, its table of
    contents filled from its headings (``render.typo``, ``render.toc``)."""
    root = etree.fromstring(xml.encode(), _STRICT)
    french_tree(root)
    if toc:
        fill_toc(root)
    return str(etree.tostring(root, encoding="unicode"))


def _syntax_error(name: str, lined: str, env: Environment, exc: TemplateSyntaxError) -> RenderError:
    """The error quoting the paragraphs around it (parsed again, one paragraph per line)."""
    try:
        env.parse(lined)
    except TemplateSyntaxError as lined_exc:
        exc = lined_exc
    text = re.sub(r"<[^>]+>", "", "\n".join(lined.splitlines()[max(exc.lineno - 2, 0) : exc.lineno + 1]))
    return RenderError(
        f"Le modèle « {name} » contient une balise invalide",
        [Problem(f"{french_template_error(exc)} (près de : « {text.strip()[:120]} »)", fichier=name)],
    )


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
            templates[part] = escape_outputs_as_str(env.from_string(source))
        except TemplateSyntaxError as exc:
            raise _syntax_error(name, _by_paragraph(source), env, exc) from exc
    rendered = {*sources, "docProps/core.xml"}
    compiled = CompiledDocx(
        name=name,
        entries=entries,
        packed={part: pack(part, data) for part, data in entries.items() if part not in rendered},
        head=document[: match.start()].encode(),
        tail=document[match.end() :].encode(),
        sources=sources,
        templates=templates,
        has_tc="{%tc " in re.sub(r"<[^>]+>", "", document),
        headers=headers,
        proven=frozenset(part for part, source in sources.items() if always_well_formed(source, env)),
    )
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[key] = compiled
    return compiled
