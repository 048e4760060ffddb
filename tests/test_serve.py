"""`ledger serve`: the build's database in Datasette on 127.0.0.1, loaded in Chromium."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ledger import serve as serve_module
from ledger.build import BuildResult
from ledger.cli import main

CHROMIUM = Path("/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"ledger serve stopped with exit code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def test_serve_opens_the_facts_in_datasette(example_build: BuildResult) -> None:
    if serve_module.datasette_version() is None:
        if os.environ.get("CI"):
            pytest.fail("CI installs the serve extra (datasette): see .ci/run")
        pytest.skip("Datasette is not installed (pip install 'ledger[serve]')")
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "ledger", "serve",
                                str(example_build.out), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait_for(f"http://127.0.0.1:{port}/ledger.json", process)
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                args=["--headless", "--no-sandbox", "--disable-gpu",
                      "--disable-background-networking"])
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"http://127.0.0.1:{port}/ledger/facts?indicator=peacekeepers")
            assert page.title() == 'ledger: facts: 2 rows where indicator = "peacekeepers"'
            assert "Every figure read from a sentence" in page.content()  # the metadata
            assert page.get_by_text("Russian peacekeepers", exact=False).first.is_visible()
            page.goto(f"http://127.0.0.1:{port}/ledger/facts_text?_search=peacekeepers")
            found = re.fullmatch(r'ledger: facts_text: (\d+) rows where search matches '
                                 r'"peacekeepers"', page.title())
            assert found and int(found[1]) >= 2  # the full-text index finds the quotes
            browser.close()
        assert errors == []
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0].decode()
    assert f"http://127.0.0.1:{port}/ledger" in output
    assert "Uvicorn running on http://127.0.0.1" in output


def test_serve_without_datasette_says_how_to_install_it(
        example_build: BuildResult, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(serve_module, "datasette_version", lambda: None)
    assert main(["serve", str(example_build.out)]) == 1
    assert "pip install 'ledger[serve]'" in capsys.readouterr().err


def test_serve_refuses_a_database_edited_after_the_build(
        example_build: BuildResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "build"
    shutil.copytree(example_build.out, copy)
    with (copy / "ledger.sqlite").open("ab") as handle:
        handle.write(b"\0")
    assert main(["serve", str(copy)]) == 1
    assert "edited after the build" in capsys.readouterr().err
    assert main(["serve", str(tmp_path)]) == 1
    assert "no ledger.sqlite here" in capsys.readouterr().err
