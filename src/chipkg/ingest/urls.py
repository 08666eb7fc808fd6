"""The URL grammar of citations: which printed tokens are URLs, whether a URL is well formed, and
the normal form a cited URL takes as a source IRI."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote, urlsplit, urlunsplit

from chipkg.errors import ChipkgError

_RE_URLISH = re.compile(r"^(?:[a-z][a-z0-9+.-]*:/+|www\.)", re.IGNORECASE)
_RE_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# Characters that may not appear in an IRI (RFC 3987) and would break Turtle/N-Triples output.
_IRI_UNSAFE = re.compile(r"[\x00-\x20<>\"{}|\\^`\x7f]")
# A URL inside explanatory text
_RE_URL_IN_TEXT = re.compile(r"https?://[^\s；;，。、）)”]+")
# A footnote token separator: "; " between two URLs, or white space
_RE_TOKEN_SEP = re.compile(r"[;；]\s*|\s+")


@lru_cache(maxsize=1 << 16)  # a URL is cited again and again
def normalise_url(url: str) -> str:
    """Normalise a cited URL into an IRI: lower-case scheme and host, drop a default port,
    percent-encode characters an IRI may not hold. Path, query and fragment are kept as printed
    (two URLs that differ there are different documents as far as the report is concerned)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host
    if (
        port
        and not (parts.scheme.lower() == "http" and port == 80)
        and not (parts.scheme.lower() == "https" and port == 443)
    ):
        netloc = f"{host}:{port}"
    path = parts.path or "/"
    rebuilt = urlunsplit((parts.scheme.lower(), netloc, path, parts.query, parts.fragment))
    return _IRI_UNSAFE.sub(lambda m: quote(m.group(0), safe=""), rebuilt)


def check_url(url: str) -> str | None:
    """Why ``url`` is not a well-formed absolute http(s) URL, or None if it is."""
    if url.lower().startswith("www."):
        return "no scheme (http:// or https://)"
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError as exc:
        return str(exc)
    if parts.scheme.lower() not in ("http", "https"):
        return f"scheme '{parts.scheme}' is not http or https"
    host = parts.hostname or ""
    if not host:
        return "no host name"
    if not _RE_HOST.match(host.lower()):
        return f"'{host}' is not a valid host name"
    if _IRI_UNSAFE.search(url.strip()):
        return "contains white space or characters not allowed in a URL"
    return None


# A token meant as a URL: a scheme and slashes (htps:/…, http:\\…), a scheme missing its colon
# (https//…), or www.
_RE_MEANT_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:[/\\]+|h?t?t?ps?//|www\.)\S", re.IGNORECASE)


def broken_urls(text: str) -> list[tuple[str, str]]:
    """(token, why it is not a URL) for every token of ``text`` written as a URL that cannot be
    one: a mistyped scheme (``htps:/…``), a missing colon (``https//…``), a host that is not one."""
    out = []
    for token in re.split(r"[\s；;，,。、）)”]+", text):
        if _RE_MEANT_URL.match(token) and (problem := check_url(token.rstrip("."))):
            if re.match(r"^[a-z]*//", token, re.IGNORECASE):
                problem = "no ':' after the scheme"
            out.append((token, problem))
    return out


def url_domain(iri: str) -> str:
    host = (urlsplit(iri).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def split_urls(content: str, *, line: int, text_footnote: bool = False) -> tuple[list[str], str]:
    """Split a footnote's rejoined content into URLs and leftover explanatory text.

    Two URLs may share a footnote, separated by ``; ``. A token that looks like a URL but is not
    a valid http(s) URL is a fatal error (raised without a path: the caller adds it).
    """
    if text_footnote:
        return [m.group(0).rstrip(".,") for m in _RE_URL_IN_TEXT.finditer(content)], content
    urls: list[str] = []
    notes: list[str] = []
    for token in _RE_TOKEN_SEP.split(content):
        if not token:
            continue
        if _RE_URLISH.match(token):
            problem = check_url(token)
            if problem:
                raise ChipkgError(
                    f"footnote URL cannot be parsed: {problem}: {token}",
                    line=line,
                    hint="fix the URL in the report text",
                )
            urls.append(token)
        else:
            notes.append(token)
    return urls, " ".join(notes)
