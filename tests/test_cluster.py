"""A build on a Dask scheduler with two workers on 127.0.0.1, started here, writes the bytes of
a local build; so does `--cluster local`; an unreachable scheduler is a message, not a hang."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import copy_example

from ledger.build import build
from ledger.cli import main


def _dask() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("CI installs Dask with the dev extra (dask[distributed])")
        pytest.skip("Dask is not installed (pip install 'ledger[dask]')")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A scheduler and two single-threaded workers, each its own process, on 127.0.0.1."""
    _dask()
    from distributed import Client

    dask = str(Path(sys.executable).parent / "dask")
    address = f"tcp://127.0.0.1:{_free_port()}"
    processes = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port",
                                   address.rsplit(":", 1)[1], "--no-dashboard"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        processes += [subprocess.Popen([dask, "worker", address, "--nthreads", "1",
                                        "--no-dashboard", "--host", "127.0.0.1"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                      for _ in range(2)]
        deadline = time.monotonic() + 60
        while True:
            try:
                with Client(address, timeout=5) as client:
                    client.wait_for_workers(2, timeout=60)
                break
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def _example(tmp_path: Path) -> Path:
    root = tmp_path / "karabakh"
    copy_example(root)
    for copy in range(3):  # enough documents for several runs on the workers
        for path in sorted((root / "sources").glob("*.*")):
            if path.name != "sources.csv":
                shutil.copy(path, root / "sources" / f"copy{copy}-{path.name}")
    return root


def test_a_build_on_two_workers_writes_the_bytes_of_a_local_build(scheduler: str,
                                                                   tmp_path: Path) -> None:
    project = _example(tmp_path)
    local = build(project, tmp_path / "local", use_cache=False, jobs=1)
    remote = build(project, tmp_path / "remote", use_cache=False, cluster=scheduler)
    assert len(remote.facts) == len(local.facts) > 20
    assert _outputs(remote.out) == _outputs(local.out)


def test_a_local_cluster_writes_the_same_bytes(tmp_path: Path) -> None:
    _dask()
    project = _example(tmp_path)
    local = build(project, tmp_path / "local", use_cache=False, jobs=1)
    assert main(["build", str(project), "--out", str(tmp_path / "dask"), "-q", "--no-cache",
                 "--cluster", "local"]) == 0
    assert _outputs(tmp_path / "dask") == _outputs(local.out)


def test_an_unreachable_scheduler_is_a_message(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    _dask()
    project = _example(tmp_path)
    address = f"tcp://127.0.0.1:{_free_port()}"  # nobody listens there
    assert main(["build", str(project), "-q", "--cluster", address]) == 1
    assert f"cannot reach the Dask scheduler at {address}" in capsys.readouterr().err
    assert not (project / "build").exists()
