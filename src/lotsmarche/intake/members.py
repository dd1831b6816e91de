"""Members of the group as the demand names them: kind inferred from the name, sites from the survey."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lotsmarche.models import MEMBER_KINDS, MemberKind
from lotsmarche.text import fold

# Order matters: "EHPAD de la commune de X" is an EHPAD, "Centre hospitalier" beats "centre".
_KIND_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\bcollege\b", "college"),
    (r"\blycee\b", "lycee"),
    (r"\behpad\b", "ehpad"),
    (r"\b(centre hospitalier|hopital|chu|ch)\b", "hopital"),
    (r"\b(ecole|groupe scolaire)\b", "ecole"),
    (r"\b(creche|multi-accueil|multi accueil|micro-creche)\b", "creche"),
    (r"\b(universite|crous|restaurant universitaire)\b", "universite"),
    (r"\b(esat|ime|mas|fam|foyer|esms|institut medico)\b", "esms"),
    (r"^(commune|mairie|ville)\b|\bville de\b", "commune"),
)

# Spellings a buyer may use for a kind in a "type" column or groupement.yaml.
KIND_ALIASES: dict[str, str] = {k: k for k in MEMBER_KINDS} | {
    "collège": "college",
    "lycée": "lycee",
    "école": "ecole",
    "crèche": "creche",
    "université": "universite",
    "hôpital": "hopital",
    "centre hospitalier": "hopital",
    "établissement social ou médico-social": "esms",
    "etablissement medico-social": "esms",
    "mairie": "commune",
    "ville": "commune",
}
_FOLDED_ALIASES = {fold(k): v for k, v in KIND_ALIASES.items()}


def kind_from_text(text: str) -> str | None:
    """The member kind a ``type`` cell names (``Collège`` → ``college``), or None."""
    return _FOLDED_ALIASES.get(fold(text))


def infer_kind(name: str) -> tuple[MemberKind, bool]:
    """Kind guessed from a member's name; the flag is False when nothing matched (administration)."""
    key = fold(name)
    for pattern, kind in _KIND_PATTERNS:
        if re.search(pattern, key):
            return kind, True  # type: ignore[return-value]
    return "administration", False


@dataclass(frozen=True)
class SiteInfo:
    """What the survey's "Membres" sheet (or groupement.yaml) says about a member's delivery site."""

    membre: str
    type: str | None = None
    site: str | None = None
    code_postal: str | None = None
    commune: str | None = None
