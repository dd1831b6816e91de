"""The legal lint's fast path (rules.lint.fold_text, then a quick search before locating hits) finds
exactly what the full, offset-keeping pass finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lotsmarche.catalogue import load_catalogue
from lotsmarche.rules.lint import LintHit, _compile, fold_text, fold_with_map, lint_text

CAT = load_catalogue()
PIECES = [
    "produits locaux",
    "origine France",
    "département",
    "mission locale",
    "Label Rouge",
    "circuit court",
]
TEXT = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(alphabet="aéE \u00a0\t\n’'\u0301\u00a8\ue000œx-", max_size=8)),
    max_size=8,
).map("".join)


def _full_pass(text: str) -> list[LintHit]:
    """lint_text without its quick search: every pattern located on the folded text."""
    if not text:
        return []
    folded, where = fold_with_map(text)
    hits = []
    for pat in CAT.lint:
        motif, exceptions = _compile(pat.motif, tuple(pat.exceptions))
        lawful = [(m.start(), m.end()) for exc in exceptions for m in exc.finditer(folded)]
        for m in motif.finditer(folded):
            if m.end() == m.start() or any(s <= m.start() and m.end() <= e for s, e in lawful):
                continue
            start, end = where[m.start()], where[m.end() - 1] + 1
            hits.append(
                LintHit(pat.code, text[start:end], pat.libelle, pat.alternative, pat.base_legale, start, end)
            )
    return sorted(hits, key=lambda h: (h.debut, h.code))


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_fold_text_is_fold_with_map_without_offsets(text: str) -> None:
    assert fold_text(text) == fold_with_map(text)[0]


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_quick_search_misses_nothing(text: str) -> None:
    assert lint_text(text, CAT) == _full_pass(text)


def test_clause_texts_of_the_catalogue() -> None:
    for clause in CAT.clauses:
        assert lint_text(clause.texte, CAT) == _full_pass(clause.texte)
    assert lint_text("Produits  LOCAUX\u00a0du département", CAT)
