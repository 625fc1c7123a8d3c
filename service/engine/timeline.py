"""Timeframes and the seniority ladder: is the ambition realistic for the level and the time named?

The guide: "Saying you want to be CEO in three years when you're applying for an entry-level role doesn't
show confidence"; "Becoming a CEO might be a 15-year goal." A title the candidate aims at is placed on a
ladder of rungs, the years they name are parsed, and the climb is compared with the rubric's pace per rung.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

from service.engine.text import Hit, candidates, find_hits, lexicon, negated
from service.rubric import Rubric

if TYPE_CHECKING:
    from service.engine.analysis import Analysis


UNBOUNDED = re.compile(
    r"\b(long(er)?[- ]term|eventually|someday|some day|one day|down the (road|line)|ultimately|in the future)\b",
    re.I,
)


_TIME = re.compile(
    r"\b(?:in|within|inside(?: of)?|over|after|by|the next|next|for)\s+(?:the\s+next\s+|the\s+following\s+|the\s+coming\s+|about\s+|around\s+|roughly\s+|just\s+)?"
    r"(\d+(?:\.\d+)?|one|a|an|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|a couple of|a few|few|several|some|half a)"
    r"[\s-]+(years?|months?|decades?)\b|\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|eighteen|twenty)"
    r"[\s-]+(?:to[\s-]+\w+[\s-]+)?(years?|months?)(?:\s+(?:from now|out|tops|max))?\b",
    re.I,
)


_SOON = re.compile(
    r"\b(by|before|until)\s+(the end of\s+)?(next|this|the|my)?\s*(year(?!\s+(\d|one|two|three|four|five|six|seven|eight|nine|ten)\b)|summer|spring|fall|autumn|winter|quarter|internship|program)\b|\bnext year\b|"
    r"\bwithin (a|the) year\b|\bthis year\b|\bright away\b|\bimmediately\b|\bsoon\b|\bquickly\b|\bfast[- ]track\b|"
    r"\bright after (graduat\w+|school|my internship|this internship|college)\b|\bstraight (into|to|out of)\b|\bin no time\b|"
    r"\b(within|in|during) my first (year|few months|months|twelve months)\b|\bnot long after\b|\bafter (graduat\w+|my internship|this internship)\b|"
    r"\bby my (first|second|next) (performance |annual )?review\b|\b(in|within) (one|two|three|1|2|3)\s*[.!]|"
    r"\binside of a year\b|\bby the end of year (one|two|1|2)\b",
    re.I,
)


_PATH = re.compile(
    r"\b(\w+[- ]year (path|journey|track|plan|road)|(ten|twelve|fifteen|twenty|\d{2})[- ](to|or)[- ]\w+[- ]years?|"
    r"(ten|twelve|fifteen|twenty|\d{2})[- ]plus years|long road|many years|long game)\b",
    re.I,
)


_MONTH_RANGE = re.compile(r"\b(?:months?|mo\.?)\s*(\d{1,2})\s*[-–]\s*(\d{1,2})\b", re.I)
# a month count as a milestone ("by month 18 I'd expect to be Executive Editor")
_BY_MONTH = re.compile(r"\b(?:by|in|at|from)\s+month\s+(\d{1,2})\b", re.I)
# a plan laid out year by year ("Year 3: Head of Security Operations", "by year five")
_YEAR_LABEL = re.compile(
    r"(?:^\W*|\bby\s+|\bin\s+|,\s*)year\s+(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\b",
    re.I,
)


_AGE_WORDS = r"(?:twenty|thirty|forty|fifty)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
_AGE = re.compile(
    rf"\b(?:by|before)\s+(?:the time\s+)?(?:i'?m|i am|i turn|age|turning)?\s*(2\d|3\d|4\d|{_AGE_WORDS})\b(?![- ]?(?:years?|months?|%|percent|people|staff))|"
    rf"\bby the time i'?m (2\d|3\d|4\d|{_AGE_WORDS})\b",
    re.I,
)
# "I'm twenty-one now", "I am 24": the age the candidate gives for themselves
_AGE_NOW = re.compile(
    rf"\bi'?m\s+(?:only\s+|just\s+)?(1\d|2\d|3\d|4\d|5\d|{_AGE_WORDS})(?:\s+years old)?\s+(?:now|today|years old)\b",
    re.I,
)
# Typical age at each level, when the answer does not say
_AGE_AT_LEVEL = {"intern": 21.0, "entry": 23.0, "mid": 29.0, "senior": 36.0, "executive": 45.0}


def _age_value(word: str) -> float:
    if word[0].isdigit():
        return float(word)
    tens, _, unit = word.lower().replace(" ", "-").partition("-")
    units = _number_words()
    return {"twenty": 20.0, "thirty": 30.0, "forty": 40.0, "fifty": 50.0}[tens] + (
        units.get(unit, 0.0) if unit else 0.0
    )


def age_now(answer: str, level: str) -> float:
    """The candidate's age: as they state it, else typical for the role's level."""
    m = _AGE_NOW.search(answer)
    return _age_value(m.group(1)) if m else _AGE_AT_LEVEL.get(level, 29.0)


_YEAR = re.compile(r"\b(?:by|before|in)\s+(20[2-4]\d)\b")


_RULED_OUT = re.compile(r"\b(than|not|rather than|instead of)\s+(a |an |in |within |the )?$", re.I)


SHORT_TERM = re.compile(
    r"\b(short[- ]term|right now|immediate(ly)?|this year|next year|near[- ]term|to start|initially)\b", re.I
)


@cache
def _number_words() -> dict[str, float]:
    return {k: float(v) for k, v in lexicon()["timeframes"]["numbers"].items()}


def _amount(word: str, numbers: dict[str, float]) -> float:
    """A count in digits or words ("18", "eighteen", "a couple of")."""
    return float(word) if word[0].isdigit() else numbers.get(word.lower(), 1.0)


def parse_years(text: str, today: date | None = None, age: float | None = None) -> float | None:
    """The shortest timeframe a sentence names, in years; None when it names none. `age` is the
    candidate's, for deadlines given as ages ("CEO by thirty")."""
    found: list[float] = []
    numbers = _number_words()
    for m in _TIME.finditer(text):
        if _RULED_OUT.search(text, 0, m.start()):
            continue  # "more like a twenty-year goal than a five-year one": the five is what it is not
        amount, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        value = _amount(amount, numbers)
        unit = unit.lower()
        found.append(
            value / 12 if unit.startswith("month") else value * 10 if unit.startswith("decade") else value
        )
    for m in _MONTH_RANGE.finditer(text):  # a plan laid out as "Months 7-12: store manager"
        found.append(int(m.group(2)) / 12)
    found += [int(m.group(1)) / 12 for m in _BY_MONTH.finditer(text)]
    found += [_amount(m.group(1), numbers) for m in _YEAR_LABEL.finditer(text)]
    if _SOON.search(text):
        found.append(1.0)
    this_year = (today or date.today()).year
    for m in _YEAR.finditer(text):
        if int(m.group(1)) > this_year:  # "I graduated in 2024" is history, not a deadline
            found.append(float(int(m.group(1)) - this_year))
    for m in _AGE.finditer(text):
        target = _age_value(m.group(1) or m.group(2))
        if age is not None:
            found.append(max(0.5, target - age))
        else:
            found.append(4.0 if target <= 30 else 10.0)  # "CEO by 25/30": a few years into a career
    return min(found) if found else None


def rung_of(text: str, aimed: bool = False, next_of: str = "") -> float | None:
    """The highest rung of the seniority ladder the text names; with `aimed`, only rungs the candidate
    aims at ("be a director", "promoted to head of"), not ones they mention ("pitch it to the editor")."""
    best: float | None = None
    folded = text.lower()
    if len(folded) != len(text):  # offsets below index `text`; keep them aligned
        folded = text
    for pattern, rung in _ladder():
        for m in pattern.finditer(folded):
            if (
                next_of
                and len(m.group(0)) > 2
                and re.search(rf"\b{re.escape(m.group(0).lower())}\b", next_of)
            ):
                continue  # "principal" for an assistant principal: the role's own next step
            if _NOT_THE_RUNG.match(folded, m.end()) or (rung == 3 and _DEPUTY.search(folded, 0, m.start())):
                continue  # "supervisor trainee", "running the firm's legal technology": not that seat
            before = text[max(0, m.start() - 30) : m.start()]
            if (
                aimed
                and (
                    _CONTRAST.search(before)
                    or _HEDGED_DIRECTION.search(before)
                    or not (
                        _ASPIRE.search(before)
                        or _ASPIRE_AT.match(text[m.start() :])
                        or _SEAT.match(folded, m.end())  # "I want the CEO's chair"
                        or len(text) < 25
                        or _LIST_ITEM.search(before)  # "3. creative director within two years"
                        or (_CHAIN.search(before) and _ASPIRE.search(text[: m.start()].split(",")[0] + " "))
                    )
                )
            ):
                continue
            best = rung if best is None else max(best, rung)
    return best


# ("the CEO's chair" is the seat itself, "the editor's desk" is not)
_NOT_THE_RUNG = re.compile(
    r"\s*(trainee|apprentice|in training)\b|['’]s\b(?!\s+(chair|seat|job|role|office|position)\b)"
)
_SEAT = re.compile(r"['’]s\s+(chair|seat|job|role|office|position)\b")
# "an assistant residence manager": the seat below a manager (an assistant principal or director is senior)
_DEPUTY = re.compile(r"\b(assistant|deputy|trainee|junior)\s+([\w-]+\s+){0,2}$")
# "an associate, maybe heading toward VP": a hedged direction, not a seat to reach in the timeframe
_HEDGED_DIRECTION = re.compile(
    r"\b(maybe|perhaps|possibly|eventually)\s+(heading|working|moving)\s+towards?\s*$", re.I
)
_ASPIRE = re.compile(
    r"\b(be|become|becoming|make|making|reach|reaching|promoted|promotion|get to|as|into|run|running|lead|"
    r"leading|head|heading|step into|move up|appointed|role of|my way|aim|target|title|seat|see myself|picture myself)\b"
    r"[^.,;]{0,25}$",
    re.I,
)


# A title that opens a list item or follows a label is the item's goal ("2) CFO within two years", "Months 7-12: store manager").
_LIST_ITEM = re.compile(
    r"^\W*(((one|two|three|first|second|third|finally|lastly|\d+)\W+)|(\w+\s+){0,3}\d+\s*[-–]\s*\d+\s*:\s*|"
    r"(\w+[\s,]+){0,3}(year|month|phase|stage|step)\s+\w+\s*:\s*|"  # "Goal three, year three: CEO of the group"
    r"(short|long|longer)[- ]term\W+)?"
    r"((?!(the|my|our|your|his|her|their|this|that|a|an)\b)[a-z]+[- ]){0,2}$",
    re.I,
)
# "be a controller in two years and CFO within three": the second title shares the first one's verb.
_CHAIN = re.compile(r"\b(and|then|or|and then|before)\s+(a\s+|an\s+|the\s+)?$", re.I)


_ASPIRE_AT = re.compile(r"(run|running|lead|leading|head|heading|make|making|be|become|becoming)\b", re.I)


_CONTRAST = re.compile(
    r"\b(than|rather than|instead of|not)\s+(at\s+)?$|"
    r"\b(not|never|n't)\s+(\w+\s+){0,2}(to\s+)?(be|become|make|reach)\s+(an?\s+|the\s+)?$",  # "not trying to be a manager"
    re.I,
)


@cache
def _ladder() -> tuple[tuple[re.Pattern[str], float], ...]:
    return tuple((re.compile(p), float(r)) for p, r in lexicon()["ladder"]["rungs"])


_CLAUSE = re.compile(r"[,;]|\band\b|\bthen\b", re.I)


def _years_near_title(text: str, rung: float, age: float | None = None) -> float | None:
    """The timeframe of the clause that names the title, else of the clause after or before it, else the
    sentence's shortest: 'the CPIM in my first two years, and eventually lead a team, maybe eight to ten
    years out' sets ten years on the team, not two."""
    clauses = _CLAUSE.split(text)
    at = next((i for i, c in enumerate(clauses) if rung_of(c) == rung), None)
    if at is None or len(clauses) == 1:
        return parse_years(text, age=age)
    for i in (at, at + 1, at - 1):
        if 0 <= i < len(clauses) and (years := parse_years(clauses[i], age=age)) is not None:
            return years
    return parse_years(text, age=age)


def check_timeline(a: Analysis, rubric: Rubric, quotes: Sequence[tuple[int, int]] = ()) -> None:
    """Flag unrealistic_timeline for the first title aimed at too fast, or a business outcome promised within
    18 months; `quotes` (offsets in the answer) hold words someone else said ("my lecturer told us to say
    'running the firm in five years'")."""
    _check_titles(a, rubric, quotes)
    screen = candidates("flags", "moonshot", a.request.answer)
    if "unrealistic_timeline" in a.flags or screen == []:
        return
    for s in a.own:
        for h in find_hits("moonshot", "flags", s, screen):
            years = parse_years(s.text)
            if (
                years is not None
                and years <= MOONSHOT_YEARS
                and not _quoted(h.start, quotes)
                and not negated(s, h.start, h.end)
            ):
                a.flags["unrealistic_timeline"] = h
                return


def _quoted(offset: int, quotes: Sequence[tuple[int, int]]) -> bool:
    """The answer offset lies inside words someone else said."""
    return any(start <= offset < end for start, end in quotes)


PACE = 0.5  # three rungs or more in half the usual years is unrealistic (0.6 turned strong dev answers weak)
LABELLED_PACE = 0.6  # a plan laid out year by year, a rung a year or so (dev: 5 answers better, none worse)
MOONSHOT_YEARS = 1.5  # "within eighteen months": a listing or a tripled revenue is years of work


def _check_titles(a: Analysis, rubric: Rubric, quotes: Sequence[tuple[int, int]]) -> None:
    """The rungs the candidate aims at against the years they name: the first climb too fast is flagged."""
    level = a.request.role.level
    current = float(lexicon()["levels"][level])
    # a title can name a lower management seat than the level suggests: an executive-level director is not
    # yet in the C-suite (individual contributors' titles are left to the level: a senior associate at a law
    # firm is a step from partner)
    titled = rung_of(a.request.role.title)
    if titled is not None and 3 <= titled < current:
        current = titled
    per_rung = rubric.years_per_rung(level)
    age = age_now(a.request.answer, level)
    five_year_question = bool(re.search(r"\bfive years|5 years\b", a.request.question, re.I))
    for s in a.own:
        rung = rung_of(s.text, aimed=True, next_of=a.request.role.title.lower())
        if rung is None or rung <= current:
            continue
        if a.target_rung is None or rung > a.target_rung:
            a.target_rung = rung  # ambition, whether or not a timeline comes with it
        after = [x for x in a.sentences[s.index + 1 : s.index + 3] if x in a.own]
        following = " ".join(x.text for x in after)
        previous = a.sentences[s.index - 1].text if s.index > 0 else ""
        if _PATH.search(s.text) or _PATH.search(following):
            continue  # "that's a fifteen-year path": the candidate knows the pace
        years = _years_near_title(s.text, rung, age)
        if years is None and UNBOUNDED.search(s.text):
            continue
        if years is None:
            # the timeframe often sits next door ("Five years out? Running the desk.")
            for neighbour in (following, previous):
                if neighbour and not UNBOUNDED.search(neighbour):
                    years = parse_years(neighbour, age=age)
                    if years is not None:
                        break
        if years is None:
            if five_year_question and (
                re.search(r"\b(see myself|be|become|in five|in 5)\b", s.text, re.I)
                or len(s.text.split()) <= 4
            ):  # "Head of Content.": a title on its own is the answer to the question
                years = 5.0
            elif SHORT_TERM.search(s.text):
                years = 2.0
            else:
                continue
        gap = rung - current
        if a.target_rung is None or rung > a.target_rung:
            a.target_rung, a.timeline_years = rung, years
        needed = gap * per_rung
        # a plan laid out year by year that climbs a rung a year or so ("Year four: head of retail. Year five:
        # managing director") is held to a little more than half the usual pace
        pace = LABELLED_PACE if _YEAR_LABEL.search(s.text) or _BY_MONTH.search(s.text) else PACE
        if (gap >= 3 and years <= pace * needed) or (gap >= 2 and years <= 1):
            low = s.folded or s.text
            m = next(p.search(low) for p, r in _ladder() if r >= rung and p.search(low))
            assert m is not None
            at = s.start + m.start()
            if _quoted(at, quotes):
                continue  # the title sits inside someone else's words
            a.flags["unrealistic_timeline"] = Hit(
                "unrealistic", s.index, s.start + m.start(), s.start + m.end(), s.text[m.start() : m.end()]
            )
            a.target_rung, a.timeline_years = rung, years
            return
