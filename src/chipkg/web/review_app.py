"""The review page as a web application (ASGI, Starlette): a report passage by passage, and the
actions that write the curated overlay (docs/curation.md). ``chipkg review`` serves it on
127.0.0.1; it can also be mounted under a prefix of another application (every link is relative
to the mount point).

Pages are Jinja2 templates (``templates/review/``, autoescaped); the script and style sheet are
``static/review.js`` and ``static/review.css``; nothing is fetched from elsewhere.
"""

from __future__ import annotations

import subprocess
import sys
from importlib import resources

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from chipkg.errors import ChipkgError
from chipkg.web.review_actions import Act
from chipkg.web.review_model import Reviews
from chipkg.web.review_page import passage_context, progress, search
from chipkg.workspace import Workspace

STATIC = {"review.js": "text/javascript; charset=utf-8", "review.css": "text/css; charset=utf-8"}
REBUILD_TIMEOUT_S = 1800


def templates() -> Environment:
    return Environment(
        loader=PackageLoader("chipkg.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


class ReviewApp:
    """The handlers, over one workspace."""

    def __init__(self, space: Workspace, analyst: str = "") -> None:
        self.space = space
        self.analyst = analyst
        self.reviews = Reviews(space)
        self.env = templates()

    def _page(self, request: Request, name: str, **context) -> HTMLResponse:
        html = self.env.get_template(f"review/{name}").render(
            base=request.scope.get("root_path", ""),
            workspace=self.space.settings.name,
            analyst=self.analyst,
            **context,
        )
        return HTMLResponse(html)

    def _error(self, request: Request, exc: ChipkgError, status: int = 400) -> HTMLResponse:
        page = self._page(request, "error.html", message=str(exc))
        page.status_code = status
        return page

    async def index(self, request: Request) -> Response:
        try:
            reports = await run_in_threadpool(self.reviews.reports)
        except ChipkgError as exc:
            return self._error(request, exc)
        if len(reports) == 1:
            return RedirectResponse(f"{request.scope.get('root_path', '')}/r/{next(iter(reports))}")
        return self._page(request, "index.html", reports=sorted(reports))

    async def report(self, request: Request) -> Response:
        rid = request.path_params["rid"]
        try:
            st = await run_in_threadpool(self.reviews.state, rid)
        except ChipkgError as exc:
            return self._error(request, exc, 404)
        first = next((i for i in sorted(st.by_passage) if st.by_passage[i]), 0)
        pending = [
            i
            for i in sorted(st.by_passage)
            if any(v["state"] == "pending" for v in st.by_passage[i])
        ]
        target = pending[0] if pending else first
        return RedirectResponse(f"{request.scope.get('root_path', '')}/r/{rid}/{target}")

    async def passage(self, request: Request) -> Response:
        rid, n = request.path_params["rid"], request.path_params["n"]
        try:
            st = await run_in_threadpool(self.reviews.state, rid)
        except ChipkgError as exc:
            return self._error(request, exc, 404)
        if not 0 <= n < len(st.parsed.passages):
            return self._error(request, ChipkgError(f"no passage {n} in {rid}"), 404)
        ctx = passage_context(st, n, self.space.settings.languages)
        return self._page(request, "passage.html", **ctx)

    async def entities(self, request: Request) -> Response:
        try:
            st = await run_in_threadpool(self.reviews.state, request.path_params["rid"])
        except ChipkgError as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        return JSONResponse(search(st, request.query_params.get("q", "")))

    async def act(self, request: Request) -> Response:
        try:
            payload = await request.json()
            if not isinstance(payload, dict):
                raise ValueError
        except ValueError:
            return JSONResponse({"error": "send a JSON object"}, status_code=400)
        try:
            act = await run_in_threadpool(Act, self.reviews, request.path_params["rid"], payload)
            message = await run_in_threadpool(act.run)
        except ChipkgError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        st = await run_in_threadpool(self.reviews.state, request.path_params["rid"])
        return JSONResponse({"message": message, "progress": progress(st)})

    async def rebuild(self, request: Request) -> Response:
        """Run ``chipkg build`` on the workspace, as on the command line."""
        cmd = [sys.executable, "-m", "chipkg.cli", "--project", str(self.space.root), "build"]
        if self.space.nested:
            cmd[4] = str(self.space.root.parent)
        done = await run_in_threadpool(
            subprocess.run, cmd, capture_output=True, text=True, timeout=REBUILD_TIMEOUT_S
        )
        lines = (done.stdout + done.stderr).strip().splitlines()
        return JSONResponse(
            {"exit": done.returncode, "output": "\n".join(lines[-12:])},
            status_code=200 if done.returncode == 0 else 500,
        )

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return Response("not found", status_code=404)
        data = resources.files("chipkg.web").joinpath("static", name).read_bytes()
        return Response(data, headers={"Content-Type": STATIC[name], "Cache-Control": "no-cache"})


def create_review_app(space: Workspace, analyst: str = "") -> Starlette:
    h = ReviewApp(space, analyst)
    return Starlette(
        routes=[
            Route("/", h.index),
            Route("/r/{rid}", h.report),
            Route("/r/{rid}/{n:int}", h.passage),
            Route("/api/r/{rid}/entities", h.entities),
            Route("/api/r/{rid}/act", h.act, methods=["POST"]),
            Route("/api/rebuild", h.rebuild, methods=["POST"]),
            Route("/static/{name}", h.static),
        ]
    )
