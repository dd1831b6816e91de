"""Valuation of the lots and the procedures they trigger (pure functions, no I/O).

The law compares the *whole* need with the thresholds (R2121-1, R2121-8: the maximum of an accord-cadre over
its total duration, renewals included, summed over every lot); only then may single lots escape the overall
procedure through the "petits lots" allowance (R2123-1 2°) or as "mini-lots" without publicity (R2122-8),
both within 20 % of the total. Comparisons are exactly the texts': "inférieur à" is a strict ``<``, "égal ou
supérieur" is ``>=``. Every threshold comes from the dated row of ``seuils.yaml`` for the launch date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from lotsmarche.models import (
    Derogation,
    Finding,
    ProcedureCode,
    ProcedureGlobale,
    ProcedureLot,
    Publicite,
    ThresholdRow,
    ThresholdValue,
    UsagePetitsLots,
)
from lotsmarche.money import ceil_cents, pct, round_cents
from lotsmarche.money import eur as money_eur
from lotsmarche.text import date_fr

PROCEDURE_LIBELLES: dict[str, str] = {
    "dispense": "Marché sans publicité ni mise en concurrence préalables",
    "mapa": "Procédure adaptée (MAPA)",
    "appel_offres": "Appel d'offres ouvert",
}
PUBLICITE_LIBELLES: dict[str, str] = {
    "libre": "aucune publicité obligatoire",
    "adaptee": "publicité adaptée, librement choisie",
    "boamp_jal": "avis au BOAMP ou dans un journal d'annonces légales",
    "joue": "avis au JOUE et au BOAMP",
}
ACHETEUR_LIBELLES: dict[str, str] = {
    "local": "pouvoirs adjudicateurs autres que l'État",
    "central": "autorités publiques centrales",
    "entite_adjudicatrice": "entités adjudicatrices",
}
PART_SCALE = Decimal("0.0001")


def eur(value: Decimal) -> str:
    """French amount for messages: ``216 000,00 € HT``."""
    return money_eur(value, ht=True)


# ---------------------------------------------------------------------------------------------
# Amounts of one lot
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LotValue:
    annuel: Decimal
    estime: Decimal  # over the whole duration, renewals included
    minimum: Decimal | None
    maximum: Decimal


def estimate_over_duration(annual: Decimal, duree_mois: int) -> Decimal:
    """Yearly amount scaled to the total duration (R2121-1: renewals included), rounded to the cent."""
    return round_cents(annual * Decimal(duree_mois) / Decimal(12))


def maximum_of(estimate: Decimal, marge_maximum: Decimal) -> Decimal:
    """Accord-cadre maximum (R2162-4): estimate plus a margin, rounded *up* so it never falls below it."""
    return max(ceil_cents(estimate * (Decimal(1) + marge_maximum)), estimate)


def minimum_of(estimate: Decimal, part_minimum: Decimal | None) -> Decimal | None:
    """Optional accord-cadre minimum as a share of the estimate (None: maximum only, R2162-4)."""
    if part_minimum is None:
        return None
    return round_cents(estimate * part_minimum)


def value_lot(
    annual: Decimal, duree_mois: int, marge_maximum: Decimal, part_minimum: Decimal | None
) -> LotValue:
    estime = estimate_over_duration(annual, duree_mois)
    return LotValue(annual, estime, minimum_of(estime, part_minimum), maximum_of(estime, marge_maximum))


# ---------------------------------------------------------------------------------------------
# Overall procedure
# ---------------------------------------------------------------------------------------------


def eu_threshold(row: ThresholdRow, acheteur: str) -> ThresholdValue:
    """EU threshold for supplies that applies to this kind of buyer."""
    if acheteur == "central":
        return row.formalise_central
    if acheteur == "entite_adjudicatrice":
        return row.formalise_entite_adjudicatrice
    return row.formalise_local


def procedure_code_for(total: Decimal, row: ThresholdRow, acheteur: str) -> ProcedureCode:
    """Procedure decided by the value of the whole need: ``>=`` EU threshold formal, ``<`` dispense free."""
    if total >= eu_threshold(row, acheteur).montant:
        return "appel_offres"
    if total < row.dispense.montant:
        return "dispense"
    return "mapa"


def mapa_publicite(value: Decimal, row: ThresholdRow) -> Publicite:
    """Publicity of a MAPA (R2131-12): free form below the BOAMP threshold, BOAMP or JAL at or above."""
    return "boamp_jal" if value >= row.publicite_boamp.montant else "adaptee"


def procedure_for(total: Decimal, row: ThresholdRow, acheteur: str) -> ProcedureGlobale:
    """The overall procedure of the consultation, with its reasons in French."""
    seuil = eu_threshold(row, acheteur)
    code = procedure_code_for(total, row, acheteur)
    motifs = [
        f"Valeur estimée du besoin : {eur(total)}, somme des montants maximums de tous les lots sur toute "
        "la durée de l'accord-cadre, reconductions comprises (Code de la commande publique, art. R2121-1 "
        f"et R2121-8), comparée aux seuils en vigueur à la date de lancement "
        f"({_period(row)}).",
    ]
    publicite: Publicite
    if code == "appel_offres":
        publicite = "joue"
        motifs.append(
            f"Cette valeur est égale ou supérieure au seuil européen de {eur(seuil.montant)} applicable aux "
            f"{ACHETEUR_LIBELLES.get(acheteur, acheteur)} ({seuil.base_legale}) : procédure formalisée, "
            "appel d'offres ouvert (art. L2124-2 et R2124-1), avis publié au JOUE et au BOAMP "
            "(art. R2131-16)."
        )
    elif code == "dispense":
        publicite = "libre"
        motifs.append(
            f"Cette valeur est inférieure au seuil de {eur(row.dispense.montant)} "
            f"({row.dispense.base_legale}) : "
            "marché possible sans publicité ni mise en concurrence préalables ; l'acheteur choisit une offre "
            "pertinente, utilise bien les deniers publics et ne contracte pas systématiquement avec le même "
            "fournisseur lorsque plusieurs offres sont possibles."
        )
    else:
        publicite = mapa_publicite(total, row)
        motifs.append(
            f"Cette valeur est inférieure au seuil européen de {eur(seuil.montant)} ({seuil.base_legale}) : "
            "procédure adaptée (art. L2123-1 et R2123-1 1°)."
        )
        motifs.append(_mapa_publicity_sentence(total, row, publicite))
    return ProcedureGlobale(
        code=code,
        libelle=PROCEDURE_LIBELLES[code],
        publicite=publicite,
        motifs=motifs,
        seuil_applique=seuil.montant,
    )


def _period(row: ThresholdRow) -> str:
    """« seuils applicables du 1er avril 2026 au 31 décembre 2027 » (no internal row id in published text)."""

    return f"seuils applicables du {date_fr(row.du)} au {date_fr(row.au)}"


def _mapa_publicity_sentence(value: Decimal, row: ThresholdRow, publicite: Publicite) -> str:
    seuil = eur(row.publicite_boamp.montant)
    if publicite == "boamp_jal":
        return (
            f"Valeur égale ou supérieure à {seuil} : avis d'appel public à la concurrence au BOAMP ou "
            f"dans un journal d'annonces légales ({row.publicite_boamp.base_legale})."
        )
    return (
        f"Valeur inférieure à {seuil} : publicité adaptée, librement choisie selon le montant et l'objet "
        f"({row.publicite_boamp.base_legale})."
    )


# ---------------------------------------------------------------------------------------------
# Small-lot allowance
# ---------------------------------------------------------------------------------------------

# Articles of the Code de la commande publique each lot cites for its own procedure (RC, CCAP, AE): the
# procedure of the whole, or the allowance the lot uses. R2123-5 (negotiation) belongs to MAPA lots only.
ARTICLES: dict[str, tuple[str, ...]] = {
    "appel_offres": ("L2124-2", "R2124-2", "R2161-2 à R2161-5"),
    "mapa": ("L2123-1", "R2123-1 1°", "R2123-4", "R2123-5"),
    "dispense": ("R2122-8",),
    "petit_lot": ("L2123-1", "R2123-1 2°", "R2123-4", "R2123-5"),
    "mini_lot": ("R2122-8",),
}


def articles_for(code: ProcedureCode, derogation: Derogation | None) -> list[str]:
    """Articles of a lot's procedure: its allowance's when it uses one, else the overall procedure's."""
    return list(ARTICLES[derogation or code])


def eligible_derogation(
    maximum: Decimal, row: ThresholdRow, overall: ProcedureCode, usage: UsagePetitsLots = "aucun"
) -> Derogation | None:
    """The allowance a lot may use under the buyer's choice ``usage`` (groupement.yaml « petits_lots »).

    ``mapa``: petits lots (``< petit_lot``) in MAPA within the same notice, only inside a formal procedure
    (R2123-1 2°). ``hors_consultation``: lots ``< mini_lot`` taken out of the consultation and awarded
    without publicity (R2122-8), never inside the notice. ``aucun``: none. Under an overall dispense no lot
    needs one.
    """
    if overall == "dispense" or usage == "aucun":
        return None
    if usage == "hors_consultation":
        return "mini_lot" if maximum < row.mini_lot.montant else None
    if overall == "appel_offres" and maximum < row.petit_lot.montant:
        return "petit_lot"
    return None


def allowance_cap(total: Decimal, row: ThresholdRow) -> Decimal:
    """Most the lots using an allowance may weigh together (20 % of the total, cumulated, ``<=``)."""
    return total * row.part_max_petits_lots.montant


def allocate_derogations(
    maxima: Mapping[int, Decimal],
    row: ThresholdRow,
    overall: ProcedureCode,
    usage: UsagePetitsLots = "aucun",
) -> tuple[dict[int, Derogation], list[int]]:
    """Choose the lots that use the allowance so that as many lots as possible benefit.

    Taking eligible lots by increasing maximum (ties by lot number) while the cumulated maxima stay within
    20 % of the total maximises the *number* of lots served: any other choice of the same size weighs at least
    as much. Returns (lot number -> derogation, eligible lots left out because the cap is reached).
    """
    total = sum(maxima.values(), Decimal(0))
    cap = allowance_cap(total, row)
    eligible = sorted(
        (
            (m, n, kind)
            for n, m in maxima.items()
            if (kind := eligible_derogation(m, row, overall, usage)) is not None
        ),
        key=lambda t: (t[0], t[1]),
    )
    chosen: dict[int, Derogation] = {}
    left_out: list[int] = []
    used = Decimal(0)
    for maximum, numero, kind in eligible:
        if used + maximum <= cap:
            used += maximum
            chosen[numero] = kind
        else:
            left_out.append(numero)
    return chosen, sorted(left_out)


def part_of(maxima: Mapping[int, Decimal], numeros: list[int] | set[int] | dict[int, Derogation]) -> Decimal:
    """Share of the total weighed by the given lots, to 4 decimals."""
    total = sum(maxima.values(), Decimal(0))
    if total == 0:
        return Decimal("0.0000")
    used = sum((maxima[n] for n in numeros), Decimal(0))
    return (used / total).quantize(PART_SCALE)


# ---------------------------------------------------------------------------------------------
# Procedure of each lot
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcedureOutcome:
    globale: ProcedureGlobale
    lots: dict[int, ProcedureLot]
    part_derogations: Decimal
    findings: list[Finding]


def lot_procedure(
    maximum: Decimal,
    *,
    derogation: Derogation | None,
    globale: ProcedureGlobale,
    row: ThresholdRow,
    part: Decimal,
    left_out: bool = False,
) -> ProcedureLot:
    """Procedure of one lot given the overall procedure and the allowance chosen for it."""
    cap = pct(row.part_max_petits_lots.montant)
    if derogation == "mini_lot":
        return ProcedureLot(
            code="dispense",
            libelle=PROCEDURE_LIBELLES["dispense"] + ", hors de la consultation",
            publicite="libre",
            derogation="mini_lot",
            articles=articles_for("dispense", "mini_lot"),
            hors_consultation=True,
            motifs=[
                f"Montant maximum du lot ({eur(maximum)}) inférieur à {eur(row.mini_lot.montant)} : lot "
                "retiré de la consultation et attribué séparément sans publicité ni mise en concurrence "
                f"préalables ({row.mini_lot.base_legale}), les lots ainsi retirés pesant ensemble "
                f"{pct(part)} de la valeur totale (au plus {cap}). Il ne figure ni dans l'avis ni dans "
                "les pièces de la consultation : voir la note des lots hors consultation.",
                "L'acheteur choisit une offre pertinente, fait une bonne utilisation des deniers publics et "
                "ne contracte pas systématiquement avec le même fournisseur lorsque plusieurs offres sont "
                "susceptibles de répondre au besoin : demandez plusieurs devis.",
            ],
        )
    if derogation == "petit_lot":
        return ProcedureLot(
            code="mapa",
            libelle=PROCEDURE_LIBELLES["mapa"] + " (petit lot)",
            publicite=mapa_publicite(maximum, row),
            derogation="petit_lot",
            articles=articles_for("mapa", "petit_lot"),
            motifs=[
                f"Montant maximum du lot ({eur(maximum)}) inférieur à {eur(row.petit_lot.montant)} : lot "
                f"passé en procédure adaptée au titre des petits lots ({row.petit_lot.base_legale}), "
                f"les petits lots pesant ensemble {pct(part)} de la valeur totale (au plus {cap}). Il "
                "figure dans le même avis que les autres lots.",
                _mapa_publicity_sentence(maximum, row, mapa_publicite(maximum, row)),
            ],
        )
    motifs = [f"Lot passé selon la procédure de l'ensemble de la consultation : {globale.libelle.lower()}."]
    if globale.code == "appel_offres":
        motifs[0] = (
            "Lot passé selon la procédure de l'ensemble : appel d'offres ouvert, car c'est la valeur totale "
            "de tous les lots qui est comparée au seuil européen (art. R2121-1)."
        )
    if left_out:
        motifs.append(
            f"Ce lot pourrait bénéficier d'une dérogation par son montant, mais le plafond de {cap} de la "
            "valeur totale est atteint par les lots de montant inférieur, retenus en priorité."
        )
    return ProcedureLot(
        code=globale.code,
        libelle=globale.libelle,
        publicite=globale.publicite,
        derogation=None,
        articles=articles_for(globale.code, None),
        motifs=motifs,
    )


def procedures_for_lots(
    maxima: Mapping[int, Decimal], row: ThresholdRow, acheteur: str, usage: UsagePetitsLots = "aucun"
) -> ProcedureOutcome:
    """Overall procedure from the total of the lot maxima, then the allowance and each lot's procedure."""
    total = sum(maxima.values(), Decimal(0))
    globale = procedure_for(total, row, acheteur)
    chosen, left_out = allocate_derogations(maxima, row, globale.code, usage)
    part = part_of(maxima, chosen)
    lots = {
        n: lot_procedure(
            m, derogation=chosen.get(n), globale=globale, row=row, part=part, left_out=n in left_out
        )
        for n, m in sorted(maxima.items())
    }
    findings: list[Finding] = []
    if chosen or left_out:
        findings.append(_allowance_finding(maxima, chosen, left_out, part, row))
    elif usage == "aucun":
        unused = _unused_allowance(maxima, row, globale.code)
        if unused is not None:
            findings.append(unused)
    return ProcedureOutcome(globale, lots, part, findings)


def _unused_allowance(
    maxima: Mapping[int, Decimal], row: ThresholdRow, overall: ProcedureCode
) -> Finding | None:
    """VAL-002: the buyer kept every lot in the main procedure; say which lots could use an allowance."""
    options: list[str] = []
    choices: tuple[tuple[UsagePetitsLots, str], ...] = (
        ("mapa", "en procédure adaptée dans le même avis (« petits_lots: mapa », R2123-1 2°)"),
        (
            "hors_consultation",
            "hors de la consultation, sans publicité (« petits_lots: hors_consultation », R2122-8)",
        ),
    )
    for usage, text in choices:
        chosen, _ = allocate_derogations(maxima, row, overall, usage)
        if chosen:
            options.append(f"{_lots_text(sorted(chosen))} {text}")
    if not options:
        return None
    return Finding(
        code="VAL-002",
        severite="info",
        message="Tous les lots suivent la procédure de l'ensemble (groupement.yaml : « petits_lots: aucun », "
        "valeur par défaut). Pourraient y déroger : " + " ; ou ".join(options) + ".",
        base_legale="Code de la commande publique, art. R2122-8 et R2123-1 2°",
        correction=None,
    )


def _lots_text(numeros: list[int]) -> str:
    names = [str(n) for n in numeros]
    if len(names) == 1:
        return f"le lot {names[0]}"
    return "les lots " + ", ".join(names[:-1]) + " et " + names[-1]


def _allowance_finding(
    maxima: Mapping[int, Decimal],
    chosen: dict[int, Derogation],
    left_out: list[int],
    part: Decimal,
    row: ThresholdRow,
) -> Finding:
    cap = pct(row.part_max_petits_lots.montant)
    parts: list[str] = []
    mini = sorted(n for n, d in chosen.items() if d == "mini_lot")
    petits = sorted(n for n, d in chosen.items() if d == "petit_lot")
    if mini:
        parts.append(
            f"{_lots_text(mini)} retiré{'s' if len(mini) > 1 else ''} de la consultation, sans publicité ni "
            "mise en concurrence (R2122-8)"
        )
    if petits:
        parts.append(f"{_lots_text(petits)} en procédure adaptée (petits lots, R2123-1 2°)")
    if chosen:
        used = sum((maxima[n] for n in chosen), Decimal(0))
        message = (
            "Dérogation pour les lots de faible montant : "
            + " ; ".join(parts)
            + f". Ensemble : {eur(used)}, soit {pct(part)} de la valeur totale (plafond {cap}). Les lots "
            "éligibles sont retenus par montant croissant, ce qui fait bénéficier le plus grand nombre "
            "de lots."
        )
    else:
        message = (
            f"Aucun lot ne peut utiliser la dérogation pour les lots de faible montant sans dépasser {cap}."
        )
    if left_out:
        message += f" Non retenus faute de place dans le plafond : {_lots_text(left_out)}."
    return Finding(
        code="VAL-001",
        severite="info",
        message=message,
        base_legale="Code de la commande publique, art. R2122-8 et R2123-1 2°",
        correction=None,
    )
