"""Deterministic zip packages (.docx, .xlsx, the DCE archive), with members compressed once and reused.

A rendered .docx is mostly parts that never change from one rendering to the next (styles.xml and
stylesWithEffects.xml alone weigh 800 kB uncompressed). :func:`pack` deflates a member once; a template
keeps its static members packed and only the rendered parts are compressed at each rendering.

The bytes are those ``zipfile`` writes for a ``ZipInfo`` with a fixed date, ``create_system`` 3 and mode
0644, deflated at the default level: the archives did not change when this module replaced ``zipfile``
on the writing side (a unit test compares both). :func:`core_xml` gives every package the same document
properties with fixed dates, so a .docx or .xlsx written twice from the same data is the same bytes.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from lotsmarche.errors import Problem, RenderError

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
CORE_DATE = "2000-01-01T00:00:00Z"  # creation and modification date written in docProps/core.xml
_DOS_DATE = (ZIP_DATE[0] - 1980) << 9 | ZIP_DATE[1] << 5 | ZIP_DATE[2]
_DOS_TIME = ZIP_DATE[3] << 11 | ZIP_DATE[4] << 5 | ZIP_DATE[5] // 2
_VERSION = 20  # "2.0": deflate, what zipfile writes for a deflated member without zip64
_UNIX = 3
_DEFLATED = zipfile.ZIP_DEFLATED
_MODE = 0o644 << 16
_UTF8_NAME = 0x800
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_LIMIT = (1 << 31) - 1  # beyond this zip64 records would be needed: never the case for a DCE


@dataclass(frozen=True)
class Packed:
    """One member, already deflated: its encoded name, name flags, CRC-32, sizes and data."""

    name: bytes
    flags: int
    crc: int
    size: int
    data: bytes


def pack(name: str, data: bytes) -> Packed:
    try:
        encoded, flags = name.encode("ascii"), 0
    except UnicodeEncodeError:
        encoded, flags = name.encode("utf-8"), _UTF8_NAME
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    deflated = compressor.compress(data) + compressor.flush()
    return Packed(encoded, flags, zlib.crc32(data), len(data), deflated)


def zip_packed(members: list[Packed]) -> bytes:
    """The archive of ``members``, in the given order (callers sort them by name)."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for m in members:
        if m.size > _LIMIT or len(m.data) > _LIMIT or offset > _LIMIT:
            name = m.name.decode("utf-8")
            raise RenderError(
                "Archive trop volumineuse (plus de 2 Go)", [Problem(f"fichier {name}", fichier=name)]
            )
        common = (m.flags, _DEFLATED, _DOS_TIME, _DOS_DATE, m.crc, len(m.data), m.size, len(m.name))
        header = _LOCAL.pack(b"PK\x03\x04", _VERSION, 0, *common, 0)
        record = _CENTRAL.pack(
            b"PK\x01\x02", _VERSION, _UNIX, _VERSION, 0, *common, 0, 0, 0, 0, _MODE, offset
        )
        central.append(record + m.name)
        out += (header, m.name, m.data)
        offset += len(header) + len(m.name) + len(m.data)
    directory = b"".join(central)
    end = _END.pack(b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), offset, 0)
    return b"".join(out) + directory + end


def write_zip(entries: dict[str, bytes]) -> bytes:
    """A zip with sorted entries, fixed date and permissions: same entries → same bytes."""
    return zip_packed([pack(name, entries[name]) for name in sorted(entries)])


def read_zip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist() if not info.is_dir()}


def read_member(data: bytes, name: str) -> bytes:
    """One member of a zip (KeyError when absent), without decompressing the others."""
    with zipfile.ZipFile(BytesIO(data)) as zf:
        return zf.read(name)


def core_xml(title: str, subject: str) -> bytes:
    """docProps/core.xml written here (docxtpl double-escapes properties, openpyxl stamps the time).

    Control characters from the data (a group's name typed with a \\x0b) are removed: XML forbids them.
    """
    from lotsmarche.text import clean_text

    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(clean_text(title))}</dc:title><dc:subject>{escape(clean_text(subject))}</dc:subject>"
        "<dc:creator>lotsmarche</dc:creator><cp:lastModifiedBy>lotsmarche</cp:lastModifiedBy>"
        "<cp:revision>1</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{CORE_DATE}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{CORE_DATE}</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode()
