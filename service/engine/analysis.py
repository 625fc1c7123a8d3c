"""Reads an answer: which sentences are the candidate's own, what signals each holds, and the flags."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache

from service.engine.prefilter import may_match
from service.engine.text import (
    Hit,
    Sentence,
    candidates,
    field_patterns,
    find_hits,
    is_reported,
    lexicon,
    matches,
    negated,
    quoted_spans,
    sentences,
)
from service.rubric import Rubric
from service.schemas import FeedbackRequest, FlagCode

SIGNALS = ("goal", "steps", "vague", "value", "authentic", "role_ref", "bridge", "growth")
_LEAVE_WEAK = re.compile(
    r"\b(leave|leaving|move on|moving on|jump|jumping|switch|switching|exit|quit|quitting|outgrow)\b", re.I
)
_LEAVE_OK = re.compile(
    r"\b(leave (a|my|an|our|the) (mark|legacy|impact|footprint|imprint)|switch(ing)? (teams|roles|projects) (internally|within)|"
    r"jump(ing)? (straight )?(up )?(to|into) (a |the )?(director|manager|senior|lead|vp|head|partner|chief|cto|ceo)|"
    r"leave (work|the office) (at|on time)|leave (it|things|them|the \w+|every \w+) better|move on to (the next|bigger|more complex) (project|challenge|stage|task)s?)\b",
    re.I,
)
_ELSEWHERE = re.compile(
    r"\b(another|other|different|bigger|larger|new|next|better|own)\s+(company|companies|firm|employer|job|organi[sz]ation|"
    r"industry|field|career|business|opportunit(y|ies)|place)\b|\bsomewhere else\b|\belsewhere\b",
    re.I,
)
_UNBOUNDED = re.compile(
    r"\b(long(er)?[- ]term|eventually|someday|some day|one day|down the (road|line)|ultimately|in the future)\b",
    re.I,
)
_TIME = re.compile(
    r"\b(?:in|within|inside(?: of)?|over|after|by|the next|next|for)\s+(?:the\s+next\s+|about\s+|around\s+|roughly\s+|just\s+)?"
    r"(\d+(?:\.\d+)?|one|a|an|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|a couple of|a few|several|half a)"
    r"[\s-]+(years?|months?|decades?)\b|\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|eighteen|twenty)"
    r"[\s-]+(?:to[\s-]+\w+[\s-]+)?(years?|months?)(?:\s+(?:from now|out|tops|max))?\b",
    re.I,
)
_SOON = re.compile(
    r"\b(by|before|until)\s+(the end of\s+)?(next|this|the|my)?\s*(year|summer|spring|fall|autumn|winter|quarter|internship|program)\b|\bnext year\b|"
    r"\bwithin (a|the) year\b|\bthis year\b|\bright away\b|\bimmediately\b|\bsoon\b|\bquickly\b|\bfast[- ]track\b|"
    r"\bright after (graduat\w+|school|my internship|this internship|college)\b|\bstraight (into|to|out of)\b|\bin no time\b|"
    r"\bwithin my first (year|few months|months)\b|\bnot long after\b|\bafter (graduat\w+|my internship|this internship)\b|"
    r"\bby my (first|second|next) (performance |annual )?review\b|\b(in|within) (one|two|three|1|2|3)\s*[.!]|"
    r"\binside of a year\b|\bby the end of year (one|two|1|2)\b",
    re.I,
)
_PATH = re.compile(
    r"\b(\w+[- ]year (path|journey|track|plan|road)|(ten|twelve|fifteen|twenty|\d{2})[- ](to|or)[- ]\w+[- ]years?|"
    r"(ten|twelve|fifteen|twenty|\d{2})[- ]plus years|long road|many years|long game)\b",
    re.I,
)
_AGE = re.compile(
    r"\b(?:by|before)\s+(?:the time\s+)?(?:i'?m|i am|i turn|age|turning)?\s*(2\d|3\d)\b|"
    r"\bby the time i'?m (2\d|3\d)\b",
    re.I,
)
_YEAR = re.compile(r"\b(?:by|before|in)\s+(20[2-4]\d)\b")
_SHORT_MARK = re.compile(
    r"\b(short[- ]term|right now|immediate(ly)?|this year|next year|near[- ]term|to start|initially)\b", re.I
)
_WORD = re.compile(r"[a-z][a-z']{2,}")
_STOP = set(
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


@dataclass
class Analysis:
    """Everything the judge and the writer need to know about one answer."""

    request: FeedbackRequest
    sentences: list[Sentence]
    own: list[Sentence]  # the candidate's own sentences: not reported speech, not grader instructions
    hits: dict[str, list[Hit]]
    injection: list[Hit]
    flags: dict[FlagCode, Hit | None] = field(default_factory=dict)
    role_fields: frozenset[str] = frozenset()
    overlap: list[Hit] = field(default_factory=list)
    target_rung: float | None = None
    timeline_years: float | None = None
    _concrete: int | None = None

    @property
    def _role_names(self) -> str:
        role = self.request.role
        return " ".join(filter(None, [role.title, role.company, role.industry]))

    def count(self, group: str) -> int:
        """Distinct own sentences holding this signal."""
        return len({h.sentence for h in self.hits.get(group, [])})

    def concrete(self) -> int:
        """Own sentences that show a step, or a goal specific enough to act on (names, numbers, dates)."""
        if self._concrete is None:
            self._concrete = self._count_concrete()
        return self._concrete

    def _count_concrete(self) -> int:
        units: dict[int, set[int]] = defaultdict(set)  # sentence -> clauses holding a step (max 2 count)
        breaks: dict[int, list[int]] = {}  # clause boundaries per sentence, found once (not once per hit)
        for h in self.hits.get("steps", []):
            sentence = self.sentences[h.sentence]
            if h.sentence not in breaks:
                breaks[h.sentence] = [m.start() for m in _CLAUSE.finditer(sentence.text)]
            units[h.sentence].add(bisect_right(breaks[h.sentence], h.start - sentence.start - 1))
        for index in {h.sentence for h in self.hits.get("goal", [])}:  # each sentence once, however many hits
            if _specificity(self.sentences[index].text, self._role_names) >= 2:
                units[index].add(-1)
        return sum(min(2, len(clauses)) for clauses in units.values())

    def first(self, group: str) -> Hit | None:
        found = self.hits.get(group, [])
        return found[0] if found else None

    def sentence_of(self, hit: Hit) -> Sentence:
        return self.sentences[hit.sentence]


_CLAUSE = re.compile(r"[,;:]|\band\b|\bbut\b|\bthen\b")
_SPECIFIC = re.compile(
    r"\d|(?<=[a-z,;:] )[A-Z][\w+&-]+|\b[A-Z]{2,}\b|\b\w+-\w+(-\w+)?\b|"
    r"\b(this|next|by|in my first|within my first) (summer|fall|spring|winter|quarter|year|month|review|90 days|term)\b|"
    r"\b(in half|by half|double|triple|a third|a quarter|one|two|three|four|six|seven|eight|nine|ten|twelve|twenty)\b"
)


_BUZZ = re.compile(
    r"\b(high-performance|mission-driven|people-first|best-in-class|world-class|once-in-a-generation|"
    r"value-add\w*|data-driven|customer-centric|forward-thinking|cutting-edge|next-level|results-driven)\b",
    re.I,
)
_TITLE_WORDS = re.compile(
    r"\b(chief|officer|president|vice|director|manager|head|executive|senior|partner|lead|principal|"
    r"ceo|cto|cfo|coo|cmo|cio|vp|svp|evp)\b",
    re.I,
)


def _specificity(text: str, exclude: str = "") -> int:
    """Rough count of concrete tokens: numbers, names, acronyms, compound nouns, near dates; job titles,
    the role's own names and buzzwords do not count."""
    text = _TITLE_WORDS.sub("", text)
    for name in exclude.split():
        if len(name) > 2:
            text = text.replace(name, "")
    text = _BUZZ.sub("", text)
    return len(_SPECIFIC.findall(text))


def _in_quotes(hit: Hit, spans: list[tuple[int, int]]) -> bool:
    return any(start <= hit.start and hit.end <= end for start, end in spans)


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


def stem(word: str) -> str:
    """A light stem so that nurse/nursing and marketer/marketing meet."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)][:6]
    return word[:6]


def _words(text: str) -> set[str]:
    return {stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP}


@cache
def _number_words() -> dict[str, float]:
    return {k: float(v) for k, v in lexicon()["timeframes"]["numbers"].items()}


def parse_years(text: str, today: date | None = None) -> float | None:
    """The shortest timeframe a sentence names, in years; None when it names none."""
    found: list[float] = []
    numbers = _number_words()
    for m in _TIME.finditer(text):
        amount, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        value = float(amount) if amount[0].isdigit() else numbers.get(amount.lower(), 1.0)
        unit = unit.lower()
        found.append(
            value / 12 if unit.startswith("month") else value * 10 if unit.startswith("decade") else value
        )
    if _SOON.search(text):
        found.append(1.0)
    this_year = (today or date.today()).year
    for m in _YEAR.finditer(text):
        if int(m.group(1)) > this_year:  # "I graduated in 2024" is history, not a deadline
            found.append(float(int(m.group(1)) - this_year))
    for m in _AGE.finditer(text):
        found.append(
            4.0 if int(m.group(1) or m.group(2)) <= 30 else 10.0
        )  # "CEO by 25/30": a few years into a career
    return min(found) if found else None


def rung_of(text: str, aimed: bool = False) -> float | None:
    """The highest rung of the seniority ladder the text names; with `aimed`, only rungs the candidate
    aims at ("be a director", "promoted to head of"), not ones they mention ("pitch it to the editor")."""
    best: float | None = None
    folded = text.lower()
    if len(folded) != len(text):  # offsets below index `text`; keep them aligned
        folded = text
    for pattern, rung in _ladder():
        for m in pattern.finditer(folded):
            before = text[max(0, m.start() - 30) : m.start()]
            if aimed and (
                _CONTRAST.search(before)
                or not (_ASPIRE.search(before) or _ASPIRE_AT.match(text[m.start() :]) or len(text) < 25)
            ):
                continue
            best = rung if best is None else max(best, rung)
    return best


_ASPIRE = re.compile(
    r"\b(be|become|becoming|make|making|reach|reaching|promoted|promotion|get to|as|into|run|running|lead|"
    r"leading|head|heading|step into|move up|appointed|role of|my way|aim|target|title|seat|see myself|picture myself)\b"
    r"[^.,;]{0,25}$",
    re.I,
)
_ASPIRE_AT = re.compile(r"(run|running|lead|leading|head|heading|make|making|be|become|becoming)\b", re.I)
_CONTRAST = re.compile(r"\b(than|rather than|instead of|not)\s+(at\s+)?$", re.I)


@cache
def _ladder() -> tuple[tuple[re.Pattern[str], float], ...]:
    return tuple((re.compile(p), float(r)) for p, r in lexicon()["ladder"]["rungs"])


@lru_cache(maxsize=8192)
def fields_in(text: str, among: frozenset[str] | None = None) -> frozenset[str]:
    """Fields of work whose vocabulary the text uses, optionally only among some (memoised: the same
    sentence is asked about often)."""
    folded = text.lower()
    return frozenset(
        name
        for name, (p, lits) in field_patterns().items()
        if (among is None or name in among) and may_match(lits, folded) and p.search(folded)
    )


def analyse(request: FeedbackRequest, rubric: Rubric) -> Analysis:
    """Split, attribute and match the answer; then decide the red flags."""
    answer = request.answer
    all_sentences = sentences(answer)
    quotes = quoted_spans(answer)
    injection: list[Hit] = []
    own: list[Sentence] = []
    injection_screen = candidates("flags", "injection", answer)
    for s in all_sentences:
        found = find_hits("injection", "flags", s, injection_screen)
        if found:
            injection.extend(found)
        elif not is_reported(s):
            own.append(s)
    hits: dict[str, list[Hit]] = defaultdict(list)
    screens = {group: candidates("signals", group, answer) for group in SIGNALS}
    for s in own:
        for group in SIGNALS:
            for h in find_hits(group, "signals", s, screens[group]):
                if group in ("goal", "steps", "value", "authentic") or not _in_quotes(h, quotes):
                    hits[group].append(h)
    a = Analysis(request=request, sentences=all_sentences, own=own, hits=hits, injection=injection)
    role = request.role
    role_text = " ".join(filter(None, [role.title, role.industry, role.company, role.description]))
    # The title and industry say what the role is; a description mentions everything, so it only fills gaps.
    a.role_fields = fields_in(" ".join(filter(None, [role.title, role.industry]))) or fields_in(role_text)
    role_words = _words(" ".join(filter(None, [role.title, role.industry, role.description])))
    for s in own:
        for m in _WORD.finditer(s.text.lower()):
            if m.group(0) not in _STOP and stem(m.group(0)) in role_words:
                a.overlap.append(Hit("overlap", s.index, s.start + m.start(), s.start + m.end(), m.group(0)))
    _decide_flags(a, rubric, quotes)
    return a


def _own_flag_hits(a: Analysis, group: str, quotes: list[tuple[int, int]]) -> list[Hit]:
    out: list[Hit] = []
    screen = candidates("flags", group, a.request.answer)
    if screen == []:
        return out
    for s in a.own:
        for h in find_hits(group, "flags", s, screen):
            if not negated(s, h.start, h.end) and not _in_quotes(h, quotes):
                out.append(h)
    return out


def _decide_flags(a: Analysis, rubric: Rubric, quotes: list[tuple[int, int]]) -> None:
    flags = a.flags
    text_own = " ".join(s.text for s in a.own)
    if a.injection:
        flags["off_topic"] = a.injection[0]

    # no_goals: evasion, and nothing else that reads as a goal with substance
    evasions = _own_flag_hits(a, "no_goals", quotes)
    evasive = {h.sentence for h in evasions}
    stated = {h.sentence for h in a.hits.get("goal", [])} - evasive  # goals said plainly
    substance = a.count("steps") + a.count("growth")
    exploring = (
        a.request.role.level in ("intern", "entry")
        and stated
        and any(_EXPLORING.search(a.sentences[i].text) for i in evasive | stated)
    )
    # "not sure yet what I'm best at" is an honest early-career goal (the guide's rotation example)
    # evasion is having no goal, not admitting that year five is open ("long term I'm not sure yet")
    if (
        evasions
        and not exploring
        and (not stated or len(evasive) >= len(stated) or (substance == 0 and len(evasive) >= 2))
    ):
        flags["no_goals"] = evasions[0]
    elif not a.own:
        flags["no_goals"] = None

    # paycheck_only: money or security as the whole motivation
    pay = [
        h
        for h in _own_flag_hits(a, "paycheck", quotes)
        if not matches("flags", "paycheck_not", a.sentence_of(h))
    ]
    interest = a.count("authentic") + a.count("steps") + a.count("growth") + a.count("value")
    pay_sentences = len({h.sentence for h in pay})
    motive = _own_flag_hits(a, "paycheck_motive", quotes)
    if motive or (pay and (interest <= 1 or pay_sentences >= max(2, interest - 1) or len(pay) >= 3)):
        flags["paycheck_only"] = (motive or pay)[0]

    # stepping_stone: an exit plan, strong wording or leaving + elsewhere/soon
    stepping = _own_flag_hits(a, "stepping", quotes)
    for s in a.own:
        m = _LEAVE_WEAK.search(s.text)
        if m and not _LEAVE_OK.search(s.text) and not negated(s, s.start + m.start()):
            years = parse_years(s.text)
            if _ELSEWHERE.search(s.text) or (years is not None and years <= 3):
                stepping.append(Hit("stepping", s.index, s.start + m.start(), s.start + m.end(), m.group(0)))
    if stepping:
        flags["stepping_stone"] = stepping[0]
    flagged_first = flags.get("stepping_stone")

    # misaligned_goal: a goal at a named other company, or in another field with no bridge back
    misaligned = _misaligned(a)
    if misaligned is not None and (misaligned.group == "company" or a.count("bridge") == 0):
        flags["misaligned_goal"] = misaligned
        if (
            flagged_first is not None
            and flagged_first.sentence == misaligned.sentence
            and _OWN_VENTURE.search(a.sentence_of(misaligned).text)
        ):
            del flags["stepping_stone"]  # "a small place of my own" in another field: one problem, not two

    # unrealistic_timeline: rungs to climb versus the years named
    _timeline(a, rubric)

    # no goal stated: engaging with the question without answering it is no_goals; talking about
    # something else (strengths, past duties, opinions) is off_topic
    if a.own and a.count("goal") == 0 and not flags:
        engaged = any(_ABOUT_GOALS.search(s.text) for s in a.own)
        flags["no_goals" if engaged else "off_topic"] = None

    # vague: goals without steps or specifics
    if "paycheck_only" in flags and motive:
        flags.pop("no_goals", None)  # "the reimbursement is the reason I applied" answers the question
    motive_only = any(
        code in flags for code in ("paycheck_only", "no_goals", "stepping_stone", "misaligned_goal")
    )
    if not motive_only and ("off_topic" not in flags or (a.injection and a.count("goal"))):
        steps = a.concrete()
        goal_text = " ".join(a.sentences[i].text for i in {h.sentence for h in a.hits.get("goal", [])})
        generic = a.count("vague") >= 1 or _specificity(goal_text, a._role_names) == 0
        if a.count("goal") and ((steps == 0 and generic) or (steps == 1 and a.count("vague") >= 2)):
            flags["vague"] = a.first("vague") or a.first("goal")
    del text_own


@cache
def _targets() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Career-change wording (case-insensitive) and named-company wording (case matters: names)."""
    return re.compile(lexicon()["targets"]["career"], re.I), re.compile(lexicon()["targets"]["company"])


def _misaligned(a: Analysis) -> Hit | None:
    targets, company = _targets()
    adjacent: set[str] = set(a.role_fields)
    for f in a.role_fields:
        adjacent.update(lexicon()["fields_adjacent"].get(f, []))
    role_company = (a.request.role.company or "").lower()
    role = a.request.role
    role_words = _words(" ".join(filter(None, [role.title, role.industry])))
    goal_sentences = {h.sentence for h in a.hits.get("goal", [])}
    for s in a.own:
        # a named company counts only where the candidate states a goal ("I worked at X" is history)
        for m in company.finditer(s.text) if s.index in goal_sentences else ():
            name = m.group(1).strip(" .,'’")
            first = name.split()[0].lower().rstrip("'’s")
            if first in _NOT_ORGS or (
                role_company and (first in role_company or role_company.split()[0] in name.lower())
            ):
                continue
            if _words(name) & role_words:
                continue  # "Vice President of Regulatory Affairs": a title in the role's own field
            if not negated(s, s.start + m.start()):
                return Hit("company", s.index, s.start + m.start(), s.start + m.end(), m.group(0))
        for m in targets.finditer(s.text):
            # the target is the phrase right after the verb, up to the clause's end
            tail = re.split(r"[,;:()]| - | – | and (i|that|this|it)\b", s.text[m.end() : m.end() + 60])[0]
            if _THIS_ROLE.search(tail) or (_words(tail) & role_words):
                continue  # "a learning officer at a museum like this one": the role itself
            tail_fields = fields_in(tail)
            if tail_fields and not (tail_fields & adjacent) and not negated(s, s.start + m.start()):
                end = min(len(s.text), m.end() + 60)
                return Hit("misaligned", s.index, s.start + m.start(), s.start + end, s.text[m.start() : end])
    return _drift(a, adjacent)


def _drift(a: Analysis, adjacent: set[str]) -> Hit | None:
    """The candidate's own sentences keep returning to one other field of work, more than to the role's."""
    if not a.role_fields:
        return None
    role = a.request.role
    # fields the description or company name mention are part of this job's world, not a pivot
    home_fields = adjacent | fields_in(" ".join(filter(None, [role.description, role.company])))
    per_field: dict[str, list[Sentence]] = defaultdict(list)
    home = 0
    role_words = _words(" ".join(filter(None, [role.title, role.industry])))
    mentioned = fields_in(" ".join(s.text for s in a.own))  # one pass; sentences are checked only for these
    for s in a.own:
        found = fields_in(s.text, mentioned)
        if _THIS_ROLE.search(s.text) or (_words(s.text) & role_words):
            home += bool(found)
            continue  # the role's own words: "freelance regulatory writing" is still regulatory work
        home += bool(found & a.role_fields)
        for name in found - home_fields:
            per_field[name].append(s)
    goal_sentences = {h.sentence for h in a.hits.get("goal", [])}
    for found_in in sorted(per_field.values(), key=len, reverse=True):
        # past service ("In the Army I ran...") is background; a pivot is stated as goals, at least twice
        stated = sum(s.index in goal_sentences for s in found_in)
        if len(found_in) >= 2 and len(found_in) > home and stated >= 1 and a.count("bridge") == 0:
            first = next(s for s in found_in if s.index in goal_sentences)
            return Hit("misaligned", first.index, first.start, first.end, first.text)
    return None


_THIS_ROLE = re.compile(
    r"\b(like this one|this (role|company|team|firm|organi[sz]ation|one)|here|your|with you|for you|the team('s)?|"
    r"our team|the company)\b",
    re.I,
)
# The guide's rotation example: finding out where one's strengths lie is itself an early-career goal.
_EXPLORING = re.compile(
    r"\b(find out|figure out|work out|understand|learn|discover|see)\b[^.]{0,40}\b(what|which|where)\b[^.]{0,40}"
    r"\b(good at|best at|strongest|strengths?|suits me|fit best|enjoy most)\b|\bstill deciding between\b|"
    r"\bnot sure yet (if|whether) i'?d\b|\bhelps? me (figure|work) (that|it) out\b",
    re.I,
)
_OWN_VENTURE = re.compile(r"\b(of my own|my own \w+)\b", re.I)
_ABOUT_GOALS = re.compile(
    r"\b(goals?|plans?|planning|five years|5 years|future|short[- ]term|long[- ]term|top (three|3)|ambitions?|"
    r"down the (track|road|line)|where i'?ll be|next step)\b",
    re.I,
)
_NOT_ORGS = set(
    [
        "i",
        "a",
        "an",
        "the",
        "my",
        "our",
        "your",
        "this",
        "that",
        "it",
        "we",
        "he",
        "she",
        "they",
        "here",
        "there",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "christmas",
        "university",
        "college",
        "school",
        "state",
        "city",
        "county",
        "first",
        "second",
        "third",
        "long",
        "short",
        "next",
        "year",
    ]
)


def _timeline(a: Analysis, rubric: Rubric) -> None:
    level = a.request.role.level
    current = float(lexicon()["levels"][level])
    per_rung = rubric.years_per_rung(level)
    five_year_question = bool(re.search(r"\bfive years|5 years\b", a.request.question, re.I))
    for s in a.own:
        rung = rung_of(s.text, aimed=True)
        if rung is None or rung <= current:
            continue
        if a.target_rung is None or rung > a.target_rung:
            a.target_rung = rung  # ambition, whether or not a timeline comes with it
        after = [x for x in a.sentences[s.index + 1 : s.index + 3] if x in a.own]
        following = " ".join(x.text for x in after)
        previous = a.sentences[s.index - 1].text if s.index > 0 else ""
        if _PATH.search(s.text) or _PATH.search(following):
            continue  # "that's a fifteen-year path": the candidate knows the pace
        years = parse_years(s.text)
        if years is None and _UNBOUNDED.search(s.text):
            continue
        if years is None:
            # the timeframe often sits next door ("Five years out? Running the desk.")
            for neighbour in (following, previous):
                if neighbour and not _UNBOUNDED.search(neighbour):
                    years = parse_years(neighbour)
                    if years is not None:
                        break
        if years is None:
            if five_year_question and re.search(r"\b(see myself|be|become|in five|in 5)\b", s.text, re.I):
                years = 5.0
            elif _SHORT_MARK.search(s.text):
                years = 2.0
            else:
                continue
        gap = rung - current
        if a.target_rung is None or rung > a.target_rung:
            a.target_rung, a.timeline_years = rung, years
        needed = gap * per_rung
        if (gap >= 3 and years < 0.5 * needed) or (gap >= 2 and years <= 1):
            low = s.folded or s.text
            m = next(p.search(low) for p, r in _ladder() if r >= rung and p.search(low))
            assert m is not None
            a.flags["unrealistic_timeline"] = Hit(
                "unrealistic", s.index, s.start + m.start(), s.start + m.end(), s.text[m.start() : m.end()]
            )
            a.target_rung, a.timeline_years = rung, years
            return
