"""Security of the web application over HTTP: CSRF, access across members and consultations, tokens,
session fixation, escaping of free texts, and what uploads may not be."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import PASSWORD, api_token, create_example, csrf_of, login, make_app, wait_job

MEMBER_A = "Collège Angellier"
MEMBER_B = "Collège Paul Langevin"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
XSS_ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"


@pytest.fixture
def app(tmp_path: Any) -> Any:  # SQLite only: the access rules do not depend on the database
    application = make_app(tmp_path, None, max_upload=100_000, login_limit=5)
    yield application
    application.state.engine.dispose()


def member_client(app: Any, link_or_token: str) -> TestClient:
    client = TestClient(app)
    token = link_or_token.rsplit("/", 1)[-1]
    r = client.get(f"/invitation/{token}", follow_redirects=False)
    assert r.status_code == 303
    return client


def setup_consultation(app: Any) -> tuple[TestClient, str, dict[str, str], int, dict[str, str]]:
    coord, csrf = login(app)
    h = api_token(coord)
    cid = create_example(coord, h)
    tokens = {}
    for m in (MEMBER_A, MEMBER_B):
        tokens[m] = coord.post(f"/api/consultations/{cid}/invitations", json={"membre": m}, headers=h).json()[
            "token"
        ]
    return coord, csrf, h, cid, tokens


def post_routes(app: Any) -> list[str]:
    """Every form target of the pages (the routers' POST routes)."""
    from lotsmarche.web.routes import auth, consultations, membre

    return sorted(
        r.path
        for module in (auth, consultations, membre)
        for r in module.router.routes
        if "POST" in getattr(r, "methods", set())
    )


def test_every_form_refuses_a_missing_or_wrong_csrf_token(app: Any) -> None:
    coord, csrf, _h, cid, tokens = setup_consultation(app)
    member = member_client(app, tokens[MEMBER_A])
    routes = post_routes(app)
    assert len(routes) >= 15
    for path in routes:
        url = path.replace("{cid}", str(cid)).replace("{iid}", "1")
        client = member if url.startswith("/recensement") else coord
        for data in ({}, {"csrf": "faux"}):
            if url == "/connexion":
                fresh = TestClient(app)
                fresh.get("/connexion")
                r = fresh.post(url, data={**data, "email": "coord@exemple.fr", "mot_de_passe": PASSWORD})
            else:
                r = client.post(url, data=data, follow_redirects=False)
            assert r.status_code == 403, (url, data, r.status_code)
            assert "CSRF" in r.text
    # every form of every page carries the token
    for page in (f"/consultations/{cid}", f"/consultations/{cid}/comparaison", "/consultations/nouvelle"):
        html = coord.get(page).text
        forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", html, re.S)
        assert forms and all(f'name="csrf" value="{csrf}"' in f for f in forms), page
    html = member.get("/recensement").text
    forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", html, re.S)
    assert forms and all('name="csrf"' in f for f in forms)


def test_api_changes_need_a_bearer_token_not_a_cookie(app: Any) -> None:
    coord, _csrf, _h, cid, _tokens = setup_consultation(app)
    r = coord.post(f"/api/consultations/{cid}/invitations", json={"membre": MEMBER_A})
    assert r.status_code == 403
    assert (
        coord.get(f"/api/consultations/{cid}/recensement").status_code == 200
    )  # reading with the cookie is fine


def test_nobody_reaches_another_consultation(app: Any) -> None:
    coord, _csrf, h, cid, tokens = setup_consultation(app)
    wait_job(
        coord, coord.post(f"/api/consultations/{cid}/dce", headers=h).json()["job"], h
    )  # needs a plan first
    coord.post(f"/api/consultations/{cid}/plan", json={"strategie": "famille"}, headers=h)
    job = coord.post(f"/api/consultations/{cid}/dce", headers=h).json()["job"]
    assert wait_job(coord, job, h)["etat"] == "termine"
    other, ocsrf = login(app, "autre@exemple.fr")
    oh = api_token(other, "autre@exemple.fr")
    for url in (
        f"/consultations/{cid}",
        f"/consultations/{cid}/comparaison",
        f"/consultations/{cid}/plan",
        f"/consultations/{cid}/dce",
        f"/consultations/{cid}/dce/1/zip",
        f"/consultations/{cid}/dce/1/piece?chemin=01_CCAP.docx",
        f"/consultations/{cid}/lots.json",
        f"/taches/{job}",
    ):
        assert other.get(url).status_code == 404, url
    for url in (
        f"/api/consultations/{cid}/recensement",
        f"/api/consultations/{cid}/plan",
        f"/api/consultations/{cid}/dce.zip",
        f"/api/jobs/{job}",
    ):
        assert other.get(url, headers=oh).status_code == 404, url
    assert (
        other.post(f"/api/consultations/{cid}/invitations", json={"membre": MEMBER_A}, headers=oh).status_code
        == 404
    )
    assert other.post(f"/consultations/{cid}/invitations/1/revoquer", data={"csrf": ocsrf}).status_code == 404
    assert other.get("/api/consultations", headers=oh).json() == []
    # a member's token opens nothing of the coordinator's, even of its own consultation
    ha = {"Authorization": f"Bearer {tokens[MEMBER_A]}"}
    for url in (
        f"/api/consultations/{cid}/recensement",
        f"/api/consultations/{cid}/dce.zip",
        f"/api/jobs/{job}",
    ):
        assert coord.get(url, headers=ha).status_code in (403, 404), url
    member = member_client(app, tokens[MEMBER_A])
    assert member.get(f"/consultations/{cid}").status_code == 403
    assert member.get(f"/consultations/{cid}/dce/1/zip").status_code == 403
    # a piece outside the manifest is never served
    assert (
        coord.get(
            f"/consultations/{cid}/dce/1/piece", params={"chemin": "../../lotsmarche.sqlite3"}
        ).status_code
        == 404
    )


def test_members_see_only_their_own_lines(app: Any) -> None:
    coord, _csrf, _h, _cid, tokens = setup_consultation(app)
    ha = {"Authorization": f"Bearer {tokens[MEMBER_A]}"}
    hb = {"Authorization": f"Bearer {tokens[MEMBER_B]}"}
    mine = f"membre;produit;quantite\n{MEMBER_A};MER-CABILLAUD-FILET-FR;10\n".encode()
    assert (
        coord.put(
            "/api/membre/demande", files={"fichier": ("a.csv", mine, "text/csv")}, headers=ha
        ).status_code
        == 200
    )
    assert len(coord.get("/api/membre/demande", headers=ha).json()["lignes"]) == 1
    assert coord.get("/api/membre/demande", headers=hb).json()["lignes"] == []
    b = member_client(app, tokens[MEMBER_B])
    assert "MER-CABILLAUD-FILET-FR — " not in b.get("/recensement").text.split("<datalist")[0]
    assert "10" not in [x["quantite"] for x in b.get("/api/membre/demande").json()["lignes"]]


def test_revoked_and_expired_invitations_open_nothing(app: Any) -> None:
    from sqlalchemy import select

    from lotsmarche.web import db
    from lotsmarche.web.store import expire_invitation

    coord, csrf, _h, cid, tokens = setup_consultation(app)
    a = member_client(app, tokens[MEMBER_A])
    assert a.get("/recensement").status_code == 200
    store = app.state.store
    with store.sessions() as s:
        ids = {i.membre: i.id for i in s.scalars(select(db.Invitation))}
    r = coord.post(
        f"/consultations/{cid}/invitations/{ids[MEMBER_A]}/revoquer",
        data={"csrf": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert TestClient(app).get(f"/invitation/{tokens[MEMBER_A]}").status_code == 404
    assert a.get("/recensement").status_code == 401  # the open session dies with its invitation
    assert (
        a.get("/api/membre/demande", headers={"Authorization": f"Bearer {tokens[MEMBER_A]}"}).status_code
        == 401
    )
    expire_invitation(store, ids[MEMBER_B], datetime(2020, 1, 1))
    assert TestClient(app).get(f"/invitation/{tokens[MEMBER_B]}").status_code == 404
    assert (
        a.get("/api/membre/demande", headers={"Authorization": f"Bearer {tokens[MEMBER_B]}"}).status_code
        == 401
    )
    assert TestClient(app).get("/invitation/nimporte-quoi").status_code == 404


def test_login_renews_the_session_and_cookies_are_httponly_samesite(app: Any) -> None:
    client = TestClient(app)
    r = client.get("/connexion")
    before = client.cookies.get("lm_session")
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    r = client.post(
        "/connexion",
        data={"csrf": csrf_of(r.text), "email": "coord@exemple.fr", "mot_de_passe": PASSWORD},
        follow_redirects=False,
    )
    after = client.cookies.get("lm_session")
    assert before and after and before != after
    assert "httponly" in r.headers["set-cookie"].lower()
    # the session id an attacker planted before the login opens nothing
    planted = TestClient(app, cookies={"lm_session": before})
    assert planted.get("/consultations").status_code == 401
    assert client.get("/consultations").status_code == 200
    # logout ends the session on the server
    client.post("/deconnexion", data={"csrf": csrf_of(client.get("/consultations").text)})
    assert TestClient(app, cookies={"lm_session": after}).get("/consultations").status_code == 401


def test_login_attempts_are_rate_limited(app: Any) -> None:
    client = TestClient(app)
    for _ in range(5):
        page = client.get("/connexion")
        r = client.post(
            "/connexion", data={"csrf": csrf_of(page.text), "email": "coord@exemple.fr", "mot_de_passe": "x"}
        )
        assert r.status_code == 401
    page = client.get("/connexion")
    r = client.post(
        "/connexion", data={"csrf": csrf_of(page.text), "email": "coord@exemple.fr", "mot_de_passe": PASSWORD}
    )
    assert r.status_code == 429 and "Trop de tentatives" in r.text
    r = client.post("/api/session", json={"email": "coord@exemple.fr", "password": PASSWORD})
    assert r.status_code == 429


def test_free_texts_are_rendered_escaped(app: Any) -> None:
    coord, csrf = login(app)
    form = {
        "csrf": csrf,
        "nom": "Groupement " + XSS,
        "reference": "REF-" + XSS,
        "membre_nom_1": "Collège " + XSS,
        "membre_type_1": "college",
        "membre_commune_1": "62160 — Boulogne-sur-Mer (62)",
        "site_membre_1": "Collège " + XSS,
        "site_nom_1": "Cuisine " + XSS,
        "site_cp_1": "62200",
    }
    r = coord.post("/consultations/nouvelle", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    h = api_token(coord)
    cid = int(url.rsplit("/", 1)[1])
    html = coord.get(url).text
    assert XSS not in html and XSS_ESCAPED in html
    token = coord.post(
        f"/api/consultations/{cid}/invitations", json={"membre": "Collège " + XSS}, headers=h
    ).json()["token"]
    member = member_client(app, token)
    html = member.get("/recensement").text
    assert XSS not in html and "Cuisine " + XSS_ESCAPED in html
    mcsrf = csrf_of(html)
    # a product typed as a payload comes back escaped, in the error next to its cell
    r = member.post("/recensement", data={"csrf": mcsrf, "lignes": "1", "produit_1": XSS, "quantite_1": "3"})
    assert r.status_code == 422 and XSS not in r.text and "erreur-case" in r.text
    r = member.post(
        "/recensement",
        data={
            "csrf": mcsrf,
            "lignes": "1",
            "produit_1": "MER-CABILLAUD-FILET-FR",
            "quantite_1": "300",
            "site_livraison_1": "Cuisine " + XSS,
            "code_postal_1": "62200",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    coord.post(f"/api/consultations/{cid}/plan", json={"strategie": "famille"}, headers=h)
    coord.post(
        f"/api/consultations/{cid}/plan/ajustement", json={"lot": 1, "intitule": "Lot " + XSS}, headers=h
    )
    coord.post(
        f"/consultations/{cid}/commentaires",
        data={"csrf": csrf, "cible": "lot:1", "texte": XSS, "retour": "plan"},
    )
    html = coord.get(f"/consultations/{cid}/plan").text
    assert XSS not in html and "Lot " + XSS_ESCAPED in html and XSS_ESCAPED in html.split("Commentaires")[-1]
    assert (
        "Content-Security-Policy" in coord.get(url).headers
        or "content-security-policy" in coord.get(url).headers
    )


def upload(client: TestClient, cid: int, h: dict[str, str], name: str, data: bytes, ctype: str) -> Any:
    return client.post(
        f"/api/consultations/{cid}/demande", files={"fichiers": (name, data, ctype)}, headers=h
    )


def test_uploads_too_big_bombs_traversal_and_wrong_types_are_refused(app: Any) -> None:
    coord, csrf, h, cid, _tokens = setup_consultation(app)
    data_dir = app.state.settings.data
    before = sorted(p.name for p in data_dir.rglob("*"))
    line = f"{MEMBER_A};MER-CABILLAUD-FILET-FR;1\n".encode()
    big = b"membre;produit;quantite\n" + line * (100_000 // len(line) + 10)
    r = upload(coord, cid, h, "gros.csv", big, "text/csv")
    assert r.status_code == 422 and "trop volumineux" in r.json()["erreur"]

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    assert len(bomb.getvalue()) < 100_000
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    r = upload(coord, cid, h, "bombe.xlsx", bomb.getvalue(), xlsx)
    assert r.status_code == 422 and "bombe" in r.json()["problemes"][0]["message"]

    for name in ("../../evil.csv", "..\\..\\evil.csv", "/etc/passwd.csv", ".cache.csv"):
        r = upload(coord, cid, h, name, b"membre;produit;quantite\n", "text/csv")
        assert r.status_code == 422 and "Nom de fichier refusé" in r.json()["erreur"], name

    r = upload(coord, cid, h, "image.csv", b"membre;produit;quantite\n", "image/png")
    assert r.status_code == 422 and "Type de fichier refusé" in r.json()["erreur"]
    r = upload(coord, cid, h, "programme.exe", b"MZ\x90\x00", "application/octet-stream")
    assert r.status_code == 422 and "extension" in r.json()["problemes"][0]["message"]
    r = upload(coord, cid, h, "faux.xlsx", b"membre;produit;quantite\n", xlsx)
    assert r.status_code == 422 and "classeur" in r.json()["problemes"][0]["message"]
    r = upload(coord, cid, h, "binaire.csv", b"PK\x03\x04" + b"\x00" * 50, "text/csv")
    assert r.status_code == 422
    # the same checks on the pages and on the member's upload
    r = coord.post(
        f"/consultations/{cid}/demande",
        data={"csrf": csrf},
        files={"fichiers": ("../x.csv", b"a", "text/csv")},
    )
    assert r.status_code == 422 and "Nom de fichier refusé" in r.text
    hm = {"Authorization": f"Bearer {_tokens[MEMBER_A]}"}
    r = coord.put("/api/membre/demande", files={"fichier": ("bombe.xlsx", bomb.getvalue(), xlsx)}, headers=hm)
    assert r.status_code == 422
    # nothing was written anywhere (no stray temporary file either)
    after = sorted(p.name for p in data_dir.rglob("*"))
    assert [n for n in after if n not in before and not n.startswith("lotsmarche.sqlite3")] == []
    assert not (data_dir.parent / "evil.csv").exists()
