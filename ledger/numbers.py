"""Numbers as analysts write them: digits in a locale's style, number words, scale words,
qualifiers and ranges, read into a value and an interval.

Public surface:
- `quantity_block(language)` (and `QUANTITY`, every language): the building block rules use as
  `{quantity}` (RE2 syntax);
- `parse_quantity(text, locale)`: the `Quantity` a matched quantity states, or None;

Qualifier conventions (documented in docs/figures.md): `approx` spans +/- APPROX_TOLERANCE of the
value; `more_than` and `at_least` are open upwards, `less_than` and `at_most` open downwards
(bounded by zero); vague amounts (`dozens`, `hundreds`) take ACLED's codes and are marked vague.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.numbers import get_decimal_symbol, get_group_symbol

from ledger.languages import Language, base_language
from ledger.languages import language as language_of

APPROX_TOLERANCE = 0.10
MAX_DIGITS = 15
"""A number with more digits than this is no real figure (a reference, an ID, a string of
ones): it is refused, so a count is never rounded or overflowed to infinity."""

UNITS = {
    "zero": 0, "nought": 0, "naught": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
SCALES = {
    "hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000, "dozen": 12, "dozens": 12,
    "lakh": 100_000, "lakhs": 100_000, "crore": 10_000_000, "crores": 10_000_000,
}
SCALE_ABBREVIATIONS = {
    "k": 1_000, "m": 1_000_000, "mn": 1_000_000, "mln": 1_000_000, "mm": 1_000_000,
    "bn": 1_000_000_000, "bln": 1_000_000_000, "tln": 1_000_000_000_000, "dz": 12, "dzs": 12,
    "doz": 12, "dozs": 12, "b": 1_000_000_000,
}
VAGUE = {  # ACLED's coding of vague amounts
    "tens": 10, "dozens": 12, "scores": 20, "hundreds": 100, "thousands": 1_000,
    "tens of thousands": 10_000, "hundreds of thousands": 100_000, "millions": 1_000_000,
    "десятки": 10, "десятков": 10, "сотни": 100, "сотен": 100, "тысячи": 1_000,
    "десятки тысяч": 10_000, "десятков тысяч": 10_000, "сотни тысяч": 100_000,
    "сотен тысяч": 100_000, "миллионы": 1_000_000,
}
QUALIFIERS = {
    "more_than": ("more than", "over", "above", "in excess of", "upwards of", "exceeding",
                  "greater than", "exceed", "exceeds", "surpass", "surpassing"),
    "at_least": ("at least", "no fewer than", "no less than", "a minimum of", "not less than"),
    "approx": ("about", "around", "some", "approximately", "roughly", "nearly", "almost",
               "close to", "an estimated", "estimated", "circa", "approx.", "~"),
    "less_than": ("fewer than", "less than", "under", "below", "just under"),
    "at_most": ("up to", "as many as", "at most", "a maximum of", "no more than"),
}
QUALIFIERS_RU = {
    "more_than": ("более", "более чем", "свыше", "больше", "больше чем", "сверх"),
    "at_least": ("не менее", "не меньше", "по меньшей мере", "как минимум", "минимум"),
    "approx": ("около", "примерно", "почти", "порядка", "приблизительно", "почти что"),
    "less_than": ("менее", "меньше", "менее чем"),
    "at_most": ("до", "не более", "не больше", "вплоть до", "максимум"),
}
for _name, _phrases in QUALIFIERS_RU.items():
    QUALIFIERS[_name] = QUALIFIERS[_name] + _phrases

# Russian number words in their case forms ("двух тысяч", "трёх", "полутора")
RU_WORDS = {form: value for value, forms in (
    (0, "ноль нуля"), (1, "один одна одно одного одной одному одним одном"),
    (2, "два две двух двум двумя"), (3, "три трех трёх трем трём тремя"),
    (4, "четыре четырех четырёх четырем четырём четырьмя"), (5, "пять пяти пятью"),
    (6, "шесть шести шестью"), (7, "семь семи семью"), (8, "восемь восьми восемью"),
    (9, "девять девяти девятью"), (10, "десять десяти десятью"),
    (11, "одиннадцать одиннадцати"), (12, "двенадцать двенадцати"),
    (13, "тринадцать тринадцати"), (14, "четырнадцать четырнадцати"),
    (15, "пятнадцать пятнадцати"), (16, "шестнадцать шестнадцати"),
    (17, "семнадцать семнадцати"), (18, "восемнадцать восемнадцати"),
    (19, "девятнадцать девятнадцати"), (20, "двадцать двадцати"), (30, "тридцать тридцати"),
    (40, "сорок сорока"), (50, "пятьдесят пятидесяти"), (60, "шестьдесят шестидесяти"),
    (70, "семьдесят семидесяти"), (80, "восемьдесят восьмидесяти"),
    (90, "девяносто девяноста"), (100, "сто ста"), (200, "двести двухсот"),
    (300, "триста трехсот трёхсот"), (400, "четыреста четырехсот четырёхсот"),
    (500, "пятьсот пятисот"), (600, "шестьсот шестисот"), (700, "семьсот семисот"),
    (800, "восемьсот восьмисот"), (900, "девятьсот девятисот"),
    (1.5, "полтора полторы полутора"),
) for form in forms.split()}
RU_SCALES = {form: value for value, forms in (
    (1_000, "тысяча тысячи тысяч тысячу тысячей тысячам тысячами тыс. тыс"),
    (1_000_000, "миллион миллиона миллионов миллионам миллионами млн. млн"),
    (1_000_000_000, "миллиард миллиарда миллиардов миллиардам миллиардами млрд. млрд"),
) for form in forms.split()}


def longest_first(words: Iterable[str]) -> list[str]:
    """Words for a pattern's alternation: longer ones first, so "thousands" is tried before
    "thousand"; equal lengths in text order, so the pattern is the same text in every
    process (a set's order is not)."""
    return sorted(words, key=lambda w: (-len(w), w))


_WORD = "|".join(longest_first([*UNITS, *TENS, "half"]))
_SCALE_WORD = ("hundred|thousand|million|billion|trillion|dozens|dozen|lakhs|lakh|crores|crore"
               "|dozs|doz|dzs|dz")
_SCALE_ABBREVIATION = "mln|mn|mm|bln|bn|tln|dzs|dz|dozs|doz|k|m|b"
_RU_WORD = "|".join(longest_first(RU_WORDS))
_RU_SCALE = "|".join(re.escape(w) for w in longest_first(RU_SCALES))
QUALIFIER = "|".join(
    re.escape(q).replace(r"\ ", r"\s+")
    for q in longest_first({q for qs in QUALIFIERS.values() for q in qs})
)
_DIGITS = (r"\d{1,3}(?:[ \x{a0}\x{202f}\x{2009}]\d{3})+(?:[.,]\d+)?"  # spaces group by three
           r"|\d+(?:[.,'’]\d+)*|\.\d+")
_EN_WORDS = (
    rf"\b(?:an?\s+(?:{_SCALE_WORD}|half)|half\s+an?|(?:{_WORD})(?:-(?:{_WORD}))?"
    rf"|hundred|thousand)\b"
    rf"(?:(?:\s+|\s+and\s+(?:an?\s+)?|-|\s+an?\s+)(?:(?:{_WORD})(?:-(?:{_WORD}))?"
    rf"|{_SCALE_WORD})\b)*"
)
# Russian words: RE2's \b is ASCII-only, so extract checks the boundaries around figures
_RU_WORDS = (rf"(?:{_RU_WORD})(?:\s+(?:{_RU_WORD}|{_RU_SCALE}))*"
             r"|(?:миллиона|миллион|миллиарда|миллиард|тысячу|тысяча)")
"""Russian number words; a lone singular scale word is one of it ("более миллиона": over a
million)."""


_SCALE_SPACE = r"(?:[ \t\x{a0}\x{202f}]{0,2}|[ \t]*\n[ \t]*)"
"""Between digits and their scale word: a space or two, or a wrapped line ("$4.6\n billion")."""


def phrase_alternation(phrases: Iterable[str]) -> str:
    """RE2 alternation of phrases, longest first, their spaces matching any white space."""
    return "|".join(re.escape(q).replace(r"\ ", r"\s+") for q in longest_first(set(phrases)))


def _english(phrase: str) -> bool:
    return phrase.isascii()


def _data_number_block(spoken: Language) -> str:
    """A language of a file: digits with a scale word ("13 mil", "1,5 millones"), or words
    (joined by spaces, hyphens or the language's "and"), then digits after a scale word
    ("mil 300")."""
    scales = phrase_alternation(spoken.scales)
    if spoken.abbreviations:  # "M", "Md", "k": as written, and never the start of a word
        scales += rf"|(?-i:{phrase_alternation(spoken.abbreviations)})\b"
    words = phrase_alternation([*spoken.words, *spoken.scales])
    joiners = "".join(rf"|\s+{re.escape(j)}\s+" for j in spoken.joiners)
    return (rf"(?:{_DIGITS})(?:{_SCALE_SPACE}(?:{scales}))?"
            rf"|(?:{words})(?:(?:\s+|-{joiners})(?:{words}))*(?:\s+(?:{_DIGITS}))?")


def number_block(language: str = "") -> str:
    """RE2 for one number (digits or words, with a scale word) in a language ("" = all)."""
    english = (rf"(?:{_DIGITS})(?:{_SCALE_SPACE}(?:{_SCALE_WORD}|{_SCALE_ABBREVIATION})\b)?"
               rf"|(?:{_EN_WORDS})(?:\s+(?:{_SCALE_WORD}))?")
    russian = rf"(?:{_DIGITS})(?:{_SCALE_SPACE}(?:{_RU_SCALE}))?|{_RU_WORDS}"
    spoken = language_of(language)
    if spoken is not None:
        return _data_number_block(spoken)
    return {"en": english, "ru": russian}.get(language, f"{english}|{russian}")


def qualifier_block(language: str = "") -> str:
    """RE2 for the qualifiers of a language ("" = English and Russian)."""
    spoken = language_of(language)
    if spoken is not None:
        return phrase_alternation(p for phrases in spoken.qualifiers.values() for p in phrases)
    phrases = [q for qs in QUALIFIERS.values() for q in qs]
    if language == "en":
        phrases = [q for q in phrases if _english(q)]
    elif language == "ru":
        phrases = [q for q in phrases if not _english(q)]
    return phrase_alternation(phrases)


def quantity_block(language: str = "") -> str:
    """RE2 building block `{quantity}`: an optional qualifier, then a number, a range or a
    vague amount, in one language ("en", "ru") or all of them ("")."""
    number = number_block(language)
    spoken = language_of(language)
    vague = (list(spoken.vague) if spoken is not None else
             [v for v in VAGUE if language == "" or _english(v) == (language == "en")])
    ranges = []
    if language in ("", "en"):
        ranges.append(rf"between\s+(?:{number})\s+and\s+(?:{number})")
    if language in ("", "ru"):
        ranges.append(rf"от\s+(?:{number})\s+до\s+(?:{number})")
    if spoken is not None and spoken.range_between and spoken.range_and:
        ranges.append(rf"(?:{phrase_alternation(spoken.range_between)})\s+(?:{number})\s+"
                      rf"(?:{phrase_alternation(spoken.range_and)})\s+(?:{number})")
    glued = r"\s*" if language == "ru" else r"\s+"  # "более1 151 000": scraped Russian
    return (rf"(?:(?:{qualifier_block(language)}){glued}|[<>≤≥]=?\s*)?"
            rf"(?:{'|'.join(ranges)}"
            rf"|(?:{number})(?:\s*(?:-|–|—|~|to|through{_range_to(spoken)})\s*(?:{number})"
            rf"|-odd\b)?"
            rf"|(?:{phrase_alternation(vague)})(?:\s+of)?)")


def _range_to(spoken: Language | None) -> str:
    return "".join(f"|{re.escape(w)}\\s" for w in spoken.range_to) if spoken else ""


QUANTITY = quantity_block()
"""RE2 building block for every language: an optional qualifier, then a number, a range or a
vague amount."""


@dataclass(frozen=True)
class Quantity:
    """What a quantity states. `value` is the lower end of a range; `high` its upper end."""

    value: float
    qualifier: str
    high: float | None = None
    vague: bool = False
    ambiguous: str = ""
    steps: tuple[str, ...] = ()

    @property
    def low_high(self) -> tuple[float | None, float | None]:
        """The interval the statement allows; None is an open end."""
        v = self.value
        if self.qualifier == "exact":
            return v, v
        if self.qualifier == "approx":
            return round(v * (1 - APPROX_TOLERANCE), 6), round(v * (1 + APPROX_TOLERANCE), 6)
        if self.qualifier in ("more_than", "at_least"):
            return v, None
        if self.qualifier in ("less_than", "at_most"):
            return 0.0, v
        return v, self.high


@cache
def _symbols(locale: str) -> tuple[str, str]:
    try:
        parsed = Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        parsed = Locale.parse("en")
    return get_decimal_symbol(parsed), get_group_symbol(parsed)


_GROUP_CHARS = ",.'’\u00a0\u202f\u2009 "


def parse_digits(text: str, locale: str = "en") -> tuple[float, str]:
    """Digits written in a locale's style. Returns (value, ambiguity note or '')."""
    decimal_sym, _ = _symbols(locale)
    if not re.fullmatch(r"[\d,.'’\u00a0\u202f\u2009 ]+", text):
        raise ValueError(f"{text!r} is not written in digits")
    if sum(c.isdigit() for c in text) > MAX_DIGITS:
        raise ValueError(f"{text!r} has more than {MAX_DIGITS} digits")
    seps = [c for c in text if c in _GROUP_CHARS]
    if not seps:
        return float(text), ""
    groups = re.split(r"[,.'’\u00a0\u202f\u2009 ]", text)
    last = seps[-1]
    grouped = all(len(g) == 3 for g in groups[1:])
    if len(set(seps)) == 1 and len(seps) > 1 and grouped:
        return float("".join(groups)), ""
    if len(set(seps)) > 1:
        head, _, tail = text.rpartition(last)
        return float(re.sub(r"\D", "", head) + "." + tail), ""
    # one separator: the locale decides; three digits after it is ambiguous
    head, tail = groups[0], groups[1]
    if len(groups) > 2:
        raise ValueError(f"{text!r} is a list of numbers, not one")
    if last == decimal_sym or (last in ".," and not grouped):
        value = float(f"{head}.{tail}")
        note = f"{text!r} read as a decimal ({locale})" if len(tail) == 3 else ""
        return value, note
    return float(head + tail), ""


def _scale_of(token: str) -> float | None:
    return RU_SCALES.get(token) or SCALES.get(token) or (
        SCALE_ABBREVIATIONS.get(token) if token.startswith("d") else None)


def _parse_words(words: str) -> float | None:
    """Number words in English or Russian: "two hundred and fifty", "three lakh crore" (scale
    words multiply), "one million and a half" or "and one half" (half of the scale before
    it), "a half million" (half of the scale after it), "полутора"."""
    total: float = 0
    current: float = 0
    last_chunk: float = 0
    last_scale: float = 0
    previous_scale = False
    seen = False
    tokens = [t for t in re.split(r"[\s-]+", words.lower().replace("ё", "е"))
              if t not in ("and", "", "a", "an")]  # "a hundred": the scale word does the work
    for i, token in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        scale = _scale_of(token)
        if token == "hundred" and not previous_scale:
            current = (current or 1) * 100
        elif scale is not None and previous_scale and current == 0:
            total -= last_chunk  # "lakh crore", "hundred thousand": the scales multiply
            last_chunk *= scale
            total += last_chunk
            last_scale = scale
        elif scale is not None:
            last_chunk = (current or 1) * scale
            total += last_chunk
            current, last_scale = 0, scale
        elif token == "half" and _scale_of(following) is not None:
            current += 0.5  # "a half million": half of the scale that follows
        elif token == "half" and last_scale and (current == 0 or (
                current == 1 and tokens[i - 1] == "one")):
            total += last_scale / 2  # "one million and a half", "two million and one half"
            current = 0
        elif token == "half":
            current += 0.5
        elif token in RU_WORDS:
            current += RU_WORDS[token]
        elif token in UNITS:
            current += UNITS[token]
        elif token in TENS:
            current += TENS[token]
        else:
            return None
        previous_scale = scale is not None or token == "hundred"
        seen = True
    return float(total + current) if seen else None


_SCALE_AT_END = re.compile(
    rf"^(?P<num>.*\d)\s*(?P<scale>{_SCALE_WORD}|{_SCALE_ABBREVIATION}|{_RU_SCALE})$",
    re.IGNORECASE
)


@dataclass(frozen=True)
class Number:
    """One number without qualifier: its value (scale applied), the scale and how it was read."""

    value: float
    scale: int
    ambiguous: str
    steps: tuple[str, ...]


def parse_number(text: str, locale: str = "en") -> Number | None:
    """Digits or number words, with an optional scale word (`300 thousand`, `1.5m`)."""
    text = text.strip()
    if text.lower() in ("a", "an"):
        return None
    words = None if text[:1].isdigit() else _parse_words(text)
    if words is not None:
        if not words < 10 ** MAX_DIGITS:
            return None
        return Number(words, 1, "", (f"number words {text!r} = {words:g}",))
    scale = 1
    scale_step: tuple[str, ...] = ()
    match = None if text[-1:].isdigit() else _SCALE_AT_END.match(text)
    if match and match.group("num"):
        word = match.group("scale").lower()
        scale = SCALES.get(word) or SCALE_ABBREVIATIONS.get(word) or RU_SCALES[word]
        text = match.group("num").strip()
        scale_step = (f"scale word {word!r} = {scale:,}",)
    if text[:1].isdigit() or (text.startswith(".") and text[1:2].isdigit()):
        try:
            value, note = parse_digits("0" + text if text.startswith(".") else text, locale)
        except ValueError:
            return None
        first = f"digits {text!r} in locale {locale} = {value:g}"
    else:
        parsed = _parse_words(text)
        if parsed is None:
            return None
        value, note, first = parsed, "", f"number words {text!r} = {parsed:g}"
    if scale != 1:
        value = float(Decimal(repr(value)) * scale)
    if not value < 10 ** MAX_DIGITS:  # also refuses inf and nan
        return None
    return Number(value, scale, note, (first, *scale_step))


_QUALIFIER_AT_START = re.compile(rf"^(?P<q>{QUALIFIER})(?:\s+|(?=\d))", re.IGNORECASE)
_RANGE = re.compile(r"^(?:between\s+|от\s+)?(?P<a>.+?)\s*(?:\s+and\s+|-|–|—|~|\s+to\s+"
                    r"|\s+through\s+|\s+до\s+)"
                    r"\s*(?P<b>.+)$", re.IGNORECASE)


def _qualifier_of(phrase: str, locale: str = "en") -> str:
    phrase = re.sub(r"\s+", " ", phrase.lower())
    spoken = language_of(base_language(locale))
    tables = [spoken.qualifiers] if spoken is not None else []
    for table in [*tables, QUALIFIERS]:
        for name, phrases in table.items():
            if phrase in (p.lower() for p in phrases):
                return name
    raise KeyError(phrase)


@cache
def _spoken_patterns(code: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A language of a file: its qualifiers at the start of a figure, and its ranges."""
    spoken = language_of(code)
    assert spoken is not None
    qualifiers = phrase_alternation(p for phrases in spoken.qualifiers.values() for p in phrases)
    at_start = re.compile(rf"^(?P<q>{qualifiers}|{QUALIFIER})(?:\s+|(?=\d))", re.IGNORECASE)
    between = "|".join(re.escape(w) + r"\s+" for w in spoken.range_between)
    joins = "".join(rf"|\s+{re.escape(w)}\s+" for w in (*spoken.range_and, *spoken.range_to))
    ranges = re.compile(rf"^(?:{between or '(?!)'})?(?P<a>.+?)\s*(?:-|–|—{joins})\s*"
                        r"(?P<b>.+)$", re.IGNORECASE)
    return at_start, ranges


def _parse_spoken(text: str, spoken: Language, locale: str) -> Number | None:
    """Digits, words and scale words of a language of a file: "13 mil", "mil 300",
    "un million cinq cent mille", "quatre-vingt-dix", "1,5 millones"."""
    whole = text.strip()
    if whole[:1].isdigit() and re.fullmatch(r"[\d,.'’\u00a0\u202f\u2009 ]+", whole):
        try:
            value, note = parse_digits(whole, locale)
        except ValueError:
            return None
        return Number(value, 1, note, (f"digits {whole!r} in locale {locale} = {value:g}",))
    scales = {**spoken.scales, **{k.lower(): v for k, v in spoken.abbreviations.items()}}
    tokens: list[str] = []
    for token in whole.lower().split():
        if token in spoken.words or token in scales or token[:1].isdigit():
            tokens.append(token)
            continue
        pieces = token.split("-")  # "quatre-vingt-dix": the longest known run of pieces first
        while pieces:
            for cut in range(len(pieces), 0, -1):
                if "-".join(pieces[:cut]) in spoken.words or cut == 1:
                    tokens.append("-".join(pieces[:cut]))
                    pieces = pieces[cut:]
                    break
    total = current = last_chunk = 0.0
    previous_scale = False
    for token in tokens:
        if token in spoken.joiners or token == "":
            continue
        scale = scales.get(token)
        if token[:1].isdigit():
            try:
                value, _ = parse_digits(token, locale)
            except ValueError:
                return None
            current += value
        elif scale is not None and scale < 1000:
            current = (current or 1) * scale  # "cinq cent": hundreds multiply in place
        elif scale is not None and previous_scale and current == 0:
            total -= last_chunk  # "mil millones": scales in a row multiply
            last_chunk *= scale
            total += last_chunk
        elif scale is not None:
            last_chunk = (current or 1) * scale
            total += last_chunk
            current = 0
        elif token in spoken.words:
            current += spoken.words[token]
        else:
            return None
        previous_scale = scale is not None and scale >= 1000
    value = total + current
    if not tokens or not value < 10 ** MAX_DIGITS:
        return None
    return Number(value, 1, "", (f"number {whole!r} in {spoken.name} = {value:g}",))


_SYMBOL_QUALIFIERS = {">": "more_than", ">=": "at_least", "≥": "at_least", "<": "less_than",
                      "<=": "at_most", "≤": "at_most"}
_SYMBOL_AT_START = re.compile(r"^(?P<q>[<>≤≥]=?)\s*")


def parse_quantity(text: str, locale: str = "en") -> Quantity | None:
    """Read a matched `{quantity}`: qualifier, then a number, a range or a vague amount."""
    text = text.strip()
    qualifier = "exact"
    steps: tuple[str, ...] = ()
    if text.lower().endswith("-odd"):  # "100-odd": about a hundred
        text, qualifier, steps = text[:-4], "approx", ("'-odd' = approx",)
    code = base_language(locale)
    spoken = language_of(code)
    at_start, ranges = _spoken_patterns(code) if spoken is not None else (
        _QUALIFIER_AT_START, _RANGE)
    match = at_start.match(text) or _SYMBOL_AT_START.match(text)
    if match and match.group("q") in _SYMBOL_QUALIFIERS:
        qualifier = _SYMBOL_QUALIFIERS[match.group("q")]
        steps += (f"qualifier {match.group('q')!r} = {qualifier}",)
        text = text[match.end():]
    elif match:
        qualifier = _qualifier_of(match.group("q"), locale)
        steps += (f"qualifier {match.group('q')!r} = {qualifier}",)
        text = text[match.end():]
    bare = re.sub(r"\s+", " ", re.sub(r"\s+(?:of|de|d’|d')$", "", text.lower()))
    vague = spoken.vague if spoken is not None else VAGUE
    if bare in vague:
        step = f"vague amount {bare!r} coded {vague[bare]:,} (ACLED convention)"
        return Quantity(float(vague[bare]), "at_least" if qualifier == "exact" else qualifier,
                        vague=True, steps=(*steps, step))

    def number(part: str) -> Number | None:
        return (_parse_spoken(part, spoken, locale) if spoken is not None
                else parse_number(part, locale))

    single = number(text)
    if single is not None:
        return Quantity(single.value, qualifier, ambiguous=single.ambiguous,
                        steps=(*steps, *single.steps))
    rng = ranges.match(text)
    if not rng:
        return None
    first, second = number(rng.group("a")), number(rng.group("b"))
    if first is None or second is None:
        return None
    low = first.value
    if first.scale == 1 and second.scale != 1:  # "3-5 thousand": the scale covers both ends
        low *= second.scale
    if second.value < low:
        return None
    return Quantity(low, "range", high=second.value, ambiguous=first.ambiguous or second.ambiguous,
                    steps=(*steps, *first.steps, *second.steps,
                           f"range {low:g} to {second.value:g}"))
