"""The CCAP states every execution condition of every lot, whatever document the library files it under."""

from __future__ import annotations

from pathlib import Path

import docx

from lotsmarche.catalogue import load_catalogue
from lotsmarche.pipeline import plan_lots
from lotsmarche.render.dce import render_dce


def test_ccap_lists_each_lots_execution_conditions(tmp_path: Path) -> None:
    plan, _ = plan_lots([])
    render_dce(plan, load_catalogue(), tmp_path / "DCE")
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "DCE" / "01_CCAP.docx")).paragraphs)
    section = text[text.index("Conditions d'exécution et clauses particulières") :]
    for lot in plan.lots:
        start = section.index(f"Lot {lot.numero} — {lot.intitule}")
        following = [f"Lot {n.numero} — {n.intitule}" for n in plan.lots if n.numero == lot.numero + 1]
        end = section.index(following[0], start) if following else len(section)
        block = section[start:end]
        conditions = [c for c in lot.clauses if c.condition_execution]
        assert any(c.type == "environnementale" for c in conditions)  # Climate law, launch 2027-09-06
        for clause in conditions:
            assert clause.titre in block, (lot.numero, clause.id)
