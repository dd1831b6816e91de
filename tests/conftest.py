"""Shared fixtures. Tests run against the installed package: read data through lotsmarche.resources."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


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
