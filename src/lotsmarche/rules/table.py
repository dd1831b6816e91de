"""Findings from a table of codes: each rule module lists its codes once (severity, French message with
``{placeholders}``, legal basis, correction) and its checks only decide *when* and with *which values*."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lotsmarche.models import Finding, Severity


@dataclass(frozen=True)
class Rule:
    severite: Severity
    message: str  # str.format template, values passed by the check
    base: str = ""  # fixed legal basis; "" when the check gives it (a catalogue value's basis)
    correction: str | None = None  # str.format template too


def emit(
    rules: Mapping[str, Rule],
    code: str,
    *,
    lot: int | None = None,
    base: str | None = None,
    incertain: bool = False,
    **values: Any,
) -> Finding:
    """The finding ``code`` of ``rules`` with its message (and correction) filled from ``values``."""
    rule = rules[code]
    return Finding(
        code=code,
        severite=rule.severite,
        lot=lot,
        incertain=incertain,
        base_legale=base or rule.base,
        message=rule.message.format(lot=lot, **values),
        correction=rule.correction.format(lot=lot, **values) if rule.correction else None,
    )
