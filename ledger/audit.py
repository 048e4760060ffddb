"""Audit a published build: explain a figure, verify a build against its inputs, diff two builds.

Public surface: `load_build(dir)`, `explain(build, id)`, `find_observations(build, ...)`,
`verify(dir)`, `diff(old, new)`. They read only a build folder (its CSV files and
`manifest.json`) and the inputs the manifest names; nothing here imports the pipeline except
`verify`, which rebuilds to compare.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ledger.boundary import outside_problem
from ledger.build import build
from ledger.builtin import builtin_dir
from ledger.catalogue import CATALOGUE_NAME, CatalogueRow, read_catalogue
from ledger.diagnostics import LedgerError, error
from ledger.lexicon import builtin_lexicon_dir
from ledger.outfolder import file_sha256
from ledger.rates import RateBook
from ledger.sources import document_text


class _Entry(BaseModel):
    model_config = ConfigDict(extra="allow")
    path: str = Field(min_length=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class _Tool(BaseModel):
    name: Literal["ledger"]
    version: str


class _Project(BaseModel):
    model_config = ConfigDict(extra="allow")
    root: str


class Manifest(BaseModel):
    """The schema of `manifest.json` that `load_build` checks before trusting a field."""

    model_config = ConfigDict(extra="allow")
    schema_version: int
    tool: _Tool
    rule_library_version: str
    project: _Project
    built_at: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
    inputs: list[_Entry]
    outputs: list[_Entry]
    diagnostics: list[str] = Field(default_factory=list)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass
class Build:
    """A build folder read back: its manifest and its CSV outputs."""

    path: Path
    manifest: dict[str, Any]
    facts: dict[str, dict[str, str]]
    observations: dict[str, dict[str, str]]
    findings: dict[str, dict[str, str]]

    @property
    def project(self) -> Path:
        return (self.path / str(self.manifest["project"]["root"])).resolve()

    def input_hash(self, path: str) -> str:
        return next((i["sha256"] for i in self.manifest["inputs"] if i["path"] == path), "")

    @cached_property
    def catalogue(self) -> dict[str, CatalogueRow]:
        """The project's catalogue rows by document path, read once."""
        path = self.project / "sources" / CATALOGUE_NAME
        rows = read_catalogue(path, CATALOGUE_NAME)[0] if path.is_file() else []
        return {row.path: row for row in rows}


def load_build(path: Path) -> Build:
    """Read a build folder; a missing or foreign folder is a LedgerError."""
    manifest_path = path / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
        try:
            Manifest.model_validate(manifest)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "the manifest"
            raise ValueError(f"manifest.json: {where}: {first['msg']}") from None
        return Build(path, manifest,
                     {r["fact_id"]: r for r in _rows(path / "facts.csv")},
                     {r["observation_id"]: r for r in _rows(path / "observations.csv")},
                     {r["finding_id"]: r for r in _rows(path / "findings.csv")})
    except (OSError, ValueError, KeyError) as exc:
        raise LedgerError([error(str(path), "A001", f"not a ledger build folder: {exc}")]
                          ) from exc


def resolve_input(build_: Build, name: str) -> Path:
    """The file a manifest input names: `ledger:` ones are in the installed package."""
    if name.startswith("ledger:rules/"):
        return builtin_dir("rules") / name.removeprefix("ledger:rules/")
    if name.startswith("ledger:lexicon/"):
        return builtin_lexicon_dir() / name.removeprefix("ledger:lexicon/")
    if name.startswith("ledger:rates/"):
        folder = resources.files("ledger").joinpath("data/rates")
        return Path(str(folder.joinpath(name.removeprefix("ledger:rates/"))))
    return build_.project / name


# --- explain -----------------------------------------------------------------------------------


def _context(text: str, start: int, end: int, around: int = 2) -> list[str]:
    """Numbered lines around text[start:end], with a caret line under the figure."""
    lines = text.split("\n")
    first = text.count("\n", 0, start)
    last = text.count("\n", 0, end)
    shown = []
    for number in range(max(0, first - around), min(len(lines), last + around + 1)):
        shown.append(f"{number + 1:>6} | {lines[number]}")
        if first <= number <= last:
            line_start = sum(len(x) + 1 for x in lines[:number])
            lo = max(start, line_start) - line_start
            hi = min(end, line_start + len(lines[number])) - line_start
            shown.append(f"{'':>6} | {' ' * lo}{'^' * max(1, hi - lo)}")
    return shown


def _rate_line(build_: Build, table_id: str, row: str) -> str:
    """The CSV line a rate came from, read from the table file itself."""
    rates, _ = RateBook.load(build_.project / "rates")
    table = next((t for t in rates.tables if t.id == table_id), None)
    if table is None or not row:
        return ""
    with table.path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if number == int(row):
                return line.rstrip("\n")
    return ""


def source_text(build_: Build, source: str, path: Path, data: bytes) -> str:
    """A source's normalised text, as the build read it (the text all offsets refer to)."""
    row = build_.catalogue.get(source)
    ocr = bool(build_.manifest["project"].get("ocr"))
    extracted, problems = document_text(path.suffix, data, row.encoding if row else "", source,
                                        ocr, row.language if row else "")
    if extracted is None:
        raise ValueError("; ".join(p.message for p in problems) or "unreadable")
    return extracted.text


def read_source_text(build_: Build, source: str) -> str:
    """The normalised text of a source of the build (a path inside sources/), checked against
    the sha256 the manifest recorded."""
    name = f"sources/{source.removeprefix('sources/')}"
    recorded = build_.input_hash(name)
    if not recorded:
        raise LedgerError([error(str(build_.path), "A002", f"{name!r} is not a source of this "
                                 "build (see sources in manifest.json)")])
    path = resolve_input(build_, name)
    try:
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != recorded:
            raise LedgerError([error(name, "A002", "changed since the build: its offsets no "
                                     "longer apply; rebuild first")])
        return source_text(build_, name.removeprefix("sources/"), path, data)
    except (OSError, ValueError) as exc:
        raise LedgerError([error(name, "A002", f"cannot be read: {exc}")]) from exc


def explain_fact(build_: Build, fact_id: str) -> dict[str, Any]:
    fact = build_.facts[fact_id]
    source = f"sources/{fact['source']}"
    path = resolve_input(build_, source)
    start, end = int(fact["char_start"]), int(fact["char_end"])
    result: dict[str, Any] = {
        "type": "fact", "id": fact_id,
        "figure": {k: fact[k] for k in ("indicator", "value", "qualifier", "low", "high", "unit",
                                        "kind", "place", "as_of", "period_start", "period_end")},
        "source": {"path": source, "sha256": build_.input_hash(source),
                   "publisher": fact["publisher"], "line": int(fact["line"]),
                   "char_start": start, "char_end": end},
        "quote": fact["quote"],
        "rule": {"id": fact["rule_id"], "file": fact["rule_file"],
                 "line": int(fact["rule_line"]), "content_sha256": fact["rule_sha256"],
                 "file_sha256": build_.input_hash(fact["rule_file"])},
        "parse_steps": [s for s in fact["parse_steps"].split(" | ") if s],
        "observation": fact["observation_id"],
    }
    if fact.get("page"):
        result["source"]["page"] = int(fact["page"])
    if fact.get("cell"):
        result["source"]["cell"] = fact["cell"]
    try:
        data = path.read_bytes()
        text = source_text(build_, fact["source"], path, data)
        result["source"]["sha256_now"] = hashlib.sha256(data).hexdigest()
        result["source"]["figure_as_written"] = text[start:end]
        result["context"] = _context(text, start, end)
    except (OSError, ValueError) as exc:
        result["context"] = [f"(source not readable here: {exc})"]
    if fact["fx_rate"]:
        result["rate"] = {
            "currency": fact["currency"], "per_usd": fact["fx_rate"], "date": fact["fx_date"],
            "lag_days": fact["fx_lag_days"], "table": fact["fx_table"], "row": fact["fx_row"],
            "basis": fact["fx_basis"], "source": fact["fx_source"],
            "value_usd": fact["value_usd"],
            "csv_line": _rate_line(build_, fact["fx_table"], fact["fx_row"])}
    result["findings"] = [f for f in build_.findings.values() if fact_id in f["fact_ids"].split()]
    return result


def explain(build_: Build, item_id: str) -> dict[str, Any]:
    """The chain behind a fact, observation or finding id."""
    if item_id in build_.facts:
        return explain_fact(build_, item_id)
    if item_id in build_.observations:
        obs = build_.observations[item_id]
        return {"type": "observation", "id": item_id, "observation": obs,
                "facts": [explain_fact(build_, f) for f in obs["fact_ids"].split()],
                "findings": [f for f in build_.findings.values()
                             if f["observation_id"] == item_id]}
    if item_id in build_.findings:
        finding = build_.findings[item_id]
        return {"type": "finding", "id": item_id, "finding": finding,
                "facts": [explain_fact(build_, f) for f in finding["fact_ids"].split()]}
    raise LedgerError([error(str(build_.path), "A002", f"no fact, observation or finding "
                             f"{item_id!r} in this build")])


def find_observations(build_: Build, indicator: str = "", place: str = "",
                      day: str = "") -> list[str]:
    """Observation ids matching the given indicator, place and as-of date."""
    return [oid for oid, o in sorted(build_.observations.items())
            if (not indicator or o["indicator"] == indicator)
            and (not place or o["place"].lower() == place.lower())
            and (not day or o["as_of"] == day)]


def format_explanation(item: dict[str, Any], indent: str = "") -> list[str]:
    """Plain text for people."""
    out: list[str] = []
    if item["type"] == "observation":
        o = item["observation"]
        out += [f"observation {item['id']}: {o['indicator']} / {o['place'] or 'no place'} / "
                f"{o['kind']} / {o['unit']} on {o['as_of']}",
                f"  accepted value {o['value']} ({o['qualifier']}), interval {o['low'] or '…'} "
                f"to {o['high'] or '…'}, status {o['status']}, policy '{o['policy']}'",
                f"  supported by {len(item['facts'])} statement(s) in {o['n_sources']} "
                "document(s):"]
        for finding in item["findings"]:
            out.append(f"  finding {finding['finding_id']} ({finding['code']}): "
                       f"{finding['message']}")
        for fact in item["facts"]:
            out += ["", *format_explanation(fact, indent + "  ")]
        return out
    if item["type"] == "finding":
        f = item["finding"]
        out += [f"finding {item['id']}: {f['severity']} {f['code']}", f"  {f['message']}"]
        for fact in item["facts"]:
            out += ["", *format_explanation(fact, indent + "  ")]
        return out
    fig, src, rule = item["figure"], item["source"], item["rule"]
    out += [f"fact {item['id']}: {fig['qualifier']} {fig['value']} {fig['unit']} "
            f"({fig['indicator']}, {fig['kind']}) at {fig['place'] or 'no place'}, "
            f"as of {fig['as_of']}",
            f"  source   {src['path']} (sha256 {src['sha256']})",
            "           " + (f"cell {src['cell']}, " if src.get("cell") else "")
            + (f"page {src['page']}, " if src.get("page") else "")
            + f"line {src['line']}, characters {src['char_start']}-{src['char_end']}"
            + (f", publisher {src['publisher']}" if src["publisher"] else "")]
    if src.get("sha256_now") and src["sha256_now"] != src["sha256"]:
        out.append("           WARNING: the source has changed since this build")
    out.append(f"  quote    {item['quote']}")
    out += [f"  {line}" for line in item.get("context", [])]
    out.append(f"  rule     {rule['id']} at {rule['file']}:{rule['line']} "
               f"(rule sha256 {rule['content_sha256'][:16]}…, file sha256 "
               f"{rule['file_sha256'][:16]}…)")
    for number, step in enumerate(item["parse_steps"], start=1):
        out.append(f"  step {number}   {step}")
    if "rate" in item:
        r = item["rate"]
        out.append(f"  rate     {r['per_usd']} {r['currency']} per USD published {r['date']} "
                   f"(lag {r['lag_days']} d, {r['basis']}): {r['source']}")
        out.append(f"           table {r['table']}, line {r['row']}: {r['csv_line']}")
        out.append(f"           value in USD {r['value_usd']}")
    for finding in item["findings"]:
        out.append(f"  finding  {finding['code']}: {finding['message']}")
    if item["observation"]:
        out.append(f"  supports observation {item['observation']}")
    return [indent + line for line in out]


# --- verify ------------------------------------------------------------------------------------


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(path: Path) -> Verification:
    """Re-hash every input and output of a build, rebuild it, and compare."""
    build_ = load_build(path)
    result = Verification()
    for item in build_.manifest["inputs"]:
        file = resolve_input(build_, item["path"])
        result.checked += 1
        if not item["path"].startswith("ledger:") and outside_problem(
                file, build_.project) not in (None, "file not found"):
            result.problems.append(f"input {item['path']}: "
                                   f"{outside_problem(file, build_.project)}")
        elif not file.is_file():
            result.problems.append(f"input {item['path']}: missing")
        elif file_sha256(file) != item["sha256"]:
            result.problems.append(f"input {item['path']}: changed since the build "
                                   f"(sha256 {item['sha256'][:12]}… is now "
                                   f"{file_sha256(file)[:12]}…)")
    for item in build_.manifest["outputs"]:
        file = path / item["path"]
        result.checked += 1
        if not file.is_file():
            result.problems.append(f"output {item['path']}: missing")
        elif file_sha256(file) != item["sha256"]:
            result.problems.append(f"output {item['path']}: edited after the build")
    listed = {i["path"] for i in build_.manifest["outputs"]} | {"manifest.json"}
    result.problems += [f"output {p.name}: not written by this build" for p in
                        sorted(path.iterdir()) if p.name not in listed]
    result.problems += _rebuild_and_compare(build_)
    return result


def _rebuild_and_compare(build_: Build) -> list[str]:
    moment = datetime.fromisoformat(build_.manifest["built_at"].removesuffix("Z"))
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(moment.replace(tzinfo=UTC).timestamp()))
    try:
        with tempfile.TemporaryDirectory(dir=build_.path.parent) as tmp:
            again = Path(tmp) / build_.path.name
            try:
                build(build_.project, again, ocr=bool(build_.manifest["project"].get("ocr")),
                      use_cache=False)  # a verification reads every input again
            except LedgerError as exc:
                return [f"rebuild failed: {d.format()}" for d in exc.diagnostics]
            fresh = json.loads((again / "manifest.json").read_text("utf-8"))
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
    recorded = {o["path"]: o["sha256"] for o in build_.manifest["outputs"]}
    rebuilt = {o["path"]: o["sha256"] for o in fresh["outputs"]}
    problems = [f"output {name}: a rebuild from the inputs gives different content"
                for name in sorted(recorded.keys() | rebuilt.keys())
                if recorded.get(name) != rebuilt.get(name)]
    for key in sorted(build_.manifest.keys() | fresh.keys()):
        before, after = build_.manifest.get(key), fresh.get(key)
        if key == "project" and isinstance(before, dict) and isinstance(after, dict):
            before = {k: v for k, v in before.items() if k != "root"}  # where the build is
            after = {k: v for k, v in after.items() if k != "root"}
        if key != "outputs" and before != after:
            problems.append(f"manifest.json: {key!r} differs from what a rebuild records "
                            "(edited after the build?)")
    return problems


# --- diff --------------------------------------------------------------------------------------

_COMPARED = ("value", "qualifier", "low", "high", "status", "n_sources", "fact_ids", "policy")


def diff(old: Build, new: Build) -> dict[str, Any]:
    """Observations and findings added, removed and changed between two builds."""
    def changes(before: dict[str, str], after: dict[str, str]) -> dict[str, list[str]]:
        return {k: [before[k], after[k]] for k in _COMPARED
                if k in before and before[k] != after.get(k)}

    o_old, o_new = old.observations, new.observations
    return {
        "observations": {
            "added": [o_new[k] for k in sorted(o_new.keys() - o_old.keys())],
            "removed": [o_old[k] for k in sorted(o_old.keys() - o_new.keys())],
            "changed": [{"observation": o_new[k], "changes": changes(o_old[k], o_new[k])}
                        for k in sorted(o_old.keys() & o_new.keys())
                        if changes(o_old[k], o_new[k])],
        },
        "findings": {
            "added": [new.findings[k] for k in sorted(new.findings.keys() - old.findings.keys())],
            "removed": [old.findings[k] for k in
                        sorted(old.findings.keys() - new.findings.keys())],
        },
    }


def format_diff(result: dict[str, Any]) -> list[str]:
    def label(o: dict[str, str]) -> str:
        return (f"{o['observation_id']} {o['indicator']} / {o['place'] or 'no place'} / "
                f"{o['kind']} on {o['as_of']}: {o['value']} {o['unit']} ({o['status']})")

    obs, fin = result["observations"], result["findings"]
    out = [f"observations: {len(obs['added'])} added, {len(obs['removed'])} removed, "
           f"{len(obs['changed'])} changed; findings: {len(fin['added'])} added, "
           f"{len(fin['removed'])} removed"]
    out += [f"+ {label(o)}" for o in obs["added"]]
    out += [f"- {label(o)}" for o in obs["removed"]]
    for item in obs["changed"]:
        what = ", ".join(f"{k} {a!r} -> {b!r}" for k, (a, b) in item["changes"].items())
        out.append(f"~ {label(item['observation'])}: {what}")
    out += [f"+ finding {f['code']}: {f['message']}" for f in fin["added"]]
    out += [f"- finding {f['code']}: {f['message']}" for f in fin["removed"]]
    return out
