"""service/static: the demo page (/) and the API docs (/docs) are HTML that matches the API they call."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from importlib.resources import files
from typing import Any

import pytest
from flask.testing import FlaskClient
from pydantic import BaseModel

from service.schemas import LEVELS, MAX_ANSWER_CHARS, ErrorBody, FeedbackResponse, Meta, Overall

INDEX = files("service").joinpath("static", "index.html").read_text(encoding="utf-8")
DOCS = files("service").joinpath("static", "docs.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("path", "title"), [("/", "career goals"), ("/docs", "answer-coach API")])
def test_pages_are_html(client: FlaskClient, path: str, title: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.mimetype_params.get("charset") == "utf-8"
    text = response.get_data(as_text=True)
    assert text.lstrip().lower().startswith("<!doctype html>")
    assert title in re.search(r"<title>(.*?)</title>", text, re.S).group(1)  # type: ignore[union-attr]
    assert text.rstrip().endswith("</html>")


def test_demo_page_offers_exactly_the_contracts_levels() -> None:
    select = re.search(r'<select id="level">(.*?)</select>', INDEX, re.S)
    assert select is not None
    options = re.findall(r"<option(?: selected)?>([^<]+)</option>", select.group(1))
    assert tuple(options) == LEVELS


def test_demo_page_limits_the_answer_like_the_api() -> None:
    assert f'maxlength="{MAX_ANSWER_CHARS}"' in INDEX


def test_demo_page_posts_json_to_the_api() -> None:
    assert 'fetch("/v1/feedback"' in INDEX
    assert '"Content-Type":"application/json"' in INDEX.replace(" ", "")


def _fields(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


@pytest.mark.parametrize(
    ("prefix", "model"),
    [("d", FeedbackResponse), ("d.overall", Overall), ("d.meta", Meta), ("d.error", ErrorBody)],
)
def test_demo_page_reads_only_fields_the_api_sends(prefix: str, model: type[BaseModel]) -> None:
    used = set(re.findall(rf"\b{re.escape(prefix)}\.([a-z_]+)\b", INDEX))
    if prefix == "d":
        used.discard("error")  # d is the error body on a non-2xx: checked on the d.error row
    assert used, f"the page reads nothing under {prefix}"
    assert used <= _fields(model)


def test_docs_page_renders_from_the_openapi_document(client: FlaskClient) -> None:
    assert 'fetch("/openapi.json")' in DOCS
    spec = client.get("/openapi.json").get_json()
    # the page walks spec.paths and spec.components.schemas; both must be there
    assert spec["paths"] and spec["components"]["schemas"]


# --- the page's JavaScript, run for real ---------------------------------------------------------

NODE = shutil.which("node")


def _script() -> str:
    """The page's own definitions of `esc` and `highlight`."""
    esc = re.search(r"^const esc = .*$", INDEX, re.M)
    start = INDEX.index("function highlight(")
    end = INDEX.index("return out+part(at); }", start) + len("return out+part(at); }")
    assert esc is not None
    return esc.group(0) + "\n" + INDEX[start:end] + "\n"


def _run_highlight(answer: str, spans: list[dict[str, Any]]) -> str:
    assert NODE is not None
    program = (
        _script()
        + "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        + "process.stdout.write(highlight(input.answer, input.spans));\n"
    )
    result = subprocess.run(
        [NODE, "-e", program],
        input=json.dumps({"answer": answer, "spans": spans}),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout


def _expected(answer: str, spans: list[dict[str, Any]]) -> str:
    """What the highlight must show: Python offsets (code points), each span marked once, all text escaped."""

    def esc(text: str) -> str:
        return html.escape(text, quote=False).replace('"', "&quot;")

    out, at = "", 0
    for span in sorted((s for s in spans if s.get("start") is not None), key=lambda s: s["start"]):
        if span["start"] < at:
            continue
        out += (
            esc(answer[at : span["start"]]) + "<mark>" + esc(answer[span["start"] : span["end"]]) + "</mark>"
        )
        at = span["end"]
    return out + esc(answer[at:])


def _span(answer: str, quote: str) -> dict[str, Any]:
    start = answer.index(quote)
    return {"quote": quote, "start": start, "end": start + len(quote)}


ANSWER = '🚀 I <b>want</b> to "lead" 👩‍💻 campaigns & earn the Google Ads certification 😀 by June.'


@pytest.mark.skipif(NODE is None, reason="node is not installed: the page's JavaScript cannot run here")
@pytest.mark.parametrize(
    "quotes",
    [
        ["campaigns & earn"],
        ["Google Ads certification", "by June"],
        ['I <b>want</b> to "lead"', "campaigns"],
        ["🚀", "😀"],
        [],
    ],
    ids=["after-emoji", "two-spans", "markup-in-span", "emoji-spans", "none"],
)
def test_highlight_marks_the_quoted_text_after_emoji(quotes: list[str]) -> None:
    spans = [_span(ANSWER, q) for q in quotes] + [{"code": "vague", "quote": "", "start": None, "end": None}]
    shown = _run_highlight(ANSWER, spans)
    assert shown == _expected(ANSWER, spans)
    marked = [html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", shown)]
    assert sorted(marked) == sorted(quotes)
    assert "<b>" not in shown  # the answer's own markup is escaped


@pytest.mark.skipif(NODE is None, reason="node is not installed: the page's JavaScript cannot run here")
def test_highlight_of_a_real_response(
    client: FlaskClient, feedback_body: Callable[..., dict[str, Any]]
) -> None:
    answer = (
        "🚀 My goal: earn the Google Ads certification this year 📈 (I'm halfway through) and run "
        "campaigns 🎯 for our local nonprofit every month. Long-term I'd like to lead campaign "
        "strategy here 🙌."
    )
    body = client.post("/v1/feedback", json=feedback_body(answer=answer)).get_json()
    spans = [e for c in body["criteria"] for e in c["evidence"]] + body["red_flags"]
    shown = _run_highlight(answer, spans)
    assert shown == _expected(answer, spans)
