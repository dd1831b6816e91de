"""GEO-001: how a member's commune written as a postcode (or a former commune) was read; the
departments where a plan is executed (its delivery sites), for the competent court.

load_groupement resolves each member's ``commune`` into ``Member.insee`` and stops on what it cannot decide;
this rule reports, as information, the readings a buyer should know about: a 5-digit value taken as a
postcode although it is also another commune's INSEE code, a postcode shared by several communes decided
by the member's name, a former commune's name or code leading to the commune nouvelle. It works from
the plan alone (lots.json), so ``check`` on a written plan reports it.
"""

from __future__ import annotations

from lotsmarche.catalogue.communes import name_key
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
        if not any(ch.isdigit() for ch in m.commune) and name_key(m.commune) == name_key(
            cat.geo.rows[m.insee].nom
        ):
            continue  # the commune's own name: nothing to report (and no name index to build)
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


def departements_execution(plan: LotPlan, cat: Catalogue) -> list[str]:
    """Departments of the plan's place of execution: those of its delivery sites, the most sites first
    (then by code); the group's department (``departement_principal``) when no site is known.

    The competent administrative court is the one of the place of execution (CJA, art. R312-11): a
    caller maps the first department to its court and may list the others.
    """
    counts: dict[str, int] = {}
    seen: set[tuple[str, str, str]] = set()
    for lot in plan.lots:
        for site in lot.sites:
            key = (site.membre, site.site, site.code_postal)
            if key in seen:
                continue
            seen.add(key)
            for dep in cat.departements_du_code_postal(site.code_postal):
                counts[dep] = counts.get(dep, 0) + 1
    if counts:
        return sorted(counts, key=lambda d: (-counts[d], d))
    principal = plan.groupement.departement_principal
    return [principal] if principal else []
