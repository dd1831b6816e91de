"""Shared fixtures. Tests run against the installed package: read data through lotsmarche.resources."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
_OWN_CACHE: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    """The catalogue cache of the tests (and of the commands they run) in a folder of their own."""
    del config
    if "LOTSMARCHE_CACHE_DIR" not in os.environ:
        _OWN_CACHE.append(tempfile.mkdtemp(prefix="lotsmarche-cache-"))
        os.environ["LOTSMARCHE_CACHE_DIR"] = _OWN_CACHE[0]


def pytest_unconfigure(config: pytest.Config) -> None:
    del config
    for folder in _OWN_CACHE:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def catalogue():  # type: ignore[no-untyped-def]
    from lotsmarche.catalogue import load_catalogue

    return load_catalogue()


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


# The CLI passes today's date to the library (a launch date in the past is an error, DAT-001). Tests fix it
# so that their plans (launch 2026-09-01 in the factory, 2027-09-06 in the bundled example) and the
# what-if launch dates before the Climate-law date (2026-08-20) stay in the future whatever the real date.
FIXED_TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> date:
    from lotsmarche.cli import _common

    monkeypatch.setattr(_common, "today", lambda: FIXED_TODAY)
    return FIXED_TODAY
