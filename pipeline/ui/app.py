"""The Starlette application of `mlpipe ui`: server-rendered pages (Jinja2), one small static script."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from pipeline.ui import pages
from pipeline.ui.decisions import DecisionRefused, decide
from pipeline.ui.security import PAGE_POLICY, REPORT_POLICY, csrf_problem, new_token
from pipeline.ui.source import SourceError, UiSource
from runtime.registry.base import RegistryError

HERE = Path(__file__).resolve().parent
REFRESH_SECONDS = 2  # a running pipeline's page reloads this often
MAX_FORM_BYTES = 4096


def create_app(source: UiSource, *, hosts: list[str]) -> Starlette:
    """The UI over `source`; requests whose Host is not one of `hosts` are refused (DNS rebinding)."""
    templates = Jinja2Templates(directory=HERE / "templates")  # autoescapes every template
    token = new_token()

    def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
        shared = {"source": source, "csrf_token": token, "refresh": REFRESH_SECONDS}
        response = templates.TemplateResponse(request, template, {**shared, **context}, status_code=status)
        response.headers["Content-Security-Policy"] = PAGE_POLICY
        return response

    def page(template: str, build: Any) -> Any:
        def endpoint(request: Request) -> Response:
            try:
                return render(request, template, build(request))
            except (SourceError, RegistryError) as error:
                return render(request, "error.html", {"message": str(error)}, status=404)

        return endpoint

    def report(request: Request) -> Response:
        params = request.path_params
        try:
            body = pages.report_bytes(source, params["name"], params["version"])
        except (SourceError, RegistryError) as error:
            return PlainTextResponse(str(error), status_code=404)
        return Response(body, media_type="text/html", headers={"Content-Security-Policy": REPORT_POLICY})

    def log(request: Request) -> Response:
        try:
            text = source.log(request.path_params["run_id"], request.path_params["step"])
        except SourceError as error:
            return PlainTextResponse(str(error), status_code=404)
        return PlainTextResponse(text or "this step wrote no log")

    async def decision(request: Request) -> Response:
        name, number = request.path_params["name"], request.path_params["version"]
        body = await request.body()
        form = parse_qs(body[:MAX_FORM_BYTES].decode("utf-8", errors="replace"))
        problem = csrf_problem(request, form.get("csrf_token", [""])[0], token)
        if problem:
            return render(request, "error.html", {"message": problem}, status=403)
        try:
            done = decide(source, name, number, form.get("action", [""])[0], force="force" in form)
        except DecisionRefused as error:
            return render(request, "error.html", {"message": str(error)}, status=409)
        except (SourceError, RegistryError) as error:
            return render(request, "error.html", {"message": str(error)}, status=404)
        target = f"/models/{quote(name)}/versions/{number}?done={quote(done)}"
        return RedirectResponse(target, status_code=303)

    routes = [
        Route("/", page("models.html", lambda _: pages.models_page(source))),
        Route(
            "/models/{name}",
            page("versions.html", lambda r: pages.versions_page(source, r.path_params["name"])),
        ),
        Route("/models/{name}/compare", page("compare.html", lambda r: _compare(source, r))),
        Route("/models/{name}/versions/{version:int}", page("version.html", lambda r: _version(source, r))),
        Route(
            "/models/{name}/versions/{version:int}/confirm",
            page("confirm.html", lambda r: _confirm(source, r)),
        ),
        Route("/models/{name}/versions/{version:int}/decision", decision, methods=["POST"]),
        Route("/models/{name}/versions/{version:int}/report", report),
        Route("/runs", page("runs.html", lambda _: {"runs": source.runs()})),
        Route("/runs/{run_id}", page("run.html", lambda r: _run(source, r))),
        Route("/runs/{run_id}/logs/{step}", log),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=hosts)]
    return Starlette(routes=routes, middleware=middleware)


def _version(source: UiSource, request: Request) -> dict[str, Any]:
    context = pages.version_page(source, request.path_params["name"], request.path_params["version"])
    return {**context, "done": request.query_params.get("done", "")}


def _compare(source: UiSource, request: Request) -> dict[str, Any]:
    numbers = [int(v) for v in request.query_params.getlist("v") if v.isdigit()]
    return pages.compare_page(source, request.path_params["name"], numbers)


def _confirm(source: UiSource, request: Request) -> dict[str, Any]:
    action = request.query_params.get("action", "")
    if action not in {"approve", "reject"}:
        raise SourceError(f"unknown action {action!r}; use approve or reject")
    context = pages.version_page(source, request.path_params["name"], request.path_params["version"])
    return {**context, "action": action}


def _run(source: UiSource, request: Request) -> dict[str, Any]:
    run = source.run(request.path_params["run_id"])
    return {"run": run, "logs": source.logs(run)}
