"""The application factory: settings, database, templates, sessions, CSRF, errors and background jobs."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData, UploadFile

from lotsmarche.errors import InputError, LotsmarcheError, Problem
from lotsmarche.web import db
from lotsmarche.web.security import RateLimiter, same
from lotsmarche.web.store import Forbidden, Principal, Store, problems_json
from lotsmarche.web.uploads import Upload, check_upload

HERE = Path(__file__).parent
COOKIE = "lm_session"


@dataclass(frozen=True)
class Settings:
    data: Path
    database_url: str | None = None
    max_upload: int = 5 * 1024 * 1024  # bytes per file
    login_limit: int = 5  # failed logins per e-mail and address within login_window seconds
    login_window: float = 300.0
    catalogues: Path | None = None


class Jobs:
    """Long work (optimal split, comparison, DCE) in background threads; state kept in the database."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="lotsmarche-tache")

    def submit(self, job_id: str, work: Callable[[Callable[[int, str], None]], str]) -> None:
        self.pool.submit(self._run, job_id, work)

    def _run(self, job_id: str, work: Callable[[Callable[[int, str], None]], str]) -> None:
        store = self.store

        def progress(percent: int, message: str) -> None:
            store.job_update(job_id, progression=percent, message=message)

        store.job_update(job_id, etat="en_cours", progression=5, message="Démarrage")
        try:
            result = work(progress)
        except LotsmarcheError as exc:
            store.job_update(job_id, etat="echec", message="\n".join(exc.lines()))
        except Exception:
            traceback.print_exc()
            store.job_update(job_id, etat="echec", message="Erreur interne inattendue pendant la tâche.")
        else:
            store.job_update(job_id, etat="termine", progression=100, message="Terminé", resultat=result)


def create_app(settings: Settings) -> FastAPI:
    from lotsmarche.catalogue import load_catalogue

    settings.data.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(db.database_url(settings.data, settings.database_url))
    db.upgrade(engine)
    store = Store(
        data=settings.data,
        sessions=db.sessionmaker_for(engine),
        cat=load_catalogue(settings.catalogues),
        max_upload=settings.max_upload,
    )
    app = FastAPI(
        title="lotsmarche",
        description="API de lotsmarche : consultations, recensement des besoins, plans de lots et DCE.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.store = store
    app.state.engine = engine
    app.state.jobs = Jobs(store)
    app.state.limiter = RateLimiter(settings.login_limit, settings.login_window)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["nom_produit"] = lambda code: (
        store.cat.produits[code].libelle if code in store.cat.produits else code
    )
    templates.env.filters["montant"] = _montant
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.middleware("http")
    async def _headers(request: Request, call_next: Callable[[Request], Any]) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if not request.url.path.startswith("/api/docs"):
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                "form-action 'self'; frame-ancestors 'none'",
            )
        return response

    @app.exception_handler(LotsmarcheError)
    async def _library_error(request: Request, exc: LotsmarcheError) -> Response:
        return error_response(request, 422, exc.message, problems_json(exc))

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return error_response(request, exc.status, exc.message, [])

    from lotsmarche.web.routes import api, auth, consultations, membre

    for module in (auth, consultations, membre, api):
        app.include_router(module.router)
    return app


def _montant(value: Any) -> str:
    from lotsmarche.render.filters import montant

    return montant(value)


def error_response(request: Request, status: int, message: str, problems: list[dict[str, Any]]) -> Response:
    """The one place errors become what the user sees: JSON under /api, a French page elsewhere."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"erreur": message, "problemes": problems}, status_code=status)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        "erreur.html",
        {"message": message, "problemes": problems, "p": getattr(request.state, "principal", None)},
        status_code=status,
    )


# ------------------------------------------------------------------------------------------------
# helpers shared by the routes
# ------------------------------------------------------------------------------------------------


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def principal_of(request: Request, required: bool = True) -> Principal | None:
    """The caller: a Bearer token (API session or member invitation) or the session cookie."""
    store = store_of(request)
    p: Principal | None = None
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        token = auth[7:].strip()
        p = store.principal(token, "api")
        if p is None:
            inv = store.invitation_by_token(token)
            if inv is not None:
                p = Principal(session_hash="", csrf="", kind="api", invitation=inv)
    elif COOKIE in request.cookies:
        p = store.principal(request.cookies[COOKIE], "web")
        if p is not None and p.user is None and p.invitation is None:
            p = None  # anonymous (login page) session
    request.state.principal = p
    if p is None and required:
        raise Forbidden("Connexion requise", 401)
    return p


def user_of(request: Request) -> Principal:
    p = principal_of(request)
    assert p is not None
    if p.user is None:
        raise Forbidden("Cette page est réservée aux comptes du groupement")
    return p


async def checked_form(request: Request, p: Principal | None, max_files: int = 10) -> FormData:
    """The posted form, refused (403) without the session's CSRF token when the caller uses a cookie."""
    settings: Settings = request.app.state.settings
    length = int(request.headers.get("content-length") or 0)
    if length > settings.max_upload * max_files + 1024 * 1024:
        raise InputError(
            "Envoi trop volumineux", [Problem(f"la limite est de {settings.max_upload} octets par fichier")]
        )
    form = await request.form(max_files=max_files, max_fields=2000, max_part_size=settings.max_upload + 1)
    if p is None or p.kind == "web":
        expected = p.csrf if p is not None else _anonymous_csrf(request)
        sent = form.get("csrf")
        if not isinstance(sent, str) or not expected or not same(sent, expected):
            raise Forbidden("Jeton de sécurité (CSRF) absent ou invalide : rechargez la page et recommencez")
    return form


def _anonymous_csrf(request: Request) -> str:
    token = request.cookies.get(COOKIE)
    if not token:
        return ""
    row = store_of(request).principal(token, "web")
    return row.csrf if row is not None else ""


async def upload_of(request: Request, value: Any, kind: str) -> Upload:
    if not isinstance(value, UploadFile):
        raise InputError("Fichier manquant", [Problem("choisissez un fichier à envoyer")])
    settings: Settings = request.app.state.settings
    data = await value.read(settings.max_upload + 1)
    return check_upload(value.filename or "", value.content_type, data, kind, settings.max_upload)


async def uploads_of(request: Request, values: list[Any], kind: str) -> list[Upload]:
    return [await upload_of(request, v, kind) for v in values if isinstance(v, UploadFile) and v.filename]


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    p = getattr(request.state, "principal", None)
    response: HTMLResponse = templates.TemplateResponse(
        request, name, {"p": p, **context}, status_code=status
    )
    return response


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=12 * 3600,
        path="/",
    )
