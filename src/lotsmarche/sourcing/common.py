"""What the two layouts of the sourcing share: answer vocabularies, value parsers and label expiry.

A sourcing file is either the CSV/XLSX table (one row per supplier, ``csvfile``) or a filled supplier
questionnaire (``answers``). Both end in the same :class:`Supplier`, checked by the same rules here, so that
``sourcing merge`` can write a CSV that reads back into the very same suppliers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.errors import ProblemCollector
from lotsmarche.intake.values import Fixed, parse_fixed
from lotsmarche.models import Finding, Severity
from lotsmarche.text import MOIS_FR, de_mois, fold, month_runs

HEADLINE = "Fichier de sourçage invalide"
SOURCING_BASIS = "Code de la commande publique, art. R2111-1 (sourçage : études et échanges préalables)"

MONTHS = MOIS_FR  # January first
VOLUME_DECIMALS = 3  # as the demand's quantities

# Kinds of business a buyer meets in a food supply chain: code (stored) -> what the questionnaire shows.
SUPPLIER_KINDS: dict[str, str] = {
    "mareyeur": "Mareyeur",
    "pecheur_vente_directe": "Pêcheur en vente directe",
    "conchyliculteur": "Conchyliculteur (moules, huîtres)",
    "fumaison": "Fumaison, saurisserie",
    "conserverie": "Conserverie",
    "transformateur": "Autre transformateur",
    "producteur": "Producteur agricole",
    "cooperative": "Coopérative ou groupement de producteurs",
    "grossiste_regional": "Grossiste régional",
    "grossiste_surgeles": "Grossiste en surgelés",
    "autre": "Autre",
}
# How the supplier would bid (Supplier.candidature).
CANDIDATURES: dict[str, str] = {
    "seul": "Seul",
    "groupement": "En groupement avec d'autres entreprises",
    "seul_ou_groupement": "Seul ou en groupement",
}
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi")
FREQUENCIES = (
    "1 par semaine",
    "2 par semaine",
    "3 par semaine",
    "4 par semaine",
    "5 par semaine",
    "tous les jours ouvrés",
    "sur commande",
)
YES = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
NO = {"non", "n", "no", "faux", "false", "0", ""}
_SIRET = re.compile(r"\d{14}")
_DATE_FR = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass
class Reading:
    """The state shared by every file of one reading: problems (errors) and findings (the rest)."""

    cat: Catalogue
    reference: date | None  # date a label must still be valid on (launch date, else today)
    reference_text: str = "date de référence"
    problems: ProblemCollector = field(default_factory=lambda: ProblemCollector(limit=1_000_000))
    findings: list[Finding] = field(default_factory=list)

    def note(self, code: str, severite: Severity, message: str, correction: str | None = None) -> None:
        self.findings.append(
            Finding(
                code=code,
                severite=severite,
                message=message,
                base_legale=SOURCING_BASIS,
                correction=correction,
            )
        )


def choice(text: str, options: dict[str, str]) -> str | None:
    """The code of an answer written as the code or as its label (case and accents ignored)."""
    key = fold(text)
    for code, label in options.items():
        if key in (fold(code), fold(label)):
            return code
    return None


def yes_no(text: str) -> bool | None:
    """True for oui, False for non or blank, None for anything else."""
    v = fold(text)
    if v in YES:
        return True
    if v in NO:
        return False
    return None


def amount(text: str, what: str, decimals: int = 2) -> Decimal | str:
    """A non-negative amount written the French way (« 1 200,5 »), or a French message."""
    r = parse_fixed(text, decimals, what)
    if isinstance(r, str):
        return r
    return Decimal(r.units) / Decimal(10**decimals)


def volume(text: str) -> Decimal | str:
    r = parse_fixed(text, VOLUME_DECIMALS, "volume")
    return Decimal(r.units) / Decimal(10**VOLUME_DECIMALS) if isinstance(r, Fixed) else r


def siret_error(text: str) -> str | None:
    """Why a SIRET is not one (14 digits, Luhn key; La Poste's establishments excepted), or None."""
    digits = "".join(text.split())
    if not _SIRET.fullmatch(digits):
        return f"« {text} » : 14 chiffres attendus"
    if digits.startswith("356000000"):  # La Poste: the sum of the digits is a multiple of 5
        return None if sum(map(int, digits)) % 5 == 0 else f"« {text} » : clé de contrôle invalide"
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return None if total % 10 == 0 else f"« {text} » : clé de contrôle invalide (chiffre mal recopié ?)"


def parse_date(text: str) -> date | None:
    """A date written JJ/MM/AAAA or AAAA-MM-JJ (what a spreadsheet date cell reads as); None otherwise."""
    text = text.strip()[:10] if _DATE_ISO.match(text.strip()) else text.strip()
    m = _DATE_ISO.fullmatch(text)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = _DATE_FR.fullmatch(text)
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None


def date_fr(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def counted_labels(
    reading: Reading, nom: str, where: str, held: list[str], echeances: dict[str, date]
) -> list[str]:
    """The labels of ``held`` still valid on the reference date; a finding (SRC-004) for each other one.

    A certificate past its expiry date, or a label whose scheme ends before the reference date in the
    catalogue (HVE level 2), is not counted: the sourcing would otherwise promise an EGALIM share no bidder
    could prove at the launch."""
    if reading.reference is None:
        return held
    kept: list[str] = []
    for code in held:
        label = reading.cat.labels.get(code)
        expiry = echeances.get(code)
        scheme_end = label.valide_jusqu_au if label is not None else None
        if expiry is not None and expiry < reading.reference:
            why = f"certificat échu le {date_fr(expiry)}"
        elif scheme_end is not None and scheme_end < reading.reference:
            why = f"mention reconnue jusqu'au {date_fr(scheme_end)} seulement (catalogue des labels)"
        else:
            kept.append(code)
            continue
        reading.note(
            "SRC-004",
            "avertissement",
            f"Fournisseur « {nom} » ({where}) : label {code} non compté, {why}, avant la "
            f"{reading.reference_text} du {date_fr(reading.reference)}.",
            "Demander au fournisseur son certificat renouvelé, puis corriger la date d'échéance.",
        )
    return kept


def months_text(months: set[int] | list[int]) -> str:
    """French month ranges, wrapping over the new year: {11, 12, 1, 2} → « de novembre à février »."""
    chosen = set(months)
    if not chosen:
        return "aucun mois"
    if len(chosen) == len(MONTHS):
        return "toute l'année"
    return ", ".join(
        MONTHS[a - 1] if a == b else f"{de_mois(a)} à {MONTHS[b - 1]}" for a, b in month_runs(chosen)
    )
