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


def _normalise_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch).translate(_FOLD).lower()


class Grounder:
    """Finds quotes in one answer; the answer is normalised once, then every lookup is a search."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        chars: list[str] = []
        origin: list[int] = []  # origin[i] = index in answer of normalised char i
        previous_space = True
        for index, ch in enumerate(answer):
            folded = _normalise_char(ch)
            for out in folded:
                if out.isspace():
                    if previous_space:
                        continue
                    out = " "
                    previous_space = True
                else:
                    previous_space = False
                chars.append(out)
                origin.append(index)
        self._normalised = "".join(chars)
        self._origin = origin

    @staticmethod
    def normalise(text: str) -> str:
        """The same folding as the answer gets: NFKC, quotes and dashes, case, whitespace runs."""
        folded = "".join(_normalise_char(ch) for ch in text)
        return " ".join(folded.split())

    def find(self, quote: str) -> Span | None:
        """The span of `quote` in the answer, exact first, then normalised; None when absent."""
        if not quote:
            return None
        start = self.answer.find(quote)
        if start >= 0:
            return Span(quote, start, start + len(quote))
        needle = self.normalise(quote.strip(_STRIP))
        if len(needle) < 3:
            return None
        position = self._normalised.find(needle)
        if position < 0:
            return None
        begin = self._origin[position]
        end = self._origin[position + len(needle) - 1] + 1
        return Span(self.answer[begin:end], begin, end)
