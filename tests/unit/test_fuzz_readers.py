"""Fuzz every reader with generated hostile inputs (hypothesis): a result or a French refusal, never a
traceback. Small ``max_examples`` keep each reader within a few seconds; ``bench/fuzz.py`` runs 10 000."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit._fuzz_inputs import READERS, Bases, attempt, make_bases

EXAMPLES = {"catalogue": 4, "modèle Word": 10, "demande XLSX": 10}


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> Bases:
    return make_bases(tmp_path_factory.mktemp("fuzz"))


@pytest.mark.parametrize("reader", sorted(READERS))
def test_reader_never_crashes(reader: str, bases: Bases, tmp_path: Path) -> None:
    @settings(
        max_examples=EXAMPLES.get(reader, 25),
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(seed=st.integers(min_value=0, max_value=2**32 - 1))
    def check(seed: int) -> None:
        assert attempt(reader, bases, seed, tmp_path / "work") in ("accepté", "refusé")

    check()
