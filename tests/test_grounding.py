"""service/grounding.py: quotes found verbatim, or through typographic variants mapped back to offsets."""

from __future__ import annotations

import pytest

from service.grounding import Grounder

ANSWER = (
    "  I\u2019d like to \u201clead\u201d the analytics team\u2014within five years.\r\n"
    "Right now I\u00a0am taking the Google  Data Analytics course 😀 and I mentor two interns.\n"
    "Long-term: caf\u0065\u0301-style small teams, ﬁnance dashboards and SQL."
)


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        # exact substrings come back as themselves
        ("I mentor two interns", "I mentor two interns"),
        ("course 😀 and", "course 😀 and"),
        ("years.\r\nRight", "years.\r\nRight"),
        # a model's straight quotes and hyphen for the answer's curly quotes and em dash
        (
            'I\'d like to "lead" the analytics team-within five years',
            "I\u2019d like to \u201clead\u201d the analytics team\u2014within five years",
        ),
        # NBSP and a double space in the answer, single spaces in the quote
        (
            "I am taking the Google Data Analytics course",
            "I\u00a0am taking the Google  Data Analytics course",
        ),
        # case
        ("RIGHT NOW I AM TAKING", "Right now I\u00a0am taking"),
        # whitespace runs, including the CRLF line break, collapse to one space
        ("five years. Right now", "five years.\r\nRight now"),
        # surrounding quote marks and final punctuation a model adds around a quote
        ("\u201cI mentor two interns.\u201d", "I mentor two interns"),
        # a composed é in the quote for e + combining accent in the answer
        ("caf\u00e9-style small teams", "caf\u0065\u0301-style small teams"),
        # the ﬁ ligature in the answer, plain letters in the quote
        ("finance dashboards", "ﬁnance dashboards"),
    ],
    ids=[
        "exact",
        "exact-emoji",
        "exact-crlf",
        "curly-quotes-and-dash",
        "nbsp-and-double-space",
        "case",
        "crlf-as-space",
        "wrapped-in-quotes",
        "combining-accent",
        "ligature",
    ],
)
def test_quote_is_found_and_mapped_to_original_offsets(quote: str, expected: str) -> None:
    span = Grounder(ANSWER).find(quote)
    assert span is not None
    assert ANSWER[span.start : span.end] == span.text == expected


@pytest.mark.parametrize(
    ("answer", "quote"),
    [
        ("cafe\u0301 au lait every morning", "café au lait"),
        ("café au lait every morning", "cafe\u0301 au lait"),
        ("I\u2019ll lead the team", "i'll lead"),
        ("Ａｎａｌｙｔｉｃｓ lead", "analytics lead"),  # fullwidth letters fold under NFKC
    ],
)
def test_unicode_forms_match_both_ways(answer: str, quote: str) -> None:
    span = Grounder(answer).find(quote)
    assert span is not None
    assert answer[span.start : span.end] == span.text
    assert Grounder.normalise(span.text) == Grounder.normalise(quote)


@pytest.mark.parametrize(
    "quote",
    [
        "",
        "   ",
        "\r\n",
        "I want to be the CEO",
        "analytics team within ten years",
        "x",  # too short to find by normalisation, and not in the answer
    ],
    ids=["empty", "spaces", "newline", "absent", "near-miss", "too-short"],
)
def test_absent_empty_or_blank_quotes_are_none(quote: str) -> None:
    assert Grounder(ANSWER).find(quote) is None


def test_first_occurrence_is_returned() -> None:
    answer = "I lead. Then I lead again."
    span = Grounder(answer).find("I lead")
    assert span is not None
    assert (span.start, span.end) == (0, 6)


def test_normalised_match_finds_the_first_variant() -> None:
    answer = "We \u201cship\u201d weekly; we \u201cship\u201d daily."
    span = Grounder(answer).find('we "ship" daily')
    assert span is not None
    assert answer[span.start : span.end] == "we \u201cship\u201d daily"


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("  Hello\u00a0\u00a0World\r\n", "hello world"),
        ("\u2018a\u2019 \u201cb\u201d \u2013 c", "'a' \"b\" - c"),
        ("e\u0301", "\u00e9"),
        ("ﬁ", "fi"),
    ],
)
def test_normalise(text: str, normalised: str) -> None:
    assert Grounder.normalise(text) == normalised
