"""Legal lint: geographic preference in criteria, clauses, lot titles and buyer texts (LIN-xxx).

Patterns (lint.yaml) are matched on accent-folded lower-case text, so « Départemental », « DEPARTEMENTAL »
and « départementaux » are one rule. A hit inside an exception span (a lawful phrasing such as « mission
locale » or « dans les locaux du titulaire ») is not reported. Addresses and member names are never linted.

Lot titles are special: the lot builder names a lot after its delivery zone (« Poissons frais — Boulonnais »).
Saying where to deliver is lawful fine allotment, not a preference about who may bid, so the title is linted
with the lot's own delivery-zone names removed; any other territory name or preference wording still counts.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from dataclasses import dataclass

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.clauses import IDENTITY_KEYS
from lotsmarche.clauses.text import substitute
from lotsmarche.models import Finding, LintPattern, Lot, LotPlan


@dataclass(frozen=True)
class LintHit:
    code: str
    extrait: str  # the offending words, as written in the original text
    libelle: str
    alternative: str
    base_legale: str
    debut: int  # offsets in the original text
    fin: int


_SPACE_MARK = "\ue000"  # a whitespace character, in the translation below (a private-use code point)


class _FoldTable(dict[int, str]):
    """Code point -> its folded text (lower case, accents removed, ’ as '), whitespace -> _SPACE_MARK;
    filled on first use of each character, for ``str.translate``."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch.isspace():
            piece = _SPACE_MARK
        else:
            piece = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            piece = piece.replace("\u2019", "'").lower()
        self[code] = piece
        return piece


_FOLD = _FoldTable()
_SPACE_RUN = re.compile(_SPACE_MARK + "+")


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """Fold like ``lotsmarche.text.fold`` (lower case, no accents, one space) keeping original offsets."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                where.append(i)
            continue
        for c in _FOLD[ord(ch)]:
            out.append(c)
            where.append(i)
    return "".join(out), where


def fold_text(text: str) -> str:
    """``fold_with_map(text)[0]`` without the offsets, in a few passes of C code."""
    if _SPACE_MARK in text:
        return fold_with_map(text)[0]
    folded = text.translate(_FOLD)
    # a run of whitespace is one space, none at the start nor after a space (as fold_with_map does); the
    # character before a maximal run is never a mark
    return _SPACE_RUN.sub(lambda m: " " if m.start() and folded[m.start() - 1] != " " else "", folded)


@functools.lru_cache(maxsize=64)
def _compile(motif: str, exceptions: tuple[str, ...]) -> tuple[re.Pattern[str], tuple[re.Pattern[str], ...]]:
    return re.compile(motif), tuple(re.compile(e) for e in exceptions)


def lint_text(text: str, cat: Catalogue, patterns: list[LintPattern] | None = None) -> list[LintHit]:
    """Every geographic-preference phrasing found in ``text`` (sorted by position, then code)."""
    if not text:
        return []
    chosen = patterns if patterns is not None else cat.lint
    compiled = [_compile(pat.motif, tuple(pat.exceptions)) for pat in chosen]
    quick = fold_text(text)
    if not any(motif.search(quick) for motif, _exceptions in compiled):
        return []  # most texts: no pattern matches at all, nothing to locate
    folded, where = fold_with_map(text)
    hits: list[LintHit] = []
    for pat, (motif, exceptions) in zip(chosen, compiled, strict=True):
        lawful = [(m.start(), m.end()) for exc in exceptions for m in exc.finditer(folded)]
        for m in motif.finditer(folded):
            if m.end() == m.start():
                continue
            if any(s <= m.start() and m.end() <= e for s, e in lawful):
                continue
            start, end = where[m.start()], where[m.end() - 1] + 1
            hits.append(
                LintHit(pat.code, text[start:end], pat.libelle, pat.alternative, pat.base_legale, start, end)
            )
    return sorted(hits, key=lambda h: (h.debut, h.code))


def _strip_zones(title: str, zones: list[str]) -> str:
    """The title without the lot's own delivery-zone names (case and accents ignored)."""
    out = title
    for zone in sorted(zones, key=len, reverse=True):
        if not zone:
            continue
        folded_title, where = fold_with_map(out)
        folded_zone = fold_with_map(zone)[0]
        pieces: list[str] = []
        last = 0
        for m in re.finditer(re.escape(folded_zone), folded_title):
            start, end = where[m.start()], where[m.end() - 1] + 1
            pieces.append(out[last:start])
            pieces.append(" " * (end - start))
            last = end
        pieces.append(out[last:])
        out = "".join(pieces)
    return out


def _finding(hit: LintHit, where: str, lot: int | None) -> Finding:
    return Finding(
        code=hit.code,
        severite="erreur",
        message=f"{where} contient « {hit.extrait} » : {hit.libelle}. La préférence géographique est "
        "interdite.",
        base_legale=hit.base_legale,
        lot=lot,
        correction=hit.alternative,
    )


def lint_lot(lot: Lot, cat: Catalogue, plan: LotPlan) -> list[Finding]:
    """Lint a lot's title, award criteria and selected clause texts (parameters included)."""
    out: list[Finding] = []
    for hit in lint_text(_strip_zones(lot.intitule, lot.territoires), cat):
        quoted = dataclasses.replace(hit, extrait=lot.intitule[hit.debut : hit.fin])
        out.append(_finding(quoted, f"L'intitulé du lot {lot.numero} « {lot.intitule} »", lot.numero))
    for crit in lot.criteres:
        for text in (crit.libelle, *crit.sous_criteres):
            for hit in lint_text(text, cat):
                out.append(_finding(hit, f"Le critère « {crit.libelle} » (« {text} »)", lot.numero))
    by_id = {c.id: c for c in cat.clauses}
    for sel in lot.clauses:
        clause = by_id.get(sel.id)
        if clause is None:
            continue
        # Identity placeholders (titles, group name) and the buyer's parameter overrides are linted once, on
        # their own (see lint_plan); lot numbers and amounts are harmless. So the clause is linted with its
        # catalogue parameters only, other placeholders blanked.
        text = substitute(clause.texte, clause.parametres)[0]
        for key in IDENTITY_KEYS:
            text = text.replace("{" + key + "}", " ")
        for hit in lint_text(text, cat):
            out.append(_finding(hit, f"Le texte de la clause {sel.id} « {sel.titre} »", lot.numero))
    return out


def lint_plan(plan: LotPlan, cat: Catalogue) -> list[Finding]:
    """Lint every lot and the buyer's own texts of groupement.yaml (objet, motivations, parameters)."""
    out: list[Finding] = []
    for lot in plan.lots:
        out.extend(lint_lot(lot, cat, plan))
    g = plan.groupement
    buyer_texts: list[tuple[str, str]] = [("L'objet du marché (groupement.yaml, objet)", g.objet)]
    if plan.justification_non_allotissement:
        buyer_texts.append(("La motivation du non-allotissement", plan.justification_non_allotissement))
    if g.exception_condition_sociale:
        buyer_texts.append(
            (
                "La motivation de l'exception à la condition sociale (exception_condition_sociale)",
                g.exception_condition_sociale,
            )
        )
    for ident, params in sorted(g.clauses.parametres.items()):
        for name, value in sorted(params.items()):
            if isinstance(value, str):
                buyer_texts.append(
                    (f"Le paramètre clauses.parametres.{ident}.{name} de groupement.yaml", value)
                )
    for where, text in buyer_texts:
        out.extend(_finding(hit, where, None) for hit in lint_text(text, cat))
    return out
