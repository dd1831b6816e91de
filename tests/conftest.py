"""Shared fixtures. Tests run against the installed package: read data through lotsmarche.resources."""

from __future__ import annotations

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
