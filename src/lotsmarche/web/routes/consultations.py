"""The coordinator's and the reviewer's pages: consultations, census, comparison, plan, DCE."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from lotsmarche.consultation import GroupementForm, MembreForm
from lotsmarche.errors import LotsmarcheError
from lotsmarche.models import MEMBER_KINDS, STRATEGIES
from lotsmarche.web.app import checked_form, page, store_of, upload_of, uploads_of, user_of
from lotsmarche.web.store import NotFound, problems_json

router = APIRouter(include_in_schema=False)
FORM_ROWS = 8


def _fields(form: Any, prefix: str, names: tuple[str, ...]) -> list[dict[str, str]]:
    rows = []
    for i in range(1, FORM_ROWS + 1):
        rows.append({n: str(form.get(f"{prefix}_{n}_{i}", "")).strip() for n in names})
    return rows


@router.get("/consultations")
def liste(request: Request) -> Response:
    p = user_of(request)
    return page(request, "consultations.html", {"consultations": store_of(request).consultations(p)})


def _creation_page(
    request: Request, values: dict[str, Any], problemes: list[dict[str, Any]], status: int
) -> Response:
    return page(
        request,
        "nouvelle.html",
        {
            "v": values,
            "problemes": problemes,
            "types": MEMBER_KINDS,
            "rows": FORM_ROWS,
        },
        status,
    )


@router.get("/consultations/nouvelle")
def nouvelle(request: Request) -> Response:
    user_of(request)
    return _creation_page(request, {}, [], 200)


@router.post("/consultations/nouvelle")
async def nouvelle_post(request: Request) -> Response:
    p = user_of(request)
    form = await checked_form(request, p, max_files=0)
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    membres = [
        MembreForm(nom=r["nom"], type=r["type"], commune=r["commune"])
        for r in _fields(form, "membre", ("nom", "type", "commune"))
        if r["nom"]
    ]
    sites = [
        (r["membre"], r["nom"], r["cp"])
        for r in _fields(form, "site", ("membre", "nom", "cp"))
        if r["membre"] and r["nom"]
    ]
    gform = GroupementForm(
        nom=values.get("nom", ""),
        reference=values.get("reference", ""),
        coordonnateur=values.get("coordonnateur", ""),
        adresse=values.get("adresse", ""),
        date_lancement=values.get("date_lancement", ""),
        periode_initiale_mois=values.get("periode_initiale_mois", "12"),
        reconductions=values.get("reconductions", "3"),
        membres=membres,
    )
    try:
        cid = store_of(request).create_from_form(p, gform, sites)
    except LotsmarcheError as exc:
        return _creation_page(request, values, problems_json(exc), 422)
    return RedirectResponse(f"/consultations/{cid}", 303)


@router.get("/communes")
def communes(request: Request, q: str = "") -> Response:
    """Commune search of the creation form (name, INSEE code or postcode), as JSON."""
    from lotsmarche.consultation import search_communes

    user_of(request)
    found = search_communes(store_of(request).cat, q[:100])
    return JSONResponse([{"code": code, "libelle": label} for code, label in found])


@router.post("/consultations/import")
async def importer(request: Request) -> Response:
    p = user_of(request)
    form = await checked_form(request, p)
    try:
        groupement = await upload_of(request, form.get("groupement"), "groupement")
        demande = await uploads_of(request, form.getlist("demande"), "demande")
        sourcing_value = form.get("sourcing")
        sourcing = (
            await upload_of(request, sourcing_value, "sourcing")
            if isinstance(sourcing_value, UploadFile) and sourcing_value.filename
            else None
        )
        cid = store_of(request).create_from_files(p, groupement, demande, sourcing)
    except LotsmarcheError as exc:
        return _creation_page(request, {}, problems_json(exc), 422)
    return RedirectResponse(f"/consultations/{cid}", 303)


def _workspace(
    request: Request, cid: int, extra: dict[str, Any] | None = None, status: int = 200
) -> Response:
    p = user_of(request)
    ws = store_of(request).workspace(p, cid)
    return page(request, "consultation.html", {**ws, **(extra or {})}, status)


@router.get("/consultations/{cid}")
def consultation(request: Request, cid: int) -> Response:
    return _workspace(request, cid)


@router.post("/consultations/{cid}/demande")
async def demande(request: Request, cid: int) -> Response:
    p = user_of(request)
    form = await checked_form(request, p)
    try:
        uploads = await uploads_of(request, form.getlist("fichiers"), "demande")
        store_of(request).add_demand(p, cid, uploads)
    except LotsmarcheError as exc:
        return _workspace(
            request, cid, {"erreurs_envoi": problems_json(exc), "titre_erreur": exc.message}, 422
        )
    return RedirectResponse(f"/consultations/{cid}", 303)


@router.post("/consultations/{cid}/sourcing")
async def sourcing(request: Request, cid: int) -> Response:
    p = user_of(request)
    form = await checked_form(request, p)
    try:
        store_of(request).set_sourcing(p, cid, await upload_of(request, form.get("fichier"), "sourcing"))
    except LotsmarcheError as exc:
        return _workspace(
            request, cid, {"erreurs_envoi": problems_json(exc), "titre_erreur": exc.message}, 422
        )
    return RedirectResponse(f"/consultations/{cid}", 303)


@router.post("/consultations/{cid}/invitations")
async def inviter(request: Request, cid: int) -> Response:
    p = user_of(request)
    form = await checked_form(request, p, max_files=0)
    membre = str(form.get("membre", ""))
    try:
        token = store_of(request).invite(p, cid, membre)
    except LotsmarcheError as exc:
        return _workspace(
            request, cid, {"erreurs_envoi": problems_json(exc), "titre_erreur": exc.message}, 422
        )
    url = str(request.base_url).rstrip("/") + f"/invitation/{token}"
    return _workspace(request, cid, {"nouvelle_invitation": {"membre": membre, "url": url}})


@router.post("/consultations/{cid}/invitations/{iid}/revoquer")
async def revoquer(request: Request, cid: int, iid: int) -> Response:
    p = user_of(request)
    await checked_form(request, p, max_files=0)
    store_of(request).revoke(p, cid, iid)
    return RedirectResponse(f"/consultations/{cid}", 303)


@router.post("/consultations/{cid}/recensement")
async def recensement(request: Request, cid: int) -> Response:
    p = user_of(request)
    form = await checked_form(request, p, max_files=0)
    store_of(request).set_census(p, cid, form.get("clos") == "1")
    return RedirectResponse(f"/consultations/{cid}", 303)


@router.post("/consultations/{cid}/relecteurs")
async def relecteurs(request: Request, cid: int) -> Response:
    p = user_of(request)
    form = await checked_form(request, p, max_files=0)
    try:
        store_of(request).give_access(p, cid, str(form.get("email", "")))
    except LotsmarcheError as exc:
        return _workspace(
            request, cid, {"erreurs_envoi": problems_json(exc), "titre_erreur": exc.message}, 422
        )
    return RedirectResponse(f"/consultations/{cid}", 303)


@router.post("/consultations/{cid}/commentaires")
async def commenter(request: Request, cid: int) -> Response:
    p = user_of(request)
    form = await checked_form(request, p, max_files=0)
    cible = str(form.get("cible", "consultation"))
    store_of(request).comment(p, cid, cible, str(form.get("texte", "")))
    back = str(form.get("retour", ""))
    target = {"plan": f"/consultations/{cid}/plan", "dce": f"/consultations/{cid}/dce"}.get(
        back, f"/consultations/{cid}"
    )
    return RedirectResponse(target, 303)


# ------------------------------------------------------------------ comparison and plan


@router.get("/consultations/{cid}/comparaison")
def comparaison(request: Request, cid: int) -> Response:
    p = user_of(request)
    store = store_of(request)
    c = store.consultation(p, cid)
    return page(
        request,
        "comparaison.html",
        {
            "c": c,
            "cmp": store.comparison(p, cid),
            "strategies": STRATEGIES,
            "peut_modifier": p.user is not None and p.user.id == c.owner_id and p.user.role == "coordinateur",
        },
    )


@router.get("/consultations/{cid}/comparaison.png")
def comparaison_png(request: Request, cid: int) -> Response:
    data = store_of(request).comparison_png(user_of(request), cid)
    if data is None:
        raise NotFound("Aucune comparaison")
    return Response(data, media_type="image/png")


def _start(request: Request, cid: int, kind: str, work: Any) -> Response:
    p = user_of(request)
    store = store_of(request)
    job_id = store.new_job(p, cid, kind)
    request.app.state.jobs.submit(job_id, work)
    return RedirectResponse(f"/taches/{job_id}", 303)


@router.post("/consultations/{cid}/comparaison")
async def comparer(request: Request, cid: int) -> Response:
    p = user_of(request)
    await checked_form(request, p, max_files=0)
    store = store_of(request)

    def work(progress: Any) -> str:
        progress(10, "Calcul de chaque stratégie sur la demande consolidée")
        store.compare(p, cid)
        return f"/consultations/{cid}/comparaison"

    return _start(request, cid, "comparaison", work)


@router.post("/consultations/{cid}/plan")
async def choisir(request: Request, cid: int) -> Response:
    p = user_of(request)
    form = await checked_form(request, p, max_files=0)
    strategie = str(form.get("strategie", ""))
    store = store_of(request)

    def work(progress: Any) -> str:
        progress(10, f"Construction du plan « {strategie} » et contrôles")
        store.choose(p, cid, strategie)
        return f"/consultations/{cid}/plan"

    return _start(request, cid, "plan", work)


@router.get("/consultations/{cid}/plan")
def plan(
    request: Request, cid: int, erreurs: list[dict[str, Any]] | None = None, status: int = 200
) -> Response:
    p = user_of(request)
    store = store_of(request)
    c = store.consultation(p, cid)
    return page(
        request,
        "plan.html",
        {
            "c": c,
            "plan": store.current_plan(p, cid),
            "commentaires": store.comments(p, cid),
            "erreurs": erreurs or [],
            "peut_modifier": p.user is not None and p.user.id == c.owner_id and p.user.role == "coordinateur",
        },
        status,
    )


@router.post("/consultations/{cid}/plan/ajuster")
async def ajuster(request: Request, cid: int) -> Response:
    p = user_of(request)
    form = await checked_form(request, p, max_files=0)
    store = store_of(request)
    try:
        if form.get("action") == "renommer":
            store.adjust(
                p, cid, lot=int(str(form.get("lot", "0")) or 0), intitule=str(form.get("intitule", ""))
            )
        else:
            store.adjust(
                p, cid, produit=str(form.get("produit", "")), vers=int(str(form.get("vers", "0")) or 0)
            )
    except ValueError:
        return plan(request, cid, [{"message": "numéro de lot invalide"}], 422)
    except LotsmarcheError as exc:
        return plan(request, cid, problems_json(exc), 422)
    return RedirectResponse(f"/consultations/{cid}/plan", 303)


@router.get("/consultations/{cid}/lots.json")
def lots_json(request: Request, cid: int) -> Response:
    text = store_of(request).plan_json(user_of(request), cid)
    return Response(
        text,
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="lots.json"'},
    )


# ------------------------------------------------------------------ DCE


@router.post("/consultations/{cid}/dce")
async def generer(request: Request, cid: int) -> Response:
    p = user_of(request)
    await checked_form(request, p, max_files=0)
    store = store_of(request)

    def work(progress: Any) -> str:
        numero = store.render(p, cid, progress)
        return f"/consultations/{cid}/dce#v{numero}"

    return _start(request, cid, "dce", work)


@router.get("/consultations/{cid}/dce")
def dce(request: Request, cid: int) -> Response:
    p = user_of(request)
    store = store_of(request)
    c = store.consultation(p, cid)
    return page(
        request,
        "dce.html",
        {
            "c": c,
            "versions": store.versions(p, cid),
            "plan": store.current_plan(p, cid),
            "commentaires": store.comments(p, cid),
            "peut_modifier": p.user is not None and p.user.id == c.owner_id and p.user.role == "coordinateur",
        },
    )


@router.get("/consultations/{cid}/dce/{numero}/zip")
def dce_zip(request: Request, cid: int, numero: int) -> Response:
    path, name = store_of(request).version_file(user_of(request), cid, numero, None)
    return FileResponse(path, media_type="application/zip", filename=name)


@router.get("/consultations/{cid}/dce/{numero}/piece")
def dce_piece(request: Request, cid: int, numero: int, chemin: str) -> Response:
    path, name = store_of(request).version_file(user_of(request), cid, numero, chemin)
    return FileResponse(path, media_type="application/octet-stream", filename=name)


@router.get("/taches/{job_id}")
def tache(request: Request, job_id: str) -> Response:
    job = store_of(request).job(user_of(request), job_id)
    return page(request, "tache.html", {"job": job})
