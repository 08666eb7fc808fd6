"""Upload the built named graphs to a shared triple store with the SPARQL 1.1 Graph Store HTTP
Protocol, and check each one with a SPARQL count.

For every graph, in order:

1. keep the graph's current content on the server (``GET``; 404 means it has none);
2. ``PUT`` the new content (Turtle), which replaces the graph: pushing twice changes nothing;
3. count its triples through the SPARQL endpoint and compare with the local count.

A step that times out, is refused with 5xx/408/429 or loses its connection is retried with
exponential backoff. If a graph still cannot be stored with the right count, its previous content
is put back (or the graph deleted if it had none), so no graph is left half uploaded; the graphs
already pushed stay complete and verified, and running the push again finishes the job. A 401,
403 or 404 stops at once with what to check: credentials or URLs are wrong, retrying cannot help.
"""

from __future__ import annotations

import http.client
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from chipkg.errors import ChipkgError
from chipkg.graph.store import PREFIXES, _key
from chipkg.graph.vocab import ID

TURTLE = "text/turtle; charset=utf-8"
RETRY_STATUS = {408, 429, 500, 502, 503, 504}
MAX_DELAY_S = 10.0


@dataclass(frozen=True)
class Target:
    endpoint: str  # SPARQL 1.1 Protocol query endpoint, for the counts
    graph_store: str  # Graph Store HTTP Protocol endpoint (…?graph=IRI)
    user: str | None = None
    password: str | None = None
    timeout_s: float = 60.0
    retries: int = 3
    backoff_s: float = 0.5


@dataclass(frozen=True)
class GraphPush:
    graph: str
    triples: int  # local count
    remote: int  # count on the server afterwards
    status: str  # "replaced" | "restored" (failed, previous content back) | "removed" (failed)
    attempts: int
    seconds: float
    message: str = ""

    def as_dict(self) -> dict:
        return self.__dict__.copy()


class _Retryable(Exception):
    pass


def _check_url(url: str, option: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ChipkgError(
            f"{option} '{url}' is not an http(s) URL", hint="e.g. http://host:7878/query"
        )
    return url


def make_target(
    endpoint: str,
    graph_store: str | None = None,
    user: str | None = None,
    password_env: str | None = None,
    timeout_s: float = 60.0,
    retries: int = 3,
    backoff_s: float = 0.5,
) -> Target:
    """Check the options and resolve the Graph Store URL: given, or for an Oxigraph-style
    ``…/query`` endpoint the ``…/store`` next to it."""
    _check_url(endpoint, "--endpoint")
    if graph_store is None:
        parts = urllib.parse.urlsplit(endpoint)
        if not parts.path.endswith("/query"):
            raise ChipkgError(
                f"cannot tell the Graph Store URL from --endpoint {endpoint}",
                hint="give --graph-store URL (Oxigraph: …/store, Fuseki: …/DATASET/data, "
                "Virtuoso: …/sparql-graph-crud-auth)",
            )
        graph_store = urllib.parse.urlunsplit(
            parts._replace(path=parts.path[: -len("query")] + "store", query="")
        )
    _check_url(graph_store, "--graph-store")
    password = None
    if user is not None or password_env is not None:
        if user is None or password_env is None:
            raise ChipkgError(
                "--user and --password-env go together",
                hint="--password-env names the environment variable holding the password "
                "(never put it on the command line)",
            )
        password = os.environ.get(password_env)
        if password is None:
            raise ChipkgError(
                f"environment variable {password_env} is not set",
                hint=f"export {password_env}=… before 'chipkg push'",
            )
    return Target(endpoint, graph_store, user, password, timeout_s, retries, backoff_s)


def local_graphs(store: ox.Store, reports: Sequence[str] = ()) -> list[str]:
    """The named graphs to push: every one in the store, or only the given reports'."""
    names = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    if not reports:
        return names
    wanted = [str(ID[f"graph/{r}"]) for r in reports]
    missing = [r for r, iri in zip(reports, wanted, strict=True) if iri not in names]
    if missing:
        built = [n.rsplit("/", 1)[-1] for n in names]
        raise ChipkgError(
            f"no built report {', '.join(repr(m) for m in missing)}",
            hint="built graphs: " + ", ".join(built),
        )
    return wanted


def graph_turtle(store: ox.Store, iri: str) -> tuple[bytes, int]:
    triples = sorted(
        (
            ox.Triple(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(iri))
        ),
        key=_key,
    )
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES), len(triples)


class _Client:
    def __init__(self, target: Target) -> None:
        self.target = target
        handlers: list[urllib.request.BaseHandler] = []
        if target.user is not None:
            mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in (target.endpoint, target.graph_store):
                mgr.add_password(None, url, target.user, target.password or "")
            handlers += [
                urllib.request.HTTPBasicAuthHandler(mgr),
                urllib.request.HTTPDigestAuthHandler(mgr),
            ]
        self.opener = urllib.request.build_opener(*handlers)
        self.attempts = 0

    def _once(
        self, method: str, url: str, data: bytes | None, headers: dict[str, str]
    ) -> tuple[int, bytes, str]:
        self.attempts += 1
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=self.target.timeout_s) as resp:
                return resp.status, resp.read(), resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            body = exc.read()
            if exc.code in RETRY_STATUS:
                raise _Retryable(f"{method} {url} answered {exc.code} {exc.reason}") from None
            return exc.code, body, exc.headers.get("Content-Type", "")
        except TimeoutError as exc:
            raise _Retryable(
                f"{method} {url} got no answer within {self.target.timeout_s:g} s"
            ) from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise _Retryable(
                    f"{method} {url} got no answer within {self.target.timeout_s:g} s"
                ) from exc
            raise _Retryable(f"{method} {url} failed: {exc.reason}") from exc
        except (ConnectionError, http.client.HTTPException) as exc:
            raise _Retryable(f"{method} {url} failed: {exc}") from exc

    def request(
        self,
        method: str,
        url: str,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        missing_ok: bool = False,
    ) -> tuple[int, bytes, str]:
        """Send with retries and backoff; 401/403/404 end the push with a clear error."""
        last = ""
        for attempt in range(self.target.retries + 1):
            if attempt:
                time.sleep(min(self.target.backoff_s * 2 ** (attempt - 1), MAX_DELAY_S))
            try:
                status, body, ctype = self._once(method, url, data, headers or {})
            except _Retryable as exc:
                last = str(exc)
                continue
            if status in (401, 403):
                raise ChipkgError(
                    f"{url}: {method} refused with {status} "
                    + ("(authentication failed)" if status == 401 else "(not allowed)"),
                    hint="check --user and the password in --password-env, and that the user "
                    "may write graphs",
                )
            if status == 404 and not missing_ok:
                raise ChipkgError(
                    f"{url}: {method} answered 404 (not found)",
                    hint="check --endpoint/--graph-store (Oxigraph: …/query and …/store, "
                    "Virtuoso: …/sparql and …/sparql-graph-crud-auth)",
                )
            return status, body, ctype
        raise ChipkgError(
            f"{last} ({self.target.retries + 1} attempts)",
            hint="is the server up and reachable? raise --timeout or --retries for a slow one",
            exit_code=1,
        )


def _graph_url(target: Target, iri: str) -> str:
    sep = "&" if "?" in target.graph_store else "?"
    return f"{target.graph_store}{sep}graph={urllib.parse.quote(iri, safe='')}"


def remote_count(client: _Client, iri: str) -> int:
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"
    status, body, _ = client.request(
        "POST",
        client.target.endpoint,
        urllib.parse.urlencode({"query": q}).encode(),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json",
        },
    )
    if status != 200:
        raise ChipkgError(
            f"{client.target.endpoint}: the count query answered {status}: "
            f"{body[:200].decode('utf-8', 'replace')}",
            hint="--endpoint must be the SPARQL query endpoint",
        )
    try:
        return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    except (ValueError, KeyError, IndexError) as exc:
        raise ChipkgError(
            f"{client.target.endpoint}: the count query's answer is not SPARQL JSON ({exc})",
            hint="--endpoint must be the SPARQL query endpoint",
        ) from None


def _push_one(client: _Client, iri: str, data: bytes, triples: int) -> GraphPush:
    started = time.perf_counter()
    client.attempts = 0
    url = _graph_url(client.target, iri)
    status, previous, ptype = client.request(
        "GET", url, headers={"Accept": "application/n-triples, text/turtle;q=0.9"}, missing_ok=True
    )
    had = status == 200
    if status not in (200, 204, 404):
        raise ChipkgError(f"{url}: GET answered {status}", hint="check --graph-store")
    problem = ""
    for _ in range(2):  # a count that differs gets one more PUT
        try:
            status, body, _ = client.request("PUT", url, data, {"Content-Type": TURTLE})
            if status not in (200, 201, 204):
                problem = f"PUT answered {status}: {body[:200].decode('utf-8', 'replace')}"
                break
            remote = remote_count(client, iri)
        except ChipkgError as exc:
            if exc.exit_code == 2:  # credentials or URLs: nothing was written
                raise
            problem = exc.message
            break
        if remote == triples:
            return GraphPush(
                iri, triples, remote, "replaced", client.attempts, time.perf_counter() - started
            )
        problem = f"the server holds {remote} triples after the upload, {triples} were sent"
    # failed: put the previous content back so that nothing is left half uploaded
    try:
        if had:
            client.request("PUT", url, previous, {"Content-Type": ptype or TURTLE})
            state = "restored"
        else:
            client.request("DELETE", url, missing_ok=True)
            state = "removed"
        remote = remote_count(client, iri)
    except ChipkgError as exc:
        raise ChipkgError(
            f"{iri}: upload failed ({problem}) and the graph could not be put back ({exc.message})",
            hint=f"push again, or remove the graph: DELETE {url}",
            exit_code=1,
        ) from None
    return GraphPush(
        iri, triples, remote, state, client.attempts, time.perf_counter() - started, problem
    )


def push(
    store: ox.Store,
    target: Target,
    graphs: Sequence[str],
    progress: Callable[[str], None] | None = None,
) -> list[GraphPush]:
    """Push ``graphs`` one at a time; see the module docstring for the guarantees."""
    client = _Client(target)
    results = []
    for iri in graphs:
        if progress:
            progress(iri)
        data, triples = graph_turtle(store, iri)
        results.append(_push_one(client, iri, data, triples))
    return results
