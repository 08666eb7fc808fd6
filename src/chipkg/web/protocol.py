"""The SPARQL 1.1 Protocol, read-only: what a request asks for, in which format the answer goes
back, and the service description.

* Queries by GET (``?query=``), POST form (``application/x-www-form-urlencoded``) or POST direct
  (``application/sparql-query``, UTF-8); exactly one query; the dataset from
  ``default-graph-uri`` / ``named-graph-uri`` (they replace the query's FROM / FROM NAMED).
* Anything that would write (``update=``, ``application/sparql-update``, other methods) is
  refused with 405; a POST of any other type with 415; a malformed request with 400.
* Results as JSON (the default), XML, CSV or TSV; graphs (CONSTRUCT, DESCRIBE, Graph Store reads)
  as Turtle (the default), N-Triples, RDF/XML, JSON-LD, N3, TriG or N-Quads, by ``Accept``.
"""

from __future__ import annotations

import functools
import re
import urllib.parse
from dataclasses import dataclass

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header, parse_options_header

# offered media types, best first; aliases map to the type the answer is labelled with
RESULT_TYPES = {
    "application/sparql-results+json": "application/sparql-results+json",
    "application/sparql-results+xml": "application/sparql-results+xml",
    "text/csv": "text/csv",
    "text/tab-separated-values": "text/tab-separated-values",
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
}
GRAPH_TYPES = {
    "text/turtle": "text/turtle",
    "application/n-triples": "application/n-triples",
    "application/rdf+xml": "application/rdf+xml",
    "application/ld+json": "application/ld+json",
    "text/n3": "text/n3",
    "application/trig": "application/trig",
    "application/n-quads": "application/n-quads",
    "application/x-turtle": "text/turtle",
    "application/turtle": "text/turtle",
    "text/plain": "application/n-triples",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
    "application/json": "application/ld+json",
}
READ_ONLY = "this endpoint is read-only: it answers SPARQL queries at /query and reads of /store"
_HOST = re.compile(r"^(?:[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")


class ProtocolError(Exception):
    def __init__(self, status: int, message: str, allow: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.allow = allow


@dataclass(frozen=True)
class Incoming:
    """What the protocol needs of an HTTP request, whichever server received it."""

    method: str
    query_string: bytes  # as sent, still percent-encoded
    content_type: str = ""
    accept: str = ""
    host: str = ""
    body: bytes = b""

    @property
    def mimetype(self) -> str:
        return parse_options_header(self.content_type)[0].lower()

    @property
    def charset(self) -> str:
        return parse_options_header(self.content_type)[1].get("charset", "utf-8").lower()


@dataclass(frozen=True)
class QueryRequest:
    text: str | None  # None: no query, the service description is wanted
    default_graphs: list[str] | None
    named_graphs: list[str] | None


def negotiate(accept: MIMEAccept, offered: dict[str, str], header_given: bool) -> str | None:
    """The media type to answer with, or None when the client accepts none of ``offered``."""
    if not header_given:
        return next(iter(offered.values()))
    best = accept.best_match(list(offered))
    return offered[best] if best else None


def formats(request: Incoming) -> tuple[str | None, str | None]:
    """(results media type, graph media type) for this request's Accept header."""
    return _formats(request.accept.strip())


@functools.lru_cache(maxsize=256)
def _formats(header: str) -> tuple[str | None, str | None]:
    """Clients send the same few Accept headers again and again: decide once for each."""
    accept = parse_accept_header(header, MIMEAccept)
    return negotiate(accept, RESULT_TYPES, bool(header)), negotiate(
        accept, GRAPH_TYPES, bool(header)
    )


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise ProtocolError(400, f"give one '{name}' parameter, not {len(values)}")
    return values[0] if values else None


def _iris(values: list[str], name: str) -> list[str]:
    for v in values:
        try:
            ox.NamedNode(v)
        except ValueError:
            raise ProtocolError(400, f"{name} '{v}' is not an absolute IRI") from None
    return values


def _params(raw: bytes, what: str) -> dict[str, list[str]]:
    try:
        return urllib.parse.parse_qs(
            raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict"
        )
    except UnicodeError:
        raise ProtocolError(400, f"{what} is not valid UTF-8") from None


def _form(request: Incoming) -> dict[str, list[str]]:
    if request.charset not in ("utf-8", "utf8"):
        raise ProtocolError(415, f"the form must be UTF-8, not {request.charset}")
    return _params(request.body, "the form")


def _direct(request: Incoming) -> str:
    if request.charset not in ("utf-8", "utf8"):
        raise ProtocolError(415, f"send the query as UTF-8, not {request.charset}")
    try:
        return request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, "the query is not valid UTF-8") from None


def _url_params(request: Incoming) -> dict[str, list[str]]:
    return _params(request.query_string, "the URL's query")


def query_request(request: Incoming) -> QueryRequest:
    """What a request to /query asks; raises ProtocolError for what it may not ask."""
    params = _url_params(request)
    if request.method in ("GET", "HEAD"):
        text = None
    elif request.method == "POST":
        mime = request.mimetype
        if mime == "application/x-www-form-urlencoded":
            form = _form(request)
            if "update" in form:
                raise ProtocolError(405, READ_ONLY, allow="GET, HEAD, POST")
            text = _one(form.get("query", []), "query")
            if text is None:
                raise ProtocolError(400, "the form has no 'query' field")
            for key in ("default-graph-uri", "named-graph-uri"):
                params[key] = params.get(key, []) + form.get(key, [])
        elif mime == "application/sparql-query":
            text = _direct(request)
        elif mime == "application/sparql-update":
            raise ProtocolError(405, READ_ONLY, allow="GET, HEAD, POST")
        else:
            raise ProtocolError(
                415,
                "POST a query as application/x-www-form-urlencoded (query=…) or as "
                f"application/sparql-query, not {mime or 'a body without Content-Type'}",
            )
    else:
        raise ProtocolError(405, READ_ONLY, allow="GET, HEAD, POST")
    if "update" in params:
        raise ProtocolError(405, READ_ONLY, allow="GET, HEAD, POST")
    in_url = _one(params.get("query", []), "query")
    if text is not None and in_url is not None:
        raise ProtocolError(400, "give the query once, in the URL or in the body")
    text = text if text is not None else in_url
    defaults = _iris(params.get("default-graph-uri", []), "default-graph-uri")
    named = _iris(params.get("named-graph-uri", []), "named-graph-uri")
    explicit = bool(defaults or named)
    return QueryRequest(text, defaults if explicit else None, named if explicit else None)


def graph_request(request: Incoming) -> str | None:
    """The graph a Graph Store read names (None: the default graph)."""
    if request.method not in ("GET", "HEAD"):
        raise ProtocolError(405, READ_ONLY, allow="GET, HEAD")
    params = _url_params(request)
    graph = _one(params.get("graph", []), "graph")
    if graph is None and "default" not in params:
        raise ProtocolError(400, "name a graph: /store?graph=IRI, or /store?default")
    if graph is not None and "default" in params:
        raise ProtocolError(400, "give either ?graph=IRI or ?default, not both")
    return None if graph is None else _iris([graph], "graph")[0]


def public_base(request: Incoming, fallback: str) -> str:
    """The address the client used (its Host header, when well formed), e.g.
    ``http://127.0.0.1:7878``: the base of relative IRIs and the service description's endpoint.
    Never the address of anything behind the front."""
    return f"http://{request.host}" if _HOST.match(request.host) else fallback


SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SD_PREFIXES = {"sd": SD, "formats": FORMATS, "void": VOID}


def service_description(
    endpoint: str, graphs: dict[str, int], allow_service: bool
) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of this endpoint."""

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    svc, dataset, default = ox.BlankNode("service"), ox.BlankNode("dataset"), ox.BlankNode("dg")
    triples = [
        ox.Triple(svc, RDF_TYPE, sd("Service")),
        ox.Triple(svc, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(svc, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(svc, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(svc, sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, RDF_TYPE, sd("Graph")),
    ]
    if allow_service:
        triples.append(ox.Triple(svc, sd("feature"), sd("BasicFederatedQuery")))
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV"):
        triples.append(ox.Triple(svc, sd("resultFormat"), ox.NamedNode(FORMATS + name)))
    for name in ("SPARQL_Results_TSV", "Turtle", "N-Triples", "RDF_XML", "JSON-LD", "N3"):
        triples.append(ox.Triple(svc, sd("resultFormat"), ox.NamedNode(FORMATS + name)))
    for i, (name, count) in enumerate(sorted(graphs.items())):
        node, graph = ox.BlankNode(f"ng{i}"), ox.BlankNode(f"g{i}")
        triples += [
            ox.Triple(dataset, sd("namedGraph"), node),
            ox.Triple(node, RDF_TYPE, sd("NamedGraph")),
            ox.Triple(node, sd("name"), ox.NamedNode(name)),
            ox.Triple(node, sd("graph"), graph),
            ox.Triple(graph, RDF_TYPE, sd("Graph")),
            ox.Triple(
                graph,
                ox.NamedNode(VOID + "triples"),
                ox.Literal(
                    str(count), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
                ),
            ),
        ]
    return triples
