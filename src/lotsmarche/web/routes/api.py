"""The JSON API (documented at /api/docs): the same operations as the pages, with a Bearer token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.datastructures import UploadFile

from lotsmarche.errors import LotsmarcheError
from lotsmarche.web.app import checked_form, principal_of, store_of, upload_of, uploads_of
from lotsmarche.web.routes.auth import login_key
from lotsmarche.web.security import RateLimiter
from lotsmarche.web.store import Forbidden, Principal, problems_json

router = APIRouter(prefix="/api", tags=["API"])


class Identifiants(BaseModel):
    email: str
    password: str


class Jeton(BaseModel):
    token: str


class Identifiant(BaseModel):
    id: int


class Probleme(BaseModel):
    fichier: str | None
    feuille: str | None
    ligne: int | None
    colonne: str | None
    message: str


class RapportDemande(BaseModel):
    lignes: int
    problemes: list[Probleme]


class Strategie(BaseModel):
    strategie: str


class Tache(BaseModel):
    job: str


class EtatTache(BaseModel):
    etat: str
    progression: int
    message: str
    resultat: str


class NouvelleInvitation(BaseModel):
    membre: str


class Invitation(BaseModel):
    url: str
    token: str


def _caller(request: Request) -> Principal:
    """Changes through the API need a Bearer token: a browser's cookie alone (CSRF) is never enough."""
    p = principal_of(request)
    assert p is not None
    if request.method != "GET" and p.kind != "api":
        raise Forbidden("L'API demande un jeton « Authorization: Bearer » pour modifier")
    return p


def _user(request: Request) -> Principal:
    p = _caller(request)
    if p.user is None:
        raise Forbidden("Réservé aux comptes du groupement")
    return p


@router.post("/session", response_model=Jeton, summary="Ouvrir une session (jeton Bearer)")
def session(request: Request, body: Identifiants) -> Any:
    limiter: RateLimiter = request.app.state.limiter
    key = login_key(request, body.email)
    if limiter.blocked(key):
        return JSONResponse({"erreur": "Trop de tentatives : réessayez dans quelques minutes."}, 429)
    store = store_of(request)
    user = store.authenticate(body.email, body.password)
    if user is None:
        limiter.failure(key)
        return JSONResponse({"erreur": "Adresse ou mot de passe incorrect."}, 401)
    limiter.success(key)
    token, _ = store.open_session("api", user_id=user.id)
    return {"token": token}


@router.get("/consultations", summary="Consultations accessibles")
def consultations(request: Request) -> list[dict[str, Any]]:
    return [
        {"id": c.id, "nom": c.nom, "reference": c.reference, "recensement_clos": c.recensement_clos}
        for c in store_of(request).consultations(_user(request))
    ]


@router.post(
    "/consultations", status_code=201, response_model=Identifiant, summary="Créer depuis groupement.yaml"
)
async def creer(request: Request) -> Any:
    p = _user(request)
    form = await checked_form(request, p)
    groupement = await upload_of(request, form.get("groupement"), "groupement")
    demande = await uploads_of(request, form.getlist("demande"), "demande")
    value = form.get("sourcing")
    sourcing = (
        await upload_of(request, value, "sourcing")
        if isinstance(value, UploadFile) and value.filename
        else None
    )
    return {"id": store_of(request).create_from_files(p, groupement, demande, sourcing)}


@router.post(
    "/consultations/{cid}/demande",
    response_model=RapportDemande,
    summary="Ajouter des fichiers de demande (rien n'est gardé s'ils sont invalides : 422)",
)
async def demande(request: Request, cid: int) -> Any:
    p = _user(request)
    form = await checked_form(request, p)
    uploads = await uploads_of(request, form.getlist("fichiers"), "demande")
    try:
        report = store_of(request).add_demand(p, cid, uploads)
    except LotsmarcheError as exc:
        return JSONResponse({"lignes": 0, "problemes": problems_json(exc), "erreur": exc.message}, 422)
    return {"lignes": report["lignes"], "problemes": report["problemes"]}


@router.post("/consultations/{cid}/sourcing", summary="Remplacer le sourçage fournisseurs")
async def sourcing(request: Request, cid: int) -> dict[str, str]:
    p = _user(request)
    form = await checked_form(request, p)
    store_of(request).set_sourcing(p, cid, await upload_of(request, form.get("fichier"), "sourcing"))
    return {"etat": "enregistré"}


@router.get("/consultations/{cid}/recensement", summary="Qui a répondu, lignes et problèmes de la demande")
def recensement(request: Request, cid: int) -> dict[str, Any]:
    return store_of(request).census_report(_user(request), cid)


@router.get(
    "/consultations/{cid}/comparaison", summary="Comparaison des stratégies (mêmes indicateurs que compare)"
)
def comparaison(request: Request, cid: int) -> dict[str, Any]:
    return store_of(request).fresh_comparison(_user(request), cid)


@router.post("/consultations/{cid}/plan", summary="Choisir une stratégie : renvoie le lots.json")
def plan(request: Request, cid: int, body: Strategie) -> Response:
    from lotsmarche.lotsjson import plan_to_json

    p = _user(request)
    built = store_of(request).choose(p, cid, body.strategie)
    return Response(plan_to_json(built), media_type="application/json")


@router.get("/consultations/{cid}/plan", summary="Le lots.json du plan choisi")
def plan_courant(request: Request, cid: int) -> Response:
    return Response(store_of(request).plan_json(_user(request), cid), media_type="application/json")


class Ajustement(BaseModel):
    produit: str | None = None
    vers: int | None = None
    lot: int | None = None
    intitule: str | None = None


@router.post("/consultations/{cid}/plan/ajustement", summary="Déplacer un produit ou renommer un lot")
def ajuster(request: Request, cid: int, body: Ajustement) -> Response:
    from lotsmarche.lotsjson import plan_to_json

    built = store_of(request).adjust(
        _user(request), cid, produit=body.produit, vers=body.vers, lot=body.lot, intitule=body.intitule
    )
    return Response(plan_to_json(built), media_type="application/json")


@router.post(
    "/consultations/{cid}/dce", status_code=202, response_model=Tache, summary="Générer le DCE (tâche)"
)
def dce(request: Request, cid: int) -> Any:
    p = _user(request)
    store = store_of(request)
    store.current_plan(p, cid)
    job_id = store.new_job(p, cid, "dce")

    def work(progress: Any) -> str:
        numero = store.render(p, cid, progress)
        return f"/api/consultations/{cid}/dce.zip?version={numero}"

    request.app.state.jobs.submit(job_id, work)
    return {"job": job_id}


@router.get("/jobs/{job_id}", response_model=EtatTache, summary="État d'une tâche")
def job(request: Request, job_id: str) -> Any:
    j = store_of(request).job(_user(request), job_id)
    return {"etat": j.etat, "progression": j.progression, "message": j.message, "resultat": j.resultat}


@router.get(
    "/consultations/{cid}/dce/versions", summary="Versions du DCE (empreinte du manifeste, changements)"
)
def versions(request: Request, cid: int) -> list[dict[str, Any]]:
    return [
        {
            "numero": v["v"].numero,
            "manifest_sha256": v["v"].manifest_sha256,
            "plan_sha256": v["v"].plan_sha256,
            "brouillon": v["v"].brouillon,
            "changements": v["changements"],
            "fichiers": v["manifest"].get("fichiers", []),
        }
        for v in store_of(request).versions(_user(request), cid)
    ]


@router.get("/consultations/{cid}/dce.zip", summary="Le zip du DCE (dernière version par défaut)")
def dce_zip(request: Request, cid: int, version: int | None = None) -> Response:
    p = _user(request)
    store = store_of(request)
    numero = version if version is not None else store.latest_version(p, cid)
    path, name = store.version_file(p, cid, numero, None)
    return FileResponse(path, media_type="application/zip", filename=name)


@router.post(
    "/consultations/{cid}/invitations",
    status_code=201,
    response_model=Invitation,
    summary="Inviter un membre (le jeton n'est montré qu'une fois)",
)
def inviter(request: Request, cid: int, body: NouvelleInvitation) -> Any:
    token = store_of(request).invite(_user(request), cid, body.membre)
    return {"url": str(request.base_url).rstrip("/") + f"/invitation/{token}", "token": token}


def _member(request: Request) -> Principal:
    p = _caller(request)
    if p.invitation is None:
        raise Forbidden("Réservé aux membres invités (jeton d'invitation)")
    return p


@router.get("/membre/demande", summary="Les lignes du membre invité")
def membre_demande(request: Request) -> dict[str, Any]:
    p = _member(request)
    assert p.invitation is not None
    lines, imported = store_of(request).member_lines(p)
    return {
        "membre": p.invitation.membre,
        "lignes": [line.model_dump() for line in lines],
        # the member's lines in the coordinator's imported files: its answer replaces them
        "demande_importee": [line.model_dump() for line in imported],
    }


@router.put("/membre/demande", summary="Remplacer les lignes du membre (CSV ou XLSX, multipart « fichier »)")
async def membre_remplacer(request: Request) -> Any:
    p = _member(request)
    form = await checked_form(request, p)
    up = await upload_of(request, form.get("fichier"), "demande")
    try:
        count = store_of(request).answer_file(p, up)
    except LotsmarcheError as exc:
        return JSONResponse({"lignes": 0, "problemes": problems_json(exc), "erreur": exc.message}, 422)
    return {"lignes": count, "problemes": []}
