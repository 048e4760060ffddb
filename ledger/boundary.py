"""The project folder is a boundary: what a build reads must be a regular file inside it.

Public surface: `outside_problem(path, root, follow_symlinks)` says why a file may not be read
(or returns None), and `safe_files(folder, root, follow_symlinks)` walks a folder without
following links out of the project.

A rule file from a pull request may copy what it matches into `facts.csv`; if `sources/` could
hold a link to `/proc/self/environ` or `~/.ssh/id_rsa`, a build in CI would publish secrets.
So a link that leaves the project is refused unless the user passes `--follow-symlinks`, and
devices, FIFOs, sockets and the kernel's virtual folders are refused always (reading a FIFO
would hang, reading `/proc` is never a document).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_VIRTUAL = (Path("/proc"), Path("/sys"), Path("/dev"))


def outside_problem(path: Path, root: Path, follow_symlinks: bool = False) -> str | None:
    """Why `path` may not be read as part of the project at `root`, or None when it may."""
    try:
        resolved = path.resolve(strict=True)
        mode = resolved.stat().st_mode
    except FileNotFoundError:
        return "broken link: the file it points to is gone" if path.is_symlink() else (
            "file not found")
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        return f"cannot resolve the path: {getattr(exc, 'strerror', None) or exc}"
    if any(resolved.is_relative_to(v) for v in _VIRTUAL):
        return f"points into /{resolved.parts[1]}, which holds no documents"
    if not stat.S_ISREG(mode):
        return "not a regular file (a device, FIFO or socket is never read)"
    if not follow_symlinks and not resolved.is_relative_to(root.resolve()):
        return ("a link that leaves the project folder; pass --follow-symlinks to read files "
                "outside it")
    return None


def linked_folder_problem(folder: Path, root: Path, follow_symlinks: bool) -> str | None:
    """Why a folder may not be entered: it resolves outside `root` (unless following links)."""
    if follow_symlinks or folder.resolve().is_relative_to(root.resolve()):
        return None
    return "a linked folder that leaves the project folder; pass --follow-symlinks to read it"


def safe_files(folder: Path, root: Path, follow_symlinks: bool = False
               ) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Files below `folder` in sorted order, and the (path, problem) of those refused.

    Hidden files and folders are skipped; linked folders are entered only when they stay
    inside the project (or with `follow_symlinks`)."""
    found: list[Path] = []
    refused: list[tuple[Path, str]] = []
    seen: set[Path] = set()

    def walk(directory: Path) -> None:
        real = directory.resolve()
        if real in seen:
            return
        seen.add(real)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            refused.append((directory, f"cannot list the folder: {exc.strerror}"))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = directory / entry.name
            if entry.is_dir(follow_symlinks=False):
                walk(path)
            elif entry.is_symlink() and path.is_dir():
                problem = linked_folder_problem(path, root, follow_symlinks)
                if problem:
                    refused.append((path, problem))
                else:
                    walk(path)
            else:
                problem = outside_problem(path, root, follow_symlinks)
                if problem:
                    refused.append((path, problem))
                else:
                    found.append(path)

    walk(folder)
    return found, refused


PROJECT_FILES = ("ledger.toml", "gazetteer.yaml", "parties.yaml", "decisions.yaml")
PROJECT_FOLDERS = (("rules", ("*.yaml", "*.yml")), ("rates", ("*.csv", "*.yaml", "*.yml")),
                   ("lexicon", ("*.yaml", "*.yml")), ("languages", ("*.yaml", "*.yml")))


def project_file_problems(project: Path, follow_symlinks: bool = False) -> list[tuple[str, str]]:
    """(path relative to the project, problem) for every settings, rule, rate or lexicon file
    of the project that may not be read. Sources are checked as they are read."""
    candidates = [project / name for name in PROJECT_FILES]
    for folder, patterns in PROJECT_FOLDERS:
        if (project / folder).is_dir() or (project / folder).is_symlink():
            candidates.append(project / folder)
            candidates += [p for pattern in patterns for p in (project / folder).glob(pattern)]
    problems = []
    for path in sorted(set(candidates)):
        if not (path.exists() or path.is_symlink()):
            continue
        problem = (linked_folder_problem(path, project, follow_symlinks) if path.is_dir()
                   else outside_problem(path, project, follow_symlinks))
        if problem:
            problems.append((path.relative_to(project).as_posix(), problem))
    return problems
