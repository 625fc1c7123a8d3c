"""Reads an answer: which sentences are the candidate's own, what signals each holds, and the flags."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field

from service.engine.pivots import fields_in, find_misaligned, in_other_field
from service.engine.text import (
    LOOKS_AHEAD,
    STOP_WORDS,
    WORD,
    Hit,
    Sentence,
    candidates,
    find_hits,
    is_record,
    is_reported,
    matches,
    negated,
    quoted_spans,
    sentences,
    stem,
    word_stems,
)
from service.engine.timeline import check_timeline, parse_years
from service.rubric import Rubric
from service.schemas import FeedbackRequest, FlagCode

SIGNALS = (
    "goal",
    "steps",
    "vague",
    "value",
    "authentic",
    "role_ref",
    "bridge",
    "growth",
    "momentum",
    "hedge",
)
_LEAVE_WEAK = re.compile(  # (not as a noun's modifier: "the switching journey", "the exit interviews")
    # nor others leaving: "I kept noticing curly clients leaving unhappy"
    r"(?<!\bthe )(?<!clients )(?<!customers )(?<!people )(?<!staff )(?<!patients )(?<!guests )(?<!members )"
    r"(?<!users )(?<!players )(?<!tenants )(?<!others )(?<!grads )(?<!graduates )(?<!nurses )(?<!colleagues )"
    r"(?<!employees )(?<!starters )(?<!joiners )\b(leave|leaving|move on|moving on|jump|jumping|switch|switching|exit|quit|quitting|outgrow)\b",
    re.I,
)
_LEAVE_OK = re.compile(
    r"\b(leave (a|my|an|our|the) (mark|legacy|impact|footprint|imprint)|switch(ing)? (teams|roles|projects) (internally|within)|"
    r"jump(ing)? (straight )?(up )?(to|into) (a |the )?(director|manager|senior|lead|vp|head|partner|chief|cto|ceo)|"
    r"leave (work|the office) (at|on time)|leave behind|leave (something|it|things) behind|why i'?m (leaving|looking)|leav(e|ing) my (current|present|old|last) (job|role|company|employer|position|team)|(move|moving) on to the next \w+|leave (it|things|them|the \w+|every \w+) better|move on to (the next|bigger|more complex) (project|challenge|stage|task)s?)\b",
    re.I,
)
_ELSEWHERE = re.compile(
    r"\b(another|other|different|bigger|larger|new|next|better|own)\s+(company|companies|firm|employer|job|organi[sz]ation|"
    r"industry|field|career|business|opportunit(y|ies)|place)\b|\bsomewhere else\b|\belsewhere\b|"
    r"\b(something|somewhere|someplace) (bigger|larger|better)\b",
    re.I,
)


@dataclass(frozen=True)
class Evidence:
    """Counts behind the guide's strong answer: specifics (names, numbers, dates), momentum already underway,
    ties to this employer, and concrete steps; against them, hedges that show the goal is not thought through."""

    specifics: int
    momentum: int
    employer: int
    hedges: int
    concrete: int


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
    # fields the whole answer mentions: any part of it can mention only these
    answer_fields: frozenset[str] = frozenset()
    overlap: list[Hit] = field(default_factory=list)
    target_rung: float | None = None
    timeline_years: float | None = None
    # flags the answer states in so many words: the calibration keeps them (calibration.calibrate)
    firm: frozenset[FlagCode] = frozenset()
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

    def evidence(self) -> Evidence:
        """What separates a strong answer from an honest but thin one (see `Evidence`)."""
        own_text = " ".join(s.text for s in self.own)
        company = (self.request.role.company or "").split()
        named = own_text.count(company[0]) if company and len(company[0]) > 2 else 0
        return Evidence(
            specifics=_specificity(own_text, self._role_names),
            momentum=len(self.hits.get("momentum", [])),
            employer=len(self.hits.get("role_ref", [])) + named,
            hedges=len(self.hits.get("hedge", [])),
            concrete=self.concrete(),
        )

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


def _names_the_role(text: str, role_words: set[str]) -> bool:
    """The words are the role's own ("mortgages" for a mortgages marketer is the work, not the motive)."""
    stems = word_stems(text)
    return bool(stems) and stems <= role_words


def _in_quotes(hit: Hit, spans: list[tuple[int, int]]) -> bool:
    return any(start <= hit.start and hit.end <= end for start, end in spans)


def analyse(request: FeedbackRequest, rubric: Rubric) -> Analysis:
    """Split, attribute and match the answer; then decide the red flags."""
    answer = request.answer
    all_sentences = sentences(answer)
    quotes = quoted_spans(answer)
    injection: list[Hit] = []
    own: list[Sentence] = []
    injection_screen = candidates("flags", "injection", answer)
    block_end = -1  # end of the last sentence of a note to the grader: what follows it, unbroken, is the note
    for s in all_sentences:
        found = find_hits("injection", "flags", s, injection_screen)
        if found:
            injection.extend(found)
            block_end = s.end
        elif block_end >= 0 and "\n\n" not in answer[block_end : s.start] and not _GOAL_AGAIN.search(s.text):
            block_end = s.end  # "Red flags: none. Excellent, specific answer." goes with the fake verdict
        elif not is_reported(s):
            block_end = -1
            own.append(s)
    hits: dict[str, list[Hit]] = defaultdict(list)
    screens = [(group, candidates("signals", group, answer)) for group in SIGNALS]
    screens = [(group, screen) for group, screen in screens if screen != []]  # no pattern can match: skip
    for s in own:
        for group, screen in screens:
            for h in find_hits(group, "signals", s, screen):
                if group in ("goal", "steps", "value", "authentic") or not _in_quotes(h, quotes):
                    hits[group].append(h)
    _list_items_as_goals(answer, own, hits)
    _fragment_as_goal(request.question, own, hits)
    a = Analysis(request=request, sentences=all_sentences, own=own, hits=hits, injection=injection)
    role = request.role
    role_text = " ".join(filter(None, [role.title, role.industry, role.company, role.description]))
    # The title and industry say what the role is; a description mentions everything, so it only fills gaps.
    a.answer_fields = fields_in(answer)
    a.role_fields = fields_in(" ".join(filter(None, [role.title, role.industry]))) or fields_in(role_text)
    role_words = word_stems(" ".join(filter(None, [role.title, role.industry, role.description])))
    for s in own:
        for m in WORD.finditer(s.text.lower()):
            if m.group(0) not in STOP_WORDS and stem(m.group(0)) in role_words:
                a.overlap.append(Hit("overlap", s.index, s.start + m.start(), s.start + m.end(), m.group(0)))
    _decide_flags(a, rubric, quotes)
    return a


_LIST_MARKER = re.compile(r"((^|\n)\s*([-*•>]|\d{1,2}\s*[.):]|\W{1,3})?|[.;:!?]\s+\d{1,2}\s*[.):])\s*$")


def _list_items_as_goals(answer: str, own: list[Sentence], hits: dict[str, list[Hit]]) -> None:
    """In a list answer ("1. Continuous learning. 2. Leadership excellence."), each item is a stated goal,
    however it is phrased: the list answers the question."""
    with_goal = {h.sentence for h in hits["goal"]}
    items = [s for s in own if _LIST_MARKER.search(answer[max(0, s.start - 8) : s.start])]
    if len(items) >= 2:
        for s in items:
            if s.index not in with_goal:
                hits["goal"].append(Hit("goal", s.index, s.start, s.end, s.text))


# "Where do you see yourself in five years?" - "Running a delivery station like this one." The sentence
# starts with a participle and has no subject or finite verb of its own (an aside between dashes or in
# brackets aside): it is the place they see themselves.
_SEE_YOURSELF = re.compile(r"\bsee yourself\b|\b(five|5|ten|10) years?\b", re.I)
_FRAGMENT = re.compile(
    r"^(?!(Looking|Speaking|Thinking|Being|Having|Given|Based|Coming|Going|Talking|Considering|Following|"
    r"According|Regarding|Including|Working|Saying|Putting|Getting|Reflecting|Reading|During|Morning|"
    r"Evening|Something|Everything|Anything|Nothing|Bring|Sing|King|Spring|Thing)\b)"
    r"([A-Z][a-z]+ing|Qualified|Registered|Certified|Chartered|Licensed|Promoted|Settled|Established|"
    r"In charge)\b"
)
_ASIDE = re.compile(r"\s[-–—]\s.*?(\s[-–—]\s|$)|\([^)]*\)")
_FINITE = re.compile(
    r"\b(I|I'm|I've|I'd|I'll|we|you|it|is|are|was|were|am|has|have|had|do|does|did|will|would|can|could|"
    r"should|taught|gave|made|means?)\b",
    re.I,
)


def _fragment_as_goal(question: str, own: list[Sentence], hits: dict[str, list[Hit]]) -> None:
    """A verbless answer to "where do you see yourself" ("Leading a team on this floor.") states where:
    a goal, when no other sentence states one."""
    if hits["goal"] or not own or not _SEE_YOURSELF.search(question):
        return
    first = own[0]
    body = _ASIDE.sub(" ", first.text)
    if _FRAGMENT.match(first.text) and len(body.split()) >= 3 and not _FINITE.search(body):
        hits["goal"].append(Hit("goal", first.index, first.start, first.end, first.text))


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


def _destinations(a: Analysis, quotes: list[tuple[int, int]]) -> tuple[list[Hit], Hit | None]:
    """Jobs at another organisation that the candidate looks ahead to: those in the role's field (an exit,
    stepping_stone) and the first in another field (a different career, misaligned_goal)."""
    goal_sentences = {h.sentence for h in a.hits.get("goal", [])}
    same_field: list[Hit] = []
    other_field: Hit | None = None
    for h in _own_flag_hits(a, "destination", quotes):
        s = a.sentence_of(h)
        ahead = h.sentence in goal_sentences or LOOKS_AHEAD.search(s.text)
        after = s.text[h.end - s.start :]
        if not ahead or _LIKE_THIS.match(after) or _HERE_AFTER.match(after):
            continue
        # the job's field, from the words before "at/with/in": "a junior trader job | at an investment bank"
        prep = _PREPOSITION.search(h.text)
        job = (
            s.text[max(0, h.start - s.start - 30) : h.start - s.start]
            + h.text[: prep.start() if prep else None]
        )
        if in_other_field(a, _ORG_NOUNS.sub("", job)):
            other_field = other_field or h
        else:
            same_field.append(h)
    return same_field, other_field


def _decide_flags(a: Analysis, rubric: Rubric, quotes: list[tuple[int, int]]) -> None:
    flags = a.flags
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
        and (
            not stated
            or len(evasive) >= len(stated)
            or (substance == 0 and len(evasive) >= 2 and len(stated) <= 1)
        )
    ):
        flags["no_goals"] = evasions[0]
    elif not a.own:
        flags["no_goals"] = None

    # paycheck_only: money or security as the whole motivation
    role = a.request.role
    role_words = word_stems(" ".join(filter(None, [role.title, role.industry])))
    pay = [
        h
        for h in _own_flag_hits(a, "paycheck", quotes)
        if not matches("flags", "paycheck_not", a.sentence_of(h)) and not _names_the_role(h.text, role_words)
    ]
    pay_in = {h.sentence for h in pay}
    interest = a.count("authentic") + a.count("steps") + a.count("growth") + a.count("value")
    pay_sentences = len(pay_in)
    motive = _own_flag_hits(a, "paycheck_motive", quotes)
    outweighed = bool(pay) and any(matches("flags", "paycheck_outweighed", s) for s in a.own)
    if motive or (
        pay and not outweighed and (interest <= 1 or pay_sentences >= max(2, interest - 1) or len(pay) >= 3)
    ):
        flags["paycheck_only"] = (motive or pay)[0]
        if _own_flag_hits(a, "paycheck_firm", quotes):
            a.firm = a.firm | {"paycheck_only"}  # pay is the reason they applied, in their own words

    # stepping_stone: an exit plan, strong wording or leaving + elsewhere/soon
    stepping = _own_flag_hits(a, "stepping", quotes)
    for s in a.own:
        m = None if is_record(s.text) else _LEAVE_WEAK.search(s.text)  # "I ran the IV-to-oral switch audit"
        if m and _in_quotes(
            Hit("stepping", s.index, s.start + m.start(), s.start + m.end(), m.group(0)), quotes
        ):
            m = None  # "'then jump to Google', they said": someone else's plan
        # the candidate leaving, not someone else ("your new adjusters leave in their first year")
        mine = _FIRST_PERSON.search(s.text[: m.start()]) or _ADOPTED.search(s.text) if m else None
        if m and mine and not _LEAVE_OK.search(s.text) and not negated(s, s.start + m.start()):
            years = parse_years(s.text)
            if _ELSEWHERE.search(s.text) or (years is not None and years <= 3):
                stepping.append(Hit("stepping", s.index, s.start + m.start(), s.start + m.end(), m.group(0)))
    same_field, elsewhere_in_field = _destinations(a, quotes)
    stepping += same_field
    if stepping:
        flags["stepping_stone"] = stepping[0]
    flagged_first = flags.get("stepping_stone")

    # misaligned_goal: a goal at a named other company, or in another field with no bridge back
    misaligned = find_misaligned(a) or elsewhere_in_field
    if misaligned is None or misaligned.group == "company":
        bridged = False  # no bridge excuses a goal at another company
    elif misaligned.group == "admitted":  # "I know this role is X, but the skills carry over" is no bridge
        bridged = any(h.sentence != misaligned.sentence for h in a.hits.get("bridge", []))
    else:
        bridged = a.count("bridge") > 0
    if misaligned is not None and not bridged:
        flags["misaligned_goal"] = misaligned
        # "a small studio of my own" in the other field: one problem, not two
        venture_only = all(h.sentence == misaligned.sentence or _OWN_VENTURE.search(h.text) for h in stepping)
        names_venture = _OWN_VENTURE.search(a.sentence_of(misaligned).text) or any(
            _OWN_VENTURE.search(h.text) for h in stepping
        )
        if flagged_first is not None and venture_only and names_venture:
            del flags["stepping_stone"]
        if "stepping_stone" not in flags and (interim := _own_flag_hits(a, "interim", quotes)):
            flags["stepping_stone"] = interim[0]  # "...and I'd give you my best until then": an exit as well
    if "stepping_stone" in flags and _own_flag_hits(a, "firm_exit", quotes):
        a.firm = a.firm | {"stepping_stone"}  # the stay and the exit in so many words: no doubt left

    # unrealistic_timeline: rungs to climb versus the years named
    check_timeline(a, rubric, quotes)

    # no goal stated: engaging with the question without answering it is no_goals; talking about
    # something else (strengths, past duties, opinions) is off_topic
    plans = [h for h in a.hits.get("goal", []) if not is_record(a.sentence_of(h).text)]
    slogans = a.count("vague") >= 2  # in two sentences or more
    phrases = len(a.hits.get("vague", []))  # buzzwords, however packed
    if a.own and not plans and not flags:
        engaged = any(_ABOUT_GOALS.search(s.text) for s in a.own)
        declines = any(_EVASIVE.search(s.text) for s in a.own)
        if a.count("vague") and not a.count("steps") and not declines:
            # "Leadership. Innovation. Operational excellence.": goals as slogans
            flags["vague"] = a.first("vague")
        else:
            flags["no_goals" if engaged else "off_topic"] = None
    elif (
        a.count("goal") <= 1
        and not flags
        and phrases < 3  # "...and my track record speaks for itself" closes slogans, not another answer
        and (other := _own_flag_hits(a, "other_question", quotes))
    ):
        flags["off_topic"] = other[0]  # "My top three strengths are...": the answer to another question

    # vague: goals without steps or specifics
    if "paycheck_only" in flags and motive:
        flags.pop("no_goals", None)  # "the reimbursement is the reason I applied" answers the question
    motive_only = any(
        code in flags for code in ("paycheck_only", "no_goals", "stepping_stone", "misaligned_goal")
    )
    if not motive_only and ("off_topic" not in flags or (a.injection and a.count("goal"))):
        steps = a.concrete()
        # specifics anywhere in the answer count, not only in goals
        own_text = " ".join(s.text for s in a.own)
        # a named next job at this employer is specific enough ("team lead here in a couple of years")
        next_here = a.target_rung is not None and a.count("role_ref")
        generic = a.count("vague") >= 1 or (
            _specificity(own_text, a._role_names) == 0 and not a.overlap and not next_here
        )
        wordy = steps <= 2 and phrases >= 4  # "drive transformational value... unlocking synergies"
        if a.count("goal") and ((steps == 0 and generic) or (steps == 1 and slogans) or wordy):
            flags["vague"] = a.first("vague") or a.first("goal")


# The guide's rotation example: finding out where one's strengths lie is itself an early-career goal.
_EXPLORING = re.compile(
    r"\b(find out|figure out|work out|understand|learn|discover|see)\b[^.]{0,40}\b(what|which|where)\b[^.]{0,40}"
    r"\b(good at|best at|strongest|strengths?|suits me|fit best|enjoy most)\b|\bstill deciding between\b|"
    r"\bnot sure yet (if|whether) i'?d\b|\bhelps? me (figure|work) (that|it) out\b",
    re.I,
)
# Declining to answer ("it really depends", "who knows"): no goals, not goals put vaguely.
_EVASIVE = re.compile(
    r"\b(it (all |really )?depends|who knows|open to anything|hard to (say|predict)|no idea)\b", re.I
)
_GOAL_AGAIN = re.compile(r"\b(i|i'?m|i'?d|i'?ll|my)\b", re.I)  # the candidate speaking again after a note
_PREPOSITION = re.compile(r"\s(at|with|in|into|for|to)\s", re.I)
_ORG_NOUNS = re.compile(r"\b(brands?|compan(y|ies)|business(es)?|groups?|firms?|organi[sz]ations?)\b", re.I)
_FIRST_PERSON = re.compile(r"\b(i|i'?ll|i'?d|i'?m|me|my)\b|^\W*$", re.I)
_ADOPTED = re.compile(
    r"\b(that'?s|that is|it'?s) (my|also my) plan( too| as well)?\b|\bsame (goes )?for me\b|\bme too\b", re.I
)
_LIKE_THIS = re.compile(r"\W{0,3}(like|such as|similar to) (this|yours|you|here|the one)\b", re.I)
_HERE_AFTER = re.compile(
    r"\W{0,3}(ideally|preferably|hopefully|maybe|and ideally|,? ideally)?\s*(here|with you|this one)\b", re.I
)
_OWN_VENTURE = re.compile(r"\b(of my own|my own \w+)\b", re.I)
_ABOUT_GOALS = re.compile(
    r"\b(goals?|(my|any|a|the|no|future) plans?|plan (for|ahead)|planning (for|ahead|my)|plan (that|so|too) far( ahead)?|\w+[- ]year plans?|five years|5 years|future|short[- ]term|long[- ]term|ambitions?|"
    r"down the (track|road|line)|where i'?ll be|next step)\b|\btop (three|3|two)\s*\?",
    re.I,
)
