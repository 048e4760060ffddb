"""The seed live feed: the figures a careful analyst takes from it, scored by the shared tool."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from conftest import SEED, SHARED, needs_shared

from ledger.build import BuildResult


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_seed_scores_full_recall_and_precision(seed_build: BuildResult) -> None:
    scorer = SHARED / "tools" / "score_facts.py"
    needs_shared(scorer)
    result = subprocess.run(
        [sys.executable, str(scorer), str(SEED / "seed.gold.yaml"),
         str(seed_build.out.parent / "sources"), str(seed_build.out), "--json"],
        capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout[:result.stdout.rindex("}") + 1])
    assert summary["recall"] == 1.0
    assert summary["precision"] >= 0.9
    for field in ("qualifier", "unit", "kind", "as_of_date"):
        right, total = map(int, summary[field].split("/"))
        assert right == total, f"{field}: {summary[field]}"
    assert summary["usd_checks"] and all(check["ok"] for check in summary["usd_checks"])


def test_every_claim_is_dated_from_the_catalogue_not_the_page_header(
        seed_build: BuildResult) -> None:
    facts = _rows(seed_build.out / "facts.csv")
    assert facts
    assert all(f["as_of"].startswith("2020-11-21") for f in facts)
    by_value = {f["value"]: f["as_of"] for f in facts}
    assert by_value["1960"] == "2020-11-21"  # the preface has no entry time
    assert by_value["300000"] == "2020-11-21T21:37"  # the entry's own time


def test_drams_converted_at_the_central_bank_of_armenia_rate(seed_build: BuildResult) -> None:
    amd = next(f for f in _rows(seed_build.out / "facts.csv") if f["unit"] == "AMD")
    assert amd["value"] == "300000"
    assert abs(float(amd["value_usd"]) - 596.16) <= 0.5
    assert amd["fx_rate"] == "503.22"
    assert amd["fx_date"] == "2020-11-20"
    assert amd["fx_lag_days"] == "1"
    assert "Central Bank of Armenia" in amd["fx_source"]
    assert amd["stated_value"] == "600" and amd["stated_currency"] == "USD"
    findings = _rows(seed_build.out / "findings.csv")
    checked = [f for f in findings if f["code"] == "stated-conversion-consistent"]
    assert [f["fact_ids"] for f in checked] == [amd["fact_id"]]


def test_restated_figures_are_one_observation_each(seed_build: BuildResult) -> None:
    observations = _rows(seed_build.out / "observations.csv")
    flows = [o for o in observations if o["indicator"] == "returnees" and o["kind"] == "flow"]
    assert len(flows) == 1
    assert flows[0]["value"] == "1100" and len(flows[0]["fact_ids"].split()) == 3
    assert flows[0]["period_start"] == "2020-11-20" and flows[0]["status"] == "consistent"
    posts = [o for o in observations if o["indicator"] == "observation_posts"]
    assert len(posts) == 1
    assert posts[0]["value"] == "23" and len(posts[0]["fact_ids"].split()) == 3


def test_some_7000_and_more_than_7000_are_not_a_conflict(seed_build: BuildResult) -> None:
    findings = _rows(seed_build.out / "findings.csv")
    assert not [f for f in findings if f["code"] == "conflict"]
    stocks = [o for o in _rows(seed_build.out / "observations.csv")
              if o["indicator"] == "returnees" and o["kind"] == "stock"]
    assert sorted(o["value"] for o in stocks) == ["7000", "7000"]
    assert all(o["status"] != "conflict" for o in stocks)


def test_times_dates_and_years_are_not_figures(seed_build: BuildResult) -> None:
    values = {f["value"] for f in _rows(seed_build.out / "facts.csv")}
    for not_a_figure in ("1991", "2020", "23", "27", "14", "11", "9"):
        if not_a_figure == "23":  # "23 posts" is a figure; the entry time 23:23 is not
            continue
        assert not_a_figure not in values
