"""`lotsmarche demand check | template` through the real entry point: exit codes, French, no traceback."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli._runner import run

CSV = (
    "membre;site_livraison;code_postal;produit;quantite;unite;prix_unitaire_ht\n"
    "Collège Angellier;Collège Angellier;62200;MER-MERLAN-FILET-FR;100;kg;12,5\n"
    "EHPAD Guynemer;EHPAD Guynemer;62930;BOI-EAU-PLATE;1 000,5;l;0,5001\n"
)


def test_check_json_shape(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "d.csv"
    p.write_text(CSV, encoding="utf-8")
    code, out, err = run(["demand", "check", str(p), "--format", "json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert sorted(data) == [
        "avertissements",
        "fichiers",
        "lignes",
        "membres",
        "montant_annuel_ht",
        "montant_annuel_ht_exact",
        "par_famille",
        "par_territoire",
        "produits",
        "sites",
    ]
    # 100 × 12,50 = 1 250 ; 1 000,5 × 0,5001 = 500,35005 (exact) → 500,35 ; total 1 750,35005
    assert data["montant_annuel_ht_exact"] == "1750.35005"
    assert data["montant_annuel_ht"] == "1750.35"
    fam = {f["cle"]: f for f in data["par_famille"]}
    assert fam["boissons"]["quantites"] == {"litre": "1000.5"}
    assert fam["boissons"]["montant_annuel_ht"] == "500.35"
    assert fam["produits_de_la_mer"]["montant_annuel_ht"] == "1250.00"
    assert [t["cle"] for t in data["par_territoire"]] == ["Boulonnais"]
    assert (data["lignes"], data["membres"], data["sites"], data["produits"]) == (2, 2, 2, 2)
    assert data["avertissements"] == []


def test_check_table_is_french(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "d.csv"
    p.write_text(CSV, encoding="utf-8")
    code, out, _ = run(["demand", "check", str(p)], capsys)
    assert code == 0
    assert "montant annuel estimé : 1\u202f750,35\xa0€ HT" in out
    assert "Aucun avertissement." in out


def test_check_bad_input_exit_2_no_traceback(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "d.csv"
    p.write_text(CSV + "X;X;62200;MER-INCONNU;-1;kg;\n", encoding="utf-8")
    code, out, err = run(["demand", "check", str(p)], capsys)
    assert code == 2
    assert out == ""
    assert err.startswith("Erreur : Demande invalide")
    assert "d.csv, ligne 4, colonne « quantite » : quantité « -1 » : valeur négative" in err
    assert "d.csv, ligne 4, colonne « produit » : produit « MER-INCONNU » inconnu du catalogue" in err
    assert "Traceback" not in err


def test_template_then_check_round_trip(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    members = tmp_path / "membres.csv"
    members.write_text("Membre;Type;Code postal\nCollège Angellier;college;62200\n", encoding="utf-8")
    out = tmp_path / "recensement.xlsx"
    code, stdout, err = run(
        [
            "demand",
            "template",
            "--out",
            str(out),
            "--membres",
            str(members),
            "--famille",
            "produits_de_la_mer",
        ],
        capsys,
    )
    assert code == 0, err
    wb = openpyxl.load_workbook(out)
    ws = wb["Recensement"]
    ws.cell(4, 8).value = "12,5"
    wb.save(out)
    code, stdout, err = run(["demand", "check", str(out), "--format", "markdown"], capsys)
    assert code == 0, err
    assert "1 lignes, 1 membres" in stdout
    code, _, err = run(["demand", "template", "--out", str(out)], capsys)
    assert code == 2
    assert "ajoutez --force pour le remplacer" in err


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300), name=st.sampled_from(["m.csv", "m.yaml", "m.xlsx"]))
def test_template_with_random_members_file(capsys, data: bytes, name: str) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as d:
        members = Path(d) / name
        members.write_bytes(data)
        out = Path(d) / "sortie" / "r.xlsx"
        code, _, err = run(["demand", "template", "--out", str(out), "--membres", str(members)], capsys)
        assert code in (0, 2)
        assert "Traceback" not in err and "Erreur interne" not in err
        if code == 2:
            assert not out.exists()
            assert not out.parent.exists() or not any(out.parent.iterdir())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_check_random_bytes_never_traceback(capsys, data: bytes) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "d.csv"
        p.write_bytes(data)
        code, _, err = run(["demand", "check", str(p)], capsys)
        assert code == 2
        assert err.startswith("Erreur : ") and "Traceback" not in err
