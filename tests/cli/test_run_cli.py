"""`lotsmarche run`: the whole pipeline from the command line, its refusals, and its output under failure.

The kill tests start the real command in a subprocess (``python -m lotsmarche``, with the package these
tests import), kill it with SIGKILL at seeded random moments, and check that the output folder is absent
or complete (every DCE file matches manifest.json), and that the next run leaves no temporary folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

import lotsmarche
from tests.cli._runner import exit_code, run

PACKAGE_ROOT = Path(lotsmarche.__file__).resolve().parents[1]
OUTPUTS = ["DCE", "controle.md", "lots.json", "lots.xlsx", "sourcing"]  # sourcing/: the suppliers' sheets


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _dce_complete(dce: Path) -> None:
    """Every file of the DCE folder is listed in manifest.json with its SHA-256, and nothing else."""
    manifest = json.loads((dce / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["chemin"]: f["sha256"] for f in manifest["fichiers"]}
    found = _digest(dce)
    found.pop("manifest.json")
    archives = [name for name in found if name.endswith(".zip")]
    for name in archives:
        with zipfile.ZipFile(dce / name) as zf:
            assert zf.testzip() is None
        found.pop(name)
    assert found == {k: v for k, v in listed.items() if k != "manifest.json"}


def _run_complete(out: Path) -> None:
    assert sorted(p.name for p in out.iterdir()) == OUTPUTS
    json.loads((out / "lots.json").read_text(encoding="utf-8"))
    with zipfile.ZipFile(out / "lots.xlsx") as zf:
        assert zf.testzip() is None
    _dce_complete(out / "DCE")


def _leftovers(parent: Path, name: str) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}."))


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ex") / "ex"
    assert exit_code(["example", "--out", str(folder)]) == 0
    return folder


def _inputs(example: Path) -> list[str]:
    return [
        str(example / "demande.csv"),
        "--groupement",
        str(example / "groupement.yaml"),
        "--sourcing",
        str(example / "sourcing.csv"),
    ]


def test_run_writes_everything_and_says_so(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "X"
    code, stdout, stderr = run(["run", *_inputs(example), "--out", str(out), "--zip"], capsys)
    assert code == 0, stderr
    assert "• Lecture de la demande et allotissement…" in stderr
    assert "• Génération du DCE (Word et Excel)…" in stderr
    assert "Groupement de commandes de produits de la mer du Boulonnais —" in stdout
    assert "Lot  1 ·" in stdout and f"écrit dans {out / 'DCE'}" in stdout
    assert "Contrôles : 0 erreur(s)" in stdout
    assert sorted(p.name for p in out.iterdir()) == OUTPUTS
    archives = sorted(p.name for p in (out / "DCE").glob("*.zip"))
    assert archives == ["DCE_GCH-MER-2026-01.zip"]
    _run_complete(out)
    first = _digest(out)

    code, _stdout, stderr = run(["run", *_inputs(example), "--out", str(out), "--zip"], capsys)
    assert code == 2
    assert "existe" in stderr and "--force" in stderr
    assert _digest(out) == first

    code, stdout, stderr = run(
        ["run", *_inputs(example), "--out", str(out), "--zip", "--force", "--format", "json"], capsys
    )
    assert code == 0, stderr
    data = json.loads(stdout)
    assert data["dce_genere"] is True and data["erreurs"] is False and data["dossier"] == str(out)
    assert "lots.json" in data["fichiers"] and "DCE/manifest.json" in data["fichiers"]
    assert stderr == ""  # no progress lines in JSON mode
    assert _digest(out) == first  # byte-identical
    assert _leftovers(tmp_path, "X") == []


def test_run_with_compliance_errors_writes_no_dce_unless_brouillon(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import lotsmarche.pipeline as pipeline
    from lotsmarche.models import Finding

    real = pipeline.plan_lots

    def with_error(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        plan, demand = real(*args, **kwargs)  # type: ignore[arg-type]
        error = Finding(code="TST-001", severite="erreur", message="erreur de test", base_legale="test")
        return plan.model_copy(update={"findings": [*plan.findings, error]}), demand

    monkeypatch.setattr(pipeline, "plan_lots", with_error)
    out = tmp_path / "X"
    code, stdout, stderr = run(["run", *_inputs(example), "--out", str(out)], capsys)
    assert code == 2
    assert "ERREUR TST-001 (plan) : erreur de test" in stdout
    assert "TST-001" in stderr and "--brouillon" in stderr
    assert sorted(p.name for p in out.iterdir()) == ["controle.md", "lots.json", "lots.xlsx"]
    assert "TST-001" in (out / "controle.md").read_text(encoding="utf-8")

    code, stdout, _stderr = run(
        ["run", *_inputs(example), "--out", str(out), "--force", "--brouillon"], capsys
    )
    assert code == 0
    assert "DCE (projet) écrit dans" in stdout
    _run_complete(out)


def test_run_without_demand_uses_the_builtin_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, stdout, _stderr = run(["run", "--format", "markdown"], capsys)
    assert code == 0
    assert "Boulonnais" in stdout
    _run_complete(tmp_path / "dce-lotsmarche")


def test_run_refuses_a_bad_input_and_writes_nothing(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "demande.csv"
    bad.write_text("membre;produit;quantite\nA;INCONNU;3\n", encoding="utf-8")
    code, _stdout, stderr = run(["run", str(bad), "--out", str(tmp_path / "X")], capsys)
    assert code == 2
    assert "INCONNU" in stderr and "Erreur interne" not in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demande.csv"]


def test_force_onto_the_inputs_folder_is_refused(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _digest(example)
    code, _stdout, stderr = run(["run", *_inputs(example), "--out", str(example), "--force"], capsys)
    assert code == 2
    assert "contient le fichier d'entrée" in stderr
    assert _digest(example) == before

    out = tmp_path / "P"
    assert exit_code(["run", *_inputs(example), "--out", str(out)]) == 0
    before = _digest(out)
    code, _stdout, stderr = run(["dce", str(out / "lots.json"), "--out", str(out), "--force"], capsys)
    assert code == 2 and "lots.json" in stderr
    assert _digest(out) == before
    code, _stdout, stderr = run(["dce", str(out / "lots.json"), "--out", str(tmp_path), "--force"], capsys)
    assert code == 2
    assert _digest(out) == before

    demand = tmp_path / "d.csv"
    demand.write_bytes((example / "demande.csv").read_bytes())
    code, _stdout, stderr = run(["lots", str(demand), "--out", str(demand), "--force"], capsys)
    assert code == 2
    assert demand.read_bytes() == (example / "demande.csv").read_bytes()


def test_same_name_for_json_and_xlsx_is_refused(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "a.json"
    code, _stdout, stderr = run(
        ["lots", str(example / "demande.csv"), "--out", str(target), "--xlsx", str(target)], capsys
    )
    assert code == 2
    assert "choisissez deux noms" in stderr
    assert not target.exists()


def test_the_current_folder_is_never_an_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "w"
    work.mkdir()
    (work / "notes.txt").write_text("à garder")
    monkeypatch.chdir(work)
    code, _stdout, stderr = run(["run", "--out", ".", "--force"], capsys)
    assert code == 2 and "dossier courant" in stderr
    assert (work / "notes.txt").read_text() == "à garder"


def test_very_long_output_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / ("N" * 250)
    code, _stdout, stderr = run(["run", "--out", str(out)], capsys)
    assert code == 0, stderr
    _run_complete(out)
    code, _stdout, stderr = run(["dce", str(out / "lots.json"), "--out", str(tmp_path / ("M" * 300))], capsys)
    assert code == 2
    assert "nom de fichier trop long" in stderr and "Erreur interne" not in stderr


def _command(args: list[str]) -> list[str]:
    return [sys.executable, "-m", "lotsmarche", *args]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PACKAGE_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _kill_after(args: list[str], delay: float, cwd: Path) -> int | None:
    """Start ``lotsmarche ARGS``, SIGKILL it after ``delay`` seconds; its exit code if it ended first."""
    proc = subprocess.Popen(
        _command(args), cwd=cwd, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        return proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return None


@pytest.mark.parametrize("seed", [1, 2])
def test_sigkill_during_run_leaves_absent_or_complete(example: Path, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    out = tmp_path / "X"
    args = ["run", *_inputs(example), "--out", str(out), "--force"]
    start = time.monotonic()
    subprocess.run(_command(args), cwd=tmp_path, env=_env(), check=True, capture_output=True)
    duration = time.monotonic() - start
    reference = _digest(out)
    for _ in range(3):
        finished = _kill_after(args, rng.uniform(0.2, duration * 1.1), tmp_path)
        assert out.is_dir(), "a failed --force must leave the old output in place"
        _run_complete(out)
        assert _digest(out) == reference
        assert finished in (None, 0)
    subprocess.run(_command(args), cwd=tmp_path, env=_env(), check=True, capture_output=True)
    assert _leftovers(tmp_path, "X") == []
    assert _digest(out) == reference


def test_sigkill_during_dce_leaves_absent_or_complete(example: Path, tmp_path: Path) -> None:
    rng = random.Random(7)
    plan = tmp_path / "lots.json"
    assert exit_code(["lots", *_inputs(example), "--out", str(plan)]) == 0
    out = tmp_path / "D"
    args = ["dce", str(plan), "--out", str(out), "--zip"]
    start = time.monotonic()
    subprocess.run(_command(args), cwd=tmp_path, env=_env(), check=True, capture_output=True)
    duration = time.monotonic() - start
    reference = _digest(out)
    for _ in range(3):
        shutil.rmtree(out, ignore_errors=True)
        finished = _kill_after(args, rng.uniform(0.2, duration * 1.1), tmp_path)
        if out.exists():
            _dce_complete(out)
            assert _digest(out) == reference
        else:
            assert finished is None
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run(_command(args), cwd=tmp_path, env=_env(), check=True, capture_output=True)
    assert _digest(out) == reference
    assert _leftovers(tmp_path, "D") == []


def test_concurrent_runs_without_force_one_wins(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "X"
    args = ["run", *_inputs(example), "--out", str(out)]
    procs = [
        subprocess.Popen(
            _command(args), cwd=tmp_path, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    codes = sorted(p.wait(timeout=300) for p in procs)
    for p in procs:
        assert p.stdout is not None and p.stderr is not None
        p.stdout.close()
        p.stderr.close()
    assert codes == [0, 2]
    _run_complete(out)
    assert _leftovers(tmp_path, "X") == []
