"""Words: rationales, suggestions, goals, strengths, improvements and a rewrite, built from the answer itself."""

from __future__ import annotations

import re

from service.engine.analysis import Analysis
from service.engine.judge import Verdict
from service.engine.text import Hit, Sentence
from service.engine.timeline import SHORT_TERM, UNBOUNDED, parse_years
from service.rubric import Rubric
from service.schemas import CriterionOut, FlagCode, Goal, GoalCategory, QuoteOut, RedFlagOut

_CATEGORY_PATTERNS: tuple[tuple[GoalCategory, str], ...] = (
    (
        "entrepreneurship",
        r"\b(my own|start(ing)? a (company|business)|found(ing)?|launch(ing)? (a|my) (business|startup|agency|venture|project))\b",
    ),
    (
        "certification",
        r"\b(certif\w*|licen[cs]\w*|exam|credential|accredit\w*|pmp|cpa|cfa|shrm|aws|azure|scrum|six sigma|nclex|ccrn)\b",
    ),
    (
        "further_study",
        r"\b(degree|master'?s|mba|phd|bachelor'?s|university|college|grad(uate)? school|go back to school|study|studies)\b",
    ),
    ("coaching", r"\b(coach|coaching)\b"),
    ("mentoring", r"\b(mentor\w*)\b"),
    ("events", r"\b(conference|workshop|seminar|boot ?camp|summit|meetup|webinar)s?\b"),
    ("leadership", r"\b(lead\w*|manag\w*|supervis\w*|director|head of|run (the|a|my))\b"),
    (
        "role_growth",
        r"\b(promot\w*|senior|expert|specialist|grow (with|within|here)|ownership|own (the|a|my))\b",
    ),
    (
        "skills",
        r"\b(skill\w*|learn\w*|improv\w*|get better|master\w*|proficien\w*|sharpen\w*|strengthen\w*|develop\w*|hone)\b",
    ),
)
_CATEGORIES = tuple((cat, re.compile(p, re.I)) for cat, p in _CATEGORY_PATTERNS)
_LEVEL_NEXT = {
    "intern": "a full-time offer and first ownership of a small project",
    "entry": "owning a workstream and, in a few years, leading a small team",
    "mid": "leading larger projects and mentoring newer colleagues",
    "senior": "leading a team or practice and developing the people in it",
    "executive": "building the leadership bench and the organisation's long-term strategy",
}
_FLAG_ADVICE: dict[FlagCode, str] = {
    "unrealistic_timeline": "{q} skips whole stages for {a_level}-level role; name the next realistic milestone and the steps to it.",
    "misaligned_goal": "{q} points away from the {title} role; bridge it (how this role's skills carry you there) or lead with goals inside this role.",
    "stepping_stone": "{q} tells the interviewer you plan to leave; talk about how you want to grow here instead.",
    "paycheck_only": "{q} makes pay or security the whole motivation; say what in the work itself draws you.",
    "vague": "{q} could come from anyone; name one concrete step you are taking toward it (a course, a certification, a project) and when.",
    "no_goals": "Name a goal: one thing you want to get better at in this {title} role, and one step you have already started.",
    "off_topic": "Answer the question itself: one or two career goals and how this {title} role helps you reach them. Text aimed at a grader never helps.",
}


# The criterion each flag speaks to: its sentence is that criterion's evidence when the score is low.
_FLAG_CRITERION: dict[str, str] = {
    "unrealistic_timeline": "realism",
    "misaligned_goal": "role_alignment",
    "stepping_stone": "mutual_value",
    "paycheck_only": "authenticity",
    "vague": "concrete_steps",
}


def _a(word: str) -> str:
    """The indefinite article for a word: 'an entry-level', 'a mid-level'."""
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def _short(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _quote_for(a: Analysis, hit: Hit | None) -> str:
    """The verbatim sentence holding the hit (or the hit itself when the sentence is long)."""
    if hit is None:
        return ""
    sentence = a.sentence_of(hit)
    return sentence.text if len(sentence.text) <= 240 else hit.text


def _sentences_with(a: Analysis, group: str, limit: int = 2) -> list[Sentence]:
    seen: list[int] = []
    for h in a.hits.get(group, []):
        if h.sentence not in seen:
            seen.append(h.sentence)
    return [a.sentences[i] for i in seen[:limit]]


def _quoted(sentence: Sentence) -> str:
    return "“" + _short(sentence.text, 110) + "”"


def criteria(a: Analysis, verdict: Verdict, rubric: Rubric) -> list[CriterionOut]:
    """Each criterion with a rationale about this answer, verbatim evidence and a suggestion."""
    evidence_groups = {
        "authenticity": ["authentic"],
        "role_alignment": ["role_ref", "bridge", "value"],
        "realism": ["growth"],
        "concrete_steps": ["steps"],
        "mutual_value": ["value"],
    }
    out: list[CriterionOut] = []
    title, level = a.request.role.title, a.request.role.level
    for spec in rubric.criteria:
        score = verdict.criteria[spec.id]
        quotes: list[Sentence] = []
        for group in evidence_groups.get(spec.id, []):
            for s in _sentences_with(a, group):
                if s not in quotes:
                    quotes.append(s)
        flagged = [
            a.sentence_of(hit)
            for code, hit in a.flags.items()
            if hit is not None
            and _FLAG_CRITERION.get(code) == spec.id
            and len(a.sentence_of(hit).text) <= 240
        ]
        quotes = (flagged + [s for s in quotes if s not in flagged])[:2] if score <= 2 else quotes[:2]
        rationale = f"{spec.anchors[str(score)]}"
        if quotes:
            rationale += " For example: " + "; ".join(_quoted(s) for s in quotes)
        elif score <= 2:
            rationale += " Nothing in the answer shows it yet."
        suggestion = {
            "authenticity": "Say in one sentence why this goal matters to you personally: what in the work energises you.",
            "role_alignment": f"Name what in the {title} role your goals build on, so the interviewer sees a future for you there.",
            "realism": f"For {_a(level)}-level role, a realistic next milestone is {_LEVEL_NEXT[level]}; pace your ambition to it.",
            "concrete_steps": "Add a step already underway, with a name and a date (a course, a certification, a project).",
            "mutual_value": "Say what the team gets as you grow: a result you want to deliver for them.",
        }.get(spec.id, f"Work on: {spec.question}")
        out.append(
            CriterionOut(
                id=spec.id,
                score=score,
                rationale=rationale,
                evidence=[QuoteOut(quote=s.text) for s in quotes],
                suggestion=suggestion,
            )
        )
    return out


def red_flags(a: Analysis, rubric: Rubric) -> list[RedFlagOut]:
    """The flags with their verbatim sentences and the guide's reason."""
    out: list[RedFlagOut] = []
    for code, hit in a.flags.items():
        quote = _quote_for(a, hit)
        if code == "off_topic" and hit is not None:
            quote = hit.text
        out.append(RedFlagOut(code=code, quote=quote, explanation=rubric.flag(code).meaning))
    return out


def _category(text: str) -> GoalCategory:
    for cat, pattern in _CATEGORIES:
        if pattern.search(text):
            return cat
    return "other"


def goals(a: Analysis) -> list[Goal]:
    """The candidate's own goals, with horizon and category."""
    out: list[Goal] = []
    flagged = {
        h.sentence for code, h in a.flags.items() if h is not None and code in ("no_goals", "off_topic")
    }
    for s in _sentences_with(a, "goal", limit=6):
        if s.index in flagged:
            continue
        years = parse_years(s.text)
        long = bool(UNBOUNDED.search(s.text)) or (years is not None and years >= 3)
        if SHORT_TERM.search(s.text) and not UNBOUNDED.search(s.text):
            long = False
        out.append(
            Goal(text=_short(s.text, 160), horizon="long" if long else "short", category=_category(s.text))
        )
    return out


def strengths(a: Analysis, verdict: Verdict) -> list[str]:
    """What works, each tied to a quote from this answer."""
    out: list[str] = []
    title = a.request.role.title
    checks = [
        ("steps", 1, "You show momentum, not just hopes: {q}"),
        ("value", 1, "You tie your growth to what the employer gets: {q}"),
        ("role_ref", 1, f"You connect your goals to the {title} role: {{q}}"),
        ("authentic", 1, "Your motivation sounds personal and honest: {q}"),
        ("bridge", 1, "You show the bridge between where you are and where you are going: {q}"),
    ]
    for group, minimum, template in checks:
        found = _sentences_with(a, group, 1)
        if a.count(group) >= minimum and found:
            out.append(template.format(q=_quoted(found[0])))
    if (
        "unrealistic_timeline" not in a.flags
        and a.count("growth")
        and verdict.criteria.get("realism", 0) >= 4
    ):
        s = _sentences_with(a, "growth", 1)[0]
        out.append(f"Your ambition is paced for {_a(a.request.role.level)}-level role: {_quoted(s)}")
    return out[:4]


def improvements(a: Analysis, verdict: Verdict) -> list[str]:
    """The most useful changes, flags first, then the weakest criteria."""
    role = a.request.role
    out: list[str] = []
    for code, hit in a.flags.items():
        quote = _quote_for(a, hit)
        q = "“" + _short(quote, 110) + "”" if quote else "Your answer"
        out.append(_FLAG_ADVICE[code].format(q=q, a_level=_a(role.level), title=role.title))
    weakest = sorted(verdict.criteria.items(), key=lambda kv: kv[1])
    advice = {
        "concrete_steps": "Add one step you have already started toward your goal, with a name and a date.",
        "role_alignment": f"Say which part of the {role.title} work{' at ' + role.company if role.company else ''} your goals grow from.",
        "mutual_value": "Add what the team gains as you grow, e.g. a result you want to deliver in your first year.",
        "authenticity": "Say why the goal matters to you personally, in your own words.",
        "realism": f"Show ambition paced for {_a(role.level)}-level role: {_LEVEL_NEXT[role.level]}.",
    }
    covered = {
        "vague": "concrete_steps",
        "misaligned_goal": "role_alignment",
        "unrealistic_timeline": "realism",
        "paycheck_only": "authenticity",
        "stepping_stone": "mutual_value",
    }
    done = {covered[c] for c in a.flags if c in covered}
    for cid, score in weakest:
        if score <= 3 and cid in advice and cid not in done and len(out) < 4:
            out.append(advice[cid])
    return out


def rewrite(a: Analysis) -> str:
    """A stronger answer from the candidate's own goals and steps; [brackets] where a fact is missing."""
    role = a.request.role
    bad = {h.sentence for h in a.flags.values() if h is not None}
    goal_sentences = [s for s in _sentences_with(a, "goal", 6) if s.index not in bad]
    step_sentences = [s for s in _sentences_with(a, "steps", 3) if s.index not in bad]
    where = f"the {role.title} role" + (f" at {role.company}" if role.company else "")
    parts: list[str] = []
    if goal_sentences:
        parts.append(_as_sentence(goal_sentences[0].text))
    else:
        parts.append(
            "My goal for the next year or two is to [a skill or responsibility you want to build in this role]."
        )
    extra_steps = [s for s in step_sentences if s not in goal_sentences[:1]]
    if extra_steps:
        parts.append(_as_sentence(extra_steps[0].text))
    elif not step_sentences:  # the goal sentence may carry its own step ("I'm halfway through the course")
        parts.append(
            "I've already started: [a course, certification or project you are working on, and when you finish]."
        )
    parts.append(
        f"That's why {where} appeals to me: [the part of its work that builds exactly those skills]."
    )
    long_goal = next((s for s in goal_sentences[1:] if UNBOUNDED.search(s.text)), None)
    if long_goal is not None:
        parts.append(_as_sentence(long_goal.text))
    else:
        parts.append(f"Longer term, I'd like to grow toward {_LEVEL_NEXT[role.level]}.")
    parts.append("As I grow, I want the team to get [a result you want to deliver for them].")
    return " ".join(parts)


def _as_sentence(text: str) -> str:
    text = " ".join(text.split()).strip(" -*•")
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def summary(a: Analysis, verdict: Verdict, band: str) -> str:
    """Two sentences: the verdict, then the single most useful point."""
    role = a.request.role
    head = f"{_a(band).capitalize()} answer ({verdict.overall:g}/5) for {_a(role.level)}-level {role.title} role."
    if a.flags:
        names = ", ".join(code.replace("_", " ") for code in a.flags)
        return f"{head} Red flags: {names}; fix those first."
    best = max(verdict.criteria.items(), key=lambda kv: kv[1])[0]
    worst = min(verdict.criteria.items(), key=lambda kv: kv[1])[0]
    if band == "weak":  # the calibration's verdict: no single rule fired, the whole answer reads weak
        return (
            f"{head} No single red flag, but hiring managers rate answers worded like this weak; "
            f"start with {worst.replace('_', ' ')}."
        )
    return f"{head} Strongest on {best.replace('_', ' ')}; most room on {worst.replace('_', ' ')}."
