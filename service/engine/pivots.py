"""Connection to the role: goals that point to another field of work or a named other company.

The guide: "Instead of sharing goals that point you toward a completely different company or industry, frame
your goals in a way that shows how you plan to grow within the opportunity"; a pivot is fine when it shows
its bridge. Fields of work are vocabulary in the lexicon; a goal is misaligned when it targets a field that is
neither the role's nor a neighbour, or a named company that is not the employer.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from service.engine.prefilter import may_match
from service.engine.text import (
    LOOKS_AHEAD,
    Hit,
    Sentence,
    field_alternatives,
    field_patterns,
    is_record,
    lexicon,
    literals_in,
    negated,
    word_stems,
)

if TYPE_CHECKING:
    from service.engine.analysis import Analysis


_THIS_ROLE = re.compile(
    r"\b(like this one|this (role|company|team|firm|organi[sz]ation|one)|here|your|with you|for you|the team('s)?|"
    r"our team|the company|you'?re|you are|the (department|firm|hospital|school|ward|unit|agency|council|practice|"
    r"organi[sz]ation|business|store|club|museum|trust|programme|program)('s)?)\b",
    re.I,
)


# A capitalised word inside the sentence other than "I": without one the company pattern cannot match.
_NAME_INSIDE = re.compile(r"\s(?!I\b|I['’])[A-Z]")


# Where the phrase a goal points at ends: "a real estate license | so I can..."
_CLAUSE_END = re.compile(
    r"[,;:()]| - | – | and (?:i|that|this|it)\b|\b(?:so (?:that )?i|because|since|which|while)\b", re.I
)


# "be Chief Allied Health Professions Officer": a capitalised title, not an organisation
_TITLE_IN_NAME = re.compile(r"\b(officer|director|manager|head|chief|president|partner)\b", re.I)
# "be at HR director level", "work for the PE licence": a function, a title or a credential follows, not an
# organisation.
_NOT_AN_ORG_AFTER = re.compile(
    r"\s+(director|manager|level|role|team|department|function|lead|head|licen[cs]e|exam|certification)\b",
    re.I,
)


# Capitalised words that follow "join" or "work at" without naming an organisation.
_NOT_ORGS = frozenset(
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
        # titles, not organisations ("be in the conversation for COO")
        "ceo",
        "coo",
        "cfo",
        "cto",
        "cmo",
        "cio",
        "cro",
        "cpo",
        "vp",
        "svp",
        "evp",
        "director",
        "head",
        "chief",
        "president",
        "partner",
        "principal",
        # places, not employers ("Chief Allied Health Professions Officer for England")
        "england",
        "scotland",
        "wales",
        "britain",
        "ireland",
        "europe",
        "america",
        "canada",
        "australia",
    ]
)


# Words of job titles and industry names that say nothing about the field ("Healthcare services", "engineer").
_GENERIC_ROLE_WORDS = frozenset(
    word_stems(
        "service services solutions systems group industry industries products engineer engineering specialist "
        "analyst coordinator assistant officer director technician consultant representative executive intern "
        "internship apprentice trainee staff general head chief vice president partner principal"
    )
)


_GENERIC_JOB = re.compile(
    r"\b(engineers?|engineering|specialists?|analysts?|managers?|consultants?|technicians?|officers?)\b", re.I
)


def _role_words(a: Analysis) -> set[str]:
    """Stems of the role's title and industry that name its field of work."""
    role = a.request.role
    return word_stems(" ".join(filter(None, [role.title, role.industry]))) - _GENERIC_ROLE_WORDS


@lru_cache(maxsize=8192)
def fields_in(text: str, among: frozenset[str] | None = None) -> frozenset[str]:
    """Fields of work whose vocabulary the text uses, optionally only among some (memoised: the same
    sentence is asked about often)."""
    folded = text.lower()
    if among is None:  # a whole answer or role: find its literals in one pass, search only where they lead
        alternatives = field_alternatives()
        found: set[str] = set()
        for literal in literals_in(folded):
            for name, p in alternatives.by_literal.get(literal, ()):
                if name not in found and p.search(folded):
                    found.add(name)
        found.update(name for name, p in alternatives.always if name not in found and p.search(folded))
        return frozenset(found)
    return frozenset(
        name
        for name, (p, lits) in field_patterns().items()
        if name in among and may_match(lits, folded) and p.search(folded)
    )


@cache
def _targets() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Career-change wording (case-insensitive), the same for lower-cased text (about half the time of
    IGNORECASE) and named-company wording (case matters: names)."""
    career = lexicon()["targets"]["career"]
    return re.compile(career, re.I), re.compile(career), re.compile(lexicon()["targets"]["company"])


_PART_OF = re.compile(r"\b(side|part|end|aspect|bit|half)\b", re.I)


@cache
def _named_first() -> re.Pattern[str]:
    return re.compile(lexicon()["targets"]["named_first"], re.I)


@cache
def _admitted() -> re.Pattern[str]:
    return re.compile(lexicon()["targets"]["admitted"], re.I)


def neighbourhood(a: Analysis) -> set[str]:
    """The role's fields of work and their neighbours."""
    adjacent: set[str] = set(a.role_fields)
    # consulting is a way of working, not a field: a workplace-psychology consultancy neighbours psychology's
    # fields, not every client industry
    spread = a.role_fields - {"consulting"} or a.role_fields
    for f in spread:
        adjacent.update(lexicon()["fields_adjacent"].get(f, []))
    return adjacent


def in_other_field(a: Analysis, text: str) -> bool:
    """The text names work in a field that is neither the role's nor a neighbour (False when the role's
    field is unknown: then nothing can be compared)."""
    found = fields_in(text, a.answer_fields)
    return bool(a.role_fields and found and not (found & neighbourhood(a)))


# The employer is where the candidate has been ("I've spent four seasons as lead assistant at Wearside"), not a goal.
_PAST_BEFORE = re.compile(
    r"\b(i'?ve|i have|i had|i)\s+(spent|worked|served|started|joined|led|ran|coached|trained)\b[^,.;]{0,40}"
    r"\b(as|at|with|for)\b[^,.;]{0,30}$",
    re.I,
)


def find_misaligned(a: Analysis) -> Hit | None:
    targets, folded_targets, company = _targets()
    adjacent = neighbourhood(a)
    role_company = (a.request.role.company or "").lower()
    role_words = _role_words(a)
    goal_sentences = {h.sentence for h in a.hits.get("goal", [])}
    for s in a.own:
        # a named company counts only where the candidate states a goal ("I worked at X" is history)
        looks_ahead = s.index in goal_sentences or LOOKS_AHEAD.search(s.text)
        for m in company.finditer(s.text) if looks_ahead and _NAME_INSIDE.search(s.text) else ():
            name = m.group(1).strip(" .,'’")
            first = name.split()[0].lower().rstrip("'’s")
            if (
                first in _NOT_ORGS
                or _NOT_AN_ORG_AFTER.match(s.text[m.end() :])
                or _PAST_BEFORE.search(s.text[: m.start(1)])
                or (role_company and (first in role_company or role_company.split()[0] in name.lower()))
            ):
                continue
            if word_stems(name) & role_words or _TITLE_IN_NAME.search(name):
                continue  # a title ("Vice President of Regulatory Affairs", "Chief ... Officer"), not an employer
            if not negated(s, s.start + m.start()):
                return Hit("company", s.index, s.start + m.start(), s.start + m.end(), m.group(0))
        # a target in a record ("Working in a care home I sat with families") is background
        plan = s.index in goal_sentences or not is_record(s.text)
        found = (
            ()
            if not (plan and a.role_fields)
            else (folded_targets.finditer(s.folded) if s.folded is not None else targets.finditer(s.text))
        )
        for m in found:  # offsets in the folded text are those of the sentence
            # the target is the phrase right after the verb, up to the clause's end
            tail = _CLAUSE_END.split(s.text[m.end() : m.end() + 60])[0]
            if _THIS_ROLE.search(s.text[m.end() :]) or (word_stems(tail) & role_words):
                continue  # "a learning officer at a museum like this one": the role itself
            # "a machine learning engineer": the field is in the qualifier, not in the generic job word
            tail_fields = fields_in(_GENERIC_JOB.sub(" ", tail), a.answer_fields)
            # the words right after the verb name the field ("venture capital and back fintech founders"),
            # unless the rest is the role's own ("specialise in sports rehab" for a physiotherapist)
            if tail_fields & adjacent and not tail_fields & a.role_fields:  # only then can the head decide
                head_fields = fields_in(_GENERIC_JOB.sub(" ", " ".join(tail.split()[:3])), a.answer_fields)
                if head_fields and not head_fields & adjacent:
                    tail_fields = head_fields
            if tail_fields and not (tail_fields & adjacent) and not negated(s, s.start + m.start()):
                end = min(len(s.text), m.end() + 60)
                return Hit("misaligned", s.index, s.start + m.start(), s.start + end, s.text[m.start() : end])
        # "finance is where I want to end up": the goal is the clause before the claim
        for m in _named_first().finditer(s.text) if plan and a.role_fields else ():
            head = _CLAUSE_END.split(s.text[max(0, m.start() - 60) : m.start()])[-1]
            head_fields = fields_in(_GENERIC_JOB.sub(" ", head), a.answer_fields)
            part = _PART_OF.search(head)  # "the supplier-contract side is where I": a part of this job
            if head_fields and not (head_fields & adjacent or part) and not (word_stems(head) & role_words):
                start = s.start + m.start() - len(head)
                return Hit(
                    "misaligned", s.index, start, s.start + m.end(), s.text[m.start() - len(head) : m.end()]
                )
    for s in a.own:  # "I know this role is in payroll, but...": the candidate says the goal lies elsewhere
        said = _admitted().search(s.text)
        if said and not negated(s, s.start + said.start()):
            return Hit("admitted", s.index, s.start + said.start(), s.start + said.end(), said.group(0))
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
    role_words = word_stems(" ".join(filter(None, [role.title, role.industry])))
    goal_sentences = {h.sentence for h in a.hits.get("goal", [])}
    mentioned = fields_in(
        " ".join(s.text for s in a.own), a.answer_fields
    )  # sentences are checked only for these
    for s in a.own:
        found = fields_in(s.text, mentioned)
        if _THIS_ROLE.search(s.text) or (word_stems(s.text) & role_words):
            home += bool(found)
            continue  # the role's own words: "freelance regulatory writing" is still regulatory work
        home += bool(found & a.role_fields)
        for name in found - home_fields:
            per_field[name].append(s)
    for found_in in sorted(per_field.values(), key=len, reverse=True):
        # past service ("In the Army I ran...") is background; a pivot is stated as goals, at least twice
        stated = sum(s.index in goal_sentences for s in found_in)
        if len(found_in) >= 2 and len(found_in) > home and stated >= 1 and a.count("bridge") == 0:
            first = next(s for s in found_in if s.index in goal_sentences)
            return Hit("misaligned", first.index, first.start, first.end, first.text)
    return None
