"""Text mechanics: sentences with offsets, reported speech, negation, and the lexicon loader."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from importlib.resources import files
from typing import Any

from service.engine.prefilter import LiteralIndex, may_match, required_literals, top_level_alternatives

# A decimal point ("5.0", "3.5 GPA") does not end a sentence.
_SENTENCE = re.compile(r"(?:[^.!?;\n•]|(?<=\d)\.(?=\d))+(?:[.!?;]+[\"'”’)]*|$|(?=\n)|(?=•))", re.MULTILINE)
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
def folded_patterns(section: str, name: str) -> tuple[tuple[re.Pattern[str], frozenset[str] | None], ...]:
    """The same patterns for lower-cased text (about 40% faster than IGNORECASE in Python's re), each with
    the literals any match must contain, so that the regex runs only where it can match."""
    group = lexicon()[section][name]
    items = [group] if isinstance(group, str) else group
    return tuple((re.compile(p), required_literals(p)) for p in items)


Candidates = list[tuple[re.Pattern[str], frozenset[str] | None]]


@lru_cache(maxsize=64)
def _lowered(answer: str) -> str:
    return answer.lower()


@cache
def literal_index() -> LiteralIndex:
    """Every required literal of the lexicon's signal, flag and field patterns, indexed."""
    literals: list[str] = []
    for section in ("signals", "flags"):
        for name in lexicon()[section]:
            literals += [lit for _, lits in folded_patterns(section, name) for lit in lits or ()]
    literals += list(field_alternatives().by_literal)  # (a field's whole-pattern literals are these, pooled)
    return LiteralIndex(literals)


@lru_cache(maxsize=64)
def literals_in(folded: str) -> frozenset[str]:
    """The lexicon's literals that occur in a lower-cased text (memoised: each answer is asked often)."""
    return literal_index().present(folded)


def candidates(section: str, name: str, answer: str) -> Candidates | None:
    """The group's patterns whose literals occur somewhere in the answer, each with only the literals that
    do: only these can match any of its sentences, and most groups (exits, grader instructions, evasion,
    pay) have none in most answers.
    None when lower-casing would shift offsets (rare): then every pattern runs, case-insensitively."""
    lowered = _lowered(answer)
    if len(lowered) != len(answer):
        return None
    out: Candidates = []
    found = literals_in(lowered)
    for pattern, literals in folded_patterns(section, name):
        if literals is None:
            out.append((pattern, None))
            continue
        present = literals & found
        if present:  # a sentence of the answer can only contain the answer's literals: check just those
            out.append((pattern, present))
    return out


def matches(section: str, name: str, sentence: Sentence) -> bool:
    """True when any pattern of the group matches the sentence."""
    folded = sentence.folded
    if folded is None:
        return any(p.search(sentence.text) for p in patterns(section, name))
    return any(may_match(lits, folded) and p.search(folded) for p, lits in folded_patterns(section, name))


@cache
def field_patterns() -> dict[str, tuple[re.Pattern[str], frozenset[str] | None]]:
    """Field of work -> pattern of its vocabulary for lower-cased text, with its required literals."""
    return {name: (re.compile(p), required_literals(p)) for name, p in lexicon()["fields"].items()}


@dataclass(frozen=True)
class FieldAlternatives:
    """The fields' top-level alternatives filed under their literals: a text's literals name the few
    alternatives worth searching for (a field's whole pattern costs a regex pass over the text per field)."""

    by_literal: dict[str, tuple[tuple[str, re.Pattern[str]], ...]]  # literal -> (field, alternative)
    always: tuple[tuple[str, re.Pattern[str]], ...]  # alternatives with no literal: searched in every text


@cache
def field_alternatives() -> FieldAlternatives:
    by_literal: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    always: list[tuple[str, re.Pattern[str]]] = []
    for name, pattern in lexicon()["fields"].items():
        for alternative in top_level_alternatives(pattern):
            entry = (name, re.compile(alternative))
            literals = required_literals(alternative)
            if literals is None:
                always.append(entry)
            for literal in literals or ():
                by_literal.setdefault(literal, []).append(entry)
    return FieldAlternatives({lit: tuple(v) for lit, v in by_literal.items()}, tuple(always))


@dataclass(frozen=True)
class Hit:
    """A lexicon match inside one sentence, with absolute offsets in the answer."""

    group: str
    sentence: int
    start: int
    end: int
    text: str


def find_hits(group: str, section: str, sentence: Sentence, screened: Candidates | None = None) -> list[Hit]:
    """Every match of a lexicon group in a sentence; `screened` (from `candidates`) skips the patterns
    that cannot match this answer at all."""
    hits: list[Hit] = []
    folded = sentence.folded
    compiled: Candidates
    if folded is None:
        text, compiled = sentence.text, [(p, None) for p in patterns(section, group)]
    else:
        text, compiled = folded, screened if screened is not None else list(folded_patterns(section, group))
    for pattern, literals in compiled:
        if not may_match(literals, text):
            continue
        for m in pattern.finditer(text):
            if m.end() > m.start():
                original = sentence.text[m.start() : m.end()]  # the candidate's own casing
                hits.append(
                    Hit(group, sentence.index, sentence.start + m.start(), sentence.start + m.end(), original)
                )
    return hits


# A sentence that looks ahead ("I figure a year or so here, then...") states a goal even without goal wording.
LOOKS_AHEAD = re.compile(
    r"\b(then|will|'ll|'d|would|want|plan|hope|aim|figure|next|eventually|someday|one day|after that|long[- ]term)\b",
    re.I,
)


# A sentence about the past ("Working in a care home I sat with families"): background, not a goal.
LOOKS_BACK = re.compile(
    r"\b(i|we)\s+(\w+\s+)?(was|were|sat|worked|spent|did|had|used to|grew up|started|began|left|joined|studied|"
    r"trained|served|ran|led|moved|grew|built|rebuilt|took|cut|doubled|tripled|managed|delivered|launched|raised|won|"
    r"increased|reduced|created|hired|made|went|got|came)\b|\b(when|while) i was\b|\b\w+ years? ago\b|\bat my (last|previous|old|first)\b",
    re.I,
)


def is_record(text: str) -> bool:
    """The sentence reports the past and says nothing ahead ("took NPS from 18 to 51 in two years")."""
    return bool(LOOKS_BACK.search(text)) and not LOOKS_AHEAD.search(text)


_NEGATION_WINDOW = 60  # characters before a signal in which a negation cancels it


_CLAUSE_BREAK = re.compile(r"[,;:.]|\b(?:but|although|though|however|yet)\b")


@cache
def _negation() -> re.Pattern[str]:
    return re.compile(lexicon()["speech"]["negation"], _FLAGS)


_NEGATED_AFTER = re.compile(
    r"^\W{0,3}\w*\s*(isn'?t|is not|wasn'?t|was not|aren'?t|are not)\s+(why|the reason|what|my)\b", re.I
)


def negated(sentence: Sentence, absolute_start: int, absolute_end: int | None = None) -> bool:
    """True when a negation stands in the few words before the position ("not about the money"), or
    right after the word ("money isn't why")."""
    local = absolute_start - sentence.start
    before = sentence.text[max(0, local - _NEGATION_WINDOW) : local]
    # a negation only reaches across its own clause
    before = _CLAUSE_BREAK.split(before)[-1]
    if _negation().search(before):
        return True
    if absolute_end is not None:
        after = sentence.text[absolute_end - sentence.start : absolute_end - sentence.start + 30]
        return bool(_NEGATED_AFTER.search(after))
    return False


def is_reported(sentence: Sentence) -> bool:
    """True when the sentence reports or rejects what someone else says or wants."""
    return matches("speech", "reported", sentence)


# Double quotes, or single quotes that open and close outside words (never the apostrophe of "I'm").
_QUOTED = re.compile(
    r"[\"“]([^\"”]{3,300})[\"”]|(?<!\w)['‘]((?:[^'‘’\n]|(?<=\w)['’](?=\w)){3,300}?)['’](?!\w)"
)


def quoted_spans(answer: str) -> list[tuple[int, int]]:
    """Spans inside quotation marks: usually someone else's words."""
    return [(m.start(g), m.end(g)) for m in _QUOTED.finditer(answer) for g in (1, 2) if m.group(g)]


WORD = re.compile(r"[a-z][a-z']{2,}")
# Words too common to tie an answer to a role.
STOP_WORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "from",
        "that",
        "this",
        "your",
        "you",
        "our",
        "are",
        "was",
        "were",
        "have",
        "has",
        "had",
        "will",
        "would",
        "could",
        "should",
        "about",
        "into",
        "over",
        "their",
        "they",
        "them",
        "then",
        "than",
        "also",
        "just",
        "more",
        "most",
        "very",
        "much",
        "many",
        "some",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "how",
        "role",
        "position",
        "job",
        "team",
        "company",
        "work",
        "working",
        "level",
        "role's",
        "manager",
        "senior",
        "junior",
        "associate",
        "lead",
    ]
)
_SUFFIXES = (
    "ations",
    "ation",
    "ments",
    "ment",
    "ings",
    "ing",
    "ists",
    "ist",
    "ers",
    "er",
    "es",
    "ed",
    "s",
    "e",
)


@lru_cache(maxsize=32768)
def stem(word: str) -> str:
    """A light stem so that nurse/nursing and marketer/marketing meet."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)][:6]
    return word[:6]


def word_stems(text: str) -> set[str]:
    """Stems of the text's content words."""
    return {stem(w) for w in WORD.findall(text.lower()) if w not in STOP_WORDS}
