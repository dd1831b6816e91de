"""Read generated documents back (python-docx, openpyxl) and convert them with LibreOffice."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import docx

SOFFICE = shutil.which("soffice")


def docx_lines(path: Path) -> list[str]:
    """Every paragraph and table cell of the body, then the header and footer paragraphs, in order."""
    document = docx.Document(str(path))
    lines: list[str] = []
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            for row in block.rows:
                lines.append(" | ".join(cell.text for cell in row.cells))
        else:
            lines.append(block.text)
    for section in document.sections:
        lines.extend(p.text for p in section.header.paragraphs)
        lines.extend(p.text for p in section.footer.paragraphs)
    return lines


def docx_tables(path: Path) -> list[list[list[str]]]:
    document = docx.Document(str(path))
    return [[[c.text for c in row.cells] for row in table.rows] for table in document.tables]


def soffice_convert(sources: list[Path], outdir: Path, target: str = "pdf") -> list[Path]:
    """Convert with one LibreOffice headless run; it exits 0 even on failure, so callers check the files."""
    assert SOFFICE is not None
    profile = outdir / f"lo_profile_{os.getpid()}"
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            *map(str, sources),
        ],
        check=False,
        capture_output=True,
        timeout=600,
    )
    suffix = target.split(":", maxsplit=1)[0]
    return [outdir / (src.stem + "." + suffix) for src in sources]


def pdf_text(path: Path) -> str:
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True)
    return result.stdout.decode("utf-8")
