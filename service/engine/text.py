"""Text mechanics: sentences with offsets, reported speech, negation, and the lexicon loader."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, cached_property
from importlib.resources import files
from typing import Any

_SENTENCE = re.compile(r"[^.!?;\n•]+(?:[.!?;]+[\"'”’)]*|$|(?=\n)|(?=•))", re.MULTILINE)
_FLAGS = re.IGNORECASE


@dataclass(frozen=True)
class Sentence:
    """A sentence of the answer with its offsets: `answer[start:end] == text`."""

    text: str
    start: int
    end: int
    index: int

    @cached_property
    def folded(self) -> str | None:
        """The lower-cased text when lower-casing keeps every offset (almost always), else None."""
        lowered = self.text.lower()
        return lowered if len(lowered) == len(self.text) else None


def sentences(answer: str) -> list[Sentence]:
    """Split the answer into trimmed sentences (also at line breaks and bullets), keeping offsets."""
    out: list[Sentence] = []
    for match in _SENTENCE.finditer(answer):
        raw = match.group(0)
        lead = len(raw) - len(raw.lstrip(" \t-*•>#0123456789)("))
        # keep a leading list number only when it is the whole "1." marker; strip markers and spaces
        text = raw[lead:].rstrip()
        if len(re.sub(r"\W", "", text)) < 2:
            continue
        start = match.start() + lead
        out.append(Sentence(text=text, start=start, end=start + len(text), index=len(out)))
    return out


@cache
def lexicon() -> dict[str, Any]:
    """The engine's lexicon (lexicon.toml), loaded once."""
    raw = files("service.engine").joinpath("lexicon.toml").read_text(encoding="utf-8")
    return tomllib.loads(raw)


@cache
def patterns(section: str, name: str) -> tuple[re.Pattern[str], ...]:
    """Compiled case-insensitive patterns of one lexicon group."""
    group = lexicon()[section][name]
    items = [group] if isinstance(group, str) else group
    return tuple(re.compile(p, _FLAGS) for p in items)


@cache
def folded_patterns(section: str, name: str) -> tuple[re.Pattern[str], ...]:
    """The same patterns for lower-cased text: about 40% faster than IGNORECASE in Python's re."""
    group = lexicon()[section][name]
    items = [group] if isinstance(group, str) else group
    return tuple(re.compile(p) for p in items)


def matches(section: str, name: str, sentence: Sentence) -> bool:
    """True when any pattern of the group matches the sentence."""
    folded = sentence.folded
    if folded is None:
        return any(p.search(sentence.text) for p in patterns(section, name))
    return any(p.search(folded) for p in folded_patterns(section, name))


@cache
def field_patterns() -> dict[str, re.Pattern[str]]:
    """Field of work -> pattern of its vocabulary."""
    return {name: re.compile(p, _FLAGS) for name, p in lexicon()["fields"].items()}


@dataclass(frozen=True)
class Hit:
    """A lexicon match inside one sentence, with absolute offsets in the answer."""

    group: str
    sentence: int
    start: int
    end: int
    text: str


def find_hits(group: str, section: str, sentence: Sentence) -> list[Hit]:
    """Every match of a lexicon group in a sentence."""
    hits: list[Hit] = []
    folded = sentence.folded
    text, compiled = (
        (sentence.text, patterns(section, group))
        if folded is None
        else (folded, folded_patterns(section, group))
    )
    for pattern in compiled:
        for m in pattern.finditer(text):
            if m.end() > m.start():
                original = sentence.text[m.start() : m.end()]  # the candidate's own casing
                hits.append(
                    Hit(group, sentence.index, sentence.start + m.start(), sentence.start + m.end(), original)
                )
    return hits


_NEGATION_WINDOW = 60  # characters before a signal in which a negation cancels it


_NEGATED_AFTER = re.compile(
    r"^\W{0,3}\w*\s*(isn'?t|is not|wasn'?t|was not|aren'?t|are not)\s+(why|the reason|what|my)\b", re.I
)


def negated(sentence: Sentence, absolute_start: int, absolute_end: int | None = None) -> bool:
    """True when a negation stands in the few words before the position ("not about the money"), or
    right after the word ("money isn't why")."""
    local = absolute_start - sentence.start
    before = sentence.text[max(0, local - _NEGATION_WINDOW) : local]
    # a negation only reaches across its own clause
    before = re.split(r"[,;:.]|\b(but|although|though|however|yet)\b", before)[-1]
    if re.search(lexicon()["speech"]["negation"], before, _FLAGS):
        return True
    if absolute_end is not None:
        after = sentence.text[absolute_end - sentence.start : absolute_end - sentence.start + 30]
        return bool(_NEGATED_AFTER.search(after))
    return False


def is_reported(sentence: Sentence) -> bool:
    """True when the sentence reports or rejects what someone else says or wants."""
    return matches("speech", "reported", sentence)


_QUOTED = re.compile(r"[\"“]([^\"”]{3,300})[\"”]")


def quoted_spans(answer: str) -> list[tuple[int, int]]:
    """Spans inside quotation marks: usually someone else's words."""
    return [(m.start(1), m.end(1)) for m in _QUOTED.finditer(answer)]
