"""Lexicons: reading a figure by its grammar, for documents no topical rule was written for.

A figure is a quantity followed, within two words, by a *counted thing* (people, a measure,
vehicles and goods, buildings and facilities), or an amount of money; the nearest *event* word
of its sentence names what happened (killed, evacuated, delivered, pledged) and so its
indicator. Things and events are data: one YAML file per language in `ledger/data/lexicon/`,
extended by a project's `PROJECT/lexicon/*.yaml` (see docs/rules.md). Russian words are
written as dictionary forms and matched in every case and number: pymorphy3 inflects them.

The lexicon compiles into ordinary rules of the lowest priority, so extraction, examples,
provenance (`rule_file:line` of the lexicon entry) and `ledger rules` treat them like any
other; a topical rule that claims the same figure wins.

Public surface: `load_lexicons(dirs)` returns the merged `Lexicon` per language and the
diagnostics; `lexicon_rules(lexicons)` the rules it compiles into; `release_morphology()`
drops the dictionaries they were inflected with.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ledger import units
from ledger.diagnostics import Diagnostic, error
from ledger.languages import check_code
from ledger.numbers import longest_first
from ledger.rules import (
    Example,
    ExpectedFact,
    Kind,
    Rule,
    RuleSpec,
    compile_pattern,
    expand_pattern,
)
from ledger.yaml_lines import Positions, YamlProblem, load

Family = Literal["people", "measures", "vehicles", "goods", "buildings", "forces", "money"]
FAMILY_INDICATORS: dict[str, str] = {
    "people": "people", "measures": "aid_goods", "vehicles": "vehicles", "goods": "aid_goods",
    "buildings": "buildings", "forces": "forces", "money": "funding"}
"""A family's general indicator, for a figure whose sentence names no event."""

END = r"(?:[^\pL\pN\-]|$)"
"""Where a counted word ends: not before a letter, digit or hyphen ("t-shirts" is no tonne)."""
START = r"(?:^|[^\pL\pN])"
SPACE = r"[\s\x{a0}\x{202f}]"
"""White space, no-break spaces included (RE2's \\s is ASCII only)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LexiconExample(_Strict):
    """A test of a lexicon entry: `text` with the fact it must give, or `expect: none`."""

    text: str = Field(min_length=1)
    date: str = "2020-11-21"
    expect: ExpectedFact | Literal["none"]


def _one_must_match(examples: list[LexiconExample]) -> list[LexiconExample]:
    if not any(e.expect != "none" for e in examples):
        raise ValueError("needs at least one example that must match (with `expect:`)")
    return examples


class ThingSpec(_Strict):
    """A counted thing: its unit, family, the nouns that name it and examples."""

    unit: str
    family: Family
    indicator: str = Field(default="", pattern=r"^([a-z][a-z0-9_]*)?$")
    nouns: list[str] = Field(min_length=1)
    abbreviations: list[str] = Field(default_factory=list)
    compounds: list[str] = Field(default_factory=list)
    demonyms: bool = False
    examples: list[LexiconExample] = Field(min_length=1)

    _examples = field_validator("examples")(_one_must_match)


class EventSpec(_Strict):
    """Words that say what happened; `kind` overrides the figure's kind (pledges are plans)."""

    words: list[str] = Field(min_length=1)
    kind: Kind | None = None
    families: list[Family] = ["people"]


class MoneySpec(_Strict):
    indicator: str = "funding"
    kind: Kind = "flow"
    not_aid: list[str] = Field(default_factory=list)
    examples: list[LexiconExample] = Field(min_length=1)

    _examples = field_validator("examples")(_one_must_match)


class SubjectlessSpec(_Strict):
    before: list[str] = Field(default_factory=list)
    events: list[str] = Field(default_factory=list)
    relative: list[str] = Field(default_factory=list)
    examples: list[LexiconExample] = Field(default_factory=list)


class VerbLedSpec(_Strict):
    events: list[str] = Field(default_factory=list)
    after: list[str] = Field(default_factory=list)
    examples: list[LexiconExample] = Field(default_factory=list)


class TollSpec(_Strict):
    nouns: list[str] = Field(default_factory=list)
    verbs: list[str] = Field(default_factory=list)
    examples: list[LexiconExample] = Field(default_factory=list)


class ShapesSpec(_Strict):
    subjectless: SubjectlessSpec = SubjectlessSpec()
    verb_led: VerbLedSpec = VerbLedSpec()
    tolls: TollSpec = TollSpec()


class LexiconFile(_Strict):
    language: str
    things: list[ThingSpec] = Field(default_factory=list)
    events: dict[str, EventSpec] = Field(default_factory=dict)
    money: MoneySpec | None = None
    shapes: ShapesSpec | None = None

    _language = field_validator("language")(check_code)


@dataclass(frozen=True)
class Where:
    """Where an entry was written: the file as shown, its YAML positions and the entry's path."""

    shown: str
    positions: Positions
    path: tuple[str | int, ...]

    def line(self, *below: str | int) -> int:
        return self.positions.of((*self.path, *below))[0]


@dataclass
class Lexicon:
    """One language's merged lexicon, each entry with the file and line it was written at."""

    language: str
    things: list[tuple[ThingSpec, Where]] = field(default_factory=list)
    events: dict[str, EventSpec] = field(default_factory=dict)
    money: tuple[MoneySpec, Where] | None = None
    shapes: tuple[ShapesSpec, Where] | None = None
    files: dict[str, str] = field(default_factory=dict)  # shown path -> sha256

    def add(self, parsed: LexiconFile, shown: str, positions: Positions, digest: str) -> None:
        self.files[shown] = digest
        self.things += [(t, Where(shown, positions, ("things", i)))
                        for i, t in enumerate(parsed.things)]
        for name, event in parsed.events.items():
            old = self.events.get(name)
            self.events[name] = event if old is None else EventSpec(
                words=[*old.words, *event.words], kind=event.kind or old.kind,
                families=sorted({*old.families, *event.families}))
        if parsed.money is not None:
            self.money = (parsed.money, Where(shown, positions, ("money",)))
        if parsed.shapes is not None:
            self.shapes = (parsed.shapes, Where(shown, positions, ("shapes",)))


def builtin_lexicon_dir() -> Path:
    """The shipped lexicons, one file per language."""
    return Path(__file__).parent / "data" / "lexicon"


def load_lexicons(dirs: list[tuple[Path, str]]) -> tuple[dict[str, Lexicon], list[Diagnostic]]:
    """Read lexicon folders in order (the built-in one, then a project's); entries add up."""
    lexicons: dict[str, Lexicon] = {}
    diags: list[Diagnostic] = []
    for folder, prefix in dirs:
        if not folder.is_dir():
            continue
        for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            shown = f"{prefix}/{path.name}"
            parsed, positions, digest, found = _read(path, shown)
            diags += found
            if parsed is None:
                continue
            diags += _check_units(parsed, positions, shown)
            lexicon = lexicons.setdefault(parsed.language, Lexicon(parsed.language))
            lexicon.add(parsed, shown, positions, digest)
    return lexicons, diags


def _read(path: Path, shown: str) -> tuple[LexiconFile | None, Positions, str, list[Diagnostic]]:
    try:
        raw = path.read_bytes()
        data, positions = load(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return None, Positions(), "", [error(shown, "L001", f"not valid UTF-8 at byte "
                                             f"{exc.start}")]
    except OSError as exc:
        return None, Positions(), "", [error(shown, "L001", f"cannot read the file: "
                                             f"{exc.strerror}")]
    except YamlProblem as exc:
        return None, Positions(), "", [error(shown, "L001", exc.message, exc.line, exc.col)]
    try:
        parsed = LexiconFile.model_validate(data if data is not None else {})
    except ValidationError as exc:
        diags = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not ((isinstance(p, str) and p[:1].isupper())
                                                      or p in ("literal['none']",)))
            line, col = positions.of(loc)
            where = ".".join(str(p) for p in loc)
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = f"unknown key {loc[-1]!r}"
            elif err["type"] == "missing":
                message = f"missing key {loc[-1]!r}"
            elif where:
                message = f"{where}: {message}"
            diags.append(error(shown, "L002", message, line, col))
        return None, positions, "", sorted(set(diags))
    return parsed, positions, hashlib.sha256(raw).hexdigest(), []


def _check_units(parsed: LexiconFile, positions: Positions, shown: str) -> list[Diagnostic]:
    diags = []
    for i, thing in enumerate(parsed.things):
        if units.canonical(thing.unit) is None:
            line, col = positions.of(("things", i, "unit"))
            diags.append(error(shown, "L002", f"unknown unit {thing.unit!r} (see "
                               "ledger/data/units.txt)", line, col))
    for name, event in parsed.events.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            line, col = positions.of(("events", name))
            diags.append(error(shown, "L002", f"event {name!r} is not an indicator name "
                               "(lower_case)", line, col))
        del event
    return diags


# --- word forms ----------------------------------------------------------------------------


MORPHOLOGY = ("ru", "uk")
"""Languages whose words pymorphy3 inflects (its Russian and Ukrainian dictionaries)."""


@cache
def _morph(language: str) -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=language)


def release_morphology() -> None:
    """Drop pymorphy3's dictionaries and the word forms found with them (about 40 MB),
    loaded again when next needed: a build reading thousands of documents has compiled its
    lexicons by then."""
    _morph.cache_clear()
    word_forms.cache_clear()


@cache
def word_forms(word: str, language: str) -> tuple[str, ...]:
    """Every form of a word: Russian and Ukrainian words through pymorphy3's lexemes (all
    cases, numbers and, for verbs, tenses and participles); other languages as written."""
    if language not in MORPHOLOGY or not re.fullmatch(r"[а-яёА-ЯЁіїєґІЇЄҐ'’]+", word):
        return (word,)
    forms = {word}
    lower = word.lower()
    for parse in _morph(language).parse(word):
        if parse.normal_form.replace("ё", "е") == lower.replace("ё", "е") or parse.word == lower:
            forms.update(f.word for f in parse.lexeme)
    forms |= {f.replace("ё", "е") for f in forms}
    return tuple(sorted(forms))


def phrase_pattern(phrase: str, language: str) -> str:
    """RE2 for a phrase: each word in any of its forms, words apart by white space."""
    parts = []
    for word in phrase.split():
        forms = longest_first(word_forms(word, language))
        parts.append("(?:" + "|".join(re.escape(f) for f in forms) + ")")
    return f"{SPACE}+".join(parts)


def alternation(phrases: list[str], language: str) -> str:
    """One RE2 alternation of phrases (longest first, so a longer form wins)."""
    ordered = longest_first(set(phrases))
    return "|".join(phrase_pattern(p, language) for p in ordered)


# --- rules ---------------------------------------------------------------------------------

_NONE = Example(name="no-number", text="Nothing is counted in this sentence.", expect="none")


def _examples(examples: list[LexiconExample]) -> list[Example]:
    """A generated rule's examples, named, with a must-not-match one when none is given."""
    named = [Example(name=f"example-{i + 1}", text=e.text, date=e.date, expect=e.expect)
             for i, e in enumerate(examples)]
    if not any(e.expect == "none" for e in named):
        named.append(_NONE)
    return named


def _cue_families(lexicon: Lexicon, family: str) -> dict[str, EventSpec]:
    return {name: e for name, e in lexicon.events.items() if family in e.families}


def _rule(spec: dict[str, Any], where: Where, cues: dict[str, EventSpec],
          language: str, template: str, exclude: list[str] | None = None,
          examples_at: tuple[str | int, ...] = ("examples",), variants: tuple[str, ...] = ()
          ) -> tuple[Rule | None, list[Diagnostic]]:
    """Compile one generated rule; `template` makes the indicator from an event's name;
    the examples were written at `examples_at` below the entry."""
    shown, line = where.shown, where.line()
    given = len(spec["examples"])
    spec = {**spec, "examples": _examples(spec["examples"])}
    example_lines = tuple(where.line(*examples_at, i) if i < given else line
                          for i in range(len(spec["examples"])))
    try:
        parsed = RuleSpec.model_validate(spec)
    except ValidationError as exc:
        return None, [error(shown, "L002", f"{spec['description']}: "
                            f"{e['msg'].removeprefix('Value error, ')}", line)
                      for e in exc.errors()]
    compiled_cues = tuple(
        (name, compile_pattern(f"{START}(?:{alternation(event.words, language)}){END}"))
        for name, event in cues.items())
    kinds = tuple((name, event.kind) for name, event in cues.items() if event.kind)
    patterns = tuple(compile_pattern(expand_pattern(p, language)) for p in spec["patterns"])
    digest = hashlib.sha256((parsed.model_dump_json() + repr(cues) + repr(variants)).encode()
                            ).hexdigest()
    return Rule(spec=parsed, file=shown, line=line, content_sha256=digest,
                patterns=patterns, pattern_lines=(line,) * len(patterns),
                example_lines=example_lines, cues=compiled_cues,
                nearest_cue=True, cue_indicator=template, cue_kinds=kinds, variants=variants,
                exclude=compile_pattern(f"{START}(?:{alternation(exclude, language)}){END}")
                if exclude else None), []


def hint_patterns(lexicons: dict[str, Lexicon]) -> dict[str, Any]:
    """Per language, one pattern of every counted noun and event word."""
    patterns = {}
    for language, lexicon in lexicons.items():
        words = [n for thing, _ in lexicon.things for n in thing.nouns]
        words += [w for event in lexicon.events.values() for w in event.words]
        if words:
            patterns[language] = compile_pattern(f"{START}(?:{alternation(words, language)})"
                                                 f"{END}")
    return patterns


def lexicon_rules(lexicons: dict[str, Lexicon]) -> tuple[list[Rule], list[Diagnostic]]:
    """The rules the lexicons compile into: one per counted thing, one for money, and the
    shapes without a counted thing (subject-less, verb-led, tolls)."""
    rules: list[Rule] = []
    diags: list[Diagnostic] = []
    for _, lexicon in sorted(lexicons.items()):
        for made, found in [*_thing_rules(lexicon), *_money_and_shapes(lexicon)]:
            diags += found
            if made is not None:
                rules.append(made)
    return rules, diags


def _base(rule_id: str, language: str, indicator: str, unit: str, kind: str,
          patterns: list[str], examples: list[LexiconExample], description: str,
          priority: int = -2, min_value: float = 1) -> dict[str, Any]:
    return {"id": rule_id, "indicator": indicator, "unit": unit, "kind": kind,
            "language": language, "priority": priority, "min_value": min_value,
            "description": description, "patterns": patterns, "examples": examples,
            "vague": False, "cumulative": False, "by_population": False,
            "cues_required": False}


Made = tuple[Rule | None, list[Diagnostic]]


def _thing_rules(lexicon: Lexicon) -> list[Made]:
    """One rule per counted thing. All things of a language share one pattern (and the
    compounds one more), each thing a named group in it: the pattern sets stay small and a
    figure is searched for once, not once per thing."""
    language = lexicon.language
    things = [(i, thing, where) for i, (thing, where) in enumerate(lexicon.things)
              if units.canonical(thing.unit) is not None]  # others were reported on reading
    nouns, compounds = [], []
    for i, thing, _ in things:
        words = alternation(thing.nouns, language)
        if thing.abbreviations:
            words += "|" + "|".join(re.escape(a) + r"\.?" for a in thing.abbreviations)
        # "Poles", "Turks" are people only with their capital letter
        nouns.append(f"(?P<t{i}>(?-i:{words}))" if thing.demonyms else f"(?P<t{i}>{words})")
        if thing.compounds:
            compounds.append(f"(?P<c{i}>{alternation(thing.compounds, language)})")
    counted = rf"{{quantity}}{SPACE}*(?:{{words:3}})(?:{'|'.join(nouns)}){END}"
    compound = rf"{{quantity}}-(?:{'|'.join(compounds)}){END}" if compounds else ""
    rules: list[Made] = []
    seen: dict[str, int] = {}
    for i, thing, where in things:
        indicator = thing.indicator or FAMILY_INDICATORS[thing.family]
        patterns, variants = [counted], [f"t{i}"]
        if thing.compounds:
            patterns.append(compound)
            variants.append(f"c{i}")
        unit = units.canonical(thing.unit) or thing.unit
        key = f"{unit}_{indicator}"
        seen[key] = seen.get(key, 0) + 1
        suffix = f"_{seen[key]}" if seen[key] > 1 else ""
        rule_id = f"lexicon_{language}.{key}{suffix}"
        template = "{event}" if thing.family == "people" else (
            f"{indicator}_{{event}}" if thing.family == "buildings" else indicator)
        cues = _cue_families(lexicon, thing.family)
        if thing.family not in ("people", "buildings"):
            cues = {n: e for n, e in cues.items() if e.kind}  # they only change the kind
        spec = _base(rule_id, language, indicator, unit, "stock", patterns, thing.examples,
                     f"{thing.family}: {', '.join(thing.nouns[:4])}, …", min_value=2)
        rules.append(_rule(spec, where, cues, language, template, variants=tuple(variants)))
    return rules


def _money_and_shapes(lexicon: Lexicon) -> list[Made]:
    language = lexicon.language
    rules: list[Made] = []
    if lexicon.money is not None:
        money, where = lexicon.money
        spec = _base(f"lexicon_{language}.money", language, money.indicator, "currency",
                     money.kind, ["{money}"], money.examples,
                     "any amount of money with its currency", min_value=0)
        rules.append(_rule(spec, where, _cue_families(lexicon, "money"), language,
                           "{event}", money.not_aid))
    if lexicon.shapes is None:
        return rules
    shapes, where = lexicon.shapes
    people_cues = _cue_families(lexicon, "people")

    def events(names: list[str]) -> str:
        return alternation([w for n in names for w in lexicon.events[n].words
                            if n in lexicon.events], language)

    sub = shapes.subjectless
    if sub.events:
        before = ("(?:(?:" + alternation(sub.before, language) + r")\s+){0,2}"
                  if sub.before else "")
        patterns = [r"{quantity}\s*" + before + f"(?:{events(sub.events)}){END}"]
        if sub.relative:
            patterns.append(rf"{{quantity}}\s+(?:{alternation(sub.relative, language)}){END}")
        spec = _base(f"lexicon_{language}.subjectless", language, "people", "person", "stock",
                     patterns, sub.examples,
                     "a count of people without a noun: '1,500 have fled'", priority=-3,
                     min_value=2)
        rules.append(_rule(spec, where, {n: people_cues[n] for n in sub.events
                                         if n in people_cues}, language, "{event}",
                           examples_at=("subjectless", "examples")))
    verb = shapes.verb_led
    if verb.events:
        after = f"(?:(?:{alternation(verb.after, language)})\\s+)?" if verb.after else ""
        tail = r"(?:\s*[,.;:!?)]|\s+(?:in|on|at|and|as|after|when|while|during|since|across|" \
               r"including|of\s+whom|people|persons|others)\b|$)"
        pattern = rf"{START}(?:{events(verb.events)})\s+{after}{{quantity}}{tail}"
        spec = _base(f"lexicon_{language}.verb_led", language, "people", "person", "stock",
                     [pattern], verb.examples, "a count of people after its verb: "
                     "'killing nearly 500'", priority=-3, min_value=2)
        rules.append(_rule(spec, where, {n: people_cues[n] for n in verb.events
                                         if n in people_cues}, language, "{event}",
                           examples_at=("verb_led", "examples")))
    toll = shapes.tolls
    if toll.nouns and toll.verbs:
        pattern = (rf"{START}(?:{alternation(toll.nouns, language)})\s+(?:{{words:3}})?"
                   rf"(?:{alternation(toll.verbs, language)})\s+{{quantity}}")
        spec = _base(f"lexicon_{language}.toll", language, "killed", "person", "stock",
                     [pattern], toll.examples, "a toll: 'the death toll rose to 1,200'",
                     priority=-1, min_value=1)
        rules.append(_rule(spec, where, {n: people_cues[n] for n in ("killed", "injured")
                                         if n in people_cues}, language, "{event}",
                           examples_at=("tolls", "examples")))
    return rules
