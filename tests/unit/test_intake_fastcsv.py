"""The fast CSV path (pyarrow) gives exactly what the exact path (pandas' parser) gives, or steps aside."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from lotsmarche.errors import InputError
from lotsmarche.intake import fastcsv
from lotsmarche.intake.reader import read_demand
from lotsmarche.models import Groupement

HEADER = "membre;site_livraison;code_postal;produit;quantite;unite;prix_unitaire_ht;mois"


def _rows(cat, n: int = 30) -> list[str]:  # type: ignore[no-untyped-def]
    codes = sorted(c for c, p in cat.produits.items() if p.unite == "kg")[:7]
    postcodes = ["62200", "62100", "59000", "01000"]
    months = ("", "1,2,3", "janv-mars", "toute l'année")
    out = []
    for i in range(n):
        member = f"Collège n° {i % 4}" if i % 5 else f"EHPAD {i % 3}"
        price = f"{i % 9 + 1},{i % 100:02d}" if i % 3 == 0 else ""
        out.append(
            f"{member};{member} – site {i % 2};{postcodes[i % 4]};{codes[i % 7]};{i + 1},{i % 1000:03d};kg;"
            f"{price};{months[i % 4]}"
        )
    return out


def _both(path: Path, monkeypatch: pytest.MonkeyPatch, cat) -> tuple[object, object]:  # type: ignore[no-untyped-def]
    """read_demand through the fast path, then through the exact path: each a Demand or an InputError."""
    results = []
    for enabled in (True, False):
        monkeypatch.setattr(fastcsv, "ENABLED", enabled)
        try:
            results.append(read_demand([path], cat, Groupement()))
        except InputError as exc:
            results.append(exc)
    return results[0], results[1]


def _same(fast: object, exact: object) -> None:
    assert type(fast) is type(exact)
    if isinstance(fast, InputError):
        assert isinstance(exact, InputError)
        assert [p.render() for p in fast.problems] == [p.render() for p in exact.problems]
        return
    pd.testing.assert_frame_equal(fast.table, exact.table)  # type: ignore[attr-defined]
    assert fast.empreinte == exact.empreinte  # type: ignore[attr-defined]
    assert fast.avertissements == exact.avertissements  # type: ignore[attr-defined]
    assert fast.membres == exact.membres  # type: ignore[attr-defined]


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    taken: list[bool] = []
    real = fastcsv.read_columns

    def spy(*args: object) -> object:
        found = real(*args)  # type: ignore[arg-type]
        taken.append(found is not None)
        return found

    monkeypatch.setattr(fastcsv, "read_columns", spy)
    return taken


def test_clean_file_takes_the_fast_path_and_matches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalogue
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "demande.csv"
    path.write_text("\n".join([HEADER, *_rows(catalogue)]) + "\n", encoding="utf-8")
    taken = _spy(monkeypatch)
    fast, exact = _both(path, monkeypatch, catalogue)
    assert taken[0]
    _same(fast, exact)
    assert len(fast.table) == 30  # type: ignore[attr-defined]
    for column in ("membre", "site_livraison", "produit", "territoire", "fichier", "code_postal"):
        assert isinstance(fast.table[column].dtype, pd.CategoricalDtype)  # type: ignore[attr-defined]
    assert fast.table["quantite_milli"].dtype == "int64"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "fast_path", "text"),
    [
        ("crlf", True, lambda rows: "\r\n".join([HEADER, *rows]) + "\r\n"),
        ("cr-only", True, lambda rows: "\r".join([HEADER, *rows])),
        (
            "bom-and-titles",
            True,
            lambda rows: "\ufeffRecensement 2027;;;\nGroupement du Boulonnais\n" + "\n".join([HEADER, *rows]),
        ),
        (
            "spaces",
            True,
            lambda rows: "\n".join(
                [HEADER, *[" " + r.replace(";", " ;\u00a0", 2).replace(";kg;", "; kg\u3000;") for r in rows]]
            ),
        ),
        ("blank-lines", True, lambda rows: "\n".join([HEADER, rows[0], "", *rows[1:], "", ""])),
        ("blank-cells-row", True, lambda rows: "\n".join([HEADER, rows[0], ";;;;;;;", *rows[1:]])),
        (
            "quotes",
            False,
            lambda rows: "\n".join(
                [HEADER, *rows[:-1], '"Collège; «\u00a0A\u00a0»";' + rows[-1].split(";", 1)[1]]
            ),
        ),
        (
            "quoted-line-break",
            False,
            lambda rows: "\n".join([HEADER, '"Coll\nège";' + rows[0].split(";", 1)[1], *rows[1:]]),
        ),
        ("short-row", False, lambda rows: "\n".join([HEADER, *rows, "Collège n° 1;site;62200"])),
        ("long-row", False, lambda rows: "\n".join([HEADER, *rows[:3], rows[3] + ";en trop", *rows[4:]])),
        ("long-first-row", False, lambda rows: "\n".join([HEADER, rows[0] + ";x", *rows[1:]])),
        (
            "bad-values",
            True,
            lambda rows: "\n".join(
                [
                    HEADER,
                    *rows[:5],
                    rows[5].replace(";kg;", ";litre;"),
                    rows[6].replace("MER", "XYZ").replace("FLE", "XYZ"),
                    *rows[7:],
                    "Collège n° 2;;62200;INCONNU;-3;kg;#N/A;treizième",
                ]
            ),
        ),
        (
            "numbers",
            True,
            lambda rows: "\n".join(
                [
                    HEADER,
                    *rows,
                    "Collège n° 1;;62200;{p};1 234,5;kg;1.234,50;",
                    "Collège n° 1;;62200;{p};1\u202f000;g;0,5;1-3",
                    "Collège n° 1;;62200;{p};0,000;kg;;",
                    "Collège n° 1;;62200;{p};12,3456;kg;;",
                ]
            ),
        ),
        ("one-column-tail", True, lambda rows: "\n".join([HEADER, *rows, ";;;;;;;"])),
    ],
)
def test_odd_files_give_the_same_result_on_both_paths(  # type: ignore[no-untyped-def]
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalogue, name: str, fast_path: bool, text
) -> None:
    rows = _rows(catalogue)
    product = rows[0].split(";")[3]
    path = tmp_path / f"{name}.csv"
    path.write_text(text(rows).replace("{p}", product), encoding="utf-8", newline="")
    taken = _spy(monkeypatch)
    fast, exact = _both(path, monkeypatch, catalogue)
    assert taken[0] == fast_path
    _same(fast, exact)


def test_cp1252_body_after_utf8_head(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalogue) -> None:  # type: ignore[no-untyped-def]
    ascii_only = str.maketrans({"è": "e", "°": "o", "–": "-", "é": "e"})
    rows = [r.translate(ascii_only) for r in _rows(catalogue, 2000)]
    rows[1991] = rows[1991].replace("College", "Coll\u00e8ge")
    head = "\n".join([HEADER, *rows[:1990]]).encode("ascii")  # beyond the head read: looks like UTF-8
    body = "\n".join(["", *rows[1990:]]).encode("cp1252")
    path = tmp_path / "ansi.csv"
    path.write_bytes(head + body)
    taken = _spy(monkeypatch)
    fast, exact = _both(path, monkeypatch, catalogue)
    assert taken[0] is False  # pyarrow refuses the first byte that is not UTF-8: the exact path rereads
    _same(fast, exact)


def test_space_class_is_python_whitespace() -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    chars = [chr(i) for i in range(0x110000) if not 0xD800 <= i <= 0xDFFF]
    found = pc.match_substring_regex(pa.array(chars), f"^{fastcsv.SPACE_CLASS}$").to_pylist()
    assert [c for c, hit in zip(chars, found, strict=True) if hit] == [c for c in chars if c.isspace()]


@pytest.mark.parametrize("seed", range(40))
def test_mutated_example_gives_the_same_result_on_both_paths(  # type: ignore[no-untyped-def]
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalogue, seed: int
) -> None:
    """The fuzz mutations (bench/fuzz.py): odd separators, cells, encodings, stray bytes — same outcome."""
    import random

    from lotsmarche.resources import examples_dir
    from tests.unit._fuzz_inputs import _write, mutate

    rng = random.Random(seed)
    base = (examples_dir() / "boulonnais" / "demande.csv").read_text(encoding="utf-8")
    text = mutate(rng, "\n".join(base.split("\n")[:60]), ";")
    path = _write(tmp_path / "demande.csv", text, rng)
    fast, exact = _both(path, monkeypatch, catalogue)
    _same(fast, exact)


def test_summary_keys_in_string_order_whatever_the_categories(catalogue) -> None:  # type: ignore[no-untyped-def]
    """Two products whose families map one to one (pandas then keeps a categorical, in product order)."""
    from lotsmarche.intake.summary import summarize_demand

    by_family: dict[str, str] = {}
    for code, product in sorted(catalogue.produits.items()):
        by_family.setdefault(product.famille, code)
    families = sorted(by_family)
    first, last = by_family[families[-1]], by_family[families[0]]  # product order ≠ family order
    if first > last:
        first, last = last, first
    table = pd.DataFrame(
        {
            "membre": pd.Categorical(["A", "A"]),
            "site_livraison": pd.Categorical(["A", "A"]),
            "produit": pd.Categorical([first, last]),
            "territoire": pd.Categorical(["", ""]),
            "prix_e4": [10000, 20000],
            "quantite_milli": [1500, 2500],
        }
    )
    from lotsmarche.intake.model import Demand

    summary = summarize_demand(Demand(table=table, membres=[]), catalogue)
    keys = [t.cle for t in summary.par_famille]
    assert keys == sorted(keys) and len(keys) == 2
    assert summary.montant_annuel_ht_exact == 1 * Decimal("1.5") + 2 * Decimal("2.5")
