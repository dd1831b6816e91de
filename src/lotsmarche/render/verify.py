"""Post-render checks of a generated .docx / .xlsx: well-formed XML parts, no leftover template tag."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from lxml import etree

from lotsmarche.render.docx import read_zip

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


def leftover_tags(data: bytes, literal: Iterable[str] = ()) -> list[str]:
    """Template tags left in the text of any XML part, once the ``literal`` data strings are set aside.

    Data may legitimately contain ``{{ 7*7 }}`` (it is printed as typed); anything else that looks like a
    tag means the template was not fully rendered.
    """
    allowed = sorted({s for s in literal if any(m in s for m in TAG_MARKERS)}, key=len, reverse=True)
    found = []
    for name, blob in sorted(xml_parts(data).items()):
        text = part_text(blob)
        for value in allowed:
            text = text.replace(value, "")
        for marker in TAG_MARKERS:
            index = text.find(marker)
            if index >= 0:
                found.append(f"{name} : « {text[max(index - 30, 0) : index + 30]} »")
                break
    return found


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
