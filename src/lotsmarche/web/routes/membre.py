"""The member's pages, reached through a personal invitation link: its own census answer only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from lotsmarche.consultation import CensusRow, census_rows
from lotsmarche.errors import LotsmarcheError
from lotsmarche.web.app import (
    COOKIE,
    checked_form,
    page,
    principal_of,
    set_session_cookie,
    store_of,
    upload_of,
)
from lotsmarche.web.store import Forbidden, Principal, problems_json

router = APIRouter(include_in_schema=False)
FIELDS = tuple(CensusRow.__dataclass_fields__)
EMPTY_ROWS = 3


@router.get("/invitation/{token}")
def invitation(request: Request, token: str) -> Response:
    store = store_of(request)
    inv = store.invitation_by_token(token)
    if inv is None:
        raise Forbidden(
            "Lien d'invitation invalide, expiré ou révoqué : demandez-en un nouveau au coordinateur", 404
        )
    old = request.cookies.get(COOKIE)
    if old:
        store.close_session(old)
    session, _csrf = store.open_session("web", invitation_id=inv.id)
    response = RedirectResponse("/recensement", 303)
    set_session_cookie(request, response, session)
    return response


def _member(request: Request) -> Principal:
    p = principal_of(request)
    assert p is not None
    if p.invitation is None:
        raise Forbidden("Cette page est réservée aux membres invités")
    return p


def _page(
    request: Request,
    p: Principal,
    *,
    rows: list[CensusRow] | None = None,
    erreurs: list[dict[str, Any]] | None = None,
    titre: str = "",
    status: int = 200,
    message: str = "",
) -> Response:
    store = store_of(request)
    data = store.member_page(p)
    if rows is None:
        rows = census_rows(data["lignes"])
    rows = [*rows, *[CensusRow() for _ in range(EMPTY_ROWS)]]
    par_case: dict[tuple[int, str], list[str]] = {}
    autres: list[dict[str, Any]] = []
    for e in erreurs or []:
        if e.get("fichier") == "formulaire" and e.get("ligne") and e.get("colonne") in FIELDS:
            par_case.setdefault((e["ligne"], e["colonne"]), []).append(e["message"])
        else:
            autres.append(e)
    produits = sorted(store.cat.produits.values(), key=lambda x: x.code)
    return page(
        request,
        "recensement.html",
        {
            **data,
            "rows": rows,
            "par_case": par_case,
            "erreurs": autres,
            "titre_erreur": titre,
            "produits": produits,
            "labels": sorted(store.cat.labels),
            "conditionnements": sorted(store.cat.conditionnements),
            "message": message,
        },
        status,
    )


@router.get("/recensement")
def recensement(request: Request, enregistre: int = 0) -> Response:
    p = _member(request)
    return _page(request, p, message=f"{enregistre} ligne(s) enregistrée(s)." if enregistre else "")


@router.post("/recensement")
async def recensement_post(request: Request) -> Response:
    p = _member(request)
    form = await checked_form(request, p, max_files=0)
    count = int(str(form.get("lignes", "0")) or 0)
    rows = [
        CensusRow(**{f: str(form.get(f"{f}_{i}", "")) for f in FIELDS}) for i in range(1, min(count, 500) + 1)
    ]
    try:
        saved = store_of(request).answer_rows(p, rows)
    except LotsmarcheError as exc:
        kept = [r for r in rows if not r.empty()]
        # problems name form rows among all rows: show rows in their typed order
        return _page(
            request, p, rows=rows if kept else None, erreurs=problems_json(exc), titre=exc.message, status=422
        )
    return RedirectResponse(f"/recensement?enregistre={saved}", 303)


@router.post("/recensement/fichier")
async def recensement_fichier(request: Request) -> Response:
    p = _member(request)
    form = await checked_form(request, p)
    try:
        up = await upload_of(request, form.get("fichier"), "demande")
        saved = store_of(request).answer_file(p, up)
    except LotsmarcheError as exc:
        return _page(request, p, erreurs=problems_json(exc), titre=exc.message, status=422)
    return RedirectResponse(f"/recensement?enregistre={saved}", 303)


@router.get("/recensement/modele.xlsx")
def modele(request: Request) -> Response:
    p = _member(request)
    data = store_of(request).survey_sheet(p)
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="recensement.xlsx"'},
    )
