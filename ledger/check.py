"""`ledger check`: validate a project without building it, and run every rule's examples.

Public surface: `check_project(project)` returns the diagnostics and the number of examples run.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import TemplateSyntaxError

from ledger.build import boundary_diagnostics, project_rulebook
from ledger.builtin import builtin_dir
from ledger.config import load_config
from ledger.decisions import load_decisions
from ledger.diagnostics import Diagnostic, LedgerError, error
from ledger.examples import ExampleContext, check_example
from ledger.places import Gazetteer
from ledger.rates import RateBook
from ledger.render.html import template_environment
from ledger.sheets import table_facts
from ledger.sources import Document, read_sources
from ledger.speakers import Parties


def check_project(project: Path, follow_symlinks: bool = False
                  ) -> tuple[list[Diagnostic], int]:
    """Every problem a build would report before extraction, plus failing rule examples."""
    if not project.is_dir():
        return [error(str(project), "P002", "project folder not found")], 0
    diagnostics = boundary_diagnostics(project, follow_symlinks)
    if diagnostics:
        return diagnostics, 0
    config, found = load_config(project)
    diagnostics += found
    documents: list[Document] = []
    try:
        documents, found = read_sources(project / "sources", shown_root=project,
                                        follow_symlinks=follow_symlinks)
        diagnostics += found
    except LedgerError as exc:
        diagnostics += exc.diagnostics
    rulebook, found = project_rulebook(project, config.builtin_rules)
    diagnostics += found
    rates, found = RateBook.load(project / "rates")
    diagnostics += found
    gazetteer, found = Gazetteer.load(project / "gazetteer.yaml")
    diagnostics += found
    diagnostics += table_facts(documents, config.tables, project, gazetteer, rates,
                               config.report_currency)[2]
    diagnostics += Parties.load(project / "parties.yaml")[1]
    diagnostics += load_decisions(project)[1]
    diagnostics += _check_templates()
    context = ExampleContext(rates, gazetteer)
    examples = 0
    for rule in rulebook.rules:
        for index, example in enumerate(rule.spec.examples):
            examples += 1
            for problem in check_example(rule, index, context):
                diagnostics.append(error(rule.file, "R004", f"example {example.name!r} of "
                                         f"{rule.id}: {problem}", rule.example_lines[index]))
    return sorted(diagnostics, key=lambda d: (d.file, d.line, d.col, d.code)), examples


def _check_templates() -> list[Diagnostic]:
    folder = builtin_dir("reports")
    environment = template_environment()
    problems = []
    for template in sorted(folder.glob("*.j2")):
        try:
            environment.get_template(template.name)
        except TemplateSyntaxError as exc:
            problems.append(error(f"reports/{template.name}", "T001", exc.message or "invalid "
                                  "template", exc.lineno))
    return problems
