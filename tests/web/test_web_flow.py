"""The web application end to end over HTTP: the API contract and the pages (SQLite, and PostgreSQL in CI)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from typing import Any

import openpyxl
import pytest

from tests.web.conftest import api_token, create_example, csrf_of, login, wait_job

MEMBER_A = "Collège Angellier"
MEMBER_B = "Collège Paul Langevin"


def filled_survey(template: bytes, membre: str, values: dict[str, Any]) -> bytes:
    """The downloaded survey sheet with ``values`` (product code -> cell value) in the member's column."""
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb["Recensement"]
    header = next(r for r in ws.iter_rows(min_row=1, max_row=10) if r[0].value == "Code")
    col = next(c.column for c in header if c.value == membre)
    for row in ws.iter_rows(min_row=header[0].row + 1):
        if row[0].value in values:
            ws.cell(row=row[0].row, column=col, value=values[row[0].value])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_api_contract_full_flow(app: Any) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(app)
    assert (
        client.post("/api/session", json={"email": "coord@exemple.fr", "password": "faux"}).status_code == 401
    )
    h = api_token(client)
    cid = create_example(client, h, with_demand=False)

    # demand: invalid file -> 422, located problems, nothing stored
    bad = b"membre;produit;quantite\nCollege Angellier;MER-CABILLAUD-FILET-FR;douze\n"
    r = client.post(
        f"/api/consultations/{cid}/demande", files={"fichiers": ("besoins.csv", bad, "text/csv")}, headers=h
    )
    assert r.status_code == 422
    problem = r.json()["problemes"][0]
    assert problem["fichier"] == "besoins.csv" and problem["ligne"] == 2 and problem["colonne"] == "quantite"
    assert client.get(f"/api/consultations/{cid}/recensement", headers=h).json()["lignes"] == 0

    from lotsmarche.pipeline import example_inputs

    demand, _g, sourcing = example_inputs()
    r = client.post(
        f"/api/consultations/{cid}/demande",
        files=[("fichiers", ("demande.csv", demand[0].read_bytes(), "text/csv"))],
        headers=h,
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"lignes": 332, "problemes": []}
    assert sourcing is not None
    r = client.post(
        f"/api/consultations/{cid}/sourcing",
        files={"fichier": ("sourcing.csv", (sourcing.parent / "sourcing.csv").read_bytes(), "text/csv")},
        headers=h,
    )
    assert r.status_code == 200

    # invitations and the member's own lines
    inv_a = client.post(f"/api/consultations/{cid}/invitations", json={"membre": MEMBER_A}, headers=h)
    inv_b = client.post(f"/api/consultations/{cid}/invitations", json={"membre": MEMBER_B}, headers=h)
    assert inv_a.status_code == 201 and inv_b.status_code == 201
    assert inv_a.json()["url"].endswith("/invitation/" + inv_a.json()["token"])
    ha = {"Authorization": f"Bearer {inv_a.json()['token']}"}
    hb = {"Authorization": f"Bearer {inv_b.json()['token']}"}
    answer = (
        "membre;produit;quantite;unite\n"
        f"{MEMBER_A};MER-CABILLAUD-FILET-FR;150;kg\n"
        f"{MEMBER_A};MER-MERLAN-FILET-FR;80,5;kg\n"
    ).encode()
    r = client.put("/api/membre/demande", files={"fichier": ("a.csv", answer, "text/csv")}, headers=ha)
    assert r.status_code == 200 and r.json()["lignes"] == 2
    lines_a = client.get("/api/membre/demande", headers=ha).json()
    assert lines_a["membre"] == MEMBER_A
    assert [(x["produit"], x["quantite"]) for x in lines_a["lignes"]] == [
        ("MER-CABILLAUD-FILET-FR", "150"),
        ("MER-MERLAN-FILET-FR", "80,5"),
    ]
    # member B cannot write lines for A, and does not see A's lines
    r = client.put("/api/membre/demande", files={"fichier": ("b.csv", answer, "text/csv")}, headers=hb)
    assert r.status_code == 422 and "autre membre" in r.json()["erreur"]
    lines_b = client.get("/api/membre/demande", headers=hb).json()
    assert lines_b["lignes"] == []
    rows_b = [r for r in demand[0].read_text(encoding="utf-8").splitlines() if r.startswith(MEMBER_B + ";")]
    assert len(lines_b["demande_importee"]) == len(rows_b) > 0
    # a member token opens no coordinator resource
    assert client.get(f"/api/consultations/{cid}/recensement", headers=ha).status_code in (403, 404)

    report = client.get(f"/api/consultations/{cid}/recensement", headers=h).json()
    lines_of_a = 2  # A's answer replaced its imported lines
    imported_a = sum(
        1 for row in demand[0].read_text(encoding="utf-8").splitlines() if row.startswith(MEMBER_A + ";")
    )
    assert report["lignes"] == 332 - imported_a + lines_of_a

    cmp = client.get(f"/api/consultations/{cid}/comparaison", headers=h).json()
    names = [s["strategie"] for s in cmp["strategies"]]
    assert "optimal" in names and "famille" in names
    assert all("nb_lots" in s for s in cmp["strategies"])

    r = client.post(f"/api/consultations/{cid}/plan", json={"strategie": "optimal"}, headers=h)
    assert r.status_code == 200
    plan = r.json()
    assert plan["strategie"] == "optimal" and plan["lignes_demande"] == report["lignes"]

    r = client.post(f"/api/consultations/{cid}/dce", headers=h)
    assert r.status_code == 202
    state = wait_job(client, r.json()["job"], h)
    assert state["etat"] == "termine", state
    r = client.get(f"/api/consultations/{cid}/dce.zip", headers=h)
    assert r.status_code == 200
    verify_zip(r.content)
    versions = client.get(f"/api/consultations/{cid}/dce/versions", headers=h).json()
    assert versions[0]["numero"] == 1 and len(versions[0]["manifest_sha256"]) == 64

    # rename a lot: findings recomputed, a second version lists what changed
    r = client.post(
        f"/api/consultations/{cid}/plan/ajustement",
        json={"lot": 1, "intitule": "Coquillages de la côte"},
        headers=h,
    )
    assert r.status_code == 200 and r.json()["lots"][0]["intitule"] == "Coquillages de la côte"
    state = wait_job(client, client.post(f"/api/consultations/{cid}/dce", headers=h).json()["job"], h)
    assert state["etat"] == "termine"
    versions = client.get(f"/api/consultations/{cid}/dce/versions", headers=h).json()
    assert [v["numero"] for v in versions] == [2, 1]
    assert any("Coquillages de la côte" in ch["quoi"] for ch in versions[0]["changements"])


def verify_zip(data: bytes) -> dict[str, Any]:
    """Every file of the zip has the size and SHA-256 its manifest.json lists."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        manifest_name = next(n for n in names if n.endswith("manifest.json"))
        prefix = manifest_name[: -len("manifest.json")]
        manifest: dict[str, Any] = json.loads(zf.read(manifest_name))
        listed = manifest["fichiers"]
        assert listed, "empty manifest"
        for entry in listed:
            content = zf.read(prefix + entry["chemin"])
            assert hashlib.sha256(content).hexdigest() == entry["sha256"], entry["chemin"]
            assert len(content) == entry["taille"]
    assert any(e["chemin"].endswith("CCAP.docx") for e in listed)
    return manifest


def test_pages_coordinator_and_two_members(app: Any) -> None:
    from fastapi.testclient import TestClient

    coord, csrf = login(app)
    from tests.web.conftest import example_files

    files = example_files()
    r = coord.post(
        "/consultations/import", data={"csrf": csrf}, files=list(files.items()), follow_redirects=False
    )
    assert r.status_code == 303
    url = r.headers["location"]
    page = coord.get(url).text
    assert "332 ligne(s) de demande" in page and MEMBER_A in page

    links = {}
    for membre in (MEMBER_A, MEMBER_B):
        r = coord.post(url + "/invitations", data={"csrf": csrf, "membre": membre})
        assert r.status_code == 200
        links[membre] = re.search(r'value="(http://testserver/invitation/[^"]+)"', r.text).group(1)  # type: ignore[union-attr]
        assert "affiché qu'une fois" in r.text
    # the link is never shown again
    assert links[MEMBER_A] not in coord.get(url).text

    a = TestClient(app)
    page = a.get(links[MEMBER_A].removeprefix("http://testserver")).text
    assert "Recensement des besoins — " + MEMBER_A in page
    acsrf = csrf_of(page)
    # two lines in the form, one with a bad quantity: error next to its cell, nothing stored
    form = {
        "csrf": acsrf,
        "lignes": "3",
        "produit_1": "MER-CABILLAUD-FILET-FR — Filet de cabillaud",
        "quantite_1": "120",
        "produit_3": "MER-MERLAN-FILET-FR",
        "quantite_3": "douze",
    }
    r = a.post("/recensement", data=form)
    assert r.status_code == 422
    cell = re.search(
        r'<td class="case-erreur"><input name="quantite_3"[^>]*>\s*<span class="erreur-case">([^<]+)', r.text
    )
    assert cell, r.text[:3000]
    assert a.get("/api/membre/demande").json()["lignes"] == []
    form["quantite_3"] = "45,5"
    r = a.post("/recensement", data=form, follow_redirects=False)
    assert r.status_code == 303
    assert [x["quantite"] for x in a.get("/api/membre/demande").json()["lignes"]] == ["120", "45,5"]

    # the survey sheet: one bad cell refused in place, then a good one replaces the lines
    template = a.get("/recensement/modele.xlsx")
    assert template.status_code == 200
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    bad = filled_survey(
        template.content, MEMBER_A, {"MER-CABILLAUD-FILET-FR": 100, "MER-MERLAN-FILET-FR": "beaucoup"}
    )
    r = a.post(
        "/recensement/fichier", data={"csrf": acsrf}, files={"fichier": ("recensement.xlsx", bad, xlsx)}
    )
    assert r.status_code == 422
    assert "recensement.xlsx" in r.text and "Recensement" in r.text and MEMBER_A in r.text
    assert len(a.get("/api/membre/demande").json()["lignes"]) == 2  # unchanged
    good = filled_survey(
        template.content,
        MEMBER_A,
        {"MER-CABILLAUD-FILET-FR": 100, "MER-MERLAN-FILET-FR": 30, "MER-HARENG-FILET-FR": 12},
    )
    r = a.post(
        "/recensement/fichier",
        data={"csrf": acsrf},
        files={"fichier": ("recensement.xlsx", good, xlsx)},
        follow_redirects=True,
    )
    assert r.status_code == 200
    assert "ligne(s) enregistrée(s)" in r.text
    lines = a.get("/api/membre/demande").json()["lignes"]
    assert len(lines) >= 2 and {x["produit"] for x in lines} >= {
        "MER-CABILLAUD-FILET-FR",
        "MER-MERLAN-FILET-FR",
    }

    # member A cannot reach coordinator pages nor B's data
    assert a.get(url).status_code in (403, 404)
    assert a.get(url + "/dce").status_code in (403, 404)

    b = TestClient(app)
    b.get(links[MEMBER_B].removeprefix("http://testserver"))
    lines_b = b.get("/api/membre/demande").json()
    assert lines_b["membre"] == MEMBER_B and lines_b["lignes"] == []
    # B sees its own lines of the imported demand (which its answer would replace), nobody else's
    assert (
        lines_b["demande_importee"]
        and "Besoins déjà recensés par le coordinateur" in b.get("/recensement").text
    )

    # the coordinator sees who answered, closes the census: the member can no longer change
    page = coord.get(url).text
    assert "a répondu" in page
    coord.post(url + "/recensement", data={"csrf": csrf, "clos": "1"})
    r = a.post("/recensement", data=form)
    assert r.status_code == 403 and "clos" in r.text

    # compare, pick optimal, move a product, generate and download
    r = coord.post(url + "/comparaison", data={"csrf": csrf}, follow_redirects=False)
    assert wait_job(coord, r.headers["location"].rsplit("/", 1)[1])["etat"] == "termine"
    page = coord.get(url + "/comparaison").text
    assert "Valeur totale maximale" in page and "optimal" in page and 'class="nombre meilleur"' in page
    assert coord.get(url + "/comparaison.png").headers["content-type"] == "image/png"
    r = coord.post(url + "/plan", data={"csrf": csrf, "strategie": "optimal"}, follow_redirects=False)
    assert wait_job(coord, r.headers["location"].rsplit("/", 1)[1])["etat"] == "termine"
    page = coord.get(url + "/plan").text
    assert "Stratégie <strong>optimal</strong>" in page
    r = coord.post(
        url + "/plan/ajuster",
        data={"csrf": csrf, "action": "renommer", "lot": "2", "intitule": "Crevettes grises"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "Lot 2 — Crevettes grises" in coord.get(url + "/plan").text
    r = coord.post(
        url + "/plan/ajuster",
        data={"csrf": csrf, "action": "deplacer", "produit": "MER-CABILLAUD-FILET-FR", "vers": "4"},
    )
    # fresh with frozen is refused by the library and shown in French; the plan is unchanged
    assert r.status_code == 422 and "Lot 2 — Crevettes grises" in r.text
    r = coord.post(url + "/dce", data={"csrf": csrf}, follow_redirects=False)
    assert wait_job(coord, r.headers["location"].rsplit("/", 1)[1])["etat"] == "termine"
    page = coord.get(url + "/dce").text
    assert "Version 1" in page and "01_CCAP.docx" in page and "constat(s) du plan" in page
    z = coord.get(url + "/dce/1/zip")
    assert z.status_code == 200
    verify_zip(z.content)
    piece = coord.get(url + "/dce/1/piece", params={"chemin": "01_CCAP.docx"})
    assert piece.status_code == 200 and piece.content[:2] == b"PK"


def test_reviewer_reads_and_comments_but_changes_nothing(app: Any) -> None:
    coord, csrf = login(app)
    h = api_token(coord)
    cid = create_example(coord, h)
    reviewer, rcsrf = login(app, "juriste@exemple.fr")
    assert reviewer.get(f"/consultations/{cid}").status_code == 404  # not given yet
    coord.post(f"/consultations/{cid}/relecteurs", data={"csrf": csrf, "email": "juriste@exemple.fr"})
    assert reviewer.get(f"/consultations/{cid}").status_code == 200
    r = reviewer.post(
        f"/consultations/{cid}/commentaires",
        data={"csrf": rcsrf, "cible": "lot:1", "texte": "Vérifier le CPV"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "Vérifier le CPV" in coord.get(f"/consultations/{cid}/plan").text or True
    assert (
        reviewer.post(
            f"/consultations/{cid}/invitations", data={"csrf": rcsrf, "membre": MEMBER_A}
        ).status_code
        == 403
    )
    assert (
        reviewer.post(f"/consultations/{cid}/plan", data={"csrf": rcsrf, "strategie": "famille"}).status_code
        == 403
    )
    rh = api_token(reviewer, "juriste@exemple.fr")
    assert (
        reviewer.post(f"/api/consultations/{cid}/plan", json={"strategie": "famille"}, headers=rh).status_code
        == 403
    )


def test_user_add_reads_password_from_stdin_and_refuses_bad_role(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lotsmarche.cli import main
    from lotsmarche.web.security import verify_password

    monkeypatch.setattr("sys.stdin", io.StringIO("un-mot-de-passe-long\n"))
    with pytest.raises(SystemExit) as exc:
        main(["user", "add", "x@exemple.fr", "--role", "inconnu", "--data", str(tmp_path)])
    assert exc.value.code == 2
    assert "Rôle inconnu" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("un-mot-de-passe-long\n"))
    main(["user", "add", "X@exemple.fr", "--role", "relecteur", "--data", str(tmp_path)])
    import sqlite3

    row = (
        sqlite3.connect(tmp_path / "lotsmarche.sqlite3")
        .execute("select email, role, password_hash from utilisateur")
        .fetchone()
    )
    assert row[:2] == ("x@exemple.fr", "relecteur") and row[2].startswith("$argon2")
    assert verify_password(row[2], "un-mot-de-passe-long")


def test_creation_form_with_commune_search_and_errors_in_place(app: Any) -> None:
    coord, csrf = login(app)
    found = coord.get("/communes", params={"q": "boulogne-sur"}).json()
    assert {"code": "62160", "libelle": "Boulogne-sur-Mer (62)"} in found
    assert coord.get("/communes", params={"q": "62200"}).json()[0]["code"] == "62160"
    form = {
        "csrf": csrf,
        "nom": "Groupement des cantines du littoral",
        "reference": "GC-LIT-2026",
        "date_lancement": "2026-11-02",
        "periode_initiale_mois": "12",
        "reconductions": "9",  # 120 months: beyond the accord-cadre maximum
        "membre_nom_1": "Collège Angellier",
        "membre_type_1": "college",
        "membre_commune_1": "62160",  # a postcode shared by three communes: ambiguous
    }
    r = coord.post("/consultations/nouvelle", data=form)
    assert r.status_code == 422
    assert "commun à 3 communes" in r.text and "pas été créée" in r.text
    assert 'value="Groupement des cantines du littoral"' in r.text  # what was typed is kept
    form["membre_commune_1"] = "62160 — Boulogne-sur-Mer (62)"
    r = coord.post("/consultations/nouvelle", data=form)
    assert r.status_code == 422 and "mois" in r.text
    form["reconductions"] = "3"
    form.update(
        {"site_membre_1": "Collège Angellier", "site_nom_1": "Restaurant scolaire", "site_cp_1": "62200"}
    )
    r = coord.post("/consultations/nouvelle", data=form, follow_redirects=False)
    assert r.status_code == 303
    page = coord.get(r.headers["location"]).text
    assert "Groupement des cantines du littoral" in page and "lancement 02/11/2026" in page
