"""The API reference page: Swagger UI over the shop's OpenAPI document.

`GET <api prefix>/docs` (`/api/v1/docs`) shows every endpoint with its schemas and
examples, and can send requests to this shop ("Try it out"). Swagger UI comes from the
`swagger-ui-bundle` package and is served by the shop itself, so the page needs no
outside host and keeps the shop's Content-Security-Policy: no inline script or style,
the page is started by `js/api-docs.js` from the shop's own assets.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]  # no types shipped

# The only files of the package the page uses.
SWAGGER_UI_FILES = ("swagger-ui-bundle.js", "swagger-ui.css")


def make_blueprint(api_prefix: str, docs_prefix: str) -> Blueprint:
    """The reference page under `api_prefix`, and a redirect to it from `docs_prefix`
    (where the OpenAPI document is) when that differs."""
    bp = Blueprint("storefront_api_reference", __name__, template_folder="web/templates")
    page = api_prefix.rstrip("/") + "/docs"

    @bp.route(page)
    def reference():
        """The interactive API reference."""
        state = current_app.extensions["storefront"]
        return render_template("api/reference.html", shop_name=state.settings.shop_name)

    @bp.route(page + "/assets/<name>")
    def swagger_ui(name: str):
        """Swagger UI's script and stylesheet, from the installed package."""
        if name not in SWAGGER_UI_FILES:
            abort(404)
        return send_from_directory(str(swagger_ui_path), name)

    other = docs_prefix.rstrip("/") + "/docs"
    if other != page:
        @bp.route(other)
        def reference_elsewhere():
            """Where people look for it first: next to the OpenAPI document."""
            return redirect(url_for(".reference"))

    return bp
