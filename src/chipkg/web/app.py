"""The endpoint's web application (ASGI, Starlette): routes, pages, and the protocol handlers in
front of the query worker pool.

Pages are Jinja2 templates in ``chipkg/web/templates`` (autoescaped) extending ``base.html``; a
new page is a template, a handler and a ``Route`` in ``create_app``. Static files come from
``chipkg/web/static``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib import resources

import pyoxigraph as ox
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from chipkg.web import protocol, screen
from chipkg.web.engine import Answer, Pool
from chipkg.web.protocol import Incoming, ProtocolError
from chipkg.web.worker import GRAPH_FORMATS, content_type

UI_FILES = {
    "yasgui.min.js": "text/javascript; charset=utf-8",
    "yasgui.min.css": "text/css; charset=utf-8",
}
EVERY_METHOD = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
MAX_QUERY_BYTES = 10 * 2**20


@dataclass(frozen=True)
class Settings:
    address: str  # http://HOST:PORT the server listens on (used when a request has no Host)
    timeout_s: float
    example: str  # the query the page opens with
    graphs: dict[str, int]  # named graph → triples, for the service description
    allow_service: bool = False
    max_depth: int = screen.MAX_DEPTH


class Handlers:
    """The handlers; ``settings`` may be replaced once the port is known."""

    def __init__(self, pool: Pool, settings: Settings) -> None:
        self.pool = pool
        self.settings = settings
        self.templates = Environment(
            loader=PackageLoader("chipkg.web", "templates"),
            autoescape=select_autoescape(["html"]),
        )

    # -- pages -----------------------------------------------------------------------------------
    async def page_query(self, request: Request) -> Response:
        html = self.templates.get_template("query.html").render(
            example=self.settings.example, timeout=f"{self.settings.timeout_s:g}"
        )
        return HTMLResponse(html)

    async def ui(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in UI_FILES:
            raise HTTPException(404)
        data = resources.files("chipkg.web").joinpath("static", name).read_bytes()
        return Response(
            data, headers={"Content-Type": UI_FILES[name], "Cache-Control": "max-age=3600"}
        )

    # -- the protocol ----------------------------------------------------------------------------
    async def query(self, request: Request) -> Response:
        incoming = await _incoming(request)
        asked = protocol.query_request(incoming)
        results, graphs = protocol.formats(incoming)
        base = protocol.public_base(incoming, self.settings.address)
        if asked.text is None:
            return self._description(base, graphs)
        checked = screen.screen(asked.text)
        if checked.service and not self.settings.allow_service:
            raise ProtocolError(
                403,
                "SERVICE is refused: this endpoint does not send requests to other addresses "
                "(start it with --allow-service to allow federated queries)",
            )
        if checked.depth > self.settings.max_depth:
            raise ProtocolError(
                400,
                f"the query nests groups or expressions {checked.depth} deep; this endpoint "
                f"accepts at most {self.settings.max_depth}",
            )
        answer = await self.pool.run(
            {
                "kind": "query",
                "text": asked.text,
                "default_graphs": asked.default_graphs,
                "named_graphs": asked.named_graphs,
                "results_format": results,
                "graph_format": graphs,
                "base_iri": base + "/query",
            }
        )
        return _response(answer)

    async def store(self, request: Request) -> Response:
        incoming = await _incoming(request)
        graph = protocol.graph_request(incoming)
        fmt = protocol.formats(incoming)[1]
        if fmt is None:
            raise _not_acceptable()
        return _response(
            await self.pool.run({"kind": "graph", "graph": graph, "graph_format": fmt})
        )

    async def update(self, request: Request) -> Response:
        raise ProtocolError(405, protocol.READ_ONLY, allow="GET, HEAD, POST")

    def _description(self, base: str, fmt: str | None) -> Response:
        if fmt is None:
            raise _not_acceptable()
        triples = protocol.service_description(
            base + "/query", self.settings.graphs, self.settings.allow_service
        )
        body = ox.serialize(triples, format=GRAPH_FORMATS[fmt], prefixes=protocol.SD_PREFIXES)
        return Response(body, headers={"Content-Type": content_type(fmt)})


def create_app(endpoint: Handlers) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        import asyncio

        endpoint.pool.attach(asyncio.get_running_loop())
        yield

    page = ["GET", "HEAD"]
    routes = [
        Route("/", endpoint.page_query, methods=page),
        Route("/index.html", endpoint.page_query, methods=page),
        Route("/ui/{name}", endpoint.ui, methods=page),
        Route("/query", endpoint.query, methods=EVERY_METHOD, max_body_size=MAX_QUERY_BYTES),
        Route("/sparql", endpoint.query, methods=EVERY_METHOD, max_body_size=MAX_QUERY_BYTES),
        Route("/store", endpoint.store, methods=EVERY_METHOD, max_body_size=MAX_QUERY_BYTES),
        Route("/update", endpoint.update, methods=EVERY_METHOD, max_body_size=MAX_QUERY_BYTES),
    ]
    return Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={ProtocolError: _protocol_error, HTTPException: _http_error},
    )


async def _incoming(request: Request) -> Incoming:
    headers = request.headers
    return Incoming(
        method=request.method,
        query_string=request.scope.get("query_string", b""),
        content_type=headers.get("content-type", ""),
        accept=headers.get("accept", ""),
        host=headers.get("host", ""),
        body=await request.body() if request.method == "POST" else b"",
    )


def _not_acceptable() -> ProtocolError:
    return ProtocolError(406, f"no acceptable graph format; offered: {', '.join(GRAPH_FORMATS)}")


async def _protocol_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProtocolError)
    headers = {"Allow": exc.allow} if exc.allow else None
    return PlainTextResponse(exc.message + "\n", status_code=exc.status, headers=headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = "not found: the query page is at / and the endpoint at /query"
    elif exc.status_code == 405:
        message = protocol.READ_ONLY
    elif exc.status_code == 413:
        message = f"the request is larger than {MAX_QUERY_BYTES // 2**20} MB"
    else:
        message = exc.detail
    return PlainTextResponse(message + "\n", status_code=exc.status_code, headers=exc.headers)


def _response(answer: Answer) -> Response:
    headers = {"Content-Type": answer.content_type, **dict(answer.headers)}
    return Response(answer.body, status_code=answer.status, headers=headers)
