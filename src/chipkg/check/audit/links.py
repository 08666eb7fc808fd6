"""Link probing (optional, network): the HTTP status and redirect chain of every source URL,
stdlib only, a few requests in flight at once."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from chipkg import __version__


class _RedirectRecorder(urllib.request.HTTPRedirectHandler):
    def __init__(self) -> None:
        self.hops: list[dict[str, Any]] = []

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001
        self.hops.append({"status": code, "location": newurl})
        return super().redirect_request(req, fp, code, msg, headers, newurl)


USER_AGENT = f"chipkg-audit/{__version__} (provenance link check)"


def probe_link(url: str, timeout: float = 5.0) -> dict[str, Any]:
    """HTTP status and redirect chain of one URL: HEAD first, GET when the server refuses HEAD.
    Never raises; network problems are reported in ``error``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return {
            "url": url,
            "status": None,
            "final_url": None,
            "redirects": [],
            "error": "not an http(s) URL with a host",
            "method": None,
            "outcome": "error",
        }
    last: dict[str, Any] = {}
    for method in ("HEAD", "GET"):
        recorder = _RedirectRecorder()
        opener = urllib.request.build_opener(recorder)
        req = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with opener.open(req, timeout=timeout) as resp:
                status, final = resp.status, resp.geturl()
            error = None
        except urllib.error.HTTPError as exc:
            status, final, error = exc.code, exc.geturl() or url, None
            exc.close()
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            status, final, error = None, None, f"{type(reason).__name__}: {reason}"
        last = {
            "url": url,
            "status": status,
            "final_url": final,
            "redirects": recorder.hops,
            "error": error,
            "method": method,
        }
        if status not in (405, 501):  # HEAD not allowed: try GET
            break
    status = last["status"]
    if status is None:
        outcome = "error"
    elif status >= 400:
        outcome = "broken"
    elif last["redirects"] or (last["final_url"] and last["final_url"] != url):
        outcome = "redirected"
    else:
        outcome = "ok"
    last["outcome"] = outcome
    return last


def probe_links(urls: list[str], timeout: float = 5.0, concurrency: int = 8) -> list[dict]:
    """Check every URL with at most ``concurrency`` requests in flight; results in URL order."""
    urls = sorted(set(urls))
    if not urls:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(urls)))) as pool:
        results = list(pool.map(lambda u: probe_link(u, timeout), urls))
    return sorted(results, key=lambda r: r["url"])


def measure(urls: list[str], timeout: float, concurrency: int) -> dict[str, Any]:
    """The links section of the audit: every URL probed, with a summary of outcomes."""
    results = probe_links(urls, timeout=timeout, concurrency=concurrency)
    outcomes = Counter(r["outcome"] for r in results)
    return {
        "checked": True,
        "timeout": timeout,
        "concurrency": concurrency,
        "summary": {k: outcomes.get(k, 0) for k in ("ok", "redirected", "broken", "error")},
        "results": results,
    }


NOT_CHECKED = {"checked": False, "note": "not checked: run with check_links (--check-links)"}
