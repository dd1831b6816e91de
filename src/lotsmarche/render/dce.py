"""The DCE folder: documents, price schedules and manifest, written atomically and reproducibly."""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from jinja2 import Environment
from pydantic import BaseModel, ConfigDict

from lotsmarche.atomic import check_apart, replace_dir, temp_dir, write_bytes
from lotsmarche.calendrier import LotCalendar, calendars_from_plan
from lotsmarche.catalogue.model import Catalogue
from lotsmarche.errors import OutputExistsError, Problem, RenderError
from lotsmarche.models import Finding, LotPlan
from lotsmarche.render.calendrier import render_calendar
from lotsmarche.render.context import CONTEXT_MODELS, NOMS_DOCUMENTS, build_contexts, context_for, is_draft
from lotsmarche.render.docx import CompiledDocx, compile_docx, write_zip
from lotsmarche.render.env import builtin_env, sandbox_env
from lotsmarche.render.manifest import manifest_bytes, plan_sha256, sha256
from lotsmarche.render.note import render_note
from lotsmarche.render.notice import NOTICE_NAME, notice_docx
from lotsmarche.render.sample import sample_plan
from lotsmarche.render.verify import leftover_tags, strings_in, tag_allowance, verify_dce
from lotsmarche.render.xlsx import render_bpu_dqe
from lotsmarche.resources import templates_dir

TEMPLATE_FILES: dict[str, str] = {kind: f"{kind}.docx" for kind in CONTEXT_MODELS}
OUTPUT_NAMES: dict[str, str] = {
    "rc": "00_RC.docx",
    "ccap": "01_CCAP.docx",
    "cctp": "02_CCTP.docx",
    "convention": "Convention_groupement.docx",
}


class PlanNonConformeError(RenderError):
    """The plan carries compliance errors: no final DCE (exit code 2: the input cannot give a DCE as is)."""

    exit_code = 2


class PiecesNonConformesError(PlanNonConformeError):
    """The rendered pieces fail a post-render control (``render.verify``): no final DCE. ``findings`` are
    the controls' findings, for controle.md."""

    def __init__(self, message: str, problems: list[Problem], findings: list[Finding]) -> None:
        super().__init__(message, problems)
        self.findings = findings


class FichierDce(BaseModel):
    model_config = ConfigDict(frozen=True)
    chemin: str  # relative to the DCE folder, "/" separators
    taille: int
    sha256: str


class DceResult(BaseModel):
    model_config = ConfigDict(frozen=True)
    dossier: Path
    fichiers: list[FichierDce]  # sorted by path, manifest.json included
    archive: Path | None
    plan_sha256: str
    brouillon: bool
    findings: list[Finding] = []  # post-render checks of the pieces (render.checks_pieces)
    note: Path | None = None  # note of the lots taken out of the consultation, beside the DCE folder


def _errors(plan: LotPlan) -> list[Finding]:
    found = [f for f in plan.findings if f.severite == "erreur"]
    for lot in plan.lots:
        found.extend(f for f in lot.findings if f.severite == "erreur" and f not in found)
    return found


def _load(kind: str, templates: Path | None) -> tuple[CompiledDocx, Environment]:
    """The user's template when ``templates`` holds it (sandboxed), else the built-in one."""
    name = TEMPLATE_FILES[kind]
    if templates is not None and (templates / name).is_file():
        env = sandbox_env()
        path = templates / name
    else:
        env = builtin_env()
        path = templates_dir() / name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RenderError(f"Modèle illisible : {path}", [Problem(str(exc), fichier=str(path))]) from exc
    return compile_docx(data, name, env), env


_NAME_MAX = 100  # characters of the reference kept in the archive's name (file names stop at 255 bytes)


def _safe(reference: str) -> str:
    """The reference as a portable file name part: accents transliterated (``Réf`` → ``Ref``), anything
    else than letters, digits, ``.``, ``_`` and ``-`` replaced by ``_``, at most 100 characters."""
    ascii_text = unicodedata.normalize("NFKD", reference).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_text).strip("._")
    return name[:_NAME_MAX].rstrip("._-") or "DCE"


def _render_files(
    plan: LotPlan,
    cat: Catalogue,
    templates: Path | None,
    brouillon: bool,
    calendriers: Sequence[LotCalendar] | None = None,
) -> tuple[dict[str, bytes], list[Finding]]:
    if calendriers is None:
        calendriers = calendars_from_plan(plan)
    base, lots = build_contexts(plan, cat, brouillon, calendriers)
    brouillon = base.brouillon
    literal = strings_in(base)
    files: dict[str, bytes] = {}
    subject = f"{plan.groupement.reference} — {plan.groupement.objet}"
    for kind, out_name in OUTPUT_NAMES.items():
        compiled, _env = _load(kind, templates)
        ctx = context_for(kind, base)
        files[out_name] = compiled.render(dict(ctx), NOMS_DOCUMENTS[kind], subject, brouillon)
    ae, _env = _load("ae", templates)
    crt, _env = _load("crt", templates)
    for lot in lots:
        ctx = context_for("ae", base, lot)
        title = f"{NOMS_DOCUMENTS['ae']} — lot {lot.numero} : {lot.intitule}"
        files[f"AE/Lot_{lot.numero_texte}_AE.docx"] = ae.render(dict(ctx), title, subject, brouillon)
        ctx = context_for("crt", base, lot)
        title = f"{NOMS_DOCUMENTS['crt']} — lot {lot.numero} : {lot.intitule}"
        files[f"CRT_Lot_{lot.numero_texte}.docx"] = crt.render(dict(ctx), title, subject, brouillon)
    for lot_model in sorted(plan.lots, key=lambda x: x.numero):
        if lot_model.procedure.hors_consultation:
            continue  # awarded outside the consultation: in the note, in no published piece
        files[f"BPU_DQE/Lot_{lot_model.numero:02d}_BPU_DQE.xlsx"] = render_bpu_dqe(
            plan, lot_model, brouillon, cat=cat
        )
    published = {lot.numero for lot in plan.lots if not lot.procedure.hors_consultation}
    for cal in calendriers:
        if cal.numero in published:
            files[cal.fichier] = render_calendar(plan, cal, cat, brouillon)
    files[NOTICE_NAME] = notice_docx(plan, lots, brouillon)
    problems: list[Problem] = []
    allowed = tag_allowance(literal)
    seen: dict[tuple[str, bytes], str | None] = {}
    for path, blob in sorted(files.items()):
        problems.extend(
            Problem(f"balise non rendue : {hit}", fichier=path)
            for hit in leftover_tags(blob, allowed=allowed, seen=seen)
        )
    if problems:
        raise RenderError("Des balises de modèle n'ont pas été rendues", problems)
    from lotsmarche.render.checks_calendrier import check_calendars
    from lotsmarche.render.checks_pieces import check_pieces

    return files, [*check_pieces(plan, cat, base, lots, files), *check_calendars(plan, calendriers, files)]


def refusal(plan: LotPlan) -> PlanNonConformeError | None:
    """The error refusing a final DCE of ``plan`` (None when it has no compliance error)."""
    errors = _errors(plan)
    if not errors:
        return None
    lots = sorted({f.lot for f in errors if f.lot is not None})
    where = ""
    if lots:
        where = " (lot" + ("s " if len(lots) > 1 else " ") + ", ".join(str(n) for n in lots) + ")"
    return PlanNonConformeError(
        f"Le plan comporte {len(errors)} erreur(s) de conformité{where} : le DCE n'est pas généré. Corrigez-"
        "les (autre stratégie avec --strategy, sourçage, groupement.yaml), ou relancez avec --brouillon pour "
        "un projet de travail marqué « PROJET » sur chaque page.",
        [
            Problem(f"{f.code} ({f'lot {f.lot}' if f.lot is not None else 'plan'}) : {f.message}")
            for f in errors
        ],
    )


def render_dce(  # noqa: PLR0917  (positional signature fixed by docs/ARCHITECTURE.md)
    plan: LotPlan,
    cat: Catalogue,
    out: Path,
    templates: Path | None = None,
    zip_: bool = False,
    force: bool = False,
    brouillon: bool = False,
    note: Path | None = None,
    *,
    inputs: Sequence[Path] = (),
    plan_hash: str | None = None,
    calendriers: Sequence[LotCalendar] | None = None,
) -> DceResult:
    """Write the DCE of ``plan`` into the folder ``out`` (atomically; refuses to overwrite without force).

    A plan with findings of severity « erreur » is refused unless ``brouillon``, which prints
    « PROJET — DOCUMENT DE TRAVAIL NON VALIDÉ » in the header of every page (so does a plan whose group
    is unknown). Lots taken out of the consultation (R2122-8) are in no piece of the DCE: when ``note`` is
    given their note is written there (beside the DCE folder, never in it). ``inputs`` (the plan file,
    the catalogues) and ``templates`` must lie outside ``out`` and ``note``: replacing would delete them.
    ``plan_hash`` is the SHA-256 of the plan's lots.json when the caller has written it (else computed here,
    once).
    ``calendriers`` are the lots' delivery calendars from the demand (``calendrier.lot_calendars``): the
    CCTP annexes and ``Annexes/Lot_NN_calendrier.xlsx``; without them they are computed from the plan
    alone (the months of each lot item for every site), with a finding saying so.
    """
    refused = refusal(plan)
    if refused is not None and not brouillon:
        raise refused
    out = Path(out)
    check_apart([out, *([note] if note is not None else [])], [templates, *inputs])
    if out.exists() and not force:
        raise OutputExistsError(
            f"Le dossier de sortie existe déjà : {out}",
            [Problem("utilisez --force pour le remplacer, ou choisissez un autre dossier", fichier=str(out))],
        )
    note_bytes = render_note(plan, brouillon or is_draft(plan)) if note is not None else None
    if note is not None and note_bytes is not None and note.exists() and not force:
        raise OutputExistsError(
            f"La note des lots hors consultation existe déjà : {note}",
            [Problem("utilisez --force pour la remplacer", fichier=str(note))],
        )
    if templates is not None and not templates.is_dir():
        raise RenderError(
            "Dossier de modèles introuvable", [Problem("dossier absent", fichier=str(templates))]
        )
    files, findings = _render_files(plan, cat, templates, brouillon, calendriers)
    brouillon = brouillon or is_draft(plan)
    controls = verify_dce(plan, cat, files)
    failed = [f for f in controls if f.severite == "erreur"]
    if failed and not brouillon:
        raise PiecesNonConformesError(
            "Les pièces générées ne sont pas publiables : le DCE n'est pas écrit. Corrigez les catalogues ou "
            "les modèles, ou relancez avec --brouillon pour un projet de travail marqué comme tel.",
            [
                Problem(f"{f.code} ({f'lot {f.lot}' if f.lot is not None else 'pièces'}) : {f.message}")
                for f in failed
            ],
            [*findings, *controls],
        )
    digest = plan_hash if plan_hash is not None else plan_sha256(plan)
    files["manifest.json"] = manifest_bytes(plan, files, brouillon, digest)
    archive_name = f"DCE_{_safe(plan.groupement.reference)}.zip" if zip_ else None
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_dir(out.parent, out.name)
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; the DCE is an ordinary shared folder
        for path, blob in files.items():
            target = tmp / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob)
        if archive_name:
            (tmp / archive_name).write_bytes(write_zip(files))
        replace_dir(tmp, out, force=force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if note is not None and note_bytes is not None:
        note.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(note, note_bytes)
    fichiers = [FichierDce(chemin=p, taille=len(b), sha256=sha256(b)) for p, b in sorted(files.items())]
    return DceResult(
        dossier=out,
        fichiers=fichiers,
        archive=out / archive_name if archive_name else None,
        plan_sha256=digest,
        brouillon=brouillon,
        findings=[*findings, *controls],
        note=note if note_bytes is not None else None,
    )


def check_templates(templates_dir_: Path, cat: Catalogue) -> list[Problem]:
    """Check the user templates of ``templates_dir_`` against the context models, without a real plan.

    Each problem names the template and the variable: a syntax error, a name that is not a field of the
    template's context model, or an attribute that fails when rendering a small sample plan.
    """
    if not templates_dir_.is_dir():
        return [Problem("dossier de modèles introuvable", fichier=str(templates_dir_))]
    present = {kind: name for kind, name in TEMPLATE_FILES.items() if (templates_dir_ / name).is_file()}
    if not present:
        attendus = ", ".join(TEMPLATE_FILES.values())
        return [Problem(f"aucun modèle reconnu ; noms attendus : {attendus}", fichier=str(templates_dir_))]
    base, lots = build_contexts(sample_plan(cat), cat)
    problems: list[Problem] = []
    for kind, name in sorted(present.items()):
        try:
            compiled = compile_docx((templates_dir_ / name).read_bytes(), name, sandbox_env())
        except RenderError as exc:
            problems.extend(exc.problems or [Problem(exc.message, fichier=name)])
            continue
        fields = set(CONTEXT_MODELS[kind].model_fields)
        for variable in sorted(compiled.undeclared(sandbox_env()) - fields):
            problems.append(
                Problem(
                    f"variable inconnue « {variable} » (variables disponibles : {', '.join(sorted(fields))})",
                    fichier=name,
                )
            )
        if not compiled.headers:
            problems.append(
                Problem(
                    "le modèle n'a pas d'en-tête : la référence de la consultation et la "
                    "mention de projet ne pourraient pas y figurer",
                    fichier=name,
                )
            )
        problems.extend(_template_lint(compiled, name, cat))
        if problems and any(p.fichier == name for p in problems):
            continue
        try:
            compiled.render(dict(context_for(kind, base, lots[0])), name, "", brouillon=True)
        except RenderError as exc:
            problems.extend(exc.problems or [Problem(exc.message, fichier=name)])
    return problems


def _template_lint(compiled: CompiledDocx, name: str, cat: Catalogue) -> list[Problem]:
    """The legal lint (lint.yaml) over the fixed text of a user template: every paragraph and cell of its
    body, headers and footers, template tags set aside (the data they print is checked after rendering)."""
    from lotsmarche.render.readback import docx_blocks
    from lotsmarche.rules.lint import lint_text

    tag = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
    problems: list[Problem] = []
    for block in docx_blocks(name, write_zip(compiled.entries)):
        text = tag.sub(lambda m: " " * len(m.group(0)), block.texte)
        for hit in lint_text(text, cat):
            problems.append(
                Problem(
                    f"texte du modèle ({block.emplacement}) : « {hit.extrait} » — {hit.libelle} ; "
                    f"{hit.alternative} ({hit.base_legale})",
                    fichier=name,
                )
            )
    return problems
