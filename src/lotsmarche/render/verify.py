"""Post-render checks of a generated .docx / .xlsx: well-formed XML parts, no leftover template tag; and the
post-render controls (``verify_dce``) whose findings go to controle.md."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from lxml import etree

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import Finding, LotPlan
from lotsmarche.render.docx import read_zip
from lotsmarche.render.readback import (
    Block,
    SheetText,
    blocks_of,
    docx_blocks,
    docx_roots,
    docx_table_rows,
    docx_toc,
    xlsx_blocks,
    xlsx_rows,
    xlsx_sheets,
)

TAG_MARKERS = ("{{", "}}", "{%", "%}", "{#", "#}")
_TAGS = re.compile(r"<[^>]+>")
_STRICT = etree.XMLParser(resolve_entities=False, huge_tree=True)


def xml_parts(data: bytes) -> dict[str, bytes]:
    """Every XML part of an Office file (``*.xml`` and ``*.rels``), by zip name."""
    return {name: blob for name, blob in read_zip(data).items() if name.endswith((".xml", ".rels"))}


def malformed_parts(data: bytes) -> list[str]:
    """Names of the parts that do not parse as XML without recovery, with the parser message."""
    bad = []
    for name, blob in sorted(xml_parts(data).items()):
        try:
            etree.fromstring(blob, _STRICT)
        except etree.XMLSyntaxError as exc:
            bad.append(f"{name} : {exc}")
    return bad


def part_text(blob: bytes) -> str:
    """Text of an XML part: tags removed (a tag split over runs becomes contiguous), entities decoded."""
    return html.unescape(_TAGS.sub("", blob.decode("utf-8")))


def tag_allowance(literal: Iterable[str]) -> list[str]:
    """The data strings that look like template tags, longest first (see :func:`leftover_tags`)."""
    return sorted({s for s in literal if any(m in s for m in TAG_MARKERS)}, key=len, reverse=True)


def leftover_tags(
    data: bytes,
    literal: Iterable[str] = (),
    *,
    allowed: list[str] | None = None,
    seen: dict[tuple[str, bytes], str | None] | None = None,
) -> list[str]:
    """Template tags left in the text of any XML part, once the ``literal`` data strings are set aside.

    Data may legitimately contain ``{{ 7*7 }}`` (it is printed as typed); anything else that looks like a
    tag means the template was not fully rendered. ``allowed`` is :func:`tag_allowance` of ``literal`` when
    the caller scans many files with the same data; ``seen`` remembers the answer for each part (name and
    content) already scanned with the same ``allowed``: the parts a template copies unchanged into every
    document (styles.xml: 800 kB) are scanned once.
    """
    if allowed is None:
        allowed = tag_allowance(literal)
    found = []
    for name, blob in sorted(xml_parts(data).items()):
        key = (name, blob)
        if seen is not None and key in seen:
            hit = seen[key]
        else:
            hit = _leftover_in_part(name, blob, allowed)
            if seen is not None:
                seen[key] = hit
        if hit is not None:
            found.append(hit)
    return found


def _leftover_in_part(name: str, blob: bytes, allowed: list[str]) -> str | None:
    text = part_text(blob)
    for value in allowed:
        text = text.replace(value, "")
    for marker in TAG_MARKERS:
        index = text.find(marker)
        if index >= 0:
            return f"{name} : « {text[max(index - 30, 0) : index + 30]} »"
    return None


def strings_in(value: object) -> set[str]:
    """Every string inside a context (models, dicts, lists), for :func:`leftover_tags`."""
    out: set[str] = set()
    if isinstance(value, str):
        out.add(value)
    elif isinstance(value, dict):
        for v in value.values():
            out |= strings_in(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            out |= strings_in(v)
    elif hasattr(value, "model_dump"):
        out |= strings_in(value.model_dump())
    return out


# --------------------------------------------------------------------------------------------------
# Post-render controls: what a lawyer would object to in the pieces as written (findings for controle.md)
# --------------------------------------------------------------------------------------------------


@dataclass
class RenderedDce:
    """The rendered pieces of a DCE with their plan and catalogue, read back once for all the controls."""

    plan: LotPlan
    cat: Catalogue
    files: Mapping[str, bytes]  # path inside the DCE folder -> bytes
    _blocks: dict[str, list[Block]] = field(default_factory=dict)
    memo: dict[object, object] = field(default_factory=dict)  # what the controls derive once and share

    def blocks(self, fichier: str) -> list[Block]:
        if fichier not in self._blocks:
            if fichier.endswith(".xlsx"):
                self._blocks[fichier] = xlsx_blocks(fichier, self.files[fichier], self.sheets(fichier))
            elif fichier.endswith(".docx"):
                self._blocks[fichier] = docx_blocks(fichier, self.files[fichier], self.roots(fichier))
            else:
                self._blocks[fichier] = blocks_of(fichier, self.files[fichier])
        return self._blocks[fichier]

    def roots(self, fichier: str) -> dict[str, etree._Element]:
        """The parsed text parts of a .docx of the DCE, parsed once for all the controls."""
        key = ("parties", fichier)
        if key not in self.memo:
            self.memo[key] = docx_roots(self.files[fichier])
        found = self.memo[key]
        assert isinstance(found, dict)
        return found

    def sheets(self, fichier: str) -> list[SheetText]:
        """The worksheets of a workbook of the DCE, read once."""
        key = ("feuilles", fichier)
        if key not in self.memo:
            self.memo[key] = xlsx_sheets(self.files[fichier])
        found = self.memo[key]
        assert isinstance(found, list)
        return found

    def all_blocks(self) -> list[Block]:
        return [b for name in sorted(self.files) for b in self.blocks(name)]

    def rows_by_lot(self, fichier: str) -> dict[int, dict[str, str]]:
        """Rows of the tables of a docx under a « Lot N » heading: lot -> first cell -> row text."""
        out: dict[int, dict[str, str]] = {}
        for titres, cells in docx_table_rows(self.files[fichier], self.roots(fichier)):
            lot = next((int(m.group(1)) for t in reversed(titres) if (m := _LOT.search(t))), None)
            if lot is None or not cells:
                continue
            out.setdefault(lot, {}).setdefault(cells[0].strip(), " | ".join(cells))
        return out

    def xlsx_rows(self, fichier: str, sheet: str) -> dict[str, str]:
        """Rows of a sheet keyed by their first cell's text: the row's text cells joined."""
        return xlsx_rows(self.sheets(fichier), sheet)

    def toc(self, fichier: str) -> tuple[list[str], list[str]] | None:
        return docx_toc(self.files[fichier], self.roots(fichier))

    def pieces(self, suffix: str = "") -> list[str]:
        return sorted(n for n in self.files if n.endswith(suffix) and n.endswith((".docx", ".xlsx")))


Check = Callable[[RenderedDce], list[Finding]]
_LOT = re.compile(r"\bLot (\d+)\b")


def post_render_checks() -> list[Check]:
    """Every post-render control, each module keeping its own list (one place to add a module)."""
    from lotsmarche.render import checks_texts

    return [*checks_texts.CHECKS]


def verify_dce(plan: LotPlan, cat: Catalogue, files: Mapping[str, bytes]) -> list[Finding]:
    """The findings of every post-render control over the rendered pieces (sorted, no duplicates)."""
    # The notice form (avis_de_marche.docx) is a working aid for the BOAMP / JOUE e-form, with its eForms
    # field numbers on purpose: it is not a piece of the consultation, so the published-text controls skip it.
    from lotsmarche.render.notice import NOTICE_NAME

    rendered = RenderedDce(plan, cat, {k: v for k, v in files.items() if k != NOTICE_NAME})
    out: list[Finding] = []
    for check in post_render_checks():
        for f in check(rendered):
            if f not in out:
                out.append(f)
    return out
