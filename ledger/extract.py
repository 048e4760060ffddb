"""Extract: run the rule book over the documents and keep one match per figure.

Public surface: `extract(documents, rulebook)` returns `Match`es in document order;
`not_a_count(text, start, end)` is the guard every figure passes.

Rules apply to documents of their language (the catalogue's `language`, English by default).
Each paragraph of a document is matched at once against every pattern with an RE2 set; only the
patterns the set reports are run for their spans. When several rules claim one figure (the
same or overlapping `{quantity}`/`{money}` spans), the rule with the higher `priority` wins,
then the longer match, then the rule listed first.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import re2

from ledger.dates import looks_like_date_or_time
from ledger.diagnostics import LedgerError, error
from ledger.languages import base_language
from ledger.rules import Rule, RuleBook
from ledger.sources import Document
from ledger.text import paragraph_spans
from ledger.utf8 import Utf8Text, groupindex

_PARTITIVE = re.compile(r"(?:one|один|одна|одно|одного|одной)\s+(?:of|из)\b", re.IGNORECASE)
"""'One of the migrants' ('один из') picks out a person; it does not count them."""
_PRONOUN_ONE = re.compile(r"\b(?:the|that|this|which|each|any|every|no|another|the\s+only)\s+$",
                          re.IGNORECASE)


_OPERATOR = re.compile(r"[<>≤≥]=?")


def not_a_count(text: str, start: int, end: int) -> bool:
    """A figure's span that is no count: a date or time, 'one of', 'that one', a span that
    starts or ends inside a word or a number, or a comparison sign not attached to its number
    ('>30', 'x>10', '>= 30' count; the '>' closing '</script> 40' does not)."""
    operator = _OPERATOR.match(text, start)
    if operator and not (text[operator.end():operator.end() + 1].isdigit()
                         or start == 0 or text[start - 1].isspace()):
        return True
    before = text[start - 1] if start > 0 else " "
    return (before.isdigit()  # starts inside a number ("12.7" is not ".7", "2022" not "022")
            or (before in ".,'’" and start > 1 and text[start - 2].isdigit())
            or (before == "-" and start > 1 and text[start - 2].isalpha())  # "Su-25", "MiG-29"
            or (text[start] == "." and not before.isspace())  # "services.20426": a full stop
            or (before.isalnum() and text[start].isalnum() and not _glued(before, text[start]))
            or (end < len(text) and text[end].isalpha() and not _glued(text[end - 1], text[end])
                and not _GLUED_SCALE.search(text, max(start, end - 5), end))
            or (text[start:end].lower() == "one"
                and bool(_PRONOUN_ONE.search(text, max(0, start - 12), start)))
            or bool(_PARTITIVE.match(text, start))
            or (before.isspace() and (
                bool(_VAGUE_BEFORE.search(text, max(0, start - 16), start))
                or bool(_FRACTION_BEFORE.search(text, max(0, start - 24), start))))
            or bool(_FRACTION_AFTER.match(text, end))
            or looks_like_date_or_time(text, start, end))


def _glued(left: str, right: str) -> bool:
    """A digit and a Cyrillic letter side by side: words a scraper ran together
    ("на17грузовиков", "более3 381человек"), never one token (Russian writes "5-й", "10-го")."""
    return (left.isdigit() and _CYRILLIC.match(right) is not None) or (
        right.isdigit() and _CYRILLIC.match(left) is not None)


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_GLUED_SCALE = re.compile(r"(?:млн|млрд|тыс)\.?$")
"""A Russian scale abbreviation a scraper ran into the next word ("7,7млнчеловек")."""
_VAGUE_BEFORE = re.compile(r"\b(?:couple\s+of|a\s+few|several)\s+$", re.IGNORECASE)
"""'A couple of hundred', 'a few thousand': an order of magnitude, not a count."""
_FRACTION_BEFORE = re.compile(
    r"(?:\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten)|(?<!\w)(?:один|одна|два|две"
    r"|три|четыре|пять|шесть|семь|восемь|девять|десять))\s+(?:out\s+of|in\s+every|из)\s+\Z",
    re.IGNORECASE)
"""The denominator of a share: 'six out of 10', 'one in every 5', 'шесть из 10' (but 'each of
the 32' and 'каждый из 32' count)."""
_FRACTION_AFTER = re.compile(
    r"\s*(?:%|per\s*cent\b|percent\b|процент|\s(?:out\s+of|in\s+every|из)\s+\d"
    r"|\s(?:thirds?|quarters?|fifths?|tenths?)\b(?!-)|\sтрет|\sчетверт|\sпят(?:ая|ых)\b)",
    re.IGNORECASE)
"""A share, not a count: '20 percent', 'two thirds', 'шесть из 10', 'две трети'."""

SET_MAX_MEM = 1 << 30
"""RE2's memory budget for the set of all patterns (its DFA cache); RE2 stays linear-time."""


@dataclass(frozen=True)
class Match:
    """A rule's match in a document: the whole match and the figure's span within it."""

    rule: Rule
    document: Document
    start: int
    end: int
    fig_start: int
    fig_end: int
    people: str = ""
    alternatives: tuple[Match, ...] = ()
    """Weaker matches of the same figure, in order: normalise tries them when this one does
    not make a fact (its number is below the rule's minimum, say)."""

    @property
    def figure_text(self) -> str:
        return self.document.text[self.fig_start:self.fig_end]


@lru_cache(maxsize=64)
def _pattern_set(patterns: tuple[str, ...]) -> Any:
    """One RE2 set of patterns, compiled once per process."""
    options = re2.Options()
    options.case_sensitive = False
    options.max_mem = SET_MAX_MEM
    options.log_errors = False
    pattern_set = re2.Set.SearchSet(options)
    for pattern in patterns:
        pattern_set.Add(pattern)
    try:
        pattern_set.Compile()
    except re2.error as exc:
        raise LedgerError([error("rules", "R008", f"the {len(patterns):,} patterns of one "
                                 "language are more than RE2 can hold in one set: use fewer "
                                 "or shorter rules")]) from exc
    return pattern_set


class _Matcher:
    """The patterns of a language's rules in one RE2 set, each with the rules it belongs to
    (rules that share a pattern are told apart by the named group each needs)."""

    def __init__(self, rules: list[Rule]) -> None:
        owners: dict[str, list[tuple[Rule, str]]] = {}
        compiled_of: dict[str, Any] = {}
        for rule in rules:
            for i, compiled in enumerate(rule.patterns):
                variant = rule.variants[i] if i < len(rule.variants) else ""
                owners.setdefault(compiled.pattern, []).append((rule, variant))
                compiled_of[compiled.pattern] = compiled
        self.entries: list[tuple[list[tuple[Rule, str]], Any]] = [
            (owners[text], compiled_of[text]) for text in owners]
        self.set = _pattern_set(tuple(c.pattern for _, c in self.entries))

    def paragraph_matches(self, doc: Document, line: str, offset: int) -> list[Match]:
        found: list[Match] = []
        encoded = Utf8Text(line)
        hits = (self.set.Match(encoded.data) or []) if self.entries else []
        for index in sorted(hits):
            owners, compiled = self.entries[index]
            groups = groupindex(compiled)
            figure_group = groups["money" if owners[0][0].is_money else "quantity"]
            people_group = groups.get("people")
            position = 0
            while (m := encoded.search(compiled, position)) is not None:
                f_start, f_end = m.span(figure_group)
                rules = [r for r, variant in owners if not variant or m.span(variant)[0] >= 0]
                if not rules or f_start < 0 or not_a_count(line, f_start, f_end):
                    position = m.start() + 1  # rejected: look again from the next character
                    continue
                people = (m.group(people_group) if people_group else None) or ""
                found += [Match(rule, doc, offset + m.start(), offset + m.end(),
                                offset + f_start, offset + f_end, people) for rule in rules]
                position = max(f_end, m.start() + 1)  # a figure may follow in the match
        return found


EXCLUDE_REACH = 40
"""How far (characters, within the sentence) a rule's excluding words reach from a figure."""


_CLAUSE_WORD = re.compile(
    r"(?<![\w’'])(?:where|which|who|whom|whose|when|while|because|donde|que|quien|quienes|"
    r"cuando|porque|où|qui|quand|lorsque|который|которая|которые|которых|где|когда|що|який|"
    r"яка|які|де|коли)(?![\w’'])", re.IGNORECASE)
"""Words that open another clause: a counted noun after one ("six floors where residents
said") does not count the number before it."""


def _admissible(match: Match) -> bool:
    """False for a rule that needs a cue its sentence lacks (it must not claim the figure
    from a rule that would read it), whose excluding words stand near the figure, or, for a
    lexicon's counted thing, whose noun lies in another clause than the number."""
    rule, text = match.rule, match.document.text
    if rule.variants and _CLAUSE_WORD.search(text, match.fig_end, match.end):
        return False
    if not rule.spec.cues_required and rule.exclude is None:
        return True
    start, end = match.document.sentence_at(match.fig_start)
    if rule.exclude is not None and rule.exclude.search(
            text[max(start, match.fig_start - EXCLUDE_REACH):
                 min(end, match.fig_end + EXCLUDE_REACH)]):
        return False
    return not rule.spec.cues_required or rule.indicator_for(text[start:end],
                                                              match.people) is not None


def _best(matches: list[Match], order: dict[str, int]) -> list[Match]:
    """One match per figure: overlapping figure spans keep the strongest claim, with the
    weaker claims on the same span as its alternatives."""
    def strength(m: Match) -> tuple[int, int, int, int]:
        return (-m.rule.spec.priority, -(m.fig_end - m.fig_start), -(m.end - m.start),
                order[m.rule.id])

    kept: list[Match] = []
    spans: list[tuple[int, int]] = []  # kept figure spans, sorted and disjoint
    owner: dict[tuple[int, int], int] = {}  # a kept span -> its index in `kept`
    weaker: dict[int, list[Match]] = {}
    for m in sorted(matches, key=strength):
        i = bisect.bisect_left(spans, (m.fig_start, m.fig_end))
        if i < len(spans) and spans[i] == (m.fig_start, m.fig_end):
            weaker.setdefault(owner[spans[i]], []).append(m)
            continue
        if (i > 0 and spans[i - 1][1] > m.fig_start) or (
                i < len(spans) and spans[i][0] < m.fig_end):
            continue
        spans.insert(i, (m.fig_start, m.fig_end))
        owner[(m.fig_start, m.fig_end)] = len(kept)
        kept.append(m)
    kept = [replace(m, alternatives=tuple(weaker[i])) if i in weaker else m
            for i, m in enumerate(kept)]
    return sorted(kept, key=lambda m: (m.fig_start, m.fig_end))


def release() -> None:
    """Drop the compiled pattern sets of this process (hundreds of megabytes with every
    language's rules): they are compiled again when next needed."""
    _pattern_set.cache_clear()


def prepare(rulebook: RuleBook, languages: set[str]) -> None:
    """Compile the pattern sets of these languages now (a pool of processes then inherits
    them instead of compiling them once each)."""
    for language in sorted(languages):
        _Matcher([r for r in rulebook.rules if r.spec.language == language])


def extract(documents: list[Document], rulebook: RuleBook,
            progress: Callable[[int, int], None] | None = None) -> list[Match]:
    """Every figure the rules find, one match per figure, in document and text order.
    `progress(done, total)` is called after each document when given."""
    matchers: dict[str, _Matcher] = {}
    order = {rule.id: i for i, rule in enumerate(rulebook.rules)}
    result: list[Match] = []
    for done, doc in enumerate(documents, start=1):
        language = base_language(doc.language)
        if language not in matchers:
            matchers[language] = _Matcher([r for r in rulebook.rules
                                           if r.spec.language == language])
        matcher = matchers[language]
        matches: list[Match] = []
        for start, end in paragraph_spans(doc.text):
            if any(s <= start < e for s, e in doc.masked):
                continue
            matches += matcher.paragraph_matches(doc, doc.text[start:end], start)
        result += _best([m for m in matches if _admissible(m)], order)
        if progress is not None:
            progress(done, len(documents))
    return result
