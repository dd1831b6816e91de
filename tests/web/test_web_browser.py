"""End to end in a real headless browser (Playwright driving Debian's chromium): the coordinator creates the
Boulonnais consultation, invites two members, member A answers by the form and by the survey sheet, the
coordinator compares, picks `optimal`, generates the DCE and downloads a zip whose manifest verifies.

Screenshots of each page go to $LOTSMARCHE_CAPTURES (else a temporary folder)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]
sync_api = pytest.importorskip("playwright.sync_api")

from tests.web.conftest import PASSWORD, example_files, make_app  # noqa: E402
from tests.web.test_web_flow import MEMBER_A, MEMBER_B, filled_survey, verify_zip  # noqa: E402

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=fr-FR",
]
TIMEOUT = 120_000  # ms: the comparison and the DCE run in the background on a shared machine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    import uvicorn

    app = make_app(tmp_path)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    end = time.monotonic() + 30
    while not srv.started and time.monotonic() < end:
        time.sleep(0.05)
    assert srv.started
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)
    app.state.engine.dispose()


@pytest.fixture
def captures(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("LOTSMARCHE_CAPTURES") or tmp_path / "captures")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shot(page: Any, captures: Path, name: str) -> None:
    page.screenshot(path=str(captures / f"{name}.png"), full_page=True)


def wait_result(page: Any) -> None:
    """On a job page: wait until the script reloads it done, then follow « Voir le résultat »."""
    page.get_by_role("link", name="Voir le résultat").click(timeout=TIMEOUT)


def test_coordinator_and_two_members_in_chromium(server: str, captures: Path, tmp_path: Path) -> None:
    files = example_files()
    for key, (name, data, _type) in files.items():
        (tmp_path / name).write_bytes(data)
        files[key] = (str(tmp_path / name), data, _type)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            coord = browser.new_context(
                accept_downloads=True, viewport={"width": 1280, "height": 900}, locale="fr-FR"
            ).new_page()
            coord.set_default_timeout(TIMEOUT)
            coord.goto(server + "/")
            shot(coord, captures, "01_connexion")
            coord.get_by_label("Adresse électronique").fill("coord@exemple.fr")
            coord.get_by_label("Mot de passe").fill(PASSWORD)
            coord.get_by_role("button", name="Se connecter").click()
            coord.get_by_role("link", name="Nouvelle consultation").click()
            shot(coord, captures, "02_nouvelle_consultation")
            coord.get_by_label("Groupement (groupement.yaml)").set_input_files(files["groupement"][0])
            coord.get_by_label("Demande").set_input_files(files["demande"][0])
            coord.get_by_label("Sourçage").set_input_files(files["sourcing"][0])
            coord.get_by_role("button", name="Importer").click()
            coord.wait_for_url("**/consultations/1")
            assert "332 ligne(s) de demande" in coord.content()
            shot(coord, captures, "03_consultation")

            links = {}
            for membre in (MEMBER_A, MEMBER_B):
                coord.get_by_role("row").filter(has_text=membre).get_by_role("button", name="Inviter").click()
                links[membre] = coord.locator("input.lien-invitation").input_value()
                assert "/invitation/" in links[membre]
            shot(coord, captures, "04_invitation")

            member_a = browser.new_context(
                accept_downloads=True, viewport={"width": 1280, "height": 900}, locale="fr-FR"
            ).new_page()
            member_a.set_default_timeout(TIMEOUT)
            member_a.goto(links[MEMBER_A])
            assert member_a.get_by_role("heading", name=f"Recensement des besoins — {MEMBER_A}").is_visible()
            member_a.locator("input[name=produit_1]").fill("MER-CABILLAUD-FILET-FR — Filet de cabillaud")
            member_a.locator("input[name=quantite_1]").fill("120")
            member_a.locator("input[name=produit_2]").fill("MER-MERLAN-FILET-FR")
            member_a.locator("input[name=quantite_2]").fill("45,5")
            member_a.locator("input[name=mois_2]").fill("octobre à mars")
            member_a.get_by_role("button", name="Enregistrer mes besoins").click()
            member_a.wait_for_url("**/recensement?enregistre=2")
            shot(member_a, captures, "05_membre_formulaire")

            with member_a.expect_download() as download:
                member_a.get_by_role("link", name="Télécharger la feuille de recensement (xlsx)").click()
            template = Path(download.value.path()).read_bytes()
            bad = tmp_path / "recensement_faux.xlsx"
            bad.write_bytes(
                filled_survey(
                    template, MEMBER_A, {"MER-CABILLAUD-FILET-FR": 80, "MER-MERLAN-FILET-FR": "beaucoup"}
                )
            )
            member_a.get_by_label("Feuille remplie (XLSX ou CSV)").set_input_files(str(bad))
            member_a.get_by_role("button", name="Envoyer la feuille").click()
            error = member_a.locator("table.problemes")
            assert "recensement_faux.xlsx" in error.inner_text() and "Recensement" in error.inner_text()
            shot(member_a, captures, "06_membre_feuille_erreur")
            assert member_a.locator("input[name=quantite_1]").input_value() == "120"  # nothing stored
            good = tmp_path / "recensement.xlsx"
            good.write_bytes(
                filled_survey(template, MEMBER_A, {"MER-CABILLAUD-FILET-FR": 80, "MER-MERLAN-FILET-FR": 30})
            )
            member_a.get_by_label("Feuille remplie (XLSX ou CSV)").set_input_files(str(good))
            member_a.get_by_role("button", name="Envoyer la feuille").click()
            member_a.wait_for_url("**/recensement?enregistre=2")
            assert member_a.locator("input[name=quantite_1]").input_value() == "80"
            shot(member_a, captures, "07_membre_feuille_ok")

            # member A's link reads nothing of B's and no coordinator page
            own = member_a.request.get(server + "/api/membre/demande").json()
            assert own["membre"] == MEMBER_A
            member_b = browser.new_context().new_page()
            member_b.goto(links[MEMBER_B])
            lines_b = member_b.request.get(server + "/api/membre/demande").json()
            assert lines_b["membre"] == MEMBER_B and lines_b["lignes"] == []
            assert "Collège Angellier" not in member_b.content()
            assert member_a.request.get(server + "/consultations/1").status == 403
            assert member_a.request.get(server + "/api/consultations/1/recensement").status in (403, 404)

            coord.goto(server + "/consultations/1")
            assert "a répondu" in coord.get_by_role("row").filter(has_text=MEMBER_A).inner_text()
            coord.get_by_role("link", name="Comparer").click()
            coord.get_by_role("button", name="Lancer la comparaison").click()
            assert coord.locator("progress").is_visible()
            shot(coord, captures, "08_tache")
            wait_result(coord)
            assert coord.locator("table.comparaison td.meilleur").count() > 0
            shot(coord, captures, "09_comparaison")
            coord.get_by_label("Stratégie").select_option("optimal")
            coord.get_by_role("button", name="Choisir ce plan").click()
            wait_result(coord)
            assert "Stratégie optimal" in coord.locator("main p").first.inner_text()
            shot(coord, captures, "10_plan")
            coord.get_by_role("button", name="Générer le DCE").click()
            wait_result(coord)
            assert (
                coord.get_by_role("heading", name="Version 1").first.is_visible()
                or "Version 1" in coord.content()
            )
            shot(coord, captures, "11_dce")
            with coord.expect_download() as download:
                coord.get_by_role("link", name="Télécharger le zip").first.click()
            manifest = verify_zip(Path(download.value.path()).read_bytes())
            assert manifest["fichiers"]
        finally:
            browser.close()
    names = sorted(p.name for p in captures.glob("*.png"))
    assert len(names) == 11, names
