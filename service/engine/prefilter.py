"""Literal pre-filters for regular expressions: the strings any match must contain.

A lexicon pattern such as `\\b(money|paycheck|salary)\\b` can only match text containing "money",
"paycheck" or "salary". Checking those with `in` costs far less than running the regex engine, and most
patterns match nothing in most sentences, so the engine runs a pattern only when its literals are present.
Derived from the pattern's own parse tree, so the lexicon stays the single source of truth.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from re import _constants as C  # type: ignore[attr-defined]  # the stdlib parser's opcodes
from re import _parser as P  # type: ignore[attr-defined]
from typing import Any

_MIN_LEN = 2  # shorter literals filter almost nothing


def _best(candidates: list[frozenset[str]]) -> frozenset[str] | None:
    """The candidate whose shortest literal is longest (it filters the most text)."""
    usable = [c for c in candidates if c and min(len(s) for s in c) >= _MIN_LEN]
    if not usable:
        return None
    return max(usable, key=lambda c: (min(len(s) for s in c), -len(c)))


def _required(items: Any) -> frozenset[str] | None:
    """Strings of which at least one occurs in every match of the parsed sequence `items`."""
    candidates: list[frozenset[str]] = []
    run: list[str] = []

    def close_run() -> None:
        if len(run) >= _MIN_LEN:
            candidates.append(frozenset({"".join(run)}))
        run.clear()

    for op, av in items:
        if op is C.LITERAL:
            run.append(chr(av))
            continue
        if op is C.AT:  # \b, ^, $: zero-width, the literal run continues across them
            continue
        close_run()
        if op is C.SUBPATTERN:
            found = _required(av[3])
        elif op is C.BRANCH:
            parts = [_required(alt) for alt in av[1]]
            found = None if any(p is None for p in parts) else frozenset().union(*parts)  # type: ignore[arg-type]
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] >= 1:
            found = _required(av[2])
        else:  # optional repeats, character classes, look-arounds: nothing required from them
            found = None
        if found is not None:
            candidates.append(found)
    close_run()
    return _best(candidates)


@cache
def required_literals(pattern: str) -> frozenset[str] | None:
    """Literals (lower-case) of which every match of `pattern` contains one; None when none can be derived."""
    try:
        return _required(P.parse(pattern))
    except re.error:
        return None


def may_match(literals: frozenset[str] | None, folded_text: str) -> bool:
    """False only when the pattern cannot match this lower-cased text."""
    return literals is None or any(literal in folded_text for literal in literals)


class LiteralIndex:
    """Which of many literals a text contains, without one substring search per literal: each literal is
    filed under its first three characters, and only a literal whose first and last three characters both
    occur in the text is searched for. Exact: a literal that occurs brings its three-character pieces with it.
    """

    def __init__(self, literals: Iterable[str]) -> None:
        by_start: dict[str, list[tuple[str, str]]] = defaultdict(list)
        short: list[str] = []
        for literal in sorted(set(literals)):
            if len(literal) >= 3:
                by_start[literal[:3]].append((literal, literal[-3:]))
            else:
                short.append(literal)
        self._by_start = {key: tuple(group) for key, group in by_start.items()}
        self._starts = frozenset(self._by_start)
        self._short = tuple(short)

    @property
    def literals(self) -> frozenset[str]:
        return frozenset(self._short).union(lit for group in self._by_start.values() for lit, _ in group)

    def present(self, text: str) -> frozenset[str]:
        """The literals that occur in `text` (lower-cased, like the literals)."""
        found = [literal for literal in self._short if literal in text]
        grams = {text[i : i + 3] for i in range(len(text) - 2)}
        for start in grams & self._starts:
            found.extend(lit for lit, end in self._by_start[start] if end in grams and lit in text)
        return frozenset(found)


def top_level_alternatives(pattern: str) -> list[str]:
    """`a|b(c|d)|[|]e` -> ["a", "b(c|d)", "[|]e"]: the pattern's top-level alternatives. A text contains a
    match of the pattern exactly when it contains a match of one of them, and each alternative has its own
    literals, so a yes/no search can skip the alternatives whose literals are absent."""
    parts: list[str] = []
    depth, start, i, in_class = 0, 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "^":
                i += 1
            if pattern[i + 1 : i + 2] == "]":  # a leading "]" is a literal inside the class
                i += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts
