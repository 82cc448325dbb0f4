"""The Dutch web pages: log-in, the verwijzer board, the servicepunt workbench, the planner
dashboard and simulations, and the provider's units. `install(app)` adds them to the API app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.web import (
    aanbieder,
    beschikkingen,
    board,
    gedragswetenschapper,
    login,
    meldingen,
    planner,
    provider_requests,
    referral_form,
    regie,
    servicepunt,
    simulations,
    transfers,
    verwijzer,
)
from api.web.auth import BadForm, LoginRequired, PageForbidden, PageNotFound
from api.web.render import error_page
from placements.beschikking_schemas import BESCHIKKING_FIELD_LABELS
from placements.lifecycle_models import (
    REGIE_FIELD_LABELS,
    REQUEST_FIELD_LABELS,
    TRANSFER_FIELD_LABELS,
)
from placements.models import JUDGEMENT_FIELD_LABELS, LIFECYCLE_FIELD_LABELS

STATIC = Path(__file__).parent / "static"
# The forms' Dutch labels by field path; the API's error details use them too (api.errors).
# ("-", the referral as a whole, is left out: other payloads are no referral.)
FIELD_LABELS: dict[str, str] = {
    path: label
    for path, label in (
        referral_form.LABELS
        | simulations.FIELD_LABELS
        | JUDGEMENT_FIELD_LABELS
        | LIFECYCLE_FIELD_LABELS
        | REQUEST_FIELD_LABELS
        | TRANSFER_FIELD_LABELS
        | REGIE_FIELD_LABELS
        | BESCHIKKING_FIELD_LABELS
    ).items()
    if path != "-"
}


def install(app: FastAPI) -> None:
    """Add the pages, their static files and their error pages to the app."""
    for module in (
        login,
        board,
        verwijzer,
        servicepunt,
        planner,
        simulations,
        aanbieder,
        gedragswetenschapper,
        provider_requests,
        beschikkingen,
        transfers,
        regie,
        meldingen,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        if request.url.path.endswith("/stream"):
            return Response(status_code=401)
        return RedirectResponse("/inloggen", status_code=303)

    @app.exception_handler(PageForbidden)
    async def _forbidden(request: Request, exc: PageForbidden) -> HTMLResponse:
        return error_page(None, 403, "Geen toegang", exc.message)

    @app.exception_handler(PageNotFound)
    async def _not_found(request: Request, exc: PageNotFound) -> HTMLResponse:
        why = "Deze pagina of aanmelding bestaat niet, of is niet voor u zichtbaar."
        return error_page(None, 404, "Niet gevonden", why)

    @app.exception_handler(BadForm)
    async def _bad_form(request: Request, exc: BadForm) -> HTMLResponse:
        why = (
            f"Het formulier is niet verwerkt ({exc}). Er is niets opgeslagen. "
            "Ga terug, laad de pagina opnieuw en probeer het nog eens."
        )
        return error_page(None, 403, "Formulier niet geaccepteerd", why)
