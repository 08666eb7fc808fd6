"""The endpoint's web application (WSGI): routes, pages, and the protocol handlers in front of
the query worker pool.

Pages are Jinja2 templates in ``chipkg/web/templates`` (autoescaped) extending ``base.html``;
a page is a route in ``ROUTES`` and a method ``page_<name>``. Static files come from
``chipkg/web/static``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources

import pyoxigraph as ox
from jinja2 import Environment, PackageLoader, select_autoescape
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from chipkg.web import protocol, screen
from chipkg.web.engine import Answer, Pool
from chipkg.web.protocol import ProtocolError
from chipkg.web.worker import GRAPH_FORMATS, content_type

UI_FILES = {
    "yasgui.min.js": "text/javascript; charset=utf-8",
    "yasgui.min.css": "text/css; charset=utf-8",
}
ROUTES = Map(
    [
        Rule("/", endpoint="page_query"),
        Rule("/index.html", endpoint="page_query"),
        Rule("/ui/<name>", endpoint="ui"),
        Rule("/query", endpoint="query"),
        Rule("/sparql", endpoint="query"),
        Rule("/store", endpoint="store"),
        Rule("/update", endpoint="update"),
    ]
)


@dataclass(frozen=True)
class Settings:
    address: str  # http://HOST:PORT the server listens on (used when a request has no Host)
    timeout_s: float
    example: str  # the query the page opens with
    graphs: dict[str, int]  # named graph → triples, for the service description
    allow_service: bool = False
    max_depth: int = screen.MAX_DEPTH


class App:
    def __init__(self, pool: Pool, settings: Settings) -> None:
        self.pool = pool
        self.settings = settings
        self.templates = Environment(
            loader=PackageLoader("chipkg.web", "templates"),
            autoescape=select_autoescape(["html"]),
        )

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        request = Request(environ)
        adapter = ROUTES.bind_to_environ(environ)
        try:
            endpoint, args = adapter.match()
            response = getattr(self, endpoint)(request, **args)
        except ProtocolError as exc:
            response = _text(exc.status, exc.message)
            if exc.allow:
                response.headers["Allow"] = exc.allow
        except NotFound:
            response = _text(404, "not found: the query page is at / and the endpoint at /query")
        except HTTPException as exc:
            response = exc.get_response(environ)
        return response(environ, start_response)

    # -- pages -----------------------------------------------------------------------------------
    def page_query(self, request: Request) -> Response:
        _read_only(request)
        html = self.templates.get_template("query.html").render(
            example=self.settings.example, timeout=f"{self.settings.timeout_s:g}"
        )
        return Response(html, content_type="text/html; charset=utf-8")

    def ui(self, request: Request, name: str) -> Response:
        _read_only(request)
        if name not in UI_FILES:
            raise NotFound
        data = resources.files("chipkg.web").joinpath("static", name).read_bytes()
        response = Response(data, content_type=UI_FILES[name])
        response.headers["Cache-Control"] = "max-age=3600"
        return response

    # -- the protocol ----------------------------------------------------------------------------
    def query(self, request: Request) -> Response:
        asked = protocol.query_request(request)
        results, graphs = protocol.formats(request)
        base = protocol.public_base(request, self.settings.address)
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
        return _response(
            self.pool.run(
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
        )

    def store(self, request: Request) -> Response:
        graph = protocol.graph_request(request)
        fmt = protocol.formats(request)[1]
        if fmt is None:
            raise _not_acceptable()
        return _response(self.pool.run({"kind": "graph", "graph": graph, "graph_format": fmt}))

    def update(self, request: Request) -> Response:
        raise ProtocolError(405, protocol.READ_ONLY, allow="GET, HEAD, POST")

    def _description(self, base: str, fmt: str | None) -> Response:
        if fmt is None:
            raise _not_acceptable()
        triples = protocol.service_description(
            base + "/query", self.settings.graphs, self.settings.allow_service
        )
        body = ox.serialize(triples, format=GRAPH_FORMATS[fmt])
        return Response(body, content_type=content_type(fmt))


def _not_acceptable() -> ProtocolError:
    return ProtocolError(406, f"no acceptable graph format; offered: {', '.join(GRAPH_FORMATS)}")


def _read_only(request: Request) -> None:
    if request.method not in ("GET", "HEAD"):
        raise ProtocolError(405, protocol.READ_ONLY, allow="GET, HEAD")


def _text(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def _response(answer: Answer) -> Response:
    response = Response(answer.body, status=answer.status, content_type=answer.content_type)
    for k, v in answer.headers:
        response.headers[k] = v
    return response
