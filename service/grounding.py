"""Grounding: every quote must be verbatim in the answer; offsets are fixed from the text itself."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Typographic variants a model may substitute when it copies text, folded to one form.
_FOLD = str.maketrans(
    {
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'",
        "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"',
        "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
        "‹": "<", "›": ">", "«": "<", "»": ">",
        "\u00a0": " ",
    }
)  # fmt: skip
_STRIP = " \t\r\n\"'`.…,;:"


@dataclass(frozen=True)
class Span:
    """Where a quote sits in the answer: `answer[start:end] == text`."""

    text: str
    start: int
    end: int


def _clusters(text: str) -> list[tuple[int, int]]:
    """(start, end) of each base character with the combining marks that follow it."""
    bounds: list[tuple[int, int]] = []
    for index, ch in enumerate(text):
        if bounds and unicodedata.combining(ch):
            bounds[-1] = (bounds[-1][0], index + 1)
        else:
            bounds.append((index, index + 1))
    return bounds


def _normalise_cluster(cluster: str) -> str:
    # NFKC per cluster, not per character: "e" + U+0301 must become "é" to match a composed quote.
    return unicodedata.normalize("NFKC", cluster).translate(_FOLD).lower()


class Grounder:
    """Finds quotes in one answer; the answer is normalised once, then every lookup is a search."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        chars: list[str] = []
        # Normalised char i came from answer[starts[i]:ends[i]] (one cluster, maybe several chars).
        starts: list[int] = []
        ends: list[int] = []
        previous_space = True
        for begin, end in _clusters(answer):
            for out in _normalise_cluster(answer[begin:end]):
                if out.isspace():
                    if previous_space:
                        continue
                    out = " "
                    previous_space = True
                else:
                    previous_space = False
                chars.append(out)
                starts.append(begin)
                ends.append(end)
        self._normalised = "".join(chars)
        self._starts = starts
        self._ends = ends

    @staticmethod
    def normalise(text: str) -> str:
        """The same folding as the answer gets: NFKC, quotes and dashes, case, whitespace runs."""
        folded = "".join(_normalise_cluster(text[begin:end]) for begin, end in _clusters(text))
        return " ".join(folded.split())

    def find(self, quote: str) -> Span | None:
        """The span of `quote` in the answer, exact first, then normalised; None when absent."""
        if not quote.strip():  # whitespace is no evidence of anything
            return None
        start = self.answer.find(quote)
        if start >= 0:
            return Span(quote, start, start + len(quote))
        # Strip after folding, so curly quote marks a model wraps around the quote go too.
        needle = self.normalise(quote).strip(_STRIP)
        if len(needle) < 3:
            return None
        position = self._normalised.find(needle)
        if position < 0:
            return None
        begin = self._starts[position]
        end = self._ends[position + len(needle) - 1]
        return Span(self.answer[begin:end], begin, end)
