"""Login and logout (pages) and the home page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from lotsmarche.web.app import COOKIE, checked_form, page, principal_of, set_session_cookie, store_of
from lotsmarche.web.security import RateLimiter

router = APIRouter(include_in_schema=False)


@router.get("/")
def accueil(request: Request) -> Response:
    p = principal_of(request, required=False)
    if p is None:
        return RedirectResponse("/connexion", 303)
    return RedirectResponse("/consultations" if p.user is not None else "/recensement", 303)


def _login_page(request: Request, erreur: str | None = None, status: int = 200) -> Response:
    """The login form, with a fresh anonymous session carrying its CSRF token."""
    store = store_of(request)
    token, csrf = store.anonymous_session()
    response = page(request, "connexion.html", {"csrf": csrf, "erreur": erreur}, status)
    set_session_cookie(request, response, token)
    return response


@router.get("/connexion")
def connexion(request: Request) -> Response:
    return _login_page(request)


def login_key(request: Request, email: str) -> str:
    host = request.client.host if request.client else "?"
    return f"{host}|{email.strip().lower()}"


@router.post("/connexion")
async def connexion_post(request: Request) -> Response:
    form = await checked_form(request, None, max_files=0)
    email, password = str(form.get("email", "")), str(form.get("mot_de_passe", ""))
    limiter: RateLimiter = request.app.state.limiter
    key = login_key(request, email)
    if limiter.blocked(key):
        return _login_page(request, "Trop de tentatives : réessayez dans quelques minutes.", 429)
    store = store_of(request)
    user = store.authenticate(email, password)
    if user is None:
        limiter.failure(key)
        return _login_page(request, "Adresse ou mot de passe incorrect.", 401)
    limiter.success(key)
    old = request.cookies.get(COOKIE)
    if old:
        store.close_session(old)  # the pre-login session is dropped: no session fixation
    token, _csrf = store.open_session("web", user_id=user.id)
    response = RedirectResponse("/consultations", 303)
    set_session_cookie(request, response, token)
    return response


@router.post("/deconnexion")
async def deconnexion(request: Request) -> Response:
    p = principal_of(request)
    await checked_form(request, p, max_files=0)
    token = request.cookies.get(COOKIE)
    if token:
        store_of(request).close_session(token)
    response = RedirectResponse("/connexion", 303)
    response.delete_cookie(COOKIE, path="/")
    return response
