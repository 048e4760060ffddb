"""Text shapes every stage shares: paragraphs, sentences and windows of a normalised text.

Public surface: `normalise_text(raw)`, `paragraph_spans(text)`, `sentence_spans(text)`,
`windows(text, start, end, size)` and the limits `PARAGRAPH_WINDOW`, `SENTENCE_WINDOW`,
`SOFT_WRAP_MIN`.
"""

from __future__ import annotations

import re
import unicodedata

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "maj", "st", "no", "vs",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx",
    "est", "inc", "ltd", "co", "corp", "govt", "u.s", "u.k", "u.n", "e.g", "i.e", "etc",
    "тыс", "млн", "млрд", "г", "гг", "т.е", "т.д", "ул", "им",
}
_SENTENCE_END = re.compile(r"(?:\.\.\.|…|[.!?])[\"'”’»)\]]*(?=\s+[\"“«'‘(\[]?[A-ZА-ЯЁ0-9])")
_PARAGRAPH = re.compile(r"[^\n]+(?:\n[^\n]*\S[^\n]*)*")
SOFT_WRAP_MIN = 40
"""A line break inside a paragraph ends a sentence after a line shorter than this (a title,
a dateline, a list item); after a longer line it is a wrap of running text."""


PARAGRAPH_WINDOW = 20_000
"""The longest stretch matched at once: a longer paragraph (a document with no line breaks,
a table flattened into one line) is cut at white space, so work stays proportional to the
text whatever its shape."""
SENTENCE_WINDOW = 1_000
"""The longest sentence: a run of text without a full stop is cut at white space, so a quote
stays readable and the work per figure stays bounded."""


def windows(text: str, start: int, end: int, size: int) -> list[tuple[int, int]]:
    """text[start:end] cut into spans of at most `size` characters, at white space where
    there is some in the second half of a span."""
    spans = []
    while end - start > size:
        cut = text.rfind(" ", start + size // 2, start + size)
        cut = max(cut, text.rfind("\n", start + size // 2, start + size))
        cut = cut + 1 if cut > start else start + size
        spans.append((start, cut))
        start = cut
    spans.append((start, end))
    return spans


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Paragraphs: runs of non-blank lines, as (start, end) offsets; a paragraph longer than
    PARAGRAPH_WINDOW is cut into windows."""
    return [w for m in _PARAGRAPH.finditer(text)
            for w in windows(text, *m.span(), PARAGRAPH_WINDOW)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences as (start, end) offsets; a blank line always ends a sentence."""
    spans: list[tuple[int, int]] = []
    for p_start, p_end in paragraph_spans(text):
        start = p_start
        breaks = [m.end() for m in re.finditer(r"\n", text[p_start:p_end])]
        hard = []
        line_start = p_start
        for offset in breaks:
            line_end = p_start + offset - 1
            if len(text[line_start:line_end].strip()) < SOFT_WRAP_MIN:
                hard.append(line_end)
            line_start = p_start + offset
        stops = sorted([*hard, *(m.end() for m in _SENTENCE_END.finditer(text, p_start, p_end)
                                 if not _is_abbreviation(text, start, m))])
        for stop in stops:
            if stop > start:
                _add_span(text, start, stop, spans)
                start = stop
        _add_span(text, start, p_end, spans)
    return spans


def _is_abbreviation(text: str, start: int, end_mark: re.Match[str]) -> bool:
    if end_mark.group() != ".":
        return False
    word = re.search(r"([\w.]+)\.$", text[max(start, end_mark.start() - 20):end_mark.start() + 1])
    return bool(word and (word.group(1).lower() in _ABBREVIATIONS or len(word.group(1)) == 1))


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start > SENTENCE_WINDOW:
        for w_start, w_end in windows(text, start, end, SENTENCE_WINDOW):
            _add_span(text, w_start, w_end, spans)
    elif end > start:
        spans.append((start, end))


_INVISIBLE = re.compile("[\x00\u00ad\u200b-\u200d\u2060\ufeff]")
"""NUL, soft hyphens, zero-width spaces and joiners, word joiners, byte-order marks: invisible,
and inside a number they would cut it in two ("1,\u200b200" is 1,200)."""
_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalise_text(raw: str) -> str:
    """The one normalisation every offset refers to: `\\n` newlines, Unicode NFC, invisible
    characters removed and control characters (NUL, escape, …) turned into spaces."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(" ", _INVISIBLE.sub("", text))
    return unicodedata.normalize("NFC", text)
