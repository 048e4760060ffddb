"""`ledger serve BUILD`: a build's `ledger.sqlite` in Datasette on this machine only.

Public surface: `datasette_metadata(title)`, `serve_command(database, port, metadata)` and
`serve(build, port)`.

Datasette is an optional extra (`pip install 'ledger[serve]'`); without it the command says
how to install it. The database is opened immutable (read-only, never written) and served on
127.0.0.1 alone: a build's quotes and sources are for the analyst at this machine, not the
network. The file is checked against the build's manifest first, so what Datasette shows is
what the build wrote.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ledger.diagnostics import LedgerError, error

HOST = "127.0.0.1"

TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "facts": ("Every figure read from a sentence, with where it came from.", {
        "fact_id": "Stable id of the figure; `ledger explain ID` walks it back.",
        "source": "The document, as a path inside the project's sources/ folder.",
        "observation_id": "The observation this figure supports.",
        "value": "The number as stated (the low end of a range).",
        "qualifier": "exact, approx (about), more_than, at_least, less_than, at_most, range.",
        "low": "Lowest value the statement allows (empty: open).",
        "high": "Highest value the statement allows (empty: open).",
        "value_usd": "Money converted to US dollars at the rate of the claim's date.",
        "fx_rate": "Units of the currency per US dollar used for value_usd.",
        "fx_date": "Date of that exchange rate.",
        "fx_source": "Who published that exchange rate.",
        "quote": "The sentence that states the figure.",
        "char_start": "Offset of the number in the document's normalised text.",
        "char_end": "End offset of the number in the document's normalised text.",
        "line": "Line of the document where the number stands.",
        "rule_id": "The rule that read the figure.",
        "rule_file": "The rule file.",
        "rule_line": "The rule's line in its file.",
    }),
    "observations": ("One row per reconciled figure: restatements of the same figure are one "
                     "observation with several supporting facts.", {
                         "status": "single, consistent, conflict, disputed or resolved.",
                         "n_sources": "Documents that state it.",
                         "independent_sources": "Documents that are not copies of each other.",
                     }),
    "findings": ("Disagreements and checks to review: who disagrees and by how much.", {
        "fact_ids": "The facts involved, separated by spaces.",
    }),
    "sources": ("The documents of the build with their catalogue data and sha256.", {}),
    "rates": ("The exchange rates the build used, each with its table, row and source.", {}),
    "unread": ("Numbers in the documents that did not become figures, each with the reason.",
               {"likely": "1 when the number stands near a counted thing or an event word."}),
}


def datasette_version() -> str | None:
    """The installed Datasette's version, or None when the extra is not installed."""
    if importlib.util.find_spec("datasette") is None:
        return None
    from importlib.metadata import version

    return version("datasette")


def datasette_metadata(title: str) -> dict[str, Any]:
    """Datasette metadata: the ledger's title, and what each table and provenance column is."""
    return {
        "title": title,
        "description": "Figures read by ledger from humanitarian sources. Every fact leads to "
                       "its quote, document, character offsets, rule and exchange rate.",
        "databases": {"ledger": {"tables": {
            name: {"description": about, "columns": columns}
            for name, (about, columns) in TABLES.items()}}},
    }


def _checked_database(build: Path) -> tuple[Path, str]:
    """The build's database, if the manifest vouches for it, and the build's title."""
    database = build / "ledger.sqlite"
    if not database.is_file():
        raise LedgerError([error(str(build), "A001", "no ledger.sqlite here: is this a build "
                                 "folder of ledger 0.1 or newer?")])
    try:
        manifest = json.loads((build / "manifest.json").read_text("utf-8"))
        recorded = next(o["sha256"] for o in manifest["outputs"]
                        if o["path"] == "ledger.sqlite")
        title = str(manifest.get("project", {}).get("title", build.name))
    except (OSError, ValueError, KeyError, TypeError, StopIteration) as exc:
        raise LedgerError([error(str(build / "manifest.json"), "A001", "no manifest that "
                                 f"lists ledger.sqlite ({exc.__class__.__name__})")]) from exc
    if hashlib.sha256(database.read_bytes()).hexdigest() != recorded:
        raise LedgerError([error(str(database), "A001", "edited after the build (its sha256 "
                                 "differs from manifest.json); rebuild before serving it")])
    return database, title


def serve_command(database: Path, port: int, metadata: Path) -> list[str]:
    """The Datasette command line that serves a build's database on 127.0.0.1."""
    return [sys.executable, "-m", "datasette", "serve", "--immutable", str(database),
            "--host", HOST, "--port", str(port), "--metadata", str(metadata),
            "--setting", "sql_time_limit_ms", "5000"]


def serve(build: Path, port: int) -> int:
    """Run Datasette on the build until it is stopped; its exit code."""
    if datasette_version() is None:
        raise LedgerError([error(str(build), "A003", "ledger serve needs Datasette: "
                                 "pip install 'ledger[serve]' (or pip install datasette)")])
    database, title = _checked_database(build)
    with tempfile.TemporaryDirectory() as tmp:
        metadata = Path(tmp) / "metadata.json"
        metadata.write_text(json.dumps(datasette_metadata(title), indent=2), "utf-8")
        command = serve_command(database, port, metadata)
        print(f"ledger serve: http://{HOST}:{port}/ledger (Ctrl-C stops it)", flush=True)
        try:
            return subprocess.run(command, check=False).returncode
        except KeyboardInterrupt:
            return 0
