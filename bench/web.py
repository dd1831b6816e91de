"""Bounded load test of `lotsmarche serve` on the loopback: concurrent clients reading pages and the API.

Run by hand: ``python bench/web.py [--clients 50] [--duration 60] [--database-url URL]``. It prepares a data
folder (accounts, the Boulonnais consultation imported from the bundled files, two invited members, one
member's answer, the `optimal` plan and a DCE version), starts ``lotsmarche serve`` in a subprocess on
127.0.0.1, then runs the clients for the duration: each client is logged in (coordinator, or member A
through its invitation link) and loops over the non-job pages and API reads. It reports per page the number
of requests and the p50 / p95 / max latency, overall p95 and throughput, and the errors (any status other
than 200, or a failed request), which must be 0. Figures go into docs/BENCHMARKS.md, section "Web".
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

PASSWORD = "motdepasse-du-banc"
COORD = "coord@exemple.fr"
MEMBER_A = "Collège Angellier"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(data: Path, database_url: str | None) -> None:
    """Accounts only: the consultation is created through the running server (as a user would)."""
    from lotsmarche.web.accounts import add_user

    add_user(data, database_url, COORD, PASSWORD, "coordinateur")


def wait_job(client: httpx.Client, job: str, headers: dict[str, str]) -> None:
    for _ in range(600):
        state = client.get(f"/api/jobs/{job}", headers=headers).json()
        if state["etat"] in ("termine", "echec"):
            assert state["etat"] == "termine", state
            return
        time.sleep(0.2)
    raise RuntimeError("job did not finish")


def seed(base: str) -> tuple[int, str]:
    """Create the consultation through the API; return its id and member A's invitation token."""
    from lotsmarche.pipeline import example_inputs

    demand, groupement, sourcing = example_inputs()
    assert groupement is not None and sourcing is not None
    with httpx.Client(base_url=base, timeout=300) as client:
        token = client.post("/api/session", json={"email": COORD, "password": PASSWORD}).json()["token"]
        h = {"Authorization": f"Bearer {token}"}
        files = [
            ("groupement", ("groupement.yaml", groupement.read_bytes(), "application/x-yaml")),
            ("demande", ("demande.csv", demand[0].read_bytes(), "text/csv")),
            ("sourcing", ("sourcing.csv", sourcing.read_bytes(), "text/csv")),
        ]
        r = client.post("/api/consultations", files=files, headers=h)
        r.raise_for_status()
        cid = int(r.json()["id"])
        invitation = client.post(
            f"/api/consultations/{cid}/invitations", json={"membre": MEMBER_A}, headers=h
        )
        member = invitation.json()["token"]
        answer = f"membre;produit;quantite\n{MEMBER_A};MER-CABILLAUD-FILET-FR;120\n".encode()
        mh = {"Authorization": f"Bearer {member}"}
        client.put("/api/membre/demande", files={"fichier": ("a.csv", answer, "text/csv")}, headers=mh)
        client.get(f"/api/consultations/{cid}/comparaison", headers=h).raise_for_status()
        client.post(
            f"/api/consultations/{cid}/plan", json={"strategie": "optimal"}, headers=h
        ).raise_for_status()
        wait_job(client, client.post(f"/api/consultations/{cid}/dce", headers=h).json()["job"], h)
    return cid, member


def pages(cid: int) -> tuple[list[str], list[str]]:
    coordinator = [
        "/consultations",
        f"/consultations/{cid}",
        f"/consultations/{cid}/comparaison",
        f"/consultations/{cid}/plan",
        f"/consultations/{cid}/dce",
        f"/api/consultations/{cid}/recensement",
        f"/api/consultations/{cid}/plan",
        f"/api/consultations/{cid}/dce/versions",
        "/static/style.css",
    ]
    member = ["/recensement", "/api/membre/demande"]
    return coordinator, member


async def client_loop(
    client: httpx.AsyncClient,
    paths: list[str],
    start: asyncio.Event,
    end_box: list[float],
    timings: dict[str, list[float]],
    errors: list[str],
) -> None:
    await start.wait()
    i = 0
    while time.monotonic() < end_box[0]:
        path = paths[i % len(paths)]
        i += 1
        t0 = time.perf_counter()
        try:
            r = await client.get(path)
            elapsed = time.perf_counter() - t0
            if r.status_code != 200:
                errors.append(f"{path}: {r.status_code}")
            timings.setdefault(path, []).append(elapsed)
        except httpx.HTTPError as exc:
            errors.append(f"{path}: {type(exc).__name__}")


async def run_clients(
    base: str, cid: int, member_token: str, clients: int, duration: float
) -> tuple[Any, Any, float]:
    coordinator, member = pages(cid)
    timings: dict[str, list[float]] = {}
    errors: list[str] = []

    async def login_coordinator(client: httpx.AsyncClient) -> None:
        page = await client.get("/connexion")
        csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
        r = await client.post("/connexion", data={"csrf": csrf, "email": COORD, "mot_de_passe": PASSWORD})
        assert r.status_code in (200, 303), r.status_code

    async def login_member(client: httpx.AsyncClient) -> None:
        r = await client.get(f"/invitation/{member_token}")
        assert r.status_code in (200, 303), r.status_code

    # Every client logs in first (argon2 is deliberately slow); the measured window starts afterwards.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients_: list[tuple[httpx.AsyncClient, list[str]]] = []
    t0 = time.monotonic()
    for n in range(clients):
        is_member = n % 5 == 4  # one client in five is a member filling its census
        client = httpx.AsyncClient(base_url=base, timeout=120, limits=limits)
        await (login_member if is_member else login_coordinator)(client)
        clients_.append((client, member if is_member else coordinator))
    logins = time.monotonic() - t0
    start = asyncio.Event()
    end_box = [0.0]
    tasks = [
        asyncio.create_task(client_loop(c, paths, start, end_box, timings, errors)) for c, paths in clients_
    ]
    end_box[0] = time.monotonic() + duration
    start.set()
    await asyncio.gather(*tasks)
    for c, _paths in clients_:
        await c.aclose()
    return timings, errors, logins


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="lotsmarche-bench-web-"))
    prepare(data, args.database_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "lotsmarche", "serve", "--data", str(data), "--port", str(port)]
    if args.database_url:
        command += ["--database-url", args.database_url]
    server = subprocess.Popen(command, env={**os.environ})
    try:
        for _ in range(300):
            try:
                httpx.get(base + "/connexion", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        cid, member = seed(base)
        timings, errors, logins = asyncio.run(run_clients(base, cid, member, args.clients, args.duration))
        wall = args.duration
    finally:
        server.terminate()
        server.wait(10)
    everything = [t for values in timings.values() for t in values]
    print(
        f"{args.clients} clients, {args.duration:.0f} s, {len(everything)} requests, "
        f"{len(everything) / wall:.1f} req/s"
    )
    print(f"{'page':45} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for path in sorted(timings):
        values = timings[path]
        print(
            f"{path:45} {len(values):6d} {statistics.median(values) * 1000:8.0f} "
            f"{percentile(values, 0.95) * 1000:8.0f} {max(values) * 1000:8.0f}"
        )
    print(f"logins of the {args.clients} clients before the window: {logins:.1f} s")
    print(f"overall p95: {percentile(everything, 0.95) * 1000:.0f} ms; errors: {len(errors)}")
    for e in sorted(set(errors))[:20]:
        print("  error:", e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
