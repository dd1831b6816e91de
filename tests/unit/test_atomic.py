"""Atomic writes under injected faults: the old output survives, no temporary file or folder stays."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lotsmarche import atomic
from lotsmarche.atomic import check_apart, clean_stale, replace_dir, temp_dir, write_bytes
from lotsmarche.errors import InputError, OutputExistsError


def _siblings(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_write_goes_to_a_new_file_then_renames(tmp_path: Path) -> None:
    out = tmp_path / "lots.json"
    out.write_bytes(b"old")
    with out.open("rb") as reader:  # a reader of the old file keeps the old bytes: no write in place
        write_bytes(out, b"new")
        assert reader.read() == b"old"
        assert os.fstat(reader.fileno()).st_ino != out.stat().st_ino
    assert out.read_bytes() == b"new"
    assert _siblings(tmp_path) == ["lots.json"]


@pytest.mark.parametrize("fault", ["write", "rename"])
def test_fault_keeps_old_file_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    out = tmp_path / "lots.xlsx"
    out.write_bytes(b"old content")
    if fault == "rename":

        def broken_replace(self: Path, target: object) -> Path:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(Path, "replace", broken_replace)
    else:
        real_fdopen = os.fdopen

        class Half:
            def __init__(self, handle: object) -> None:
                self.handle = handle

            def __enter__(self) -> Half:
                return self

            def __exit__(self, *exc: object) -> None:
                self.handle.close()  # type: ignore[attr-defined]

            def write(self, data: bytes) -> int:
                self.handle.write(data[: len(data) // 2])  # type: ignore[attr-defined]
                raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "fdopen", lambda fd, mode: Half(real_fdopen(fd, mode)))
    with pytest.raises(OSError):
        write_bytes(out, b"new content, longer than the old one")
    monkeypatch.undo()
    assert out.read_bytes() == b"old content"
    assert _siblings(tmp_path) == ["lots.xlsx"]


def test_no_replace_fails_if_the_file_appeared(tmp_path: Path) -> None:
    out = tmp_path / "lots.json"
    write_bytes(out, b"first", replace=False)
    with pytest.raises(OutputExistsError):
        write_bytes(out, b"second", replace=False)
    assert out.read_bytes() == b"first"
    assert _siblings(tmp_path) == ["lots.json"]


def _folder(path: Path, text: str) -> Path:
    path.mkdir()
    (path / "lots.json").write_text(text)
    (path / "sub").mkdir()
    (path / "sub" / "a.txt").write_text(text)
    return path


def test_replace_dir_swaps_and_removes_the_old(tmp_path: Path, swap_path: str) -> None:
    out = _folder(tmp_path / "X", "old")
    tmp = _folder(temp_dir(tmp_path, "X") / "in", "new").parent
    (tmp / "in").rename(tmp / "x")
    replace_dir(tmp, out, force=True)
    assert (out / "x" / "lots.json").read_text() == "new"
    assert _siblings(tmp_path) == ["X"]


@pytest.fixture(params=["exchange", "fallback"])
def swap_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with the one-step exchange (Linux) and with the rename-aside path used elsewhere."""
    if request.param == "fallback":
        monkeypatch.setattr(atomic, "_rename2", lambda src, dst, flags: False)
    return str(request.param)


def test_exchange_is_available_here(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("a")
    b.write_text("b")
    if sys.platform.startswith("linux"):
        assert atomic._rename2(a, b, atomic._EXCHANGE)
        assert (a.read_text(), b.read_text()) == ("b", "a")
        with pytest.raises(FileExistsError):
            atomic._rename2(a, b, atomic._NOREPLACE)


def test_failed_swap_keeps_the_old_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, swap_path: str
) -> None:
    out = _folder(tmp_path / "X", "old")
    tmp = temp_dir(tmp_path, "X")
    (tmp / "lots.json").write_text("new")
    real_rename = Path.rename
    real_rename2 = atomic._rename2

    def rename(self: Path, target: Path) -> Path:
        if self == tmp:
            raise OSError(5, "Input/output error")
        return real_rename(self, target)

    def rename2(src: Path, dst: Path, flags: int) -> bool:
        if src == tmp:
            raise OSError(5, "Input/output error")
        return bool(real_rename2(src, dst, flags))

    monkeypatch.setattr(Path, "rename", rename)
    if swap_path == "exchange":
        monkeypatch.setattr(atomic, "_rename2", rename2)
    with pytest.raises(OSError):
        replace_dir(tmp, out, force=True)
    monkeypatch.undo()
    assert (out / "lots.json").read_text() == "old"
    assert (out / "sub" / "a.txt").read_text() == "old"
    assert sorted(p for p in _siblings(tmp_path) if p != tmp.name) == ["X"]


def test_old_output_still_whole_when_the_new_one_takes_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, swap_path: str
) -> None:
    """At the moment the new folder takes the name, the old one still exists whole (moved aside or
    exchanged), and it is gone afterwards."""
    out = _folder(tmp_path / "X", "old")
    tmp = temp_dir(tmp_path, "X")
    (tmp / "lots.json").write_text("new")
    real_rename = Path.rename
    real_rename2 = atomic._rename2
    seen: list[str] = []

    def rename(self: Path, target: Path) -> Path:
        if self == tmp:
            aside = [p for p in tmp_path.iterdir() if p.name.endswith(".old")]
            seen.extend((p / "sub" / "a.txt").read_text() for p in aside)
        return real_rename(self, target)

    def rename2(src: Path, dst: Path, flags: int) -> bool:
        if src == tmp:
            seen.append((dst / "sub" / "a.txt").read_text())
        return bool(real_rename2(src, dst, flags))

    monkeypatch.setattr(Path, "rename", rename)
    if swap_path == "exchange":
        monkeypatch.setattr(atomic, "_rename2", rename2)
    replace_dir(tmp, out, force=True)
    assert seen == ["old"]
    assert (out / "lots.json").read_text() == "new"
    assert _siblings(tmp_path) == ["X"]


def test_replace_dir_without_force_refuses_an_output_that_appeared(tmp_path: Path, swap_path: str) -> None:
    tmp = temp_dir(tmp_path, "X")
    (tmp / "mine").write_text("1")
    _folder(tmp_path / "X", "theirs")  # a concurrent run finished first
    with pytest.raises(OutputExistsError):
        replace_dir(tmp, tmp_path / "X", force=False)
    assert (tmp_path / "X" / "lots.json").read_text() == "theirs"


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temporaries_of_dead_processes_are_removed(tmp_path: Path) -> None:
    dead = tmp_path / f".X.{_dead_pid()}.abcd1234.tmp"
    dead.mkdir()
    (dead / "lots.json").write_text("half")
    dead_old = tmp_path / f".X.{_dead_pid()}.abcd1234.old"
    dead_old.write_text("")
    alive = tmp_path / f".X.{os.getppid()}.efgh5678.tmp"  # the parent process runs: not ours to remove
    alive.mkdir()
    other = tmp_path / f".Y.{_dead_pid()}.abcd1234.tmp"  # beside another output
    other.mkdir()
    removed = clean_stale(tmp_path, "X")
    assert sorted(p.name for p in removed) == sorted([dead.name, dead_old.name])
    assert alive.exists() and other.exists()
    fresh = temp_dir(tmp_path, "Y")
    assert not other.exists() and fresh.exists()


def test_long_names_keep_temporary_names_short(tmp_path: Path) -> None:
    name = "N" * 250
    tmp = temp_dir(tmp_path, name)
    assert len(tmp.name) < 80
    (tmp / "f").write_text("x")
    replace_dir(tmp, tmp_path / name, force=False)
    write_bytes(tmp_path / ("F" * 250), b"x")
    assert sorted(len(p.name) for p in tmp_path.iterdir()) == [250, 250]


def test_check_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "ex"
    folder.mkdir()
    demand = folder / "demande.csv"
    demand.write_text("x")
    check_apart([tmp_path / "out"], [demand, None])
    with pytest.raises(InputError) as exc:
        check_apart([folder], [demand])
    assert "contient le fichier d'entrée" in exc.value.lines()[1]
    with pytest.raises(InputError):
        check_apart([demand], [demand])
    with pytest.raises(InputError) as exc:
        check_apart([tmp_path / "a.json", Path("a.json")], [])
    assert "choisissez deux noms" in exc.value.lines()[1]
    with pytest.raises(InputError) as exc:
        check_apart([tmp_path], [])
    assert "dossier courant" in exc.value.lines()[1]
    assert atomic._inside(demand, folder)
