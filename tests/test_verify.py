"""The source archive and `chipkg verify`: notations of names, amounts and dates; text of HTML in
legacy encodings and of PDFs (encrypted, scanned); polite fetching against servers on 127.0.0.1
only (robots.txt, redirects, retries, one connection per host, resume, bad responses); import of
a WARC written by wget, of saved pages, and refusal of broken WARC files; and the whole path from
a report's sentence to a verdict with its snippet, in the verification graph, the audit and the
named query. Every page is invented (tests/fixtures/verify/README.md)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from chipkg.cli import cli
from chipkg.errors import ChipkgError
from chipkg.verify.archive import ArchiveWriter, read_archive, resource_record
from chipkg.verify.fetch import Politeness, fetch_all
from chipkg.verify.importer import import_path
from chipkg.verify.notation import find_amounts, find_dates, find_names
from chipkg.verify.text import decode, pdf_text, text_of

HERE = Path(__file__).parent
REPORT = HERE / "fixtures" / "verify" / "report.txt"

# --------------------------------------------------------------------------------------------
# Notations
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("$6.6 billion", "6600000000", "USD"),
        ("US$6.6bn", "6600000000", "USD"),
        ("USD 6.6 billion", "6600000000", "USD"),
        ("6.6 billion dollars", "6600000000", "USD"),
        ("6.6 billion U.S. dollars", "6600000000", "USD"),
        ("$6,600 million", "6600000000", "USD"),
        ("€5 billion", "5000000000", "EUR"),
        ("EUR 325 million", "325000000", "EUR"),
        ("5,5 Milliarden Euro", "5500000000", "EUR"),
        ("£1bn", "1000000000", "GBP"),
        ("66亿美元", "6600000000", "USD"),
        ("50亿欧元", "5000000000", "EUR"),
        ("20万亿韩元", "20000000000000", "KRW"),
        ("1兆円", "1000000000000", "JPY"),
        ("33조 원", "33000000000000", "KRW"),
        ("NT$10 billion", "10000000000", "TWD"),
    ],
)
def test_amount_notations_equal_their_values(text, value, currency):
    [a] = find_amounts(f"It said {text} would follow.")
    assert (a.value, a.currency, a.conversion) == (Decimal(value), currency, False)


@pytest.mark.parametrize(
    "text",
    [
        "€5 billion (about $5.4 billion)",
        "50亿欧元（约合54亿美元）",
        "EUR 5 billion (USD 5.4 billion)",
    ],
)
def test_a_stated_conversion_is_not_the_original(text):
    original, conversion = find_amounts(text)
    assert original.currency == "EUR" and not original.conversion
    assert conversion.currency == "USD" and conversion.conversion


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("on November 15, 2024 the", "2024-11-15"),
        ("on 15 Nov. 2024 the", "2024-11-15"),
        ("2024-11-15", "2024-11-15"),
        ("2024年11月15日", "2024-11-15"),
        ("2024년 11월 15일", "2024-11-15"),
        ("in November 2024", "2024-11"),
    ],
)
def test_date_notations(text, value):
    assert value in {d.value for d in find_dates(text)}


def test_names_in_both_scripts_whole_words_and_acronyms():
    names = ["TSMC", "台积电", "台積電", "Taiwan Semiconductor Manufacturing Company"]
    text = "台积电 (TSMC) — Taiwan Semiconductor  Manufacturing Company; 台積電; TSMCs; tsmc"
    found = [s.text for s in find_names(text, names)]
    assert found == ["台积电", "TSMC", "Taiwan Semiconductor  Manufacturing Company", "台積電"]
    # a short all-capital acronym is case-sensitive: "us" is not "US"
    assert [s.text for s in find_names("tell us, US and EU", ["US", "EU"])] == ["US", "EU"]


# --------------------------------------------------------------------------------------------
# Text of archived sources
# --------------------------------------------------------------------------------------------


def html_page(body: str, title: str = "News", charset: str = "utf-8") -> bytes:
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head>'
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode(charset)


def test_html_in_gbk_and_shift_jis_is_decoded():
    gbk = html_page(
        "<p>美国商务部向台积电提供66亿美元资助，用于亚利桑那州晶圆厂。</p>" * 3, "台积电", "gbk"
    )
    assert "台积电提供66亿美元资助" in text_of(gbk, "text/html").text
    sjis = html_page(
        "<p>経済産業省は、Rapidusに追加の支援を行うと発表しました。北海道千歳市の工場。</p>" * 3,
        "経済産業省",
        "shift_jis",
    )
    assert "Rapidusに追加の支援" in text_of(sjis, "text/html").text
    # declared by the server only (no <meta>): the header's charset is used
    bare = "<html><body><p>台积电获得资助。</p></body></html>".encode("gb2312")
    assert "台积电获得资助" in decode(bare, "text/html; charset=GB2312")


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (Helvetica, ASCII)."""
    esc = [ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for ln in lines]
    content = "BT /F1 11 Tf 72 720 Td 14 TL " + " ".join(f"({x}) Tj T*" for x in esc) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n{obj}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


ESMC_PDF = make_pdf(
    [
        "Press release, 2024",
        "Germany supports the ESMC Dresden fab with EUR 5 billion.",
        "The fab in Dresden is a joint venture led by TSMC.",
    ]
)


def test_pdf_text_encrypted_and_scanned():
    assert "Germany supports the ESMC Dresden fab with EUR 5 billion." in pdf_text(ESMC_PDF).text
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(ESMC_PDF)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    locked = io.BytesIO()
    writer.write(locked)
    result = pdf_text(locked.getvalue())
    assert result.text == "" and result.problem.startswith("encrypted PDF")
    scanned = pdf_text(make_pdf([]))
    assert scanned.text == "" and "no text layer" in scanned.problem


# --------------------------------------------------------------------------------------------
# A server on 127.0.0.1 with virtual hosts
# --------------------------------------------------------------------------------------------


class Site:
    """Routes by (Host, path) to (status, headers, body) or to a callable returning one; counts
    requests and the most simultaneous connections per host."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], object] = {}
        self.log: list[tuple[str, str]] = []
        self.active: dict[str, int] = {}
        self.max_active: dict[str, int] = {}
        self.lock = threading.Lock()


def serve(site: Site):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

        def do_GET(self) -> None:  # noqa: N802
            host = (self.headers.get("Host") or "").lower()
            with site.lock:
                site.log.append((host, self.path))
                site.active[host] = site.active.get(host, 0) + 1
                site.max_active[host] = max(site.max_active.get(host, 0), site.active[host])
            try:
                route = site.routes.get((host, self.path))
                if callable(route):
                    route = route(self)
                if route is None:
                    route = (
                        404,
                        {"Content-Type": "text/html"},
                        b"<html><body>Not found</body></html>",
                    )
                status, headers, body = route
                time.sleep(0.02)  # long enough for overlapping requests to show
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                with site.lock:
                    site.active[host] -= 1

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture()
def site():
    s = Site()
    server = serve(s)
    s.port = server.server_address[1]
    yield s
    server.shutdown()
    server.server_close()


def polite(site: Site, hosts: list[str], **kw) -> Politeness:
    options = dict(delay=0.01, timeout=2.0, retries=2, backoff=0.01, max_bytes=1_000_000)
    options.update(kw)
    return Politeness(resolve={h: ("127.0.0.1", site.port) for h in hosts}, **options)


HTML = {"Content-Type": "text/html; charset=utf-8"}


def test_fetch_obeys_robots_records_redirects_retries_and_one_connection_per_host(site, tmp_path):
    h = "www.agency.example"
    site.routes[(h, "/robots.txt")] = (
        200,
        {"Content-Type": "text/plain"},
        b"User-agent: *\nDisallow: /private/\n",
    )
    for i in range(5):
        site.routes[(h, f"/page{i}")] = (200, HTML, html_page(f"<p>Page {i} text.</p>"))
    site.routes[(h, "/private/secret")] = (200, HTML, html_page("<p>secret</p>"))
    site.routes[(h, "/old")] = (301, {"Location": "/new"}, b"")
    site.routes[(h, "/new")] = (302, {"Location": f"http://{h}/page0?from=old"}, b"")
    site.routes[(h, "/page0?from=old")] = (200, HTML, html_page("<p>Moved here.</p>"))
    calls = {"n": 0}

    def flaky(_handler):
        calls["n"] += 1
        return (
            (503, {"Retry-After": "0"}, b"busy")
            if calls["n"] < 3
            else (200, HTML, html_page("<p>ok now</p>"))
        )

    site.routes[(h, "/flaky")] = flaky
    urls = [f"http://{h}/page{i}" for i in range(5)] + [
        f"http://{h}/private/secret",
        f"http://{h}/old",
        f"http://{h}/flaky",
    ]
    outcomes = {o.url: o for o in fetch_all(urls, tmp_path, polite(site, [h]))}
    assert (h, "/private/secret") not in site.log and not outcomes[urls[5]].ok
    assert "robots.txt" in outcomes[urls[5]].message
    assert site.max_active[h] == 1  # one connection at a time to this host
    assert calls["n"] == 3 and outcomes[f"http://{h}/flaky"].ok  # two retries, then success
    a = read_archive(tmp_path)
    moved = a.state(f"http://{h}/old")
    assert moved.state == "archived" and [s for s, _ in moved.redirects] == [301, 302]
    assert moved.capture.url == f"http://{h}/page0?from=old"
    assert a.state(f"http://{h}/private/secret").state == "failed"
    assert not list(tmp_path.glob(".*.tmp")) and len(a.files) == 1


def test_fetch_records_each_bad_response_with_a_one_line_reason(site, tmp_path):
    h = "bad.example"
    site.routes[(h, "/robots.txt")] = (404, HTML, b"")
    site.routes[(h, "/gone")] = (404, HTML, b"<html>gone</html>")
    site.routes[(h, "/big")] = (
        200,
        {"Content-Type": "application/pdf", "Content-Length": str(50 * 1024 * 1024)},
        b"%PDF-1.4 truncated",
    )
    site.routes[(h, "/paywalled")] = (302, {"Location": "/account/login?next=/paywalled"}, b"")
    site.routes[(h, "/account/login?next=/paywalled")] = (
        200,
        HTML,
        html_page('<form><input type="password" name="pw"></form>'),
    )

    def slow(_handler):
        time.sleep(0.6)
        return (200, HTML, html_page("<p>late</p>"))

    site.routes[(h, "/slow")] = slow
    urls = [f"http://{h}/{p}" for p in ("gone", "big", "paywalled", "slow")]
    fetch_all(urls, tmp_path, polite(site, [h], timeout=0.3, retries=1))
    a = read_archive(tmp_path)
    reasons = {u.rsplit("/", 1)[-1]: a.state(u).reason for u in urls}
    assert all(a.state(u).state == "failed" for u in urls)
    assert reasons["gone"] == "HTTP 404"
    assert reasons["big"].startswith("too large: 52,428,800 bytes")
    assert reasons["paywalled"].startswith("redirected to a login page")
    assert reasons["slow"].startswith("timeout after 2 attempts")
    assert all("\n" not in r for r in reasons.values())


def test_fetch_resumes_after_an_interruption_with_nothing_duplicated(site, tmp_path):
    h = "www.resume.example"
    urls = [f"http://{h}/doc{i}" for i in range(6)]
    for u in urls:
        site.routes[(h, u.split(h)[1])] = (200, HTML, html_page(f"<p>{u}</p>"))
    seen = []

    def stop_after_three(outcome):
        seen.append(outcome.url)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fetch_all(urls, tmp_path, polite(site, [h], chunk=100), stop_after_three)
    first = read_archive(tmp_path)
    assert sorted(u for u in urls if first.state(u).state == "archived") == sorted(seen)
    todo = [u for u in urls if first.state(u).state != "archived"]
    fetch_all(todo, tmp_path, polite(site, [h]))
    a = read_archive(tmp_path)
    assert all(a.state(u).state == "archived" for u in urls)
    assert all(len(a.captures[u]) == 1 for u in urls)  # nothing fetched twice
    assert sorted(p for _h, p in site.log if p != "/robots.txt") == sorted(
        f"/doc{i}" for i in range(6)
    )


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------


@pytest.mark.skipif(
    shutil.which("wget") is None, reason="wget is not installed (.ci/run installs it)"
)
def test_import_a_warc_written_by_wget(site, tmp_path):
    host = f"127.0.0.1:{site.port}"
    site.routes[(host, "/robots.txt")] = (404, HTML, b"")
    site.routes[(host, "/report.html")] = (
        200,
        HTML,
        html_page("<p>TSMC received US$6.6bn.</p>" * 3),
    )
    site.routes[(host, "/logo.png")] = (200, {"Content-Type": "image/png"}, b"\x89PNG....")
    out = tmp_path / "wget"
    out.mkdir()
    subprocess.run(
        [
            "wget",
            "-q",
            "--warc-file=capture",
            "--no-warc-keep-log",
            f"http://{host}/report.html",
            f"http://{host}/logo.png",
        ],
        cwd=out,
        check=True,
        timeout=60,
    )
    archive = tmp_path / "archive"
    count, written = import_path(out / "capture.warc.gz", archive)
    a = read_archive(archive)
    state = a.state(f"http://{host}/report.html")
    assert state.state == "archived" and state.capture.status == 200
    assert (
        "TSMC received US$6.6bn."
        in text_of(a.payload(state.capture), state.capture.content_type).text
    )
    assert f"http://{host}/logo.png" not in a.captures  # page furniture is left out
    assert count == 1 and written.parent == archive


def test_import_refuses_a_broken_or_foreign_file_whole(tmp_path):
    archive = tmp_path / "archive"
    writer = ArchiveWriter(tmp_path / "made", "made")
    noise = [os.urandom(3000).hex() for _ in range(3)]  # incompressible: each record is big
    writer.write(
        resource_record(
            writer.warc, f"http://a.example/{i}", "text/html", html_page(f"<p>{noise[i]}</p>")
        )
        for i in range(3)
    )
    good = writer.commit()
    data = good.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) - 300])
    with pytest.raises(ChipkgError, match="cut short after"):
        import_path(cut, archive)
    foreign = tmp_path / "notes.warc"
    foreign.write_text("these are my notes, not a web archive\n")
    with pytest.raises(ChipkgError, match="not a WARC file"):
        import_path(foreign, archive)
    assert not archive.exists() or not list(archive.iterdir())  # nothing half-written
    # a broken file already in the archive folder is read up to the break and reported
    archive.mkdir(exist_ok=True)
    shutil.copy(cut, archive / "20240101T000000Z-cut.warc.gz")
    a = read_archive(archive)
    assert a.problems and "broken after 2 records" in a.problems[0]
    assert a.state("http://a.example/1").state == "archived"


def test_import_a_folder_of_saved_pages(tmp_path):
    saved = tmp_path / "saved"
    saved.mkdir()
    (saved / "award.html").write_bytes(
        html_page("<p>美国商务部向台积电提供66亿美元资助。</p>" * 3, "资助", "gbk")
    )
    (saved / "esmc.pdf").write_bytes(ESMC_PDF)
    (saved / "urls.csv").write_text(
        "url,file\nhttps://www.commerce.example/award,award.html\nhttps://www.bund.example/esmc.pdf,esmc.pdf\n"
    )
    count, _ = import_path(saved, tmp_path / "archive")
    a = read_archive(tmp_path / "archive")
    assert count == 2
    pdf = a.state("https://www.bund.example/esmc.pdf")
    assert pdf.state == "archived" and pdf.capture.status is None
    assert "EUR 5 billion" in text_of(a.payload(pdf.capture), pdf.capture.content_type).text
    (saved / "urls.csv").write_text("url,file\nhttps://x.example/a,missing.html\n")
    with pytest.raises(ChipkgError, match=r"urls.csv:2: no file 'missing.html'"):
        import_path(saved, tmp_path / "archive2")


# --------------------------------------------------------------------------------------------
# From sentence to snippet: the fixture report, its sources on loopback, verify, audit, query
# --------------------------------------------------------------------------------------------

COMMERCE = "http://www.commerce.example/news/2024/11/chips-award-tsmc"
UK = "http://www.gov-uk.example/government/news/semiconductor-institute"
ESMC = "http://www.bundesregierung.example/aktuelles/esmc-dresden-2024.pdf"
INTEL = "http://newsroom.intel.example/news/synopsys-packaging-2024"
METI = "http://www.meti.example/press/2024/rapidus-support.html"
GBK = "http://www.chinatimes.example/news/2024/tsmc-award-gbk.html"


def pages() -> dict[str, tuple[int, dict, bytes]]:
    return {
        COMMERCE: (
            200,
            HTML,
            html_page(
                "<p>WASHINGTON, November 15, 2024 — The U.S. Department of Commerce today announced "
                "an award of up to US$6.6bn in direct funding to TSMC Arizona, a subsidiary of TSMC, "
                "for leading-edge fabs in Phoenix.</p><p>The award follows the preliminary terms "
                "signed in April and is disbursed against milestones.</p>",
                "Commerce finalizes CHIPS award",
            ),
        ),
        UK: (
            200,
            HTML,
            html_page(
                "<p>The UK government has launched a new Semiconductor Institute to coordinate "
                "research, skills and investment across the country.</p><p>It will bring together "
                "universities and industry.</p>",
                "New semiconductor institute",
            ),
        ),
        ESMC: (200, {"Content-Type": "application/pdf"}, ESMC_PDF),
        INTEL: (302, {"Location": "/login?next=synopsys"}, b""),
        METI: (
            200,
            {"Content-Type": "text/html; charset=Shift_JIS"},
            html_page(
                "<p>経済産業省は、Rapidusに追加の支援を行うと発表しました。</p>"
                "<p>北海道千歳市の工場で2ナノの量産を目指します。</p>",
                "Rapidus支援",
                "shift_jis",
            ),
        ),
        GBK: (
            200,
            HTML | {"Content-Type": "text/html; charset=gbk"},
            html_page(
                "<p>美国商务部周五宣布，向台积电提供66亿美元资助，支持其亚利桑那州晶圆厂建设。</p>"
                "<p>该资助将分阶段拨付。</p>",
                "台积电获资助",
                "gbk",
            ),
        ),
    }


@pytest.fixture(scope="module")
def verified(tmp_path_factory):
    project = tmp_path_factory.mktemp("verify")
    (project / "graph" / "sources").mkdir(parents=True)
    shutil.copy(REPORT, project / "graph" / "sources" / "verify-test.txt")
    run = CliRunner().invoke
    r = run(cli, ["--project", str(project), "build", "--no-validate"])
    assert r.exit_code == 0, r.output
    s = Site()
    server = serve(s)
    port = server.server_address[1]
    from urllib.parse import urlsplit

    for url, page in pages().items():
        parts = urlsplit(url)
        s.routes[(parts.netloc, parts.path)] = page
        s.routes[(parts.netloc, "/robots.txt")] = (404, HTML, b"")
    s.routes[("newsroom.intel.example", "/login?next=synopsys")] = (
        200,
        HTML,
        html_page("<p>Sign in</p>"),
    )
    resolve = []
    for url in pages():
        resolve += ["--resolve", f"{urlsplit(url).netloc}=127.0.0.1:{port}"]
    try:
        r = run(cli, ["--project", str(project), "sources", "fetch", "--delay", "0", *resolve])
    finally:
        server.shutdown()
        server.server_close()
    assert r.exit_code == 1, r.output  # the login page is a failure
    r = run(cli, ["--project", str(project), "verify", "--format", "json"])
    assert r.exit_code == 0, r.output
    return project, json.loads(r.output)


def by_source(result: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for item in result["items"]:
        out.setdefault(item["source"], []).append(item)
    return out


def test_each_verdict_with_its_snippet_or_missing_part(verified):
    project, result = verified
    got = by_source(result)
    [commerce] = got[COMMERCE]
    assert commerce["verdict"] == "supported", commerce
    assert set(commerce["found"]) == {"subject", "object", "amount", "date"}
    assert "US$6.6bn" in commerce["snippet"]["exact"] and "TSMC" in commerce["snippet"]["exact"]
    assert {i["verdict"] for i in got[UK]} == {"not-found"}
    assert all(
        i.get("snippet") is None and "not in the source" in i["explanation"] for i in got[UK]
    )
    assert {i["verdict"] for i in got[ESMC]} == {
        "supported"
    }  # PDF: Germany, ESMC fab, EUR 5 billion
    assert {i["verdict"] for i in got[INTEL]} == {"unavailable"}
    assert all("login page" in i["explanation"] for i in got[INTEL])
    [meti] = got[METI]  # Shift-JIS: Rapidus is there, Japan is not named
    assert meti["verdict"] == "partial" and meti["missing"] == ["subject"]
    assert "subject Japan not in the source" in meti["explanation"]
    [gbk] = got[GBK]  # GBK: 美国商务部 ↔ U.S. Department of Commerce, 台积电 ↔ TSMC, 66亿美元
    assert gbk["verdict"] == "supported" and "66亿美元" in gbk["snippet"]["exact"]
    # every snippet quotes the archived text at its offsets
    from chipkg.verify.archive import archive_dir
    from chipkg.verify.verdict import open_source

    a = read_archive(archive_dir(project / "graph" / "build"))
    for item in result["items"]:
        if item.get("snippet"):
            text = open_source(a, item["source"], None).text.text
            s = item["snippet"]
            assert text[s["start"] : s["end"]] == s["exact"]
            assert text[: s["start"]].endswith(s["prefix"]) and text[s["end"] :].startswith(
                s["suffix"]
            )


def test_verification_graph_audit_and_query(verified):
    project, _result = verified
    build = project / "graph" / "build"
    st = ox.Store()
    st.load(path=str(build / "chipkg.trig"), format=ox.RdfFormat.TRIG)
    st.load(path=str(build / "verification.trig"), format=ox.RdfFormat.TRIG)
    graphs = {str(g.value) for g in st.named_graphs()}
    assert "https://w3id.org/chipkg/id/graph/verification" in graphs
    rows = list(
        st.query(
            "PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX prov: <http://www.w3.org/ns/prov#> "
            "SELECT ?t ?rec WHERE { ?run a prov:Activity ; prov:startedAtTime ?t . "
            "?a prov:wasGeneratedBy ?run ; oa:hasTarget/oa:hasState/oa:cachedSource ?rec }",
            use_default_graph_as_union=True,
        )
    )
    assert rows and all(str(r["rec"].value).startswith("urn:uuid:") for r in rows)
    # the verification graph conforms to its shapes (shapes/verification.ttl)
    from rdflib import Dataset, URIRef

    from chipkg.check.validate import validate_graph

    ds = Dataset().parse(build / "verification.trig", format="trig")
    graph = ds.graph(URIRef("https://w3id.org/chipkg/id/graph/verification"))
    assert len(graph) > 100
    report = validate_graph(graph)
    assert report.conforms and report.results == (), report.results
    from chipkg.analysis.query import load
    from chipkg.graph.sparql import select

    unsupported = select(st, load("unsupported-claims"))
    sources = {r["source"] for r in unsupported}
    assert UK in sources and INTEL in sources and COMMERCE not in sources
    r = CliRunner().invoke(cli, ["--project", str(project), "audit", "--format", "json"])
    from .test_audit_scope import assert_valid

    assert_valid(json.loads(r.output))  # docs/audit.schema.json describes the new section
    v = json.loads(r.output)["verification"]
    assert v["checked"] and v["verdicts"]["not-found"] == 2 and v["verdicts"]["supported"] >= 5
    assert [s["url"] for s in v["sources_supporting_none"]] == [UK] or UK in [
        s["url"] for s in v["sources_supporting_none"]
    ]
    assert {c["subject"]["en"] for c in v["claims_every_source_not_found"]} == {
        "Samsung Electronics"
    }
    r = CliRunner().invoke(cli, ["--project", str(project), "audit", "--format", "html"])
    assert "US$6.6bn" in r.output and 'id="verification"' in r.output


def test_status_lists_archived_failed_and_missing(verified):
    project, _ = verified
    r = CliRunner().invoke(
        cli, ["--project", str(project), "sources", "status", "--format", "json"]
    )
    assert r.exit_code == 1  # one source failed
    rows = {row["url"]: row for row in json.loads(r.output)["sources"]}
    assert rows[COMMERCE]["state"] == "archived" and rows[COMMERCE]["status"] == 200
    assert len(rows[COMMERCE]["sha256"]) == 64 and rows[COMMERCE]["content_type"] == "text/html"
    assert rows[INTEL]["state"] == "failed" and "login page" in rows[INTEL]["reason"]


def test_benchmark_phase_verifies_the_bundled_report_on_an_invented_archive(built_project):
    """The benchmark's phase runs end to end (its figures are in docs/verification.md; speed is
    not asserted here)."""
    from chipkg.verify.bench import phase_verify

    result = phase_verify(built_project, repeats=2)
    run = result["cached_run"]
    assert result["archived_sources"] > 0 and run["pairs"] == sum(run["verdicts"].values())
    assert run["verdicts"]["supported"] and run["verdicts"]["partial"]
    assert run["verdicts"]["unavailable"]  # one source in eight is left out of the archive
    assert result["first_run"]["verdicts"] == run["verdicts"]  # the text cache changes nothing


# --------------------------------------------------------------------------------------------
# Verdicts on given texts (no archive)
# --------------------------------------------------------------------------------------------


def judge(text: str, **facets):
    from chipkg.verify.claims import Claim, Claims
    from chipkg.verify.text import SourceText
    from chipkg.verify.verdict import Source, verify

    claim = Claim(
        "c1", "r", "e:eu", "p:funds", "e:prog", "句子", 1, sources=["http://s.example/"], **facets
    )
    names = {"e:eu": ["European Union", "欧盟", "EU"], "e:prog": ["Horizon Europe", "地平线欧洲"]}
    labels = {"e:eu": "European Union", "e:prog": "Horizon Europe"}
    src = Source("http://s.example/", "archived", text=SourceText(text, "html"))
    [v] = verify(Claims([claim], names, labels), {"http://s.example/": src})
    return v


def test_verdicts_on_given_texts():
    filler = "Other news of the day. " * 30
    ok = judge(
        "The EU funds Horizon Europe with €95.5 billion until 2027.",
        amounts=[(Decimal("95500000000"), "EUR")],
        target_year=2027,
    )
    assert ok.verdict == "supported" and ok.snippet.exact.startswith("The EU funds")
    far = judge(f"欧盟宣布了新计划。{filler}地平线欧洲将继续。")
    assert far.verdict == "partial" and far.missing == ["object"]
    assert "appears in the source but not within 400 characters" in far.explanation
    conv = judge(
        "The EU funds Horizon Europe (about $103 billion).",
        amounts=[(Decimal("95500000000"), "EUR")],
        conversions=[(Decimal("103000000000"), "USD")],
    )
    assert conv.verdict == "partial" and conv.missing == ["amount"]
    assert "only the report's stated conversion" in conv.explanation
    silent = judge("The UK opened a semiconductor institute.", amounts=[(Decimal("1"), "EUR")])
    assert silent.verdict == "not-found" and silent.snippet is None
    assert (
        "subject European Union not in the source (looked for: European Union, 欧盟, EU)"
        in silent.explanation
    )
    dated = judge("On 23 December 2024 the EU funded Horizon Europe.", date="2024-12")
    assert dated.verdict == "supported"
    wrong_date = judge("On 23 November 2024 the EU funded Horizon Europe.", date="2024-12")
    assert wrong_date.verdict == "partial" and wrong_date.missing == ["date"]


def test_a_source_without_text_is_unavailable_with_its_reason(tmp_path):
    from pypdf import PdfReader, PdfWriter

    from chipkg.verify.verdict import open_source

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(ESMC_PDF)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    locked = io.BytesIO()
    writer.write(locked)
    saved = tmp_path / "saved"
    saved.mkdir()
    (saved / "locked.pdf").write_bytes(locked.getvalue())
    (saved / "scan.pdf").write_bytes(make_pdf([]))
    (saved / "urls.csv").write_text(
        "url,file\nhttps://a.example/locked.pdf,locked.pdf\nhttps://a.example/scan.pdf,scan.pdf\n"
    )
    import_path(saved, tmp_path / "archive")
    a = read_archive(tmp_path / "archive")
    locked_src = open_source(a, "https://a.example/locked.pdf", tmp_path / "text")
    scan_src = open_source(a, "https://a.example/scan.pdf", tmp_path / "text")
    assert locked_src.state == "no-text" and "encrypted PDF" in locked_src.reason
    assert scan_src.state == "no-text" and "no text layer" in scan_src.reason


def test_import_of_a_foreign_file_on_the_command_line_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "export.warc.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00broken gzip")
    r = CliRunner().invoke(cli, ["--project", str(tmp_path), "sources", "import", str(bad)])
    assert r.exit_code == 2
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: {bad}: not a WARC file")
    assert not (tmp_path / "graph" / "archive").exists()


def test_a_printed_source_is_never_fetched_and_its_claims_say_check_it_by_hand(tmp_path):
    # an endnote with no URL is a source with the report's own IRI: nothing to fetch there
    text = (HERE / "fixtures" / "reports" / "endnotes.txt").read_text(encoding="utf-8")
    text = text.replace("某企业宣布在产业集群建设首座晶圆", "三星电子宣布在韩国建设首座晶圆")
    text = text.replace(
        "[9] https://www.example.org/news/first-fab-2027",
        "[9] 某研究院. 《晶圆厂建设年鉴》，2025年。",
    )
    (tmp_path / "graph" / "sources").mkdir(parents=True)
    (tmp_path / "graph" / "sources" / "printed.txt").write_text(text, encoding="utf-8")
    run = CliRunner().invoke
    r = run(cli, ["--project", str(tmp_path), "build", "--no-validate"])
    assert r.exit_code == 0, r.output
    r = run(cli, ["--project", str(tmp_path), "sources", "status", "--format", "json"])
    urls = [row["url"] for row in json.loads(r.output)["sources"]]
    assert "https://www.example.com/news/first-fab" in urls
    assert not [u for u in urls if "/printed/" in u], urls
    r = run(cli, ["--project", str(tmp_path), "verify", "--format", "json"])
    assert r.exit_code == 0, r.output
    items = json.loads(r.output)["items"]
    printed = [i for i in items if "/printed/" in i["source"]]
    assert printed, "the fab's claims cite the printed note [9]"
    assert {i["verdict"] for i in printed} == {"unavailable"}
    assert all("printed source" in i["explanation"] for i in printed)
    others = [i for i in items if "/printed/" not in i["source"]]
    assert all("not archived" in i["explanation"] for i in others)


def test_the_verdicts_join_the_store_and_stay_there_across_builds(verified, tmp_path):
    project, _ = verified
    run = CliRunner().invoke

    def unsupported(proj: Path) -> set[str]:
        r = run(cli, ["--project", str(proj), "query", "unsupported-claims", "--format", "json"])
        assert r.exit_code == 0, r.output
        return {row["source"] for row in json.loads(r.stdout)}

    from chipkg.graph import store

    assert store.store_status(project / "graph" / "build")["fresh"]  # no warning, no reload
    assert UK in unsupported(project) and INTEL in unsupported(project)
    assert COMMERCE not in unsupported(project)
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    r = run(cli, ["--project", str(copy), "build", "--no-validate"])
    assert r.exit_code == 0, r.output
    assert unsupported(copy) == unsupported(project)  # a build keeps the verdicts
    shutil.rmtree(copy / "graph" / "build" / "store")
    assert unsupported(copy) == unsupported(project)  # so does the in-memory fallback
    (copy / "graph" / "build" / "verification.trig").write_text("<a> <b> .\n<broken", "utf-8")
    r = run(cli, ["--project", str(copy), "query", "unsupported-claims"])
    assert r.exit_code == 2 and "verification.trig" in r.output and "Traceback" not in r.output
