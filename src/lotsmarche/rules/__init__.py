"""Compliance engine (being written). ``enrich_plan`` = select clauses and criteria, check, attach findings."""

from __future__ import annotations

from datetime import date

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import LotPlan


def enrich_plan(plan: LotPlan, cat: Catalogue, date_lancement: date | None = None) -> LotPlan:
    """Select clauses and criteria per lot, run every rule, attach the findings (TEMPORARY: identity)."""
    return plan
