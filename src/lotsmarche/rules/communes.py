"""GEO-001: how a member's commune written as a postcode was read (official geographic code).

load_groupement resolves each member's ``commune`` into ``Member.insee`` and stops on what it cannot decide;
this rule reports, as information, the readings a buyer should know about: a 5-digit value taken as a
postcode although it is also another commune's INSEE code, or a postcode shared by several communes decided
by the member's name. It works from the plan alone (lots.json), so ``check`` on a written plan reports it.
"""

from __future__ import annotations

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.models import Finding, LotPlan

BASE = (
    "Code officiel géographique (INSEE) et base officielle des codes postaux (La Poste), paquet "
    "@etalab/decoupage-administratif"
)


def check_communes(plan: LotPlan, cat: Catalogue) -> list[Finding]:
    g = plan.groupement
    departements = [g.departement] if g.departement else g.departements
    out: list[Finding] = []
    for i, m in enumerate(g.membres, start=1):
        if not m.commune or not m.insee:
            continue
        r = cat.trouver_commune(m.commune, indice=m.nom, departements=departements)
        if r.note is None or r.code != m.insee:
            continue
        out.append(
            Finding(
                code="GEO-001",
                severite="info",
                message=f"Membre « {m.nom} » (membres[{i}].commune) : {r.note}.",
                base_legale=BASE,
                correction=(
                    "Si une autre commune était visée, indiquez son nom ou son code INSEE (champ « insee » "
                    "du membre dans groupement.yaml)."
                ),
                membre=m.nom,
            )
        )
    return out
