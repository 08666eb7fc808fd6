"""Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe: fd 3
in, fd 4 out, messages ending in NUL), so that no browser-automation package is needed; every
host but 127.0.0.1 resolves to nothing, so a page must work offline. Used by the query-page
test of tests/test_serve.py and by the review-page tests (tests/test_review.py: keys, clicks and
text selection)."""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path


def chromium() -> str | None:
    for candidate in (shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


class DevTools:
    def __init__(self, binary: str, profile: Path, size: tuple[int, int] = (1280, 900)) -> None:
        import fcntl

        def high(fd: int) -> int:  # out of the way of 3 and 4
            new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
            os.close(fd)
            return new

        to_r, to_w = map(high, os.pipe())
        from_r, from_w = map(high, os.pipe())

        def child() -> None:
            os.dup2(to_r, 3)
            os.dup2(from_w, 4)

        self.proc = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                "--remote-debugging-pipe",
                f"--window-size={size[0]},{size[1]}",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,
            preexec_fn=child,  # noqa: PLW1509
        )
        os.close(to_r)
        os.close(from_w)
        self.w, self.r = to_w, from_r
        self.buf = b""
        self.id = 0
        self.session: str | None = None
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, timeout: float = 30) -> dict:
        self.id += 1
        msg = {"id": self.id, "method": method, "params": params or {}}
        if self.session:
            msg["sessionId"] = self.session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" not in self.buf:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self.r], [], [], left)[0]:
                    raise TimeoutError(f"chromium did not answer {method}")
                chunk = os.read(self.r, 1 << 16)
                if not chunk:
                    raise RuntimeError("chromium closed the pipe")
                self.buf += chunk
            raw, self.buf = self.buf.split(b"\0", 1)
            m = json.loads(raw)
            if m.get("id") == self.id:
                if "error" in m:
                    raise RuntimeError(m["error"])
                return m["result"]
            if "method" in m:
                self.events.append(m)

    def open(self, url: str) -> None:
        target = self.send("Target.createTarget", {"url": url})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]

    def go(self, url: str) -> None:
        if self.session is None:
            self.open(url)
        else:
            self.send("Page.navigate", {"url": url})

    def eval(self, expression: str):
        r = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in r:
            raise RuntimeError(r["exceptionDetails"].get("exception", {}).get("description"))
        return r["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = self.eval(expression)
            except RuntimeError:
                value = None
            if value:
                return value
            time.sleep(0.05)
        raise TimeoutError(expression)

    def key(self, key: str, code: str | None = None, text: str | None = None) -> None:
        """One key press as a user makes it (keydown with its text, keyup)."""
        named = {"Enter": 13, "Escape": 27, "ArrowDown": 40, "ArrowUp": 38, "Tab": 9}
        params = {"key": key, "code": code or key, "windowsVirtualKeyCode": named.get(key, 0)}
        if text is None and len(key) == 1:
            text = key
        down = {"type": "keyDown", **params, **({"text": text} if text else {})}
        self.send("Input.dispatchKeyEvent", down)
        self.send("Input.dispatchKeyEvent", {"type": "keyUp", **params})

    def type(self, text: str) -> None:
        self.send("Input.insertText", {"text": text})

    def click(self, selector: str) -> None:
        """A mouse click in the middle of the element (scrolled into view)."""
        box = self.eval(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        x, y = box
        for kind in ("mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1},
            )

    def drag_select(self, selector: str, start: int, end: int) -> None:
        """Select characters [start, end) of the element's text with the mouse (press at the
        first, drag to after the last), as a reader does."""
        pts = self.eval(
            f"(() => {{ const root = document.querySelector({json.dumps(selector)});"
            " root.scrollIntoView({block: 'center'});"
            " const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT); const out = [];"
            f" let at = 0; const want = [{start}, {end - 1}];"
            " while (w.nextNode()) { const n = w.currentNode, len = n.textContent.length;"
            "  for (const k of want) if (k >= at && k < at + len) { const r = document.createRange();"
            "   r.setStart(n, k - at); r.setEnd(n, k - at + 1); const b = r.getBoundingClientRect();"
            "   out.push([b.left + 1, b.top + b.height / 2, b.right - 1]); }"
            "  at += len; } return out; })()"
        )
        (x0, y0, _), (_, y1, x1) = pts
        self.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x0, "y": y0})
        self.send(
            "Input.dispatchMouseEvent",
            {"type": "mousePressed", "x": x0, "y": y0, "button": "left", "clickCount": 1},
        )
        self.send(
            "Input.dispatchMouseEvent",
            {"type": "mouseMoved", "x": x1, "y": y1, "button": "left", "buttons": 1},
        )
        self.send(
            "Input.dispatchMouseEvent",
            {"type": "mouseReleased", "x": x1, "y": y1, "button": "left", "clickCount": 1},
        )

    def screenshot(self, path: Path, full: bool = False) -> None:
        params = {"format": "png"}
        if full:
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", params)["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.session = None
            self.send("Browser.close", timeout=5)
        except (OSError, RuntimeError, TimeoutError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        os.close(self.w)
        os.close(self.r)
