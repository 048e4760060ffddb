"""Reconciliation: agreeing statements merge; incompatible ones make a conflict finding."""

from __future__ import annotations

import csv

from conftest import MakeProject

from ledger.cli import main

CATALOGUE = "path,published,publisher\na.txt,2020-11-25,Agency A\nb.txt,2020-11-25,Agency B\n"


def _read(path: object) -> list[dict[str, str]]:
    with open(str(path), encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_two_agencies_that_disagree_make_a_conflict(make_project: MakeProject) -> None:
    project = make_project({
        "sources/a.txt": "1,960 Russian peacekeepers are now deployed in Nagorno-Karabakh.\n",
        "sources/b.txt": "About 1,970 Russian peacekeepers now serve in Nagorno-Karabakh.\n",
        "sources/sources.csv": CATALOGUE})
    assert main(["build", str(project), "-q"]) == 0
    observations = _read(project / "build" / "observations.csv")
    assert len(observations) == 1  # "about 1,970" admits 1,960: consistent
    assert observations[0]["status"] == "consistent" and observations[0]["n_sources"] == "2"
    (project / "sources" / "b.txt").write_text(
        "1,970 Russian peacekeepers now serve in Nagorno-Karabakh.\n", "utf-8")
    assert main(["build", str(project), "-q"]) == 0
    observations = _read(project / "build" / "observations.csv")
    findings = _read(project / "build" / "findings.csv")
    assert [o["status"] for o in observations] == ["conflict"]
    conflict = next(f for f in findings if f["code"] == "conflict")
    assert "1,960 (a.txt, Agency A)" in conflict["message"]
    assert "1,970 (b.txt, Agency B)" in conflict["message"]
    assert "difference 10 (+0.5 %)" in conflict["message"]


def test_a_wire_copy_is_one_observation_with_two_sources(make_project: MakeProject) -> None:
    sentence = "More than 9,500 residents have returned to Stepanakert since November 14.\n"
    project = make_project({"sources/a.txt": sentence, "sources/b.txt": sentence,
                            "sources/sources.csv": CATALOGUE})
    assert main(["build", str(project), "-q"]) == 0
    observations = _read(project / "build" / "observations.csv")
    assert len(observations) == 1
    assert observations[0]["n_sources"] == "2" and len(observations[0]["fact_ids"].split()) == 2
    assert observations[0]["period_start"] == "2020-11-14"


def test_conservative_policy_takes_the_lowest(make_project: MakeProject) -> None:
    project = make_project({
        "sources/a.txt": "16 people were killed in Ganja.\n",
        "sources/b.txt": "21 people were killed in Ganja.\n",
        "sources/sources.csv": CATALOGUE, "ledger.toml": "policy = 'conservative'\n"})
    assert main(["build", str(project), "-q"]) == 0
    observation = _read(project / "build" / "observations.csv")[0]
    assert (observation["value"], observation["policy"], observation["status"]) == (
        "16", "conservative", "conflict")


def test_priority_policy_prefers_the_trusted_publisher(make_project: MakeProject) -> None:
    project = make_project({
        "sources/a.txt": "16 people were killed in Ganja.\n",
        "sources/b.txt": "21 people were killed in Ganja.\n",
        "sources/sources.csv": CATALOGUE,
        "ledger.toml": "policy = 'priority'\nsource_priority = ['Agency A', 'Agency B']\n"})
    assert main(["build", str(project), "-q"]) == 0
    observation = _read(project / "build" / "observations.csv")[0]
    assert (observation["value"], observation["policy"]) == ("16", "priority")


def test_a_decision_sets_the_policy_of_one_series(make_project: MakeProject) -> None:
    project = make_project({
        "sources/a.txt": "16 people were killed in Ganja.\n",
        "sources/b.txt": "21 people were killed in Ganja.\n",
        "sources/sources.csv": CATALOGUE,
        "decisions.yaml": "decisions:\n  - action: set_policy\n    series: {indicator: killed, "
                          "place: Ganja, kind: stock, unit: person}\n    policy: conservative\n"
                          "    reason: ACLED's rule for fatalities\n    by: A. Analyst\n"
                          "    date: 2020-10-12\n"})
    assert main(["build", str(project), "-q"]) == 0
    observation = _read(project / "build" / "observations.csv")[0]
    assert (observation["value"], observation["policy"]) == ("16", "conservative")
    assert observation["decisions"] == "D2"
