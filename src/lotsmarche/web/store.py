"""The web application's persistence: database rows and files under the data folder.

Routes call one function of this module each; the work on inputs and plans is the library's
(``lotsmarche.consultation``, ``pipeline``, ``compare``, ``render``). Access rules live here too: every
function that reads or changes a consultation takes the principal and refuses what it may not do.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.consultation import CensusRow, GroupementForm, MemberLine
from lotsmarche.errors import InputError, LotsmarcheError, Problem
from lotsmarche.models import Groupement, LotPlan
from lotsmarche.web import db
from lotsmarche.web.security import hash_password, new_token, token_hash, verify_password
from lotsmarche.web.uploads import Upload, generated_name

ROLES = ("coordinateur", "relecteur")
SESSION_HOURS = 12
INVITATION_DAYS = 30
# The pipeline keeps some per-run state (the solver's last findings): one plan at a time.
PIPELINE_LOCK = threading.Lock()


class Forbidden(Exception):
    """The principal may not see or do this (answered 404 for other consultations, 403 otherwise)."""

    def __init__(self, message: str = "Accès refusé", status: int = 403) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class NotFound(Forbidden):
    def __init__(self, message: str = "Introuvable") -> None:
        super().__init__(message, 404)


@dataclass
class Principal:
    session_hash: str
    csrf: str
    kind: str  # web | api
    user: db.User | None = None
    invitation: db.Invitation | None = None

    @property
    def role(self) -> str:
        return self.user.role if self.user is not None else "membre"


@dataclass
class Store:
    data: Path
    sessions: Any  # sessionmaker
    cat: Catalogue
    max_upload: int = 5 * 1024 * 1024
    _cache: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ files
    def folder(self, c: db.Consultation) -> Path:
        path = self.data / "consultations" / c.dossier
        path.mkdir(parents=True, exist_ok=True)
        return path

    def path(self, c: db.Consultation, stored: str) -> Path:
        if "/" in stored or "\\" in stored or stored.startswith("."):
            raise NotFound()
        return self.folder(c) / stored

    def _write(self, c: db.Consultation, suffix: str, data: bytes) -> str:
        name = generated_name(suffix)
        target = self.folder(c) / name
        tmp = target.with_name("." + name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
        return name

    def groupement(self, c: db.Consultation) -> Groupement:
        """The consultation's groupement.yaml, read once (the stored file never changes: a new one gets a
        new generated name)."""
        from lotsmarche.groupement import load_groupement

        key = f"groupement:{c.dossier}/{c.groupement_file}"
        if key not in self._cache:
            self._cache[key] = load_groupement(self.folder(c) / c.groupement_file, self.cat)
        found: Groupement = self._cache[key]
        return found

    # ------------------------------------------------------------------ accounts
    def add_user(self, email: str, password: str, role: str) -> None:
        email = email.strip().lower()
        if role not in ROLES:
            raise InputError(
                "Rôle inconnu", [Problem(f"rôle « {role} » ; rôles possibles : {', '.join(ROLES)}")]
            )
        if "@" not in email or len(email) > 320:
            raise InputError("Adresse invalide", [Problem(f"« {email} » n'est pas une adresse électronique")])
        if len(password) < 10:
            raise InputError("Mot de passe trop court", [Problem("au moins 10 caractères sont demandés")])
        with self.sessions.begin() as s:
            if s.scalar(select(db.User).where(db.User.email == email)) is not None:
                raise InputError("Compte existant", [Problem(f"un compte existe déjà pour {email}")])
            s.add(db.User(email=email, password_hash=hash_password(password), role=role))

    def authenticate(self, email: str, password: str) -> db.User | None:
        with self.sessions() as s:
            user = s.scalar(select(db.User).where(db.User.email == email.strip().lower()))
            ok = verify_password(user.password_hash if user else None, password)
            return user if ok and user is not None else None

    def open_session(
        self, kind: str, user_id: int | None = None, invitation_id: int | None = None
    ) -> tuple[str, str]:
        """A new session (fresh random id: never reuses one the browser brought) → (token, csrf)."""
        token, csrf = new_token(), new_token()
        with self.sessions.begin() as s:
            s.execute(delete(db.WebSession).where(db.WebSession.expires_at < db.now()))  # expired ones
            s.add(
                db.WebSession(
                    id_hash=token_hash(token),
                    kind=kind,
                    user_id=user_id,
                    invitation_id=invitation_id,
                    csrf=csrf,
                    expires_at=db.now() + timedelta(hours=SESSION_HOURS),
                )
            )
        return token, csrf

    def close_session(self, token: str) -> None:
        with self.sessions.begin() as s:
            row = s.get(db.WebSession, token_hash(token))
            if row is not None:
                s.delete(row)

    def principal(self, token: str, kind: str) -> Principal | None:
        with self.sessions() as s:
            row = s.get(db.WebSession, token_hash(token))
            if row is None or row.kind != kind or row.expires_at < db.now():
                return None
            p = Principal(session_hash=row.id_hash, csrf=row.csrf, kind=row.kind)
            if row.user_id is not None:
                p.user = s.get(db.User, row.user_id)
            elif row.invitation_id is not None:
                inv = s.get(db.Invitation, row.invitation_id)
                if inv is None or not _valid(inv):
                    return None
                p.invitation = inv
            return p

    def anonymous_session(self) -> tuple[str, str]:
        return self.open_session("web")

    # ------------------------------------------------------------------ access
    def _consultation(self, s: Session, p: Principal, cid: int, write: bool = False) -> db.Consultation:
        c = s.get(db.Consultation, cid)
        if c is None or p.user is None:
            raise NotFound("Consultation introuvable")
        owner = c.owner_id == p.user.id
        reader = owner or (
            s.scalar(
                select(db.Access).where(db.Access.consultation_id == cid, db.Access.user_id == p.user.id)
            )
            is not None
        )
        if not reader:
            raise NotFound("Consultation introuvable")
        if write and not (owner and p.user.role == "coordinateur"):
            raise Forbidden(
                "Votre rôle permet de lire cette consultation et de la commenter, pas de la modifier"
            )
        return c

    def consultation(self, p: Principal, cid: int, write: bool = False) -> db.Consultation:
        with self.sessions() as s:
            return self._consultation(s, p, cid, write)

    def consultations(self, p: Principal) -> list[db.Consultation]:
        if p.user is None:
            return []
        with self.sessions() as s:
            given = select(db.Access.consultation_id).where(db.Access.user_id == p.user.id)
            q = select(db.Consultation).where(
                (db.Consultation.owner_id == p.user.id) | db.Consultation.id.in_(given)
            )
            return list(s.scalars(q.order_by(db.Consultation.id)))

    def _coordinator(self, p: Principal) -> db.User:
        if p.user is None or p.user.role != "coordinateur":
            raise Forbidden("Seul un coordinateur peut créer une consultation")
        return p.user

    # ------------------------------------------------------------------ creation
    def create_from_files(
        self, p: Principal, groupement: Upload, demande: list[Upload], sourcing: Upload | None
    ) -> int:
        """Create a consultation from groupement.yaml (+ demand and sourcing files), all checked first."""
        from lotsmarche.consultation import check_groupement_text

        user = self._coordinator(p)
        try:
            text = groupement.data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(
                "Groupement illisible",
                [Problem("un fichier texte YAML en UTF-8 est attendu", fichier=groupement.original)],
            ) from None
        check_groupement_text(text, self.cat, groupement.original)
        return self._create(user, text, demande, sourcing, [])

    def create_from_form(self, p: Principal, form: GroupementForm, sites: list[tuple[str, str, str]]) -> int:
        from lotsmarche.consultation import groupement_yaml

        user = self._coordinator(p)
        text = groupement_yaml(form, self.cat)
        return self._create(user, text, [], None, sites)

    def _create(
        self,
        user: db.User,
        text: str,
        demande: list[Upload],
        sourcing: Upload | None,
        sites: list[tuple[str, str, str]],
    ) -> int:
        import yaml

        meta = yaml.safe_load(text) or {}
        dossier = new_token()[:24].replace("-", "x").replace("_", "y")
        folder = self.data / "consultations" / dossier
        folder.mkdir(parents=True)
        try:
            gname = generated_name(".yaml")
            (folder / gname).write_text(text, encoding="utf-8")
            c = db.Consultation(
                nom=str(meta.get("nom") or "Groupement de commandes"),
                reference=str(meta.get("reference") or ""),
                owner_id=user.id,
                dossier=dossier,
                groupement_file=gname,
            )
            if sourcing is not None:
                self._check_sourcing(folder, sourcing)
            # the demand files are checked together before anything is kept
            if demande:
                self._check_demand(c, folder, demande, {})
            with self.sessions.begin() as s:
                s.add(c)
                s.flush()
                for up in demande:
                    stored = generated_name(up.suffix)
                    (folder / stored).write_bytes(up.data)
                    s.add(db.DemandFile(consultation_id=c.id, stored=stored, original=up.original))
                if sourcing is not None:
                    stored = generated_name(sourcing.suffix)
                    (folder / stored).write_bytes(sourcing.data)
                    c.sourcing_file, c.sourcing_original = stored, sourcing.original
                for membre, nom, cp in sites:
                    s.add(db.Site(consultation_id=c.id, membre=membre, nom=nom, code_postal=cp))
                cid = c.id
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return cid

    def _check_sourcing(self, folder: Path, up: Upload) -> None:
        from lotsmarche.sourcing import load_sourcing

        tmp = folder / (".verif_" + generated_name(up.suffix))
        tmp.write_bytes(up.data)
        try:
            load_sourcing(tmp, self.cat)
        except LotsmarcheError as exc:
            _rename_problems(exc, {tmp.name: up.original})
            raise
        finally:
            tmp.unlink(missing_ok=True)

    def _check_demand(
        self, c: db.Consultation, folder: Path, uploads: list[Upload], answers: dict[str, Path]
    ) -> None:
        from lotsmarche.consultation import consolidate

        tmpdir = folder / (".verif_" + new_token()[:12])
        tmpdir.mkdir()
        try:
            names: dict[str, str] = {}
            paths = []
            with self.sessions() as s:
                for f in s.scalars(select(db.DemandFile).where(db.DemandFile.consultation_id == c.id)):
                    paths.append(folder / f.stored)
                    names[f.stored] = f.original
            for up in uploads:
                path = tmpdir / generated_name(up.suffix)
                path.write_bytes(up.data)
                names[path.name] = up.original
                paths.append(path)
            try:
                consolidate(paths, answers, folder / c.groupement_file, self.cat)
            except LotsmarcheError as exc:
                _rename_problems(exc, names)
                raise
        finally:
            shutil.rmtree(tmpdir, ignore_errors=True)

    # ------------------------------------------------------------------ demand and sourcing
    def add_demand(self, p: Principal, cid: int, uploads: list[Upload]) -> dict[str, Any]:
        """Add demand files after checking them with everything already there (nothing kept if invalid)."""
        c = self.consultation(p, cid, write=True)
        if not uploads:
            raise InputError("Aucun fichier", [Problem("choisissez au moins un fichier de demande")])
        folder = self.folder(c)
        self._check_demand(c, folder, uploads, self._answers(c))
        with self.sessions.begin() as s:
            for up in uploads:
                stored = generated_name(up.suffix)
                (folder / stored).write_bytes(up.data)
                s.add(db.DemandFile(consultation_id=c.id, stored=stored, original=up.original))
        return self.census_report(p, cid)

    def set_sourcing(self, p: Principal, cid: int, up: Upload) -> None:
        c = self.consultation(p, cid, write=True)
        folder = self.folder(c)
        self._check_sourcing(folder, up)
        stored = self._write(c, up.suffix, up.data)
        with self.sessions.begin() as s:
            row = s.get(db.Consultation, cid)
            assert row is not None
            row.sourcing_file, row.sourcing_original = stored, up.original

    def _answers(self, c: db.Consultation) -> dict[str, Path]:
        with self.sessions() as s:
            rows = s.scalars(
                select(db.Answer).where(db.Answer.consultation_id == c.id).order_by(db.Answer.membre)
            )
            return {a.membre: self.folder(c) / a.stored for a in rows}

    def _inputs(self, c: db.Consultation) -> tuple[list[Path], dict[str, Path], dict[str, str]]:
        with self.sessions() as s:
            files = list(
                s.scalars(
                    select(db.DemandFile)
                    .where(db.DemandFile.consultation_id == c.id)
                    .order_by(db.DemandFile.id)
                )
            )
        names = {f.stored: f.original for f in files}
        answers = self._answers(c)
        names.update({path.name: f"réponse de {membre}" for membre, path in answers.items()})
        return [self.folder(c) / f.stored for f in files], answers, names

    def consolidated(self, c: db.Consultation) -> Path:
        """The consolidated demand (long CSV) of the census, rebuilt when an input changed."""
        from lotsmarche.consultation import consolidate

        imported, answers, names = self._inputs(c)
        key = hashlib.sha256(
            json.dumps([str(p) for p in [*imported, *answers.values()]]).encode()
        ).hexdigest()
        target = self.folder(c) / f"demande_{key[:16]}.csv"
        if not target.exists():
            try:
                _demand, data = consolidate(imported, answers, self.folder(c) / c.groupement_file, self.cat)
            except LotsmarcheError as exc:
                _rename_problems(exc, names)
                raise
            tmp = target.with_name("." + target.name + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(target)
        return target

    def census_report(self, p: Principal, cid: int) -> dict[str, Any]:
        """Who answered, the consolidated demand's size and its problems/warnings (cached per input set)."""
        from lotsmarche.consultation import consolidate

        c = self.consultation(p, cid)
        imported, answers, names = self._inputs(c)
        key = json.dumps([c.groupement_file, [str(x) for x in [*imported, *answers.values()]]])
        cached = self._cache.get(f"report:{cid}")
        if cached is None or cached[0] != key:
            report: dict[str, Any] = {"lignes": 0, "problemes": [], "avertissements": [], "membres": []}
            if imported or answers:
                try:
                    demand, _ = consolidate(imported, answers, self.folder(c) / c.groupement_file, self.cat)
                    report["lignes"] = len(demand.table)
                    report["membres"] = sorted({str(m) for m in demand.table["membre"]})
                    report["avertissements"] = [f.model_dump(mode="json") for f in demand.avertissements]
                except LotsmarcheError as exc:
                    _rename_problems(exc, names)
                    report["problemes"] = problems_json(exc)
            cached = (key, report)
            self._cache[f"report:{cid}"] = cached
        return dict(cached[1])

    def workspace(self, p: Principal, cid: int) -> dict[str, Any]:
        """Everything the consultation page shows."""

        c = self.consultation(p, cid)
        groupement = self.groupement(c)
        with self.sessions() as s:
            files = list(s.scalars(select(db.DemandFile).where(db.DemandFile.consultation_id == cid)))
            invitations = list(
                s.scalars(
                    select(db.Invitation)
                    .where(db.Invitation.consultation_id == cid)
                    .order_by(db.Invitation.id)
                )
            )
            answers = {
                a.membre: a for a in s.scalars(select(db.Answer).where(db.Answer.consultation_id == cid))
            }
            readers = list(
                s.scalars(
                    select(db.User)
                    .join(db.Access, db.Access.user_id == db.User.id)
                    .where(db.Access.consultation_id == cid)
                )
            )
            comments = self._comments(s, cid)
        plan = self.current_plan(p, cid)
        report = self.census_report(p, cid)
        membres = []
        for m in groupement.membres:
            inv = [i for i in invitations if i.membre == m.nom]
            membres.append(
                {
                    "nom": m.nom,
                    "type": m.type,
                    "invitation": inv[-1] if inv else None,
                    "reponse": answers.get(m.nom),
                    "dans_demande": m.nom in report["membres"],
                }
            )
        return {
            "c": c,
            "groupement": groupement,
            "fichiers": files,
            "membres": membres,
            "invitations": invitations,
            "reponses": answers,
            "rapport": report,
            "plan": plan,
            "relecteurs": readers,
            "commentaires": comments,
            "peut_modifier": p.user is not None and p.user.id == c.owner_id and p.user.role == "coordinateur",
        }

    # ------------------------------------------------------------------ census
    def set_census(self, p: Principal, cid: int, clos: bool) -> None:
        self.consultation(p, cid, write=True)
        with self.sessions.begin() as s:
            row = s.get(db.Consultation, cid)
            assert row is not None
            row.recensement_clos = clos

    def invite(self, p: Principal, cid: int, membre: str, days: int = INVITATION_DAYS) -> str:
        """A new invitation for ``membre`` → its token (shown once; only its hash is kept)."""

        c = self.consultation(p, cid, write=True)
        groupement = self.groupement(c)
        names = [m.nom for m in groupement.membres]
        if membre not in names:
            raise InputError("Membre inconnu", [Problem(f"« {membre} » n'est pas membre du groupement")])
        token = new_token()
        with self.sessions.begin() as s:
            s.add(
                db.Invitation(
                    consultation_id=cid,
                    membre=membre,
                    token_hash=token_hash(token),
                    expires_at=db.now() + timedelta(days=days),
                )
            )
        return token

    def revoke(self, p: Principal, cid: int, invitation_id: int) -> None:
        self.consultation(p, cid, write=True)
        with self.sessions.begin() as s:
            inv = s.get(db.Invitation, invitation_id)
            if inv is None or inv.consultation_id != cid:
                raise NotFound("Invitation introuvable")
            inv.revoked = True

    def invitation_by_token(self, token: str) -> db.Invitation | None:
        with self.sessions() as s:
            inv = s.scalar(select(db.Invitation).where(db.Invitation.token_hash == token_hash(token)))
            return inv if inv is not None and _valid(inv) else None

    def _member(self, p: Principal) -> tuple[db.Invitation, db.Consultation]:
        inv = p.invitation
        if inv is None:
            raise Forbidden("Cette page est réservée aux membres invités")
        with self.sessions() as s:
            c = s.get(db.Consultation, inv.consultation_id)
            assert c is not None
            return inv, c

    def member_page(self, p: Principal) -> dict[str, Any]:
        from lotsmarche.consultation import member_lines

        inv, c = self._member(p)
        with self.sessions() as s:
            answer = s.scalar(
                select(db.Answer).where(db.Answer.consultation_id == c.id, db.Answer.membre == inv.membre)
            )
            sites = list(
                s.scalars(
                    select(db.Site).where(db.Site.consultation_id == c.id, db.Site.membre == inv.membre)
                )
            )
        lines: list[MemberLine] = []
        if answer is not None:
            lines = member_lines(self.path(c, answer.stored).read_bytes(), self.cat)
        imported = self._imported_lines(c, inv.membre)
        site_list = [(x.nom, x.code_postal) for x in sites]
        for line in [*lines, *imported]:
            if (line.site_livraison, line.code_postal) not in site_list:
                site_list.append((line.site_livraison, line.code_postal))
        if not site_list:
            site_list.append((inv.membre, self._member_postcode(c, inv.membre)))
        return {
            "invitation": inv,
            "c": c,
            "lignes": lines,
            "importees": imported,
            "reponse": answer,
            "sites": site_list,
        }

    def _imported_lines(self, c: db.Consultation, membre: str) -> list[MemberLine]:
        """The member's lines in the coordinator's imported files (cached per set of files)."""
        from lotsmarche.consultation import imported_lines, member_lines

        imported, _answers, _names = self._inputs(c)
        key = f"importees:{c.id}:{membre}:" + "|".join(p.name for p in imported)
        if key not in self._cache:
            data = imported_lines(imported, membre, self.folder(c) / c.groupement_file, self.cat)
            self._cache[key] = member_lines(data, self.cat)
        found: list[MemberLine] = self._cache[key]
        return found

    def _member_postcode(self, c: db.Consultation, membre: str) -> str:

        groupement = self.groupement(c)
        for m in groupement.membres:
            if m.nom == membre and (m.insee or m.commune):
                commune = self.cat.commune(m.insee or m.commune or "")
                if commune is not None and commune.codes_postaux:
                    return commune.codes_postaux[0]
        return ""

    def member_lines(self, p: Principal) -> tuple[list[MemberLine], list[MemberLine]]:
        """The member's own answer and its lines in the imported demand (which the answer replaces)."""
        page = self.member_page(p)
        return page["lignes"], page["importees"]

    def _save_answer(self, inv: db.Invitation, c: db.Consultation, data: bytes) -> int:
        from lotsmarche.consultation import member_lines

        count = len(member_lines(data, self.cat))
        stored = self._write(c, ".csv", data)
        with self.sessions.begin() as s:
            row = s.scalar(
                select(db.Answer).where(db.Answer.consultation_id == c.id, db.Answer.membre == inv.membre)
            )
            if row is None:
                s.add(db.Answer(consultation_id=c.id, membre=inv.membre, stored=stored, lignes=count))
            else:
                row.stored, row.lignes, row.updated_at = stored, count, db.now()
        return count

    def _open_census(self, c: db.Consultation) -> None:
        with self.sessions() as s:
            row = s.get(db.Consultation, c.id)
            if row is None or row.recensement_clos:
                raise Forbidden("Le recensement est clos : vos réponses ne peuvent plus être modifiées")

    def answer_rows(self, p: Principal, rows: list[CensusRow]) -> int:
        """Store the member's form rows (all valid, or nothing: InputError with form rows and fields)."""
        from lotsmarche.consultation import census_csv

        inv, c = self._member(p)
        self._open_census(c)
        data, positions = census_csv(inv.membre, rows, self.cat)
        if not positions:
            raise InputError("Réponse vide", [Problem("remplissez au moins une ligne (produit et quantité)")])
        folder = self.folder(c)
        tmp = folder / (".verif_" + generated_name(".csv"))
        tmp.write_bytes(data)
        try:
            normalised = self._checked_answer(c, inv, tmp, {tmp.name: "formulaire"})
        except LotsmarcheError as exc:
            exc.problems = [
                Problem(
                    q.message,
                    fichier="formulaire",
                    ligne=positions[q.ligne - 2] if q.ligne and 2 <= q.ligne <= len(positions) + 1 else None,
                    colonne=q.colonne,
                )
                for q in exc.problems
            ]
            raise
        finally:
            tmp.unlink(missing_ok=True)
        return self._save_answer(inv, c, normalised)

    def answer_file(self, p: Principal, up: Upload) -> int:
        inv, c = self._member(p)
        self._open_census(c)
        folder = self.folder(c)
        tmp = folder / (".verif_" + generated_name(up.suffix))
        tmp.write_bytes(up.data)
        try:
            normalised = self._checked_answer(c, inv, tmp, {tmp.name: up.original})
        finally:
            tmp.unlink(missing_ok=True)
        return self._save_answer(inv, c, normalised)

    def _checked_answer(
        self, c: db.Consultation, inv: db.Invitation, tmp: Path, names: dict[str, str]
    ) -> bytes:
        from lotsmarche.consultation import member_answer

        try:
            return member_answer(tmp, inv.membre, self.folder(c) / c.groupement_file, self.cat)
        except LotsmarcheError as exc:
            _rename_problems(exc, names)
            raise

    def survey_sheet(self, p: Principal) -> bytes:
        from lotsmarche.intake.members import SiteInfo
        from lotsmarche.survey import write_survey

        page = self.member_page(p)
        inv = page["invitation"]
        nom, cp = page["sites"][0]
        out = self.folder(page["c"]) / (".modele_" + generated_name(".xlsx"))
        try:
            write_survey(self.cat, out, None, [SiteInfo(membre=inv.membre, site=nom, code_postal=cp or None)])
            return out.read_bytes()
        finally:
            out.unlink(missing_ok=True)

    # ------------------------------------------------------------------ comparison and plan
    def _inputs_for_plan(self, c: db.Consultation) -> dict[str, Any]:
        folder = self.folder(c)
        return {
            "groupement_path": folder / c.groupement_file,
            "sourcing_path": folder / c.sourcing_file if c.sourcing_file else None,
        }

    def compare(self, p: Principal, cid: int) -> dict[str, Any]:
        """Every strategy on the consolidated demand; saves comparaison.json and the chart."""
        from lotsmarche.compare import (
            comparison_json,
            comparison_png,
            comparison_rows,
            headers,
            run_comparison,
        )

        c = self.consultation(p, cid, write=True)
        demand = self.consolidated(c)
        with PIPELINE_LOCK:
            result = run_comparison([demand], **self._inputs_for_plan(c))
        data = comparison_json(result.comparison)
        data["demande"] = demand.name  # the consolidated demand it was computed on
        # the table exactly as `lotsmarche compare` prints it: one row per indicator, one column per plan
        rows = comparison_rows(result.comparison)
        names = headers(result.comparison.k)
        data["tableau"] = {
            "strategies": [r[0][0] for r in rows],
            "lignes": [[names[i], [r[i] for r in rows]] for i in range(1, len(names))],
        }
        data["solveur"] = result.comparison.solveur
        folder = self.folder(c)
        (folder / "comparaison.json").write_text(
            json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8"
        )
        (folder / "comparaison.png").write_bytes(comparison_png(result.comparison))
        return data

    def comparison(self, p: Principal, cid: int) -> dict[str, Any] | None:
        c = self.consultation(p, cid)
        path = self.folder(c) / "comparaison.json"
        if not path.exists():
            return None
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return loaded

    def fresh_comparison(self, p: Principal, cid: int) -> dict[str, Any]:
        """The comparison of the current census (computed now when the demand changed since)."""
        c = self.consultation(p, cid)
        current = self.comparison(p, cid)
        if current is not None and current.get("demande") == self.consolidated(c).name:
            return current
        return self.compare(p, cid)

    def comparison_png(self, p: Principal, cid: int) -> bytes | None:
        c = self.consultation(p, cid)
        path = self.folder(c) / "comparaison.png"
        return path.read_bytes() if path.exists() else None

    def choose(self, p: Principal, cid: int, strategie: str) -> LotPlan:
        """Build the plan of ``strategie`` on the consolidated demand and make it the consultation's plan."""
        from lotsmarche.pipeline import plan_lots

        c = self.consultation(p, cid, write=True)
        demand = self.consolidated(c)
        with PIPELINE_LOCK:
            plan, _ = plan_lots([demand], strategy=strategie, **self._inputs_for_plan(c))
        return self._keep_plan(c, plan, None)

    def _keep_plan(self, c: db.Consultation, plan: LotPlan, rules: str | None) -> LotPlan:
        from lotsmarche.lotsjson import plan_to_json

        stored = self._write(c, ".json", plan_to_json(plan).encode("utf-8"))
        rules_stored = self._write(c, ".yaml", rules.encode("utf-8")) if rules is not None else None
        with self.sessions.begin() as s:
            row = db.Plan(
                consultation_id=c.id, strategie=plan.strategie, stored=stored, rules_stored=rules_stored
            )
            s.add(row)
            s.flush()
            cons = s.get(db.Consultation, c.id)
            assert cons is not None
            cons.plan_id = row.id
        return plan

    def _plan_row(self, s: Session, c: db.Consultation) -> db.Plan | None:
        cons = s.get(db.Consultation, c.id)
        return s.get(db.Plan, cons.plan_id) if cons is not None and cons.plan_id else None

    def current_plan(self, p: Principal, cid: int) -> LotPlan | None:
        from lotsmarche.lotsjson import plan_from_json

        c = self.consultation(p, cid)
        with self.sessions() as s:
            row = self._plan_row(s, c)
        if row is None:
            return None
        key = f"plan:{row.stored}"
        if key not in self._cache:
            self._cache[key] = plan_from_json(
                self.path(c, row.stored).read_text(encoding="utf-8"), "lots.json"
            )
        plan: LotPlan = self._cache[key]
        return plan

    def plan_json(self, p: Principal, cid: int) -> str:
        c = self.consultation(p, cid)
        with self.sessions() as s:
            row = self._plan_row(s, c)
        if row is None:
            raise NotFound("Aucun plan choisi")
        return self.path(c, row.stored).read_text(encoding="utf-8")

    def adjust(
        self,
        p: Principal,
        cid: int,
        *,
        produit: str | None = None,
        vers: int | None = None,
        lot: int | None = None,
        intitule: str | None = None,
    ) -> LotPlan:
        """Move a product to another lot or rename a lot, then rebuild the plan (findings recomputed)."""
        from lotsmarche.consultation import (
            apply_titles,
            load_plan_yaml,
            move_product,
            plan_rules,
            plan_yaml,
            rename_lot,
        )
        from lotsmarche.pipeline import plan_lots

        c = self.consultation(p, cid, write=True)
        plan = self.current_plan(p, cid)
        if plan is None:
            raise InputError("Aucun plan", [Problem("choisissez d'abord une stratégie")])
        with self.sessions() as s:
            row = self._plan_row(s, c)
        assert row is not None
        rules = (
            load_plan_yaml(self.path(c, row.rules_stored).read_text(encoding="utf-8"))
            if row.rules_stored
            else plan_rules(plan)
        )
        if produit is not None and vers is not None:
            rules = move_product(rules, produit, vers)
        if lot is not None and intitule is not None:
            rules = rename_lot(rules, lot, intitule)
        text = plan_yaml(rules)
        folder = self.folder(c)
        tmp = folder / "plan_ajuste.yaml"
        tmp.write_text(text, encoding="utf-8")
        demand = self.consolidated(c)
        with PIPELINE_LOCK:
            new, _ = plan_lots([demand], plan_file=tmp, **self._inputs_for_plan(c))
        new = apply_titles(new, rules)
        return self._keep_plan(c, new, text)

    # ------------------------------------------------------------------ DCE
    def render(self, p: Principal, cid: int, progress: Any = None) -> int:
        """Render the DCE of the current plan as a new version (kept with its manifest hash) → its number."""
        from lotsmarche.consultation import version_changes
        from lotsmarche.render.dce import render_dce
        from lotsmarche.render.manifest import sha256

        c = self.consultation(p, cid, write=True)
        plan = self.current_plan(p, cid)
        if plan is None:
            raise InputError("Aucun plan", [Problem("choisissez d'abord un plan de lots")])
        with self.sessions() as s:
            row = self._plan_row(s, c)
            assert row is not None
            previous = s.scalar(
                select(db.DceVersion)
                .where(db.DceVersion.consultation_id == cid)
                .order_by(db.DceVersion.numero.desc())
            )
        numero = (previous.numero + 1) if previous is not None else 1
        dossier = f"dce_v{numero}_{new_token()[:8]}"
        if progress:
            progress(20, "Génération des pièces Word et Excel")
        brouillon = any(f.severite == "erreur" for f in plan.findings) or any(
            f.severite == "erreur" for lot in plan.lots for f in lot.findings
        )
        with PIPELINE_LOCK:
            result = render_dce(plan, self.cat, self.folder(c) / dossier, zip_=True, brouillon=brouillon)
        if progress:
            progress(90, "Enregistrement de la version")
        manifest = (result.dossier / "manifest.json").read_bytes()
        changes: list[dict[str, Any]] = []
        if previous is not None:
            old = self._version_plan(c, previous)
            changes = [ch.model_dump() for ch in version_changes(old, plan)]
        assert result.archive is not None
        with self.sessions.begin() as s:
            s.add(
                db.DceVersion(
                    consultation_id=cid,
                    numero=numero,
                    plan_id=row.id,
                    dossier=dossier,
                    archive=result.archive.relative_to(result.dossier).as_posix(),
                    manifest_sha256=sha256(manifest),
                    plan_sha256=result.plan_sha256,
                    brouillon=brouillon,
                    changements=json.dumps(changes, ensure_ascii=False),
                )
            )
        return numero

    def _version_plan(self, c: db.Consultation, v: db.DceVersion) -> LotPlan:
        from lotsmarche.lotsjson import plan_from_json

        with self.sessions() as s:
            row = s.get(db.Plan, v.plan_id)
        assert row is not None
        key = f"plan:{row.stored}"  # a stored plan never changes: an adjustment writes a new file
        if key not in self._cache:
            self._cache[key] = plan_from_json(
                self.path(c, row.stored).read_text(encoding="utf-8"), "lots.json"
            )
        plan: LotPlan = self._cache[key]
        return plan

    def versions(self, p: Principal, cid: int) -> list[dict[str, Any]]:
        c = self.consultation(p, cid)
        with self.sessions() as s:
            rows = list(
                s.scalars(
                    select(db.DceVersion)
                    .where(db.DceVersion.consultation_id == cid)
                    .order_by(db.DceVersion.numero.desc())
                )
            )
        out = []
        for v in rows:
            manifest = json.loads((self.folder(c) / v.dossier / "manifest.json").read_text(encoding="utf-8"))
            plan = self._version_plan(c, v)
            lots = {lot.numero: lot.findings for lot in plan.lots}
            pieces = []
            for f in manifest.get("fichiers", []):
                found = re.search(r"Lot_0*(\d+)_", f["chemin"])
                lot = int(found.group(1)) if found else None
                findings = lots.get(lot, []) if lot is not None else plan.findings
                pieces.append({**f, "lot": lot, "constats": [x.model_dump(mode="json") for x in findings]})
            out.append(
                {"v": v, "manifest": manifest, "pieces": pieces, "changements": json.loads(v.changements)}
            )
        return out

    def version_file(self, p: Principal, cid: int, numero: int, chemin: str | None) -> tuple[Path, str]:
        """A piece (path as listed in the manifest) or the zip of a version → (file, download name)."""
        c = self.consultation(p, cid)
        with self.sessions() as s:
            v = s.scalar(
                select(db.DceVersion).where(
                    db.DceVersion.consultation_id == cid, db.DceVersion.numero == numero
                )
            )
        if v is None:
            raise NotFound("Version introuvable")
        base = self.folder(c) / v.dossier
        if chemin is None:
            return base / v.archive, Path(v.archive).name
        manifest = json.loads((base / "manifest.json").read_text(encoding="utf-8"))
        listed = {f["chemin"] for f in manifest.get("fichiers", [])} | {"manifest.json"}
        if chemin not in listed:
            raise NotFound("Pièce introuvable")
        return base / chemin, Path(chemin).name

    def latest_version(self, p: Principal, cid: int) -> int:
        self.consultation(p, cid)
        with self.sessions() as s:
            v = s.scalar(
                select(db.DceVersion)
                .where(db.DceVersion.consultation_id == cid)
                .order_by(db.DceVersion.numero.desc())
            )
        if v is None:
            raise NotFound("Aucun DCE généré")
        return int(v.numero)

    # ------------------------------------------------------------------ comments
    def comment(self, p: Principal, cid: int, cible: str, texte: str) -> None:
        self.consultation(p, cid)  # readers (relecteurs) may comment
        assert p.user is not None
        texte = texte.strip()
        if not texte or len(texte) > 5000:
            raise InputError(
                "Commentaire invalide", [Problem("le commentaire doit faire de 1 à 5000 caractères")]
            )
        if not (cible.startswith(("lot:", "piece:")) or cible == "consultation") or len(cible) > 300:
            raise InputError("Commentaire invalide", [Problem("cible de commentaire inconnue")])
        with self.sessions.begin() as s:
            s.add(db.Comment(consultation_id=cid, user_id=p.user.id, cible=cible, texte=texte))

    def _comments(self, s: Session, cid: int) -> dict[str, list[dict[str, Any]]]:
        rows = s.execute(
            select(db.Comment, db.User.email)
            .join(db.User, db.User.id == db.Comment.user_id)
            .where(db.Comment.consultation_id == cid)
            .order_by(db.Comment.id)
        )
        out: dict[str, list[dict[str, Any]]] = {}
        for comment, email in rows:
            out.setdefault(comment.cible, []).append(
                {"auteur": email, "texte": comment.texte, "date": comment.created_at}
            )
        return out

    def comments(self, p: Principal, cid: int) -> dict[str, list[dict[str, Any]]]:
        self.consultation(p, cid)
        with self.sessions() as s:
            return self._comments(s, cid)

    def give_access(self, p: Principal, cid: int, email: str) -> None:
        self.consultation(p, cid, write=True)
        with self.sessions.begin() as s:
            user = s.scalar(select(db.User).where(db.User.email == email.strip().lower()))
            if user is None or user.role != "relecteur":
                raise InputError("Relecteur inconnu", [Problem(f"aucun compte relecteur pour « {email} »")])
            if (
                s.scalar(
                    select(db.Access).where(db.Access.consultation_id == cid, db.Access.user_id == user.id)
                )
                is None
            ):
                s.add(db.Access(consultation_id=cid, user_id=user.id))

    # ------------------------------------------------------------------ jobs
    def new_job(self, p: Principal, cid: int, kind: str) -> str:
        self.consultation(p, cid, write=True)
        job_id = new_token()[:24].replace("-", "x").replace("_", "y")
        with self.sessions.begin() as s:
            s.add(db.Job(id=job_id, consultation_id=cid, kind=kind))
        return job_id

    def job_update(self, job_id: str, **values: Any) -> None:
        with self.sessions.begin() as s:
            job = s.get(db.Job, job_id)
            if job is not None:
                for k, v in values.items():
                    setattr(job, k, v)

    def job(self, p: Principal, job_id: str) -> db.Job:
        with self.sessions() as s:
            job = s.get(db.Job, job_id)
        if job is None:
            raise NotFound("Tâche introuvable")
        self.consultation(p, job.consultation_id)
        found: db.Job = job
        return found


def _valid(inv: db.Invitation) -> bool:
    return not inv.revoked and inv.expires_at > db.now()


def _rename_problems(exc: LotsmarcheError, names: dict[str, str]) -> None:
    """Show the names the user knows (original upload names), never the generated ones."""
    exc.problems = [
        Problem(q.message, names.get(q.fichier or "", q.fichier), q.feuille, q.ligne, q.colonne)
        for q in exc.problems
    ]


def problems_json(exc: LotsmarcheError) -> list[dict[str, Any]]:
    return [
        {
            "fichier": q.fichier,
            "feuille": q.feuille,
            "ligne": q.ligne,
            "colonne": q.colonne,
            "message": q.message,
        }
        for q in exc.problems
    ] or [{"fichier": None, "feuille": None, "ligne": None, "colonne": None, "message": exc.message}]


def expire_invitation(store: Store, invitation_id: int, when: datetime) -> None:
    """Set an invitation's expiry (tests and administration)."""
    with store.sessions.begin() as s:
        inv = s.get(db.Invitation, invitation_id)
        if inv is not None:
            inv.expires_at = when
