"""The on-disk catalogue cache: read back when fresh, rebuilt when stale or corrupt, never trusted blindly."""

from __future__ import annotations

import os
import pickle
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from lotsmarche.catalogue import cache, load_catalogue, loader
from lotsmarche.resources import catalogues_dir


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("LOTSMARCHE_CACHE_DIR", str(folder))
    loader._load_cached.cache_clear()  # the per-process cache would hide the disk one
    yield folder
    loader._load_cached.cache_clear()


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "mes_catalogues"
    shutil.copytree(catalogues_dir(), target)
    return target


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every validating read of a catalogue folder (what the cache saves)."""
    calls: list[Path] = []
    real = loader._Reader.read

    def counting(self: loader._Reader) -> object:
        calls.append(self.folder)
        return real(self)

    monkeypatch.setattr(loader._Reader, "read", counting)
    return calls


def _fresh(directory: Path) -> object:
    loader._load_cached.cache_clear()  # as a new process would
    return load_catalogue(directory)


def _slot(store: Path) -> Path:
    (found,) = store.glob("catalogue-*.pickle")
    return found


def test_second_process_reads_the_cache_not_the_yaml(
    store: Path, copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = _reads(monkeypatch)
    first = _fresh(copy)
    assert len(reads) == 1
    assert oct(store.stat().st_mode & 0o777) == "0o700"
    assert oct(_slot(store).stat().st_mode & 0o777) == "0o600"
    again = _fresh(copy)
    assert len(reads) == 1  # not validated again
    assert again == first
    assert again.produits == first.produits and again.cpv == first.cpv
    assert len(again.codes_postaux) == len(first.codes_postaux)  # communes: their own cached entry
    assert sorted(p.name.split("-")[0] for p in store.glob("*.pickle")) == ["catalogue", "communes"]


def test_edited_file_makes_the_cache_stale(store: Path, copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _reads(monkeypatch)
    _fresh(copy)
    path = copy / "produits_mer.yaml"
    text = path.read_text(encoding="utf-8")
    stat = path.stat()
    path.write_text(text.replace("prix_reference_ht: 22.00", "prix_reference_ht: 23.10", 1), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same date: the content decides
    edited = _fresh(copy)
    assert len(reads) == 2
    assert edited.produits["MER-SOLE-ENTIER-FR"].prix_reference_ht == Decimal("23.10")
    assert _fresh(copy) == edited and len(reads) == 2  # the rebuilt entry is the one kept


def test_other_code_makes_the_cache_stale(store: Path, copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _reads(monkeypatch)
    _fresh(copy)
    monkeypatch.setattr(cache, "_MAGIC", b"lotsmarche-cache-other-version")
    _fresh(copy)
    assert len(reads) == 2


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a pickle at all",
        pickle.dumps(("wrong", "shape")),
        pickle.dumps((b"lotsmarche-cache-1", "a key from elsewhere", {"x": 1})),
    ],
)
def test_corrupt_cache_is_ignored_and_rewritten(
    store: Path, copy: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    reads = _reads(monkeypatch)
    first = _fresh(copy)
    slot = _slot(store)
    slot.write_bytes(content)
    assert _fresh(copy) == first
    assert len(reads) == 2
    assert _fresh(copy) == first and len(reads) == 2  # rewritten whole


def test_right_key_wrong_shape_is_rebuilt(store: Path, copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _reads(monkeypatch)
    first = _fresh(copy)
    slot = _slot(store)
    magic, key, _payload = pickle.loads(slot.read_bytes())
    slot.write_bytes(pickle.dumps((magic, key, {"dossier": "x"})))
    assert _fresh(copy) == first
    assert len(reads) == 2


def test_cache_writable_by_others_is_not_read(
    store: Path, copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = _reads(monkeypatch)
    _fresh(copy)
    store.chmod(0o777)  # anyone could have planted the file: never unpickle it
    _fresh(copy)
    assert len(reads) == 2
    store.chmod(0o700)
    _slot(store).chmod(0o666)
    _fresh(copy)
    assert len(reads) == 3


def test_cache_off_and_unwritable_folder(tmp_path: Path, copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _reads(monkeypatch)
    monkeypatch.setenv("LOTSMARCHE_CACHE_DIR", "off")
    _fresh(copy)
    _fresh(copy)
    assert len(reads) == 2
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("LOTSMARCHE_CACHE_DIR", str(blocked / "cache"))
    assert _fresh(copy).produits  # best effort: loading works without a cache
    loader._load_cached.cache_clear()


def test_default_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("LOTSMARCHE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "lotsmarche"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # ignored, as the XDG spec says
    assert cache.cache_dir() == Path.home() / ".cache" / "lotsmarche"
