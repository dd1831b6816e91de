"""`lotsmarche catalogue export` and `catalogue show` in an 80-column terminal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document

from lotsmarche.catalogue import load_catalogue
from lotsmarche.catalogue.check import check_catalogue
from lotsmarche.customise import builtin_files, write_builtins
from lotsmarche.errors import OutputExistsError, RenderError
from lotsmarche.resources import catalogues_dir, templates_dir
from tests.cli._runner import run


def test_export_writes_every_catalogue_and_template_the_tools_accept_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "mes-modeles"
    code, text, err = run(["catalogue", "export", "--out", str(out)], capsys)
    assert code == 0, err
    assert "mes-modeles" in text
    cats = sorted(p.name for p in (out / "catalogues").iterdir())
    assert cats == sorted(p.name for p in catalogues_dir().iterdir() if p.suffix in (".yaml", ".csv"))
    assert sorted(p.name for p in (out / "templates").iterdir()) == sorted(
        p.name for p in templates_dir().glob("*.docx")
    )
    for name, source in builtin_files():
        assert (out / name).read_bytes() == source.read_bytes()
    readme = (out / "LISEZMOI.md").read_text(encoding="utf-8")
    assert "--catalogues catalogues" in readme and "--templates templates" in readme
    # what was exported loads, checks clean of errors, and the templates pass the template check
    cat = load_catalogue(out / "catalogues")
    assert not [f for f in check_catalogue(cat) if f.severite == "erreur"]
    Document(str(out / "templates" / "rc.docx"))
    code, _, err = run(["dce", "--check-templates", "--templates", str(out / "templates")], capsys)
    assert code == 0, err
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left


def test_export_refuses_to_overwrite_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "export"
    write_builtins(out)
    (out / "catalogues" / "familles.yaml").write_text("modifié", encoding="utf-8")
    code, _, err = run(["catalogue", "export", "--out", str(out)], capsys)
    assert code == 2
    assert "--force" in err
    assert (out / "catalogues" / "familles.yaml").read_text(encoding="utf-8") == "modifié"
    code, _, _ = run(["catalogue", "export", "--out", str(out), "--force"], capsys)
    assert code == 0
    assert (out / "catalogues" / "familles.yaml").read_bytes() == (
        catalogues_dir() / "familles.yaml"
    ).read_bytes()


def test_force_never_replaces_a_folder_that_is_not_an_export(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("à garder", encoding="utf-8")
    with pytest.raises(OutputExistsError) as info:
        write_builtins(tmp_path, force=True)
    assert "autres fichiers" in str(info.value.lines())
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "à garder"
    (tmp_path / "fichier").write_text("x", encoding="utf-8")
    with pytest.raises(OutputExistsError):
        write_builtins(tmp_path / "fichier", force=True)


def test_export_into_an_empty_folder(tmp_path: Path) -> None:
    written = write_builtins(tmp_path)
    assert all(p.is_file() for p in written)


def test_a_failed_forced_export_keeps_the_old_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "export"
    write_builtins(out)
    (out / "LISEZMOI.md").write_text("ancien", encoding="utf-8")
    calls = {"n": 0}
    real = Path.rename

    def failing_rename(self: Path, target: Path) -> Path:
        calls["n"] += 1
        if calls["n"] == 2:  # the new folder moving into place
            raise OSError(28, "No space left on device")
        return real(self, target)

    monkeypatch.setattr(Path, "rename", failing_rename)
    with pytest.raises(RenderError):
        write_builtins(out, force=True)
    monkeypatch.undo()
    assert (out / "LISEZMOI.md").read_text(encoding="utf-8") == "ancien"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]


@pytest.mark.parametrize("kind", ["familles", "produits", "conditionnements", "seuils", "labels", "clauses"])
def test_show_reads_in_80_columns_with_codes_whole(
    kind: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run(["catalogue", "show", kind], capsys)
    assert code == 0
    assert not [line for line in out.splitlines() if len(line) > 80]
    cat = load_catalogue(None)
    codes = {"familles": cat.familles, "produits": cat.produits, "conditionnements": cat.conditionnements}
    lines = {line.strip() for line in out.splitlines()}
    for code_ in codes.get(kind, {}):
        assert code_ in lines or any(re.match(rf"│ {re.escape(code_)} ", line) for line in out.splitlines())
