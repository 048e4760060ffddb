"""Reconciliation: agreeing statements merge; incompatible ones make a conflict finding."""

from __future__ import annotations

import csv

from conftest import MakeProject

from ledger.build import BuildResult
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


def test_a_russian_statement_joins_the_english_observation(seed_project: object) -> None:
    from pathlib import Path

    project = Path(str(seed_project))
    (project / "sources" / "ru.txt").write_text(
        "В Нагорный Карабах будут направлены 1960 российских миротворцев, сообщило "
        "Минобороны.\n", "utf-8")
    with (project / "sources" / "sources.csv").open("a", encoding="utf-8") as handle:
        handle.write("ru.txt,2020-11-21,Wire RU,,ru,\n")
    assert main(["build", str(project), "-q"]) == 0
    (observation,) = [o for o in _read(project / "build" / "observations.csv")
                      if o["indicator"] == "peacekeepers"]
    assert observation["value"] == "1960" and observation["place"] == "Nagorno-Karabakh"
    assert observation["sources"] == "000_cc935aa015bef0f5.txt ru.txt"
    assert observation["status"] == "consistent"


def test_a_total_is_checked_against_its_parts(make_project: MakeProject) -> None:
    project = make_project({
        "sources/a.txt": "The donors pledged $12 million, of which $7 million for Chad and "
                         "$5 million for Sudan.\n\nThe fund gave $9 million. Of this, "
                         "$6 million went to Chad and $4 million to Sudan.\n",
        "sources/sources.csv": "path,published\na.txt,2024-05-02\n"})
    assert main(["build", str(project), "-q"]) == 0
    findings = _read(project / "build" / "findings.csv")
    agree = [f["message"] for f in findings if f["code"] == "total-and-parts"]
    differ = [f["message"] for f in findings if f["code"] == "total-and-parts-differ"]
    assert agree == ["aid_funding in a.txt: the total, exact 12,000,000 USD, and its parts, "
                     "7,000,000 + 5,000,000 = 12,000,000 USD, agree"]
    assert len(differ) == 1 and "9,000,000 USD" in differ[0] and "= 10,000,000 USD" in differ[0]


def test_different_amounts_from_two_agencies_are_two_transfers(make_project: MakeProject
                                                                ) -> None:
    project = make_project({
        "sources/a.txt": "The EU allocated €30 million to Moldova.\n",
        "sources/b.txt": "The EU allocated €10 million to Moldova.\n",
        "sources/sources.csv": CATALOGUE.replace("2020-11-25", "2024-05-02")})
    assert main(["build", str(project), "-q"]) == 0
    observations = _read(project / "build" / "observations.csv")
    assert sorted(o["value"] for o in observations) == ["10000000", "30000000"]
    assert {o["status"] for o in observations} == {"single"}
    codes = [f["code"] for f in _read(project / "build" / "findings.csv")]
    assert "conflict" not in codes and "amounts-apart" in codes


def test_history_keeps_its_own_date_and_never_becomes_todays_figure(
        make_project: MakeProject) -> None:
    project = make_project({
        "sources/a.txt": "As many as 1.5 million people were killed during World War I.\n\n"
                         "A 1990s war in the region claimed 30,000 lives.\n\n"
                         "On Monday 16 people were killed in the region.\n\n"
                         "By September\n12.7 million people needed aid.\n",
        "sources/sources.csv": "path,published\na.txt,2020-09-28\n"})
    result = build_project(project)
    by_value = {f.value: f for f in result.facts}
    assert (by_value[1_500_000].as_of, by_value[1_500_000].period_start) == ("1918-12-31",
                                                                            "1914-01-01")
    assert (by_value[30_000].as_of, by_value[30_000].period_end) == ("1999-12-31",
                                                                    "1999-12-31")
    assert 12_700_000 in by_value  # never 700,000: "September 12" is not read across the line
    from ledger.render.report import Report

    report = Report.build("t", result.documents, result.facts, result.observations,
                          result.findings, [])
    killed = [o for o in report.headlines if o.indicator == "killed"]
    assert [o.value for o in killed] == [16]


def build_project(project: object) -> BuildResult:
    from pathlib import Path

    from ledger.build import build

    return build(Path(str(project)), None)


def test_a_worldwide_figure_is_the_worlds_not_the_documents_place(
        make_project: MakeProject) -> None:
    project = make_project({
        "sources/a.txt": "In Ukraine 3 million people are displaced. War and disasters keep more "
                         "than 120 million people displaced worldwide.\n",
        "sources/sources.csv": "path,published\na.txt,2024-05-02\n"})
    places = {f.value: f.place for f in build_project(project).facts}
    assert places == {3_000_000: "Ukraine", 120_000_000: "World"}
