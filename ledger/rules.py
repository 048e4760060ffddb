"""Load and validate rule files into a `RuleBook`.

A rule file is YAML: a list of rules under `rules:`, each naming its indicator, unit and kind,
its patterns and its examples (see docs/rules.md). Patterns are RE2 regular expressions (linear
time: a pattern cannot hang a build) written with named building blocks instead of number
regexes: `{quantity}`, `{money}`, `{people}`, `{words:N}` (up to N words) and `{gap:N}` (up to
N characters within the sentence). Matching is case-insensitive. A rule's `cues` (indicator ->
RE2 pattern) set the indicator from the sentence (with `cues_required`, a sentence without one
gives no fact); `vague: true` admits "dozens", "thousands"; `min_value` skips smaller counts.

Public surface: `load_rulebook(dirs)` returns the RuleBook and diagnostics; `builtin_rules_dir()`.
A project's rule with the same id as a built-in rule replaces it.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

import re2
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ledger import units
from ledger.builtin import builtin_dir
from ledger.diagnostics import Diagnostic, error
from ledger.languages import check_code
from ledger.money import money_block
from ledger.numbers import phrase_alternation, quantity_block
from ledger.yaml_lines import Positions, YamlProblem, load

Kind = Literal["stock", "flow", "plan", "rate"]
Qualifier = Literal["exact", "approx", "more_than", "at_least", "less_than", "at_most", "range"]

PEOPLE_NOUNS = (
    "people", "persons", "person", "individuals", "civilians", "residents", "refugees", "migrants",
    "asylum seekers", "children", "women", "men", "soldiers", "servicemen", "servicemembers",
    "troops", "fighters", "militants", "families", "households", "IDPs", "internally displaced "
    "people", "internally displaced persons", "displaced people", "displaced persons",
    "inhabitants", "villagers", "citizens", "Armenians", "Azerbaijanis", "Ukrainians", "Syrians",
    "others", "patients", "prisoners", "detainees", "victims", "passengers", "returnees",
    "evacuees", "servicemen and women", "military personnel", "personnel", "police officers",
    "minors", "unaccompanied minors", "occupants", "members", "boys", "girls", "adults",
    "volunteers", "aid workers", "workers", "doctors", "students", "staff", "Afghans",
    "Iraqis", "Eritreans", "Sudanese", "asylum-seekers", "holidaymakers", "tourists",
    # Russian, in the genitive plural that follows a number ("1,1 тыс. человек")
    "человек", "людей", "жителей", "мирных жителей", "беженцев", "переселенцев",
    "вынужденных переселенцев", "военнослужащих", "миротворцев", "военных", "солдат", "детей",
    "граждан", "семей", "пострадавших", "эвакуированных", "пациентов", "мигрантов",
    "человека", "жителя", "ребенка", "ребёнка",
)
HOUSEHOLD_NOUNS = ("families", "households", "семей")
MILITARY_NOUNS = ("soldiers", "servicemen", "servicemembers", "troops", "fighters", "militants",
                  "military personnel", "personnel", "servicemen and women", "mercenaries",
                  "военнослужащих", "военных", "солдат")
CIVILIAN_NOUNS = ("civilians", "мирных жителей")

_BLOCK = re.compile(r"\{(?P<name>[a-z_]+)(?::(?P<arg>\d+))?\}")


@cache
def blocks(language: str) -> dict[str, str]:
    """The named building blocks for rules written in a language."""
    return {
        "quantity": f"(?P<quantity>{quantity_block(language)})",
        "money": f"(?P<money>{money_block(language)})",
        "people": f"(?P<people>{phrase_alternation(PEOPLE_NOUNS)})",
    }


BLOCK_NAMES = ("quantity", "money", "people")
ARG_BLOCKS: dict[str, str] = {
    "words": r"(?:(?:(?:\pL\.){{2,}}|[\pL\[][\pL\pN'’.\[\]-]*[\pL\pN'’\]-])"
             r"[\s\x{{a0}}\x{{202f}}]+|\pL[\s\x{{a0}}\x{{202f}}]+){{0,{n}}}?",
    "gap": r"[^.!?\n]{{0,{n}}}?",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExpectedFact(_Strict):
    """What an example must produce. Only the fields given are compared."""

    value: float
    indicator: str | None = None
    qualifier: Qualifier | None = None
    high: float | None = None
    unit: str | None = None
    kind: Kind | None = None
    place: str | None = None
    period: str | None = None
    period_start: str | None = None
    stated_usd: float | None = None


class Example(_Strict):
    """A rule's test: `text` with the fact it must give, or `expect: none`."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    text: str = Field(min_length=1)
    date: str = "2020-11-21"
    expect: ExpectedFact | Literal["none"]


class RuleSpec(_Strict):
    """One rule as written in a rule file."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
    indicator: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    unit: str
    kind: Kind
    description: str = ""
    language: str = "en"
    priority: int = 0
    cumulative: bool = False
    vague: bool = False
    min_value: float = 0
    by_population: bool = False
    cues: dict[str, str] = Field(default_factory=dict)
    cues_required: bool = False
    patterns: list[str] = Field(min_length=1)
    examples: list[Example] = Field(min_length=2)

    _language = field_validator("language")(check_code)

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, value: str) -> str:
        if value == "currency":
            return value
        canonical = units.canonical(value)
        if canonical is None:
            raise ValueError(f"unknown unit {value!r} (see ledger/data/units.txt)")
        return canonical

    @field_validator("cues")
    @classmethod
    def _cue_names(cls, cues: dict[str, str]) -> dict[str, str]:
        for name in cues:
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                raise ValueError(f"cue {name!r} is not an indicator name (lower_case)")
        return cues

    @field_validator("examples")
    @classmethod
    def _both_kinds(cls, examples: list[Example]) -> list[Example]:
        if not any(e.expect != "none" for e in examples):
            raise ValueError("needs at least one example that must match (with `expect:`)")
        if not any(e.expect == "none" for e in examples):
            raise ValueError("needs at least one example that must not match (`expect: none`)")
        return examples


class RuleFile(_Strict):
    family: str = ""
    description: str = ""
    rules: list[RuleSpec] = Field(min_length=1)


@dataclass(frozen=True)
class Rule:
    """A validated rule with compiled patterns and where it was written."""

    spec: RuleSpec
    file: str
    line: int
    content_sha256: str
    patterns: tuple[Any, ...]
    pattern_lines: tuple[int, ...]
    example_lines: tuple[int, ...]
    cues: tuple[tuple[str, Any], ...] = ()
    nearest_cue: bool = False
    """Lexicon rules: the cue nearest the figure names its event (else the first found)."""
    cue_indicator: str = ""
    """With `nearest_cue`: the indicator an event makes, `{event}` standing for its name."""
    cue_kinds: tuple[tuple[str, str], ...] = ()
    """Events that set the kind (a pledge is a plan), by event name."""
    exclude: Any = None
    """Words that, near the figure in its sentence, mean it is not one of the rule's facts."""
    variants: tuple[str, ...] = ()
    """For rules that share a pattern (a lexicon's counted things), per pattern the named
    group that must have matched for the match to be this rule's."""

    def indicator_for(self, sentence: str, people: str = "",
                      at: tuple[int, int] | None = None) -> str | None:
        """The indicator of the first cue found in the sentence (with `nearest_cue`, of the cue
        nearest the figure at `at`, its span in the sentence), else the rule's own (None when
        the rule requires a cue and none is there); with `by_population`, soldiers and
        civilians get indicators of their own (`killed_military`, `killed_civilians`)."""
        indicator: str | None
        if self.nearest_cue and at is not None:
            event = _nearest_cue(self.cues, sentence, at)
            indicator = (self.cue_indicator or "{event}").format(event=event) if event else (
                self.spec.indicator)
        else:
            indicator = next((name for name, pattern in self.cues if pattern.search(sentence)),
                             None if self.spec.cues_required else self.spec.indicator)
        if indicator and self.spec.by_population:
            noun = " ".join(people.lower().split())
            if noun in MILITARY_NOUNS:
                return f"{indicator}_military"
            if noun in CIVILIAN_NOUNS:
                return f"{indicator}_civilians"
        return indicator

    def kind_for(self, sentence: str, at: tuple[int, int]) -> str:
        """The kind the nearest event sets (a pledge is a plan), else the rule's own."""
        if not self.cue_kinds:
            return self.spec.kind
        event = _nearest_cue(self.cues, sentence, at)
        return next((kind for name, kind in self.cue_kinds if name == event), self.spec.kind)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def is_money(self) -> bool:
        return self.spec.unit == "currency"


def _nearest_cue(cues: tuple[tuple[str, Any], ...], sentence: str,
                 at: tuple[int, int]) -> str | None:
    """The cue whose match lies nearest the span `at` of the sentence (earlier cue on a tie)."""
    best: tuple[int, int] | None = None
    chosen = None
    for index, (name, pattern) in enumerate(cues):
        position = 0
        while (m := pattern.search(sentence, position)) is not None:
            distance = max(m.start() - at[1], at[0] - m.end(), 0)
            if best is None or (distance, index) < best:
                best, chosen = (distance, index), name
            position = max(m.end() - 1, m.start() + 1)  # END consumed one character
    return chosen


@dataclass
class RuleBook:
    rules: list[Rule] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # shown path -> sha256 of the file
    hints: dict[str, Any] = field(default_factory=dict)
    """Per language, a pattern of every counted thing and event word: an unread number near
    one is likely a figure."""

    def hinted(self, language: str, text: str) -> bool:
        pattern = self.hints.get(language)
        return bool(pattern is not None and pattern.search(text))

    def by_id(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)


def builtin_rules_dir() -> Path:
    """The built-in rule library."""
    return builtin_dir("rules")


def expand_pattern(pattern: str, language: str = "") -> str:
    """Replace building blocks by their RE2 text for the rule's language; raises ValueError
    naming an unknown block."""
    used: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        name, arg = match.group("name"), match.group("arg")
        if name in ARG_BLOCKS:
            if arg is None:
                raise ValueError(f"block {{{name}}} needs a size, as in {{{name}:3}}")
            return ARG_BLOCKS[name].format(n=int(arg))
        if name not in BLOCK_NAMES:
            known = [*BLOCK_NAMES, *ARG_BLOCKS]
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean {{{close[0]}}}?)" if close else f"; known: {', '.join(known)}"
            raise ValueError(f"unknown block {{{name}}}{hint}")
        if name in used:
            raise ValueError(f"block {{{name}}} is used twice in one pattern")
        used.add(name)
        return blocks(language)[name]

    expanded = _BLOCK.sub(replace, pattern)
    if "quantity" not in used and "money" not in used:
        raise ValueError("a pattern needs {quantity} or {money}: the figure it extracts")
    if "quantity" in used and "money" in used:
        raise ValueError("a pattern takes one figure: {quantity} or {money}, not both")
    return expanded


_OPTIONS = re2.Options()
_OPTIONS.case_sensitive = False
_OPTIONS.max_mem = 64 << 20
_OPTIONS.log_errors = False


_VALID: set[str] = set()
"""Patterns RE2 compiled without complaint: in this process, or in an earlier build whose
cache says so (`trust_patterns`)."""


class LazyPattern:
    """A pattern RE2 is known to accept, compiled on first use: most patterns of a rebuild
    that reads a few documents are never needed, and compiling them all is most of start-up."""

    __slots__ = ("_compiled", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._compiled: Any = None

    def __getattr__(self, name: str) -> Any:  # everything but `pattern`: the compiled RE2's
        if self._compiled is None:
            self._compiled = re2.compile(self.pattern, options=_OPTIONS)
        return getattr(self._compiled, name)

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return LazyPattern, (self.pattern,)


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> Any:
    """Compile an expanded pattern with RE2 (case-insensitive, Unicode, linear time); the
    same pattern is compiled once per process. A pattern known valid (`trust_patterns`) is
    compiled when first used."""
    if pattern in _VALID:
        return LazyPattern(pattern)
    compiled = re2.compile(pattern, options=_OPTIONS)
    _VALID.add(pattern)
    return compiled


def trust_patterns(patterns: set[str]) -> None:
    """Patterns an earlier build compiled (its cache, under the same tool and RE2)."""
    _VALID.update(patterns)


def valid_patterns() -> set[str]:
    """Every pattern known valid in this process."""
    return set(_VALID)


def _re2_problem(exc: Exception) -> str:
    """RE2's complaint without the expanded pattern it quotes ("missing ): <pattern>")."""
    text = exc.args[0] if exc.args else str(exc)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    head, _, tail = str(text).partition(": ")
    return head if len(tail) > 30 else str(text)


def _pydantic_message(err: Any) -> str:
    kind, msg, loc = err["type"], err["msg"], err["loc"]
    if kind == "extra_forbidden":
        key = loc[-1]
        owner = next((str(p) for p in reversed(loc[:-1]) if isinstance(p, str)), "")
        models: dict[str, type[BaseModel]] = {"examples": Example, "expect": ExpectedFact,
                                              "ExpectedFact": ExpectedFact}
        model = models.get(owner, RuleSpec)
        if len(loc) == 1:
            model = RuleFile
        known = list(model.model_fields)
        close = difflib.get_close_matches(str(key), known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f"; known keys: {', '.join(known)}"
        return f"unknown key {key!r}{hint}"
    if kind == "missing":
        return f"missing key {loc[-1]!r}"
    if kind == "model_type" and loc and loc[-1] == "ExpectedFact":
        return "expect: give the fact the example must produce (value: ...) or `none`"
    where = ".".join(str(p) for p in loc if isinstance(p, str) and p not in ("rules",))
    msg = msg.removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg


def _pydantic_path(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """The YAML path of an error: pydantic adds the union member's name to it."""
    return tuple(p for p in loc if p not in _UNION_TAGS)


_UNION_TAGS = {"ExpectedFact", "literal['none']"}


MAX_RULES_PER_FILE = 1_000
"""Compiling a rule takes milliseconds; a file of tens of thousands of generated rules would
take minutes and overflow the pattern set, so it is refused with a message instead."""


def load_rule_file(path: Path, shown: str) -> tuple[list[Rule], list[Diagnostic]]:
    """Load one rule file; every problem is a diagnostic at its line."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [], [error(shown, "R001", f"not valid UTF-8 at byte {exc.start}")]
    except OSError as exc:
        return [], [error(shown, "R001", f"cannot read the file: {exc.strerror}")]
    try:
        data, positions = load(text)
    except YamlProblem as exc:
        return [], [error(shown, "R001", exc.message, exc.line, exc.col)]
    if not isinstance(data, dict):
        return [], [error(shown, "R002", "a rule file is a mapping with a `rules:` list", 1, 1)]
    try:
        parsed = RuleFile.model_validate(data)
    except ValidationError as exc:
        diags = []
        for err in exc.errors():
            if err["loc"] and err["loc"][-1] == "literal['none']":
                continue  # reported through the other member of `expect: ExpectedFact | none`
            line, col = positions.of(_pydantic_path(err["loc"]))
            diags.append(error(shown, "R002", _pydantic_message(err), line, col))
        return [], sorted(set(diags))
    if len(parsed.rules) > MAX_RULES_PER_FILE:
        line, col = positions.of(("rules", MAX_RULES_PER_FILE))
        return [], [error(shown, "R007", f"{len(parsed.rules):,} rules in one file, more than "
                          f"the {MAX_RULES_PER_FILE:,} ledger compiles from a file: a rule with "
                          "a longer pattern, or a lexicon entry, serves a long list of words",
                          line, col)]
    return _compile_rules(parsed, positions, shown, hashlib.sha256(raw).hexdigest())


def _compile_rules(parsed: RuleFile, positions: Positions, shown: str,
                   digest: str) -> tuple[list[Rule], list[Diagnostic]]:
    rules: list[Rule] = []
    diags: list[Diagnostic] = []
    for index, spec in enumerate(parsed.rules):
        compiled = []
        ok = True
        for p_index, pattern in enumerate(spec.patterns):
            line, col = positions.of(("rules", index, "patterns", p_index))
            try:
                expanded = expand_pattern(pattern, spec.language)
                if ("money" in expanded and "(?P<money>" in expanded) != (spec.unit == "currency"):
                    raise ValueError("a {money} pattern needs `unit: currency`, and "
                                     "`unit: currency` needs {money}")
                compiled.append(compile_pattern(expanded))
            except ValueError as exc:
                diags.append(error(shown, "R003", f"pattern: {exc}", line, col))
                ok = False
            except re2.error as exc:
                diags.append(error(shown, "R003", f"pattern is not valid RE2: "
                                   f"{_re2_problem(exc)} in {pattern!r}", line, col))
                ok = False
        cues = []
        for name, cue in spec.cues.items():
            try:
                cues.append((name, compile_pattern(cue)))
            except re2.error as exc:
                line, col = positions.of(("rules", index, "cues", name))
                diags.append(error(shown, "R003", f"cue {name!r} is not valid RE2: "
                                   f"{_re2_problem(exc)}", line, col))
                ok = False
        if not ok:
            continue
        rules.append(Rule(
            spec=spec,
            file=shown,
            line=positions.of(("rules", index))[0],
            content_sha256=hashlib.sha256(spec.model_dump_json().encode()).hexdigest(),
            patterns=tuple(compiled),
            pattern_lines=tuple(positions.of(("rules", index, "patterns", i))[0]
                                for i in range(len(spec.patterns))),
            example_lines=tuple(positions.of(("rules", index, "examples", i))[0]
                                for i in range(len(spec.examples))),
            cues=tuple(cues),
        ))
    return rules, diags


def load_rulebook(dirs: list[tuple[Path, str]]) -> tuple[RuleBook, list[Diagnostic]]:
    """Load rule folders in order; `dirs` pairs each folder with the prefix shown in messages.

    A later folder's rule replaces an earlier one with the same id (a project overriding the
    built-in library); a repeated id within one folder is an error.
    """
    book = RuleBook()
    diags: list[Diagnostic] = []
    by_id: dict[str, Rule] = {}
    for folder, prefix in dirs:
        seen_here: dict[str, Rule] = {}
        for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            shown = f"{prefix}/{path.name}" if prefix else path.name
            book.files[shown] = hashlib.sha256(path.read_bytes()).hexdigest()
            rules, file_diags = load_rule_file(path, shown)
            diags += file_diags
            for rule in rules:
                if rule.id in seen_here:
                    first = seen_here[rule.id]
                    diags.append(error(shown, "R005", f"rule id {rule.id!r} is already defined "
                                       f"at {first.file}:{first.line}", rule.line))
                    continue
                seen_here[rule.id] = rule
                by_id[rule.id] = rule
    book.rules = list(by_id.values())
    return book, diags
