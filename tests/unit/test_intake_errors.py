"""Bad input: every problem of every file is reported with file, sheet, row and column; nothing accepted."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from lotsmarche.errors import InputError, Problem
from lotsmarche.intake.reader import read_demand
from lotsmarche.models import Groupement

HEAD = "Membre;Site;Code postal;Produit;Quantité;Unité;Prix unitaire HT\n"
OK = "Collège A;Collège A;62200;MER-MERLAN-FILET-FR;10;kg;\n"


def _problems(catalogue, paths: list[Path], sheet: str | None = None) -> list[Problem]:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as exc:
        read_demand(paths, catalogue, Groupement(), sheet)
    return exc.value.problems


def _csv(tmp_path: Path, body: str, name: str = "d.csv") -> Path:
    p = tmp_path / name
    p.write_text(HEAD + OK + body, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("cell", "column", "message"),
    [
        ("0", "Quantité", "quantité nulle : supprimez la ligne ou indiquez le besoin annuel"),
        ("-3", "Quantité", "quantité « -3 » : valeur négative, une valeur positive est attendue"),
        ("beaucoup", "Quantité", "quantité « beaucoup » n'est pas un nombre"),
        (
            "1,2345",
            "Quantité",
            "quantité « 1,2345 » : plus de 3 décimales, arrondissez la valeur dans le fichier",
        ),
        (
            "2 000 000",
            "Quantité",
            "quantité démesurée pour une seule ligne (2\u202f000\u202f000 kg, "
            "plafond 1\u202f000\u202f000 kg) : "
            "vérifiez l'unité",
        ),
    ],
)
def test_bad_quantities(catalogue, tmp_path, cell, column, message) -> None:  # type: ignore[no-untyped-def]
    p = _csv(tmp_path, f"Collège B;Collège B;62200;MER-MERLAN-FILET-FR;{cell};kg;\n")
    assert _problems(catalogue, [p]) == [Problem(message, "d.csv", None, 3, column)]


def test_price_too_many_decimals_and_unknown_product_and_postcode(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = _csv(tmp_path, "\n\nCollège B;Collège B;6220;MER-MERLAN-FILET;10;kg;1,23456\n")
    probs = _problems(catalogue, [p])
    assert [(x.fichier, x.feuille, x.ligne, x.colonne) for x in probs] == [
        ("d.csv", None, 5, "Code postal"),
        ("d.csv", None, 5, "Prix unitaire HT"),
        ("d.csv", None, 5, "Produit"),
    ]
    # 4 digits: the message says a spreadsheet may have dropped a leading zero.
    assert probs[0].message == (
        "code postal « 6220 » invalide : 5 chiffres attendus (ex. 62200) ; avec 4 chiffres, le zéro "
        "initial a peut-être été supprimé par le tableur (cellule au format nombre) : saisissez les "
        "5 chiffres dans une colonne au format texte"
    )
    assert probs[1].message.endswith("plus de 4 décimales, arrondissez la valeur dans le fichier")
    assert probs[2].message.startswith("produit « MER-MERLAN-FILET » inconnu du catalogue ; codes proches : ")
    assert "MER-MERLAN-FILET-FR" in probs[2].message


def test_incompatible_unit(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = _csv(tmp_path, "Collège B;Collège B;62200;MER-MERLAN-FILET-FR;10;litres;\n")
    [prob] = _problems(catalogue, [p])
    assert (prob.ligne, prob.colonne) == (3, "Unité")
    assert (
        prob.message
        == "unité « litres » incompatible avec le produit MER-MERLAN-FILET-FR (unités possibles : colis, kg)"
    )


def test_duplicate_header(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "d.csv"
    p.write_text("Titre\nmembre;produit;quantite;Qté\nA;MER-MERLAN-FILET-FR;1;2\n", encoding="utf-8")
    [prob] = _problems(catalogue, [p])
    assert (prob.fichier, prob.ligne, prob.colonne) == ("d.csv", 2, "Qté")
    assert prob.message.startswith("en-tête en double")


def test_damaged_files_all_reported_at_once(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    binary = tmp_path / "binaire.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    notxlsx = tmp_path / "archive.xlsx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "bonjour")
    notxlsx.write_bytes(buf.getvalue())
    good = tmp_path / "bon.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["membre", "produit", "quantite"])
    wb.save(good)
    truncated = tmp_path / "tronque.xlsx"
    truncated.write_bytes(good.read_bytes()[:700])
    probs = _problems(catalogue, [empty, binary, notxlsx, truncated])
    assert [(p.fichier, p.message.split(" :")[0]) for p in probs] == [
        ("vide.csv", "le fichier est vide"),
        ("binaire.csv", "fichier binaire ou encodage non reconnu"),
        ("archive.xlsx", "classeur illisible"),
        ("tronque.xlsx", "classeur illisible"),
    ]


def test_cached_formula_error_and_missing_sheet(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "f.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Besoins"
    ws.append(["membre", "code postal", "produit", "quantite"])
    ws.append(["A", "62200", "MER-MERLAN-FILET-FR", 5])
    ws.append(["B", "62200", "MER-MERLAN-FILET-FR", None])
    ws.cell(3, 4).value = "#DIV/0!"
    ws.cell(3, 4).data_type = "e"
    wb.save(p)
    [prob] = _problems(catalogue, [p])
    assert prob == Problem(
        "erreur de formule « #DIV/0! » : corrigez la cellule dans le classeur",
        "f.xlsx",
        "Besoins",
        3,
        "quantite",
    )
    [prob] = _problems(catalogue, [p], sheet="Feuil9")
    assert prob.message == "la feuille « Feuil9 » n'existe pas ; feuilles du classeur : « Besoins »"


def test_no_header_and_no_lines(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "x.csv"
    p.write_text("a;b;c\n1;2;3\n", encoding="utf-8")
    [prob] = _problems(catalogue, [p])
    assert prob.message.startswith("aucune ligne d'en-tête reconnue")
    q = tmp_path / "y.csv"
    q.write_text("membre;produit;quantite\n\n", encoding="utf-8")
    [prob] = _problems(catalogue, [q])
    assert prob.message.startswith("aucune quantité renseignée")


def test_valid_rows_never_silently_dropped(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "a.csv"
    good.write_text(HEAD + OK, encoding="utf-8")
    bad = _csv(tmp_path, "Collège B;Collège B;62200;MER-MERLAN-FILET-FR;x;kg;\n", name="b.csv")
    probs = _problems(catalogue, [good, bad])
    assert [(p.fichier, p.ligne) for p in probs] == [("b.csv", 3)]


def test_too_many_columns_in_a_csv_row(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = _csv(tmp_path, "Collège B;Collège B;62200;MER-MERLAN-FILET-FR;10;kg;;en trop\n")
    [prob] = _problems(catalogue, [p])
    assert (prob.fichier, prob.ligne) == ("d.csv", 3)
    assert prob.message.startswith("nombre de colonnes supérieur à celui de l'en-tête (7)")


def test_extra_cell_on_the_first_data_row(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # pandas would silently turn the first column into an index: it must be an error instead.
    p = tmp_path / "d.csv"
    p.write_text(
        HEAD + "Collège B;Collège B;62200;MER-MERLAN-FILET-FR;10;kg;;en trop\n" + OK, encoding="utf-8"
    )
    [prob] = _problems(catalogue, [p])
    assert prob == Problem(
        "nombre de colonnes supérieur à celui de l'en-tête (7) : vérifiez le séparateur et les guillemets",
        "d.csv",
        None,
        2,
        None,
    )


def test_windows_1252_body_after_an_ascii_head(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # The head (first lines) is plain ASCII, so valid UTF-8; a later line is Windows-1252.
    p = tmp_path / "d.csv"
    body = "".join(f"Ecole {i};Ecole {i};62200;MER-MERLAN-FILET-FR;{i + 1};kg;\n" for i in range(80))
    p.write_bytes(
        (HEAD.replace("é", "e") + body + "Collège Z;Collège Z;62200;BOI-EAU-PLATE;3;l;\n").encode("cp1252")
    )
    demand = read_demand([p], catalogue, Groupement())
    assert len(demand.table) == 81
    row = demand.table.set_index("membre").loc["Collège Z"]
    assert (row["produit"], row["quantite_milli"], row["ligne_source"]) == ("BOI-EAU-PLATE", 3000, 82)
