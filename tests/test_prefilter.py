"""service/engine/prefilter.py: the literals it derives never hide a real match."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from service.engine.pivots import fields_in
from service.engine.prefilter import LiteralIndex, may_match, required_literals, top_level_alternatives
from service.engine.text import field_patterns, lexicon, literal_index, sentences

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "career_goals"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\b(money|paycheck|salary)\b", {"money", "paycheck", "salary"}),
        (r"\b(go|going) freelance\b", {" freelance"}),  # the longer literal filters more
        (r"\bnext level\b", {"next level"}),
        (r"\b\d+\s*(%|percent)", None),  # no literal of two characters or more is required
        (r"\b(open|start)\b.{0,40}(my own \w+)?", {"open", "start"}),  # an optional part adds nothing
        (r"(a|an) (x|y)", None),  # every literal is too short to filter anything
    ],
)
def test_required_literals(pattern: str, expected: set[str] | None) -> None:
    found = required_literals(pattern)
    assert (None if found is None else set(found)) == expected


def test_may_match_without_literals_always_runs() -> None:
    assert may_match(None, "anything")
    assert not may_match(frozenset({"salary"}), "i love the work")


def _lexicon_patterns() -> list[str]:
    out: list[str] = []
    for section in ("signals", "flags", "speech", "fields"):
        for value in lexicon()[section].values():
            out.extend([value] if isinstance(value, str) else value)
    return out


def _fixture_sentences() -> list[str]:
    texts: list[str] = []
    for path in sorted(FIXTURES.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.extend(s.text.lower() for s in sentences(json.loads(line)["request"]["answer"]))
    return texts


def test_prefilter_never_hides_a_match_in_any_fixture_sentence() -> None:
    """Soundness on the real lexicon and every fixture sentence: where a pattern matches, a literal occurs."""
    texts = _fixture_sentences()
    assert len(texts) > 1000
    checked = 0
    for pattern in _lexicon_patterns():
        compiled, literals = re.compile(pattern), required_literals(pattern)
        for text in texts:
            if compiled.search(text):
                checked += 1
                assert may_match(literals, text), (pattern, text)
    assert checked > 1000  # the check saw many real matches, not a vacuous pass


def test_literal_index_finds_exactly_the_literals_a_text_contains() -> None:
    """Short literals, shared starts, overlaps, a literal at the very end, repeats."""
    literals = ["ab", "abc", "abcd", "bcd", "cd", "money", "mon", "on the", "end"]
    index = LiteralIndex(literals)
    texts = ["", "a", "abcd", "xxabcdxx", "the money is on the table", "weekend", "cdcd", "mo", "the end"]
    for text in texts:
        assert index.present(text) == {lit for lit in literals if lit in text}, text


def test_literal_index_agrees_with_a_plain_scan_on_every_fixture_answer() -> None:
    """The lexicon's own index against `literal in text` for each of its literals, on every fixture answer."""
    index = literal_index()
    literals = index.literals
    assert len(literals) > 1000
    answers = [
        json.loads(line)["request"]["answer"].lower()
        for path in sorted(FIXTURES.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    for answer in answers[::7]:
        assert index.present(answer) == {lit for lit in literals if lit in answer}


def test_career_wording_matches_the_same_on_lower_cased_text() -> None:
    """pivots runs the career-change pattern without IGNORECASE on lower-cased sentences: same matches."""
    career = lexicon()["targets"]["career"]
    folded, ignoring = re.compile(career), re.compile(career, re.I)
    checked = 0
    for text in _fixture_sentences()[::5]:  # (already lower-cased)
        found = [m.span() for m in folded.finditer(text)]
        assert found == [m.span() for m in ignoring.finditer(text)], text
        checked += bool(found)
    assert checked > 100
    # and on mixed case, the lower-cased text finds what IGNORECASE finds in the original
    original = "Long term I want to BECOME a Paramedic, then Move Into teaching."
    assert [m.span() for m in folded.finditer(original.lower())] == [
        m.span() for m in ignoring.finditer(original)
    ]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"a|b(c|d)|e", ["a", "b(c|d)", "e"]),
        (r"[|]x|y", ["[|]x", "y"]),  # "|" inside a class does not split
        (r"[]|]x|y", ["[]|]x", "y"]),  # nor after a leading "]" that the class takes literally
        (r"[^]|]x|y", ["[^]|]x", "y"]),
        (r"\||z", ["\\|", "z"]),  # an escaped bar is a literal
        (r"(?<!bio)tech\b|(a|b)", ["(?<!bio)tech\\b", "(a|b)"]),
        (r"plain", ["plain"]),
    ],
)
def test_top_level_alternatives(pattern: str, expected: list[str]) -> None:
    assert top_level_alternatives(pattern) == expected


def test_fields_found_by_alternatives_equal_the_whole_patterns_on_every_fixture_answer() -> None:
    """fields_in searches only the alternatives its literals point to: the fields of the whole patterns."""
    answers = [
        json.loads(line)["request"]["answer"]
        for path in sorted(FIXTURES.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    seen = 0
    for answer in answers[::5]:
        folded = answer.lower()
        whole = {name for name, (p, _) in field_patterns().items() if p.search(folded)}
        assert fields_in(answer) == whole, answer
        seen += len(whole)
    assert seen > 500
