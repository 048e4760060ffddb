"""Languages as data: how a language writes numbers, qualifiers, ranges, months and currency
names, read from one YAML file per language.

English and Russian, the first two languages, are written into `ledger.numbers`; every other
language is a file in `ledger/data/languages/` (French, Spanish, Ukrainian ship with ledger)
or in a project's `languages/` folder, together with its lexicon of counted things and events
(`ledger/data/lexicon/CODE.yaml`, `PROJECT/lexicon/`). Adding a language is adding those two
files: no code. See docs/languages.md.

Public surface: `Language`, `register_folder(folder, shown)` (diagnostics for bad files),
`language(code)`, `known(code)` and `KNOWN_CODE_HELP`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ledger.diagnostics import Diagnostic, error
from ledger.yaml_lines import YamlProblem, load

CODED_LANGUAGES = ("en", "ru")
"""Languages whose number words live in `ledger.numbers` rather than in a file."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NumberWords(_Strict):
    words: dict[str, float] = Field(default_factory=dict)
    scales: dict[str, float] = Field(default_factory=dict)
    abbreviations: dict[str, float] = Field(default_factory=dict)
    joiners: list[str] = Field(default_factory=list)
    vague: dict[str, float] = Field(default_factory=dict)


QualifierName = Literal["more_than", "at_least", "approx", "less_than", "at_most"]


class Ranges(_Strict):
    between: list[str] = Field(default_factory=list)
    to: list[str] = Field(default_factory=list)
    # "and" is a Python keyword: the YAML key is `and`
    model_config = ConfigDict(extra="allow", frozen=True)


class LanguageFile(_Strict):
    language: str = Field(pattern=r"^[a-z]{2,3}$")
    name: str
    numbers: NumberWords = NumberWords()
    qualifiers: dict[QualifierName, list[str]] = Field(default_factory=dict)
    ranges: Ranges = Ranges()
    months: list[str] = Field(default_factory=list)
    currencies: dict[str, list[str]] = Field(default_factory=dict)


@dataclass(frozen=True)
class Language:
    """One language read from its file."""

    code: str
    name: str
    words: dict[str, float]
    scales: dict[str, float]
    abbreviations: dict[str, float]
    joiners: tuple[str, ...]
    vague: dict[str, float]
    qualifiers: dict[str, tuple[str, ...]]
    range_between: tuple[str, ...] = ()
    range_and: tuple[str, ...] = ()
    range_to: tuple[str, ...] = ()
    months: tuple[str, ...] = ()
    currencies: dict[str, tuple[str, ...]] = field(default_factory=dict)


_REGISTRY: dict[str, Language] = {}


def _language(parsed: LanguageFile) -> Language:
    extra = parsed.ranges.model_extra or {}
    n = parsed.numbers
    return Language(
        code=parsed.language, name=parsed.name,
        words={k.lower(): v for k, v in n.words.items()},
        scales={k.lower(): v for k, v in n.scales.items()},
        abbreviations=dict(n.abbreviations), joiners=tuple(n.joiners),
        vague={k.lower(): v for k, v in n.vague.items()},
        qualifiers={k: tuple(v) for k, v in parsed.qualifiers.items()},
        range_between=tuple(parsed.ranges.between), range_and=tuple(extra.get("and", ())),
        range_to=tuple(parsed.ranges.to), months=tuple(parsed.months),
        currencies={k: tuple(v) for k, v in parsed.currencies.items()})


def register_folder(folder: Path, shown: str) -> list[Diagnostic]:
    """Read every `*.yaml` language file of a folder into the registry; problems come back
    as diagnostics at their line."""
    diags: list[Diagnostic] = []
    if not folder.is_dir():
        return diags
    for path in sorted(folder.glob("*.yaml")):
        name = f"{shown}/{path.name}"
        try:
            data, positions = load(path.read_text("utf-8"))
            parsed = LanguageFile.model_validate(data or {})
        except UnicodeDecodeError as exc:
            diags.append(error(name, "L003", f"not valid UTF-8 at byte {exc.start}"))
            continue
        except YamlProblem as exc:
            diags.append(error(name, "L003", exc.message, exc.line, exc.col))
            continue
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(p for p in err["loc"] if isinstance(p, str | int))
                line, col = positions.of(loc)
                where = ".".join(str(p) for p in loc)
                diags.append(error(name, "L003", f"{where}: {err['msg']}", line, col))
            continue
        if parsed.language in CODED_LANGUAGES:
            diags.append(error(name, "L003", f"{parsed.language!r} is built into ledger",
                               1, 1))
            continue
        _REGISTRY[parsed.language] = _language(parsed)
    return diags


def base_language(tag: str) -> str:
    """The language of a tag such as `en-GB`, `ru_RU` or `FR`: `en`, `ru`, `fr`."""
    return tag.split("-")[0].split("_")[0].lower()


def language(code: str) -> Language | None:
    """A language read from a file, or None (English and Russian are in `ledger.numbers`)."""
    return _REGISTRY.get(code)


def known(code: str) -> bool:
    return code in CODED_LANGUAGES or code in _REGISTRY


def codes() -> list[str]:
    return sorted({*CODED_LANGUAGES, *_REGISTRY})


def check_code(value: str) -> str:
    """A pydantic validator: the code of a language ledger reads."""
    if not known(value):
        raise ValueError(f"unknown language {value!r}; known: {', '.join(codes())} (add one "
                         "with a file in PROJECT/languages/, docs/languages.md)")
    return value


BUILTIN_FOLDER = Path(__file__).parent / "data" / "languages"
_BUILTIN_PROBLEMS = register_folder(BUILTIN_FOLDER, "ledger:languages")
assert not _BUILTIN_PROBLEMS, _BUILTIN_PROBLEMS
