"""The CCAP states every execution condition of every lot, whatever document the library files it under."""

from __future__ import annotations

import re
from pathlib import Path

import docx

from lotsmarche.catalogue import load_catalogue
from lotsmarche.pipeline import plan_lots
from lotsmarche.render.dce import render_dce


def test_ccap_lists_each_lots_execution_conditions(tmp_path: Path) -> None:
    plan, _ = plan_lots([])
    render_dce(plan, load_catalogue(), tmp_path / "DCE")
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "DCE" / "01_CCAP.docx")).paragraphs)
    # the last occurrence: the first one is the entry of the filled table of contents
    section = text[text.rindex("Conditions d'exécution et clauses particulières") :]
    paragraphs = [p for p in section.split("\n") if p]
    for lot in plan.lots:
        conditions = [c for c in lot.clauses if c.condition_execution]
        assert any(c.type == "environnementale" for c in conditions)  # Climate law, launch 2027-09-06
        for clause in conditions:
            # stated once for the lots sharing its wording: without a list of lots when it is every lot
            stated = [p for p in paragraphs if p.startswith(clause.titre) and clause.texte[:60] in p]
            assert len(stated) == 1, (lot.numero, clause.id)
            head = stated[0][len(clause.titre) :].split(".", 1)[0]
            assert head == "" or re.search(rf"\b{lot.numero}\b", head), (lot.numero, clause.id, head)
