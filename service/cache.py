"""Result cache: validated JSON text only, never a pickle; a broken cache degrades to no cache."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

CACHE_FORMAT = "1"  # bump when the stored JSON shape changes


def cache_key(parts: dict[str, Any]) -> str:
    """A stable key over everything that changes the output (model, prompt, request, parameters...)."""
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return "coach:" + CACHE_FORMAT + ":" + hashlib.sha256(canonical.encode()).hexdigest()


class ResultCache(Protocol):
    """What the coach needs from a cache."""

    name: str

    def get(self, key: str) -> str | None:
        """The stored JSON text, or None."""

    def set(self, key: str, value: str) -> None:
        """Store JSON text."""


class NoCache:
    """COACH_CACHE=off, or the fallback when a cache cannot be opened."""

    name = "off"

    def get(self, key: str) -> str | None:
        return None

    def set(self, key: str, value: str) -> None:
        return None


class DiskCache:
    """diskcache with a Disk that refuses to unpickle (diskcache unpickles by default: CVE-2025-69872)."""

    name = "disk"

    def __init__(self, directory: Path, ttl_s: int) -> None:
        import diskcache

        class JSONOnlyDisk(diskcache.Disk):  # type: ignore[misc]
            """Stores str as text; reading any pickled entry raises instead of unpickling it."""

            def store(self, value: Any, read: bool, key: Any = diskcache.core.UNKNOWN) -> Any:
                if not isinstance(value, str):
                    raise TypeError("the coach cache stores JSON text only")
                return super().store(value, read, key=key)

            def fetch(self, mode: int, filename: str | None, value: Any, read: bool) -> Any:
                if mode == diskcache.core.MODE_PICKLE:
                    raise UnsafeCacheEntry("refusing to unpickle a cache entry")
                return super().fetch(mode, filename, value, read)

        directory.mkdir(parents=True, exist_ok=True)
        self._cache = diskcache.Cache(str(directory), disk=JSONOnlyDisk, timeout=5)
        self._ttl_s = ttl_s
        self.directory = directory

    def get(self, key: str) -> str | None:
        try:
            value = self._cache.get(key)
        except UnsafeCacheEntry:
            log.warning("cache: refused a pickled entry; treating it as a miss")
            return None
        except Exception as exc:  # a corrupt or locked cache must never fail a request
            log.warning("cache: read failed (%s); treating it as a miss", type(exc).__name__)
            return None
        return value if isinstance(value, str) else None

    def set(self, key: str, value: str) -> None:
        try:
            self._cache.set(key, value, expire=self._ttl_s)
        except Exception as exc:
            log.warning("cache: write failed (%s); result not cached", type(exc).__name__)

    def close(self) -> None:
        self._cache.close()


class UnsafeCacheEntry(Exception):
    """A cache entry that would need unpickling."""


class RedisCache:
    """A shared cache in Redis (COACH_CACHE=redis): JSON text with a TTL."""

    name = "redis"

    def __init__(self, url: str, ttl_s: int) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._client.ping()
        self._ttl_s = ttl_s

    def get(self, key: str) -> str | None:
        try:
            raw = self._client.get(key)
        except Exception as exc:
            log.warning("cache: redis read failed (%s); treating it as a miss", type(exc).__name__)
            return None
        if raw is None:
            return None
        try:
            return raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
        except UnicodeDecodeError:
            return None

    def set(self, key: str, value: str) -> None:
        try:
            self._client.set(key, value.encode("utf-8"), ex=self._ttl_s)
        except Exception as exc:
            log.warning("cache: redis write failed (%s); result not cached", type(exc).__name__)


def open_cache(kind: str, *, directory: Path, ttl_s: int, redis_url: str | None) -> ResultCache:
    """Open the configured cache; any failure to open degrades to NoCache with a warning."""
    if kind == "off":
        return NoCache()
    try:
        if kind == "redis":
            if not redis_url:
                raise ValueError("COACH_CACHE=redis needs COACH_REDIS_URL")
            return RedisCache(redis_url, ttl_s)
        return DiskCache(directory, ttl_s)
    except Exception as exc:
        log.warning(
            "cache: cannot open %s cache (%s: %s); running without a cache", kind, type(exc).__name__, exc
        )
        return NoCache()
