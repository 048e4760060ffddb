"""`ledger fetch` against a server these tests start on 127.0.0.1 (never the internet): a
fetched page builds; a 404, a timeout and an oversized body each give a clear message; the
lock file records what was fetched; a file edited since is never overwritten."""

from __future__ import annotations

import csv
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from conftest import MakeProject

from ledger.cli import main
from ledger.fetch import USER_AGENT

PAGE = ("<html><head><title>Situation update</title></head><body><nav>Top 17 stories</nav>"
        "<article><h1>Situation update</h1><p>More than 2,400 people returned to Goris over "
        "the past week, the regional office said on Monday.</p><p>Relief teams delivered "
        "food parcels to the families in the town and its villages.</p></article>"
        "<footer>250,000 readers</footer></body></html>")


class _Handler(BaseHTTPRequestHandler):
    page = PAGE
    agents: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.agents.append(self.headers.get("User-Agent", ""))
        if self.path == "/update.html":
            body = self.page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/slow.html":
            time.sleep(3)
            self.send_response(200)
            self.end_headers()
        elif self.path == "/huge.txt":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()  # no length announced: the limit is found while reading
            for _ in range(30):
                self.wfile.write(b"x" * 100_000)
        else:
            self.send_error(404, "Not Found")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _catalogue(base: str, rows: list[tuple[str, str]]) -> str:
    return "path,published,url\n" + "".join(f"{path},2024-05-06,{base}{url}\n"
                                            for path, url in rows)


def test_a_fetched_page_builds_and_is_recorded(server: str, make_project: MakeProject,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"sources/sources.csv": _catalogue(server, [("update.html",
                                                                        "/update.html")])})
    assert main(["build", str(project), "-q"]) == 1
    assert "run `ledger fetch` to download it from its url" in capsys.readouterr().err
    assert main(["fetch", str(project)]) == 0
    assert "1 document fetched" in capsys.readouterr().out
    lock = json.loads((project / "sources" / "sources.lock.json").read_text("utf-8"))
    record = lock["documents"]["update.html"]
    assert record["status"] == 200 and record["content_type"] == "text/html"
    assert record["url"] == f"{server}/update.html" and len(record["sha256"]) == 64
    assert record["retrieved_at"].endswith("+00:00")
    assert _Handler.agents[-1] == USER_AGENT
    assert main(["build", str(project), "-q"]) == 0
    with (project / "build" / "facts.csv").open(encoding="utf-8", newline="") as handle:
        facts = list(csv.DictReader(handle))
    assert [(f["value"], f["place"]) for f in facts] == [("2400", "Goris")]
    assert main(["fetch", str(project)]) == 0  # nothing left to fetch
    assert "0 documents fetched" in capsys.readouterr().out


def test_a_404_a_timeout_and_an_oversized_body_each_say_so(
        server: str, make_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({
        "sources/sources.csv": _catalogue(server, [("gone.html", "/gone.html"),
                                                   ("slow.html", "/slow.html"),
                                                   ("huge.txt", "/huge.txt"),
                                                   ("update.html", "/update.html")]),
        "ledger.toml": "max_document_mb = 1\n"})
    assert main(["fetch", str(project), "--timeout", "1"]) == 1
    captured = capsys.readouterr()
    err = captured.err
    assert "gone.html from" in err and "HTTP 404 Not Found" in err
    assert "slow.html from" in err and "no answer within 1 s" in err
    assert "huge.txt from" in err and "more than 1,000,000 bytes" in err
    assert "Traceback" not in err
    assert "1 document fetched" in captured.out
    assert sorted(p.name for p in (project / "sources").iterdir()) == [
        "sources.csv", "sources.lock.json", "update.html"]  # nothing half-written


def test_an_edited_file_is_never_overwritten(server: str, make_project: MakeProject,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"sources/sources.csv": _catalogue(server, [("update.html",
                                                                        "/update.html")])})
    assert main(["fetch", str(project)]) == 0
    page = project / "sources" / "update.html"
    page.write_text(PAGE.replace("2,400", "2,500"), "utf-8")
    assert main(["fetch", str(project), "--refresh"]) == 1
    assert "changed since it was fetched" in capsys.readouterr().err
    assert "2,500" in page.read_text("utf-8")
    page.write_text(PAGE, "utf-8")  # as fetched: a refresh may replace it
    _Handler.page = PAGE.replace("2,400", "2,600")
    try:
        assert main(["fetch", str(project), "--refresh"]) == 0
    finally:
        _Handler.page = PAGE
    assert "changed at its source" in capsys.readouterr().out
    assert "2,600" in page.read_text("utf-8")
