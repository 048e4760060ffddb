"""The docs keep up with the code: every diagnostic code, finding code and setting is documented,
and the stages import one way only."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from ledger.config import ProjectConfig

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "ledger"


def _code() -> str:
    return "\n".join(p.read_text("utf-8") for p in PACKAGE.rglob("*.py"))


def test_every_diagnostic_code_is_documented() -> None:
    codes = set(re.findall(r'"([A-Z]\d{3})"', _code()))
    documented = set(re.findall(r"^\| ([A-Z]\d{3}) \|", (REPO / "docs" / "diagnostics.md")
                                .read_text("utf-8"), re.MULTILINE))
    assert codes and codes <= documented, sorted(codes - documented)


def test_every_finding_code_is_documented() -> None:
    codes = set(re.findall(r'Finding\("(?:warning|info|error)", "([a-z-]+)"', _code()))
    documented = (REPO / "docs" / "findings.md").read_text("utf-8")
    assert codes and all(f"`{code}`" in documented for code in codes)


def test_every_setting_is_documented() -> None:
    documented = (REPO / "docs" / "configuration.md").read_text("utf-8")
    assert all(f"`{key}`" in documented for key in ProjectConfig.model_fields)


STAGES = ["diagnostics", "utf8", "boundary", "outfolder", "yaml_lines", "languages", "builtin",
          "units", "numbers", "dates", "money", "text", "blobs", "formats", "catalogue",
          "sources", "copies", "periods", "places", "speakers", "rates", "rules", "lexicon",
          "findings", "extract", "normalise", "sheets", "unread", "workers", "cluster",
          "examples", "decisions", "reconcile", "config", "fetch", "cache", "result", "render",
          "build", "check", "audit", "serve", "cli"]


def test_imports_flow_one_way() -> None:
    """A stage imports only stages listed before it (render/ and build come last)."""
    for path in PACKAGE.rglob("*.py"):
        module = (path.parent.name if path.parent.name in ("render", "reconcile", "formats")
                  else path.stem)
        if module not in STAGES:
            continue
        rank = STAGES.index(module)
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ledger."):
                imported = node.module.split(".")[1]  # type: ignore[union-attr]
                if imported == module:
                    continue
                assert STAGES.index(imported) < rank, f"{path.name} imports ledger.{imported}"


def test_ci_example_uses_real_commands_and_flags() -> None:
    import shlex

    import yaml

    from ledger.cli import parser

    workflow = yaml.safe_load((REPO / "examples" / "ci" / "github-actions.yml").read_text("utf-8"))
    runs = [step["run"] for step in workflow["jobs"]["ledger"]["steps"] if "run" in step]
    commands = [shlex.split(run)[1:] for run in runs if run.startswith("ledger ")]
    assert [c[0] for c in commands] == ["check", "build", "verify"]
    for command in commands:
        parser().parse_args(command)  # exits with an error on an unknown flag
