"""The API documentation pages (/docs: Swagger UI, /redoc: ReDoc), served without the internet.

FastAPI's own pages load Swagger UI and ReDoc from a CDN, so on a network without one /docs
was a blank page. The assets come from the fastapi-offline package instead and are served
from here, and the pages' scripts are files too, so the content security policy allows
scripts and requests from this server only (and styles too, except ReDoc's inline ones).
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from api.web.render import SECURITY_HEADERS

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/docs-assets"
OPENAPI_URL = "/openapi.json"

# The pages' own headers, and Swagger UI's web worker (a blob: URL) besides.
DOCS_HEADERS = SECURITY_HEADERS | {
    "Content-Security-Policy": SECURITY_HEADERS["Content-Security-Policy"].replace(
        "frame-ancestors", "worker-src 'self' blob:; frame-ancestors"
    )
}

# ReDoc sets its styles inline (styled-components) and renders nothing without them; scripts,
# requests and everything else still come from this server only.
REDOC_HEADERS = DOCS_HEADERS | {
    "Content-Security-Policy": DOCS_HEADERS["Content-Security-Policy"].replace(
        "style-src 'self'", "style-src 'self' 'unsafe-inline'"
    )
}

SWAGGER_PAGE = f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} - Swagger UI</title>
<link rel="stylesheet" href="{ASSETS_URL}/swagger-ui.css">
<link rel="icon" href="{ASSETS_URL}/favicon.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{ASSETS_URL}/swagger-ui-bundle.js"></script>
<script src="/docs/start.js"></script>
</body>
</html>
"""

SWAGGER_START = f"""window.ui = SwaggerUIBundle({{
  url: "{OPENAPI_URL}",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
}});
"""

REDOC_PAGE = f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} - ReDoc</title>
<link rel="icon" href="{ASSETS_URL}/favicon.png">
</head>
<body>
<redoc spec-url="{OPENAPI_URL}"></redoc>
<script src="{ASSETS_URL}/redoc.standalone.js"></script>
</body>
</html>
"""


def install(app: FastAPI) -> None:
    """Serve /docs and /redoc from local assets (create the app with docs_url=None)."""
    router = APIRouter(include_in_schema=False)
    title = app.title.replace("<", "&lt;")

    @router.get("/docs")
    async def swagger_ui() -> HTMLResponse:
        """Swagger UI for the published schema."""
        return HTMLResponse(SWAGGER_PAGE.format(title=title), headers=DOCS_HEADERS)

    @router.get("/docs/start.js")
    async def swagger_start() -> Response:
        """The script that starts Swagger UI (a file, so no inline script is needed)."""
        return Response(SWAGGER_START, media_type="text/javascript", headers=DOCS_HEADERS)

    @router.get("/redoc")
    async def redoc() -> HTMLResponse:
        """ReDoc for the published schema."""
        return HTMLResponse(REDOC_PAGE.format(title=title), headers=REDOC_HEADERS)

    app.include_router(router)
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
