"""Intake: one demand in three layouts gives one canonical table; exact values; warnings."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from lotsmarche.intake import CANONICAL_COLUMNS
from lotsmarche.intake.members import SiteInfo
from lotsmarche.intake.reader import read_demand
from lotsmarche.models import Groupement, Member
from lotsmarche.survey import write_survey

MERLAN, CABILLAUD, EAU = "MER-MERLAN-FILET-FR", "MER-CABILLAUD-DOS-FR", "BOI-EAU-PLATE"

# The single source of truth: member -> (postcode, {product: quantity as typed in French})
TRUTH: dict[str, tuple[str, dict[str, str]]] = {
    "Collège Angellier": ("62200", {MERLAN: "1 234,5", EAU: "300"}),
    "EHPAD Guynemer": ("62930", {MERLAN: "12,25", CABILLAUD: "80"}),
    "=SUM(A1) {{ 7*7 }} <b>&": ("62480", {CABILLAUD: "0,125"}),
}
PROVENANCE = ["fichier", "feuille", "ligne_source", "colonne_source"]


def _long_csv(path: Path) -> Path:
    lines = [
        "Recensement 2026 du groupement;;;;",
        ";;;;",
        "Membre ;Site de livraison;CP;Code produit;Qté;Unité",
    ]
    for member, (cp, items) in TRUTH.items():
        for code, qty in items.items():
            cp_text = cp[:2] + " " + cp[2:] if member.startswith("EHPAD") else cp
            lines.append(f"{member};{member};{cp_text};{code};{qty};")
        lines.append(";;;;;")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def _fill(path: Path, members: list[str]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Recensement"]
    header = [c.value for c in ws[3]]
    for row in ws.iter_rows(min_row=4):
        code = row[0].value
        for member in members:
            qty = TRUTH[member][1].get(code)
            if qty is not None:
                row[header.index(member)].value = qty
    wb.save(path)


def _infos(members: list[str]) -> list[SiteInfo]:
    return [SiteInfo(membre=m, code_postal=TRUTH[m][0]) for m in members]


@pytest.fixture(scope="module")
def three_layouts(catalogue, tmp_path_factory):  # type: ignore[no-untyped-def]
    d = tmp_path_factory.mktemp("layouts")
    long = read_demand([_long_csv(d / "long.csv")], catalogue, Groupement())
    members = list(TRUTH)
    write_survey(catalogue, d / "wide.xlsx", None, _infos(members))
    _fill(d / "wide.xlsx", members)
    wide = read_demand([d / "wide.xlsx"], catalogue, Groupement())
    files = []
    for i, m in enumerate(members):
        f = d / f"membre_{i}.xlsx"
        write_survey(catalogue, f, None, _infos([m]))
        _fill(f, [m])
        files.append(f)
    per_member = read_demand(files, catalogue, Groupement())
    return long, wide, per_member


def test_three_layouts_give_the_same_canonical_table(three_layouts) -> None:  # type: ignore[no-untyped-def]
    long, wide, per_member = three_layouts
    a = long.table.drop(columns=PROVENANCE)
    pd.testing.assert_frame_equal(a, wide.table.drop(columns=PROVENANCE))
    pd.testing.assert_frame_equal(a, per_member.table.drop(columns=PROVENANCE))
    assert long.empreinte == wide.empreinte == per_member.empreinte


def test_long_csv_exact_values(three_layouts, catalogue) -> None:  # type: ignore[no-untyped-def]
    t = three_layouts[0].table
    assert list(t.columns) == list(CANONICAL_COLUMNS)
    assert t["ligne"].tolist() == [1, 2, 3, 4, 5]
    # Sorted by membre, site, produit ("=" sorts before letters), source rows as the user sees them.
    assert t["membre"].tolist() == [
        "=SUM(A1) {{ 7*7 }} <b>&",
        "Collège Angellier",
        "Collège Angellier",
        "EHPAD Guynemer",
        "EHPAD Guynemer",
    ]
    assert t["produit"].tolist() == [CABILLAUD, EAU, MERLAN, CABILLAUD, MERLAN]
    assert t["ligne_source"].tolist() == [10, 5, 4, 8, 7]
    assert t["quantite_milli"].tolist() == [125, 300000, 1234500, 80000, 12250]
    assert t["code_postal"].tolist() == ["62480", "62200", "62200", "62930", "62930"]
    assert t["commune_insee"].tolist() == ["62667", "62160", "62160", "62893", "62893"]
    assert set(t["territoire"]) == {"Boulonnais"}
    assert t["prix_source"].tolist() == ["catalogue"] * 5
    ref = {c: int(catalogue.produits[c].prix_reference_ht * 10000) for c in (MERLAN, CABILLAUD, EAU)}
    assert t["prix_e4"].tolist() == [ref[p] for p in t["produit"]]
    # No months given: the product's months of availability.
    avail = {c: sum(1 << (m - 1) for m in catalogue.produits[c].mois_disponibles) for c in ref}
    assert t["mois"].tolist() == [avail[p] for p in t["produit"]]
    assert t["fichier"].tolist() == ["long.csv"] * 5
    assert t["feuille"].tolist() == [""] * 5
    assert t["livraisons_par_semaine"].isna().all()
    assert str(t["quantite_milli"].dtype) == "int64" and str(t["livraisons_par_semaine"].dtype) == "float64"


def test_wide_provenance_names_member_column(three_layouts) -> None:  # type: ignore[no-untyped-def]
    t = three_layouts[1].table
    assert t["feuille"].tolist() == ["Recensement"] * 5
    assert t["colonne_source"].tolist() == t["membre"].tolist()


def test_members_inferred_and_literal_text(three_layouts) -> None:  # type: ignore[no-untyped-def]
    demand = three_layouts[0]
    kinds = {m.nom: m.type for m in demand.membres}
    assert kinds == {
        "=SUM(A1) {{ 7*7 }} <b>&": "administration",
        "Collège Angellier": "college",
        "EHPAD Guynemer": "ehpad",
    }
    codes = [f.code for f in demand.avertissements]
    assert codes.count("DEM-005") == 1


def test_units_prices_months_and_decimal_forms(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    csv = tmp_path / "d.csv"
    csv.write_text(
        "membre,site_livraison,code_postal,produit,quantite,unite,prix_unitaire_ht,mois,label_requis,"
        "conditionnement,livraisons_par_semaine\n"
        'A,A,62200,MER-MERLAN-FILET-FR,3,colis,"60,00",janv-mars,peche_durable,caisse réemployable,2\n'
        'A,B,62200,MER-MERLAN-FILET-FR,"1.234,5",g,"0,0125","1,2,3",,,"1,5"\n'
        "A,C,62200,MER-CABILLAUD-DOS-FR,100,pièces,,toute l'année,,,\n"
        "A,D,62200,BOI-EAU-PLATE,50,cl,,nov-fév,,,\n",
        encoding="utf-8-sig",
    )
    t = read_demand([csv], catalogue, Groupement()).table.set_index("site_livraison")
    assert t.loc["A", "quantite_milli"] == 15000  # 3 colis × 5 kg
    assert t.loc["A", "prix_e4"] == 120000  # 60 € per colis of 5 kg = 12 €/kg
    assert t.loc["A", "mois"] == 0b111
    assert t.loc["A", "label_requis"] == "PECHE_DURABLE"
    assert t.loc["A", "conditionnement"] == "caisse_reemployable"
    assert t.loc["A", "livraisons_par_semaine"] == 2.0
    assert t.loc["B", "quantite_milli"] == 1235  # 1 234,5 g = 1,2345 kg → half-up to the gram
    assert t.loc["B", "prix_e4"] == 125000  # 0,0125 €/g = 12,50 €/kg
    assert t.loc["B", "livraisons_par_semaine"] == 1.5
    assert t.loc["C", "quantite_milli"] == 12000  # 100 pieces × 0,12 kg
    assert t.loc["C", "mois"] == 4095
    assert t.loc["D", "quantite_milli"] == 500  # 50 cl = 0,5 litre
    assert t.loc["D", "mois"] == 0b110000000011
    assert t.loc["A", "prix_source"] == "demande" and t.loc["C", "prix_source"] == "catalogue"


def test_groupement_spelling_and_postcode_from_commune(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    csv = tmp_path / "d.csv"
    csv.write_text("membre;produit;quantite\nCOLLEGE ANGELLIER ;MER-MERLAN-FILET-FR;10\n", encoding="utf-8")
    g = Groupement(membres=[Member(nom="Collège Angellier", type="college", commune="Boulogne-sur-Mer")])
    demand = read_demand([csv], catalogue, g)
    row = demand.table.iloc[0]
    assert (row["membre"], row["site_livraison"], row["code_postal"]) == (
        "Collège Angellier",
        "Collège Angellier",
        "62200",
    )
    assert [m.nom for m in demand.membres] == ["Collège Angellier"]


def test_warnings_duplicates_prices_postcodes_season(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    csv = tmp_path / "d.csv"
    csv.write_text(
        "membre;site;cp;produit;quantite;prix;mois\n"
        "Collège X;Collège X;62200;MER-MERLAN-FILET-FR;10;;\n"
        "Collège X;Collège X;62200;MER-MERLAN-FILET-FR;5;40;\n"
        "Collège X;Collège X;99999;MER-HARENG-FILET-FR;5;;juin\n",
        encoding="utf-8",
    )
    demand = read_demand([csv], catalogue, Groupement())
    by_code = {f.code: f for f in demand.avertissements}
    assert sorted(by_code) == ["DEM-001", "DEM-002", "DEM-003", "DEM-004"]
    assert "juin" in by_code["DEM-001"].message
    assert "40,00\xa0€" in by_code["DEM-002"].message
    assert "(d.csv ligne 2 ; d.csv ligne 3)" in by_code["DEM-003"].message
    assert "99999" in by_code["DEM-004"].message
    assert demand.table["commune_insee"].tolist() == ["", "62160", "62160"]
    assert len(demand.table) == 3  # duplicates are kept, never merged
