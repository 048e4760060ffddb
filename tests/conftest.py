"""Shared fixtures: the read-only shared folder beside the checkout, and small projects."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from ledger.build import BuildResult, build

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed"
EXAMPLES = REPO / "examples"


def needs_shared(path: Path) -> None:
    """Skip, with the reason, when a file of ../shared is not there."""
    if not path.exists():
        pytest.skip(f"{path.relative_to(REPO.parent)} is absent: the shared folder is not "
                    "beside this checkout")


@pytest.fixture
def seed_project(tmp_path: Path) -> Path:
    """A project whose sources/ holds the seed document and its catalogue."""
    needs_shared(SEED / "000_cc935aa015bef0f5.txt")
    sources = tmp_path / "seed" / "sources"
    sources.mkdir(parents=True)
    shutil.copy(SEED / "000_cc935aa015bef0f5.txt", sources)
    shutil.copy(SEED / "sources.csv", sources)
    return tmp_path / "seed"


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    needs_shared(SEED / "000_cc935aa015bef0f5.txt")
    root = tmp_path_factory.mktemp("seed")
    sources = root / "sources"
    sources.mkdir()
    shutil.copy(SEED / "000_cc935aa015bef0f5.txt", sources)
    shutil.copy(SEED / "sources.csv", sources)
    return build(root, root / "build")


def copy_example(target: Path, *leave_out: str) -> Path:
    """The bundled example project as shipped (without a build or cache someone made in
    place by running the README's first command), copied to `target`."""
    shutil.copytree(EXAMPLES / "karabakh-returns", target,
                    ignore=shutil.ignore_patterns("build", ".ledger", *leave_out))
    return target


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    root = copy_example(tmp_path_factory.mktemp("example") / "karabakh-returns")
    return build(root, root / "build")


MakeProject = Callable[..., Path]


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write relative path -> text (UTF-8, lone surrogates kept as a fuzzer makes them) or
    bytes under `root`."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", errors="surrogatepass")
    return root


@pytest.fixture
def make_project(tmp_path: Path) -> MakeProject:
    """Write a project from a dict of relative path -> text (or bytes)."""
    def make(files: dict[str, str | bytes], name: str = "project") -> Path:
        return write_files(tmp_path / name, files)
    return make


def html_pages(out: Path) -> str:
    """The text of every page of a build's HTML report, index.html first."""
    pages = [out / "index.html",
             *sorted(p for p in out.glob("*.html") if p.name != "index.html")]
    return "\n".join(p.read_text("utf-8") for p in pages)


@pytest.fixture(scope="session", autouse=True)
def _cache_key_in_a_temporary_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Builds seal their cache with a key from the user's cache folder: the tests use their
    own, never the user's."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
