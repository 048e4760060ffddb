"""Open-data outputs: `facts.hxl.csv` (the facts with a row of HXL hashtags, for the
Humanitarian Exchange Language tools) and `datapackage.json` (a Frictionless Data Package
describing the CSV outputs: typed fields, each with its HXL tag, the sources and a licence).

Public surface: `hxl_chunks(report)` (facts.hxl.csv in parts) and
`render_datapackage(written, report, moment)`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from ledger.render.report import Report
from ledger.render.tables import (
    FACT_COLUMNS,
    FINDING_COLUMNS,
    OBSERVATION_COLUMNS,
    csv_chunks,
)

# facts.hxl.csv: (column of facts.csv, HXL hashtag with attributes)
HXL_COLUMNS = (
    ("fact_id", "#meta+id"),
    ("as_of", "#date+reported"),
    ("place", "#loc+name"),
    ("indicator", "#indicator+code"),
    ("value", "#indicator+value+num"),
    ("qualifier", "#meta+qualifier"),
    ("low", "#indicator+value+low+num"),
    ("high", "#indicator+value+high+num"),
    ("unit", "#indicator+unit"),
    ("kind", "#meta+kind"),
    ("period_start", "#date+start"),
    ("period_end", "#date+end"),
    ("currency", "#currency+code"),
    ("value_usd", "#value+c_usd"),
    ("fx_rate", "#meta+fx_rate+num"),
    ("fx_date", "#date+fx"),
    ("fx_source", "#meta+fx_source"),
    ("publisher", "#org+reporting"),
    ("source", "#meta+source"),
    ("url", "#meta+source+url"),
    ("quote", "#meta+quote"),
    ("rule_id", "#meta+rule"),
    ("observation_id", "#meta+observation"),
)
HXL_OF = dict(HXL_COLUMNS)
OBSERVATION_HXL = {
    "observation_id": "#meta+id", "indicator": "#indicator+code", "place": "#loc+name",
    "kind": "#meta+kind", "unit": "#indicator+unit", "as_of": "#date+reported",
    "period_start": "#date+start", "period_end": "#date+end",
    "value": "#indicator+value+num", "low": "#indicator+value+low+num",
    "high": "#indicator+value+high+num", "status": "#status", "policy": "#meta+policy",
    "fact_ids": "#meta+facts", "n_sources": "#meta+sources+num",
    "qualifier": "#meta+qualifier", "value_usd": "#value+c_usd", "sources": "#meta+source",
}
FINDING_HXL = {"finding_id": "#meta+id", "severity": "#severity", "code": "#meta+code",
               "message": "#description", "fact_ids": "#meta+facts",
               "observation_id": "#meta+observation"}

NUMBERS = {"value", "low", "high", "value_usd", "fx_rate", "stated_value", "value_report",
           "report_fx_rate"}
INTEGERS = {"char_start", "char_end", "line", "quote_start", "quote_end", "rule_line", "fx_row",
            "fx_lag_days", "report_fx_row", "n_sources"}
DATES = {"period_start", "period_end", "fx_date", "report_fx_date"}
BOOLEANS = {"vague"}
ENUMS = {
    "qualifier": ["exact", "approx", "more_than", "at_least", "less_than", "at_most", "range"],
    "kind": ["stock", "flow", "plan", "rate"],
    "status": ["single", "consistent", "conflict"],
    "severity": ["error", "warning", "info"],
}
DESCRIPTIONS = {
    "as_of": "the claim's date, or date-time (YYYY-MM-DDTHH:MM) when the source gives a time",
    "value": "the number as stated, scaled; the lower end of a range",
    "low": "lower bound of the interval the statement allows (empty: open)",
    "high": "upper bound of the interval the statement allows (empty: open)",
    "unit": "the counted object, or the ISO 4217 code of the stated currency",
    "char_start": "code-point offset of the figure in the normalised text of the source",
    "char_end": "end offset: text[char_start:char_end] is the figure as written",
}


def hxl_chunks(report: Report) -> Iterator[bytes]:
    """The facts with a header row and a HXL hashtag row, a few thousand rows at a time.
    Whitespace inside text is collapsed to single spaces, as HXL tools expect; facts.csv
    keeps the text exactly as written."""
    urls = {d.path: d.url for d in report.documents}

    def rows() -> Iterator[dict[str, object]]:
        yield dict(HXL_COLUMNS)
        for fact in report.facts:
            row: dict[str, object] = {
                c: " ".join(v.split()) if isinstance(v := getattr(fact, c, None), str) else v
                for c, _ in HXL_COLUMNS}
            row["url"] = urls.get(fact.source, "")
            row["observation_id"] = report.observation_of.get(fact.fact_id, "")
            yield row

    return csv_chunks(tuple(c for c, _ in HXL_COLUMNS), rows())


def _field(name: str, hxl: dict[str, str]) -> dict[str, object]:
    kind = ("number" if name in NUMBERS else "integer" if name in INTEGERS
            else "date" if name in DATES else "boolean" if name in BOOLEANS else "string")
    field: dict[str, object] = {"name": name, "type": kind}
    if name in DESCRIPTIONS:
        field["description"] = DESCRIPTIONS[name]
    if name in ENUMS:
        field["constraints"] = {"enum": ENUMS[name]}
    if name in hxl:
        field["hxl"] = hxl[name]
    return field


def render_datapackage(written: dict[str, tuple[str, int]], report: Report,
                       moment: datetime) -> bytes:
    """A Data Package for facts.csv, observations.csv and findings.csv; `written` gives each
    written file's sha256 and size."""
    resources = []
    for name, columns, hxl, title in (
            ("facts", FACT_COLUMNS, HXL_OF, "Figures, one row per statement in a source"),
            ("observations", OBSERVATION_COLUMNS, OBSERVATION_HXL,
             "Series points: statements of one figure merged"),
            ("findings", FINDING_COLUMNS, FINDING_HXL, "What to review")):
        sha256, size = written[f"{name}.csv"]
        resources.append({
            "name": name, "path": f"{name}.csv", "title": title, "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "bytes": size,
            "hash": f"sha256:{sha256}",
            "schema": {"fields": [_field(c, hxl) for c in columns], "missingValues": [""],
                       "primaryKey": [f"{name[:-1]}_id"] if name != "findings" else
                       ["finding_id"]},
        })
    package = {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "ledger-" + "".join(c if c.isalnum() else "-" for c in report.title.lower()
                                    ).strip("-")[:60],
        "title": report.title,
        "description": "Humanitarian figures extracted, reconciled and traced to their "
                       "sentences by ledger. manifest.json lists every input and output "
                       "with its sha256.",
        "created": moment.isoformat() + "Z",
        "licenses": [{"name": "other-at", "title": "Figures taken from the sources listed; "
                      "cite them. Each source keeps its own terms."}],
        "sources": [{"title": d.title or d.path, "path": d.url or f"sources/{d.path}"}
                    for d in report.documents],
        "resources": resources,
    }
    return (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
