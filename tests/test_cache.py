"""service/cache.py and the coach's use of it: hit, miss, off, bypass, broken folder, tampered entry, keys."""

from __future__ import annotations

import dataclasses
import json
import logging
import pickle
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import diskcache
import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.cache import DiskCache, NoCache, cache_key, open_cache
from service.coach import Coach
from service.schemas import FeedbackRequest, FeedbackResponse

TTL = 3600


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"  # where the autouse fixture points COACH_CACHE_DIR


@pytest.fixture
def disk(cache_dir: Path) -> Iterator[DiskCache]:
    cache = DiskCache(cache_dir, ttl_s=TTL)
    yield cache
    cache.close()


def post(client: FlaskClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/feedback", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    data: dict[str, Any] = response.get_json()
    return data


def without_provenance(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("id", "meta")}


def key_of(app: Flask, body: dict[str, Any]) -> str:
    """The exact key the coach uses for this body."""
    coach: Coach = app.extensions["coach"]
    request = FeedbackRequest.model_validate(body)
    version = coach.registry.get(request.options.prompt_version)
    return coach.key_for(request, version, coach.resolve_model(request.options.model))


class Planted:
    """A pickle payload: unpickling it creates `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.path,))


# --- the cache classes -------------------------------------------------------------------------


def test_cache_key_is_canonical() -> None:
    a = cache_key({"model": "m", "request": {"answer": "x", "role": {"title": "t", "level": "entry"}}})
    b = cache_key({"request": {"role": {"level": "entry", "title": "t"}, "answer": "x"}, "model": "m"})
    assert a == b
    assert a.startswith("coach:1:")
    assert (
        cache_key({"model": "m2", "request": {"answer": "x", "role": {"title": "t", "level": "entry"}}}) != a
    )


def test_disk_cache_round_trips_text(disk: DiskCache) -> None:
    assert disk.get("k") is None
    disk.set("k", '{"a": "é 😀"}')
    assert disk.get("k") == '{"a": "é 😀"}'
    big = json.dumps({"text": "x" * 100_000})  # past diskcache's inline size: stored as a file
    disk.set("big", big)
    assert disk.get("big") == big


def test_disk_cache_entries_expire_after_the_ttl(disk: DiskCache, cache_dir: Path) -> None:
    disk.set("k", "{}")
    with diskcache.Cache(str(cache_dir)) as plain:
        value, expire_time = plain.get("k", expire_time=True)
    assert value == "{}"
    assert expire_time is not None
    assert TTL - 60 < expire_time - time.time() <= TTL


@pytest.mark.parametrize("value", [b"{}", {"a": 1}, 42])
def test_disk_cache_refuses_to_store_anything_but_text(
    disk: DiskCache, value: Any, caplog: pytest.LogCaptureFixture
) -> None:
    disk.set("k", value)
    assert disk.get("k") is None
    assert "write failed" in caplog.text


def test_disk_cache_refuses_to_unpickle(
    disk: DiskCache, cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    marker = cache_dir.parent / "unpickled"
    with diskcache.Cache(str(cache_dir)) as plain:
        plain.set("k", Planted(marker))
    assert disk.get("k") is None
    assert not marker.exists()
    assert "refused a pickled entry" in caplog.text


def test_disk_cache_ignores_binary_entries(disk: DiskCache, cache_dir: Path) -> None:
    with diskcache.Cache(str(cache_dir)) as plain:
        plain.set("k", b'{"not": "text"}')
    assert disk.get("k") is None


def test_no_cache_stores_nothing() -> None:
    cache = NoCache()
    cache.set("k", "{}")
    assert cache.get("k") is None
    assert cache.name == "off"


def test_open_cache_off_is_no_cache(cache_dir: Path) -> None:
    assert isinstance(open_cache("off", directory=cache_dir, ttl_s=TTL, redis_url=None), NoCache)
    assert not cache_dir.exists()


def test_open_cache_disk_creates_the_folder(cache_dir: Path) -> None:
    cache = open_cache("disk", directory=cache_dir / "deep" / "er", ttl_s=TTL, redis_url=None)
    assert isinstance(cache, DiskCache)
    assert (cache_dir / "deep" / "er").is_dir()
    cache.close()


@pytest.mark.parametrize("where", ["regular-file", "under-a-file", "dev-null"])
def test_open_cache_degrades_when_the_folder_is_unusable(
    tmp_path: Path, where: str, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    directory = {
        "regular-file": blocker,
        "under-a-file": blocker / "cache",
        "dev-null": Path("/dev/null/cache"),
    }[where]
    with caplog.at_level(logging.WARNING, logger="service.cache"):
        cache = open_cache("disk", directory=directory, ttl_s=TTL, redis_url=None)
    assert isinstance(cache, NoCache)
    assert "running without a cache" in caplog.text
    assert blocker.read_text() == "not a folder"


def test_open_cache_redis_without_url_degrades(cache_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    cache = open_cache("redis", directory=cache_dir, ttl_s=TTL, redis_url=None)
    assert isinstance(cache, NoCache)
    assert "COACH_REDIS_URL" in caplog.text


# --- through the API ---------------------------------------------------------------------------


def test_miss_then_hit(client: FlaskClient, feedback_body: Callable[..., dict[str, Any]]) -> None:
    first = post(client, feedback_body())
    second = post(client, feedback_body())
    assert first["meta"]["cached"] is False
    assert second["meta"]["cached"] is True
    assert without_provenance(second) == without_provenance(first)
    assert second["id"] != first["id"]
    assert second["id"].startswith("fb_")
    assert second["meta"]["request_id"] != first["meta"]["request_id"]
    assert second["meta"]["attempts"] == 0
    for key in ("model", "prompt", "prompt_version", "prompt_hash"):
        assert second["meta"][key] == first["meta"][key]


def test_a_different_answer_is_a_miss(
    client: FlaskClient, feedback_body: Callable[..., dict[str, Any]]
) -> None:
    post(client, feedback_body())
    other = post(
        client, feedback_body(answer="I want to grow into a team lead role here within three years.")
    )
    assert other["meta"]["cached"] is False


def test_the_cache_holds_json_text_without_the_id(
    app: Flask, client: FlaskClient, feedback_body: Callable[..., dict[str, Any]], cache_dir: Path
) -> None:
    first = post(client, feedback_body())
    with diskcache.Cache(str(cache_dir)) as plain:
        stored = plain.get(key_of(app, feedback_body()))
    assert isinstance(stored, str)
    data = json.loads(stored)
    assert "id" not in data
    FeedbackResponse.model_validate({**data, "id": "fb_x"})
    assert data["criteria"] == first["criteria"]


def test_options_cache_false_neither_reads_nor_writes(
    client: FlaskClient, feedback_body: Callable[..., dict[str, Any]]
) -> None:
    no_cache = feedback_body(options={"cache": False})
    assert post(client, no_cache)["meta"]["cached"] is False
    assert post(client, feedback_body())["meta"]["cached"] is False  # nothing was written
    assert post(client, feedback_body())["meta"]["cached"] is True
    assert post(client, no_cache)["meta"]["cached"] is False  # an entry exists, but is not read


def test_coach_cache_off(
    make_app: Callable[..., Flask],
    feedback_body: Callable[..., dict[str, Any]],
    cache_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COACH_CACHE", "off")
    client = make_app().test_client()
    assert client.get("/healthz").get_json()["cache"] == "off"
    assert [post(client, feedback_body())["meta"]["cached"] for _ in range(2)] == [False, False]
    assert not cache_dir.exists()


@pytest.mark.parametrize("where", ["regular-file", "under-a-file"])
def test_broken_cache_folder_degrades_to_no_cache(
    make_app: Callable[..., Flask],
    feedback_body: Callable[..., dict[str, Any]],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    where: str,
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    with caplog.at_level(logging.WARNING):
        client = make_app(cache_dir=blocker if where == "regular-file" else blocker / "cache").test_client()
    assert any(r.levelno == logging.WARNING and "without a cache" in r.getMessage() for r in caplog.records)
    assert client.get("/healthz").get_json()["cache"] == "off"
    assert [post(client, feedback_body())["meta"]["cached"] for _ in range(2)] == [False, False]


def test_cache_that_breaks_while_running_degrades(
    app: Flask,
    client: FlaskClient,
    feedback_body: Callable[..., dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A locked or corrupt cache fails reads and writes: requests still answer, with a warning."""
    cache = app.extensions["coach"].cache

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise diskcache.Timeout("database is locked")

    monkeypatch.setattr(cache._cache, "get", broken)
    monkeypatch.setattr(cache._cache, "set", broken)
    assert [post(client, feedback_body())["meta"]["cached"] for _ in range(2)] == [False, False]
    assert "read failed (Timeout)" in caplog.text
    assert "write failed (Timeout)" in caplog.text


def test_tampered_pickled_entry_is_refused(
    app: Flask,
    client: FlaskClient,
    feedback_body: Callable[..., dict[str, Any]],
    cache_dir: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    marker = tmp_path / "unpickled-by-the-service"
    key = key_of(app, feedback_body())
    with diskcache.Cache(str(cache_dir)) as plain:
        plain.set(key, Planted(marker))
    # sanity: the payload is live; a plain unpickle would create the marker
    assert pickle.loads(pickle.dumps(Planted(tmp_path / "sanity"))) is None
    assert (tmp_path / "sanity").exists()

    body = post(client, feedback_body())
    assert body["meta"]["cached"] is False
    assert not marker.exists()
    assert "refused a pickled entry" in caplog.text
    # the fresh result replaced the planted entry
    assert post(client, feedback_body())["meta"]["cached"] is True
    assert not marker.exists()


@pytest.mark.parametrize(
    "entry",
    [
        "not json at all",
        "{truncated",
        "",
        '{"overall": {"score": 9}}',
        '{"id": "fb_x"}',
        "[1, 2]",
        "42",
        "null",
        '"text"',
    ],
)
def test_bad_text_entries_are_a_miss(
    app: Flask, client: FlaskClient, feedback_body: Callable[..., dict[str, Any]], cache_dir: Path, entry: str
) -> None:
    with diskcache.Cache(str(cache_dir)) as plain:
        plain.set(key_of(app, feedback_body()), entry)
    assert post(client, feedback_body())["meta"]["cached"] is False
    assert post(client, feedback_body())["meta"]["cached"] is True  # overwritten with a good entry


def test_an_entry_from_the_previous_schema_is_a_miss(
    app: Flask, client: FlaskClient, feedback_body: Callable[..., dict[str, Any]], cache_dir: Path
) -> None:
    """A stored response missing a field the schema now requires is re-generated, not served broken."""
    first = post(client, feedback_body())
    key = key_of(app, feedback_body())
    with diskcache.Cache(str(cache_dir)) as plain:
        data = json.loads(plain.get(key))
        del data["overall"]["band"]
        plain.set(key, json.dumps(data))
    again = post(client, feedback_body())
    assert again["meta"]["cached"] is False
    assert again["overall"] == first["overall"]


# --- what the key covers -----------------------------------------------------------------------

BASE: dict[str, Any] = {
    "question": "What are your career goals?",
    "answer": "I want to lead the analytics team within five years.",
    "role": {"title": "Data Analyst", "level": "entry"},
}


@pytest.mark.parametrize(
    ("change", "same"),
    [
        ({"answer": "I want to lead the analytics team within six years."}, False),
        ({"answer": BASE["answer"] + " "}, False),  # answers are kept as sent: offsets differ
        ({"role": {"title": "Data Scientist", "level": "entry"}}, False),
        ({"role": {"title": "Data Analyst", "level": "mid"}}, False),
        ({"role": {"title": "Data Analyst", "level": "entry", "company": "Acme"}}, False),
        ({"question": "Where do you see yourself in five years?"}, False),
        ({"candidate": {"years_experience": 3}}, False),
        ({"options": {"cache": False}}, True),
        ({"options": {"cache": True}}, True),
        ({"options": {"prompt_version": "v1"}}, True),  # naming the default is the same request
        ({"options": {"model": "local/rubric"}}, True),
    ],
)
def test_key_follows_the_request_not_the_cache_option(app: Flask, change: dict[str, Any], same: bool) -> None:
    assert (key_of(app, BASE) == key_of(app, BASE | change)) is same


def test_key_changes_with_model_prompt_version_and_hash(app: Flask) -> None:
    coach: Coach = app.extensions["coach"]
    request = FeedbackRequest.model_validate(BASE)
    v1 = coach.registry.get("v1")
    base = coach.key_for(request, v1, "local/rubric")
    assert coach.key_for(request, v1, "local/rubric") == base
    assert coach.key_for(request, v1, "openai/gpt-4o-mini") != base
    other_hash = dataclasses.replace(v1, content_hash="0" * 16)
    assert coach.key_for(request, other_hash, "local/rubric") != base
    other_version = dataclasses.replace(v1, meta=v1.meta.model_copy(update={"version": "v99"}))
    assert coach.key_for(request, other_version, "local/rubric") != base


def test_editing_a_prompt_file_changes_the_key(
    tmp_path: Path, make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end: a one-byte edit of a template gives a new hash, hence a new key (a miss)."""
    from service.config import PROJECT_ROOT

    folder = tmp_path / "prompts" / "career_goals"
    folder.mkdir(parents=True)
    for name in ("v1.toml", "v1.system.j2", "v1.user.j2", "v1.reask.j2"):
        (folder / name).write_bytes((PROJECT_ROOT / "prompts" / "career_goals" / name).read_bytes())
    monkeypatch.setenv("COACH_PROMPTS_DIR", str(folder.parent))
    client = make_app().test_client()
    assert post(client, BASE)["meta"]["cached"] is False
    assert post(client, BASE)["meta"]["cached"] is True
    with (folder / "v1.user.j2").open("ab") as file:
        file.write(b"\n")
    client = make_app().test_client()
    assert post(client, BASE)["meta"]["cached"] is False
