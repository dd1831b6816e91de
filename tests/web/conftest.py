"""Fixtures of the web tests: an application on a temporary data folder, accounts, logged-in clients."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from lotsmarche.pipeline import example_inputs  # noqa: E402

PASSWORD = "motdepasse-solide"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def database_urls() -> list[str | None]:
    """SQLite always; PostgreSQL too when LOTSMARCHE_TEST_PG_URL names a (throwaway) server."""
    urls: list[str | None] = [None]
    if os.environ.get("LOTSMARCHE_TEST_PG_URL"):
        urls.append(os.environ["LOTSMARCHE_TEST_PG_URL"])
    return urls


def fresh_pg_database(url: str, name: str) -> str:
    """Create an empty database ``name`` on the server of ``url`` and return its URL."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _db = url.rpartition("/")
    return f"{base}/{name}"


def make_app(tmp: Path, database_url: str | None = None, **kw: Any) -> Any:
    from lotsmarche.web.accounts import add_user
    from lotsmarche.web.app import Settings, create_app

    data = tmp / "donnees"
    for email, role in (
        ("coord@exemple.fr", "coordinateur"),
        ("autre@exemple.fr", "coordinateur"),
        ("juriste@exemple.fr", "relecteur"),
    ):
        add_user(data, database_url, email, PASSWORD, role)
    return create_app(Settings(data=data, database_url=database_url, **kw))


@pytest.fixture(params=database_urls(), ids=lambda u: "postgresql" if u else "sqlite")
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    url = request.param
    if url:
        url = fresh_pg_database(url, f"lm_{os.getpid()}_{abs(hash(str(tmp_path))) % 10**8}")
    application = make_app(tmp_path, url, max_upload=200_000)
    yield application
    application.state.engine.dispose()


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def login(app: Any, email: str = "coord@exemple.fr") -> tuple[TestClient, str]:
    client = TestClient(app)
    page = client.get("/connexion")
    r = client.post(
        "/connexion",
        data={"csrf": csrf_of(page.text), "email": email, "mot_de_passe": PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client, csrf_of(client.get("/consultations").text)


def api_token(client: TestClient, email: str = "coord@exemple.fr") -> dict[str, str]:
    r = client.post("/api/session", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def example_files() -> dict[str, tuple[str, bytes, str]]:
    demand, groupement, sourcing = example_inputs()
    assert groupement is not None and sourcing is not None
    return {
        "groupement": ("groupement.yaml", groupement.read_bytes(), "application/x-yaml"),
        "demande": ("demande.csv", demand[0].read_bytes(), "text/csv"),
        # the web form takes one sourcing table: the merge of the example's questionnaires
        "sourcing": ("sourcing.csv", (sourcing.parent / "sourcing.csv").read_bytes(), "text/csv"),
    }


def create_example(client: TestClient, headers: dict[str, str], with_demand: bool = True) -> int:
    files = example_files()
    if not with_demand:
        del files["demande"]
    r = client.post("/api/consultations", files=files, headers=headers)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def wait_job(
    client: TestClient, job: str, headers: dict[str, str] | None = None, timeout: float = 120
) -> dict[str, Any]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        state: dict[str, Any] = client.get(f"/api/jobs/{job}", headers=headers or {}).json()
        if state["etat"] in ("termine", "echec"):
            return state
        time.sleep(0.2)
    raise AssertionError("job did not finish")
