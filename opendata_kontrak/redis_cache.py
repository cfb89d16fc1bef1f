"""The cache on Redis (REDIS_URL): Django's own RedisCache, whose errors degrade to misses.

A cache is an optimisation: when Redis is down or hung (each call bounded by the socket
timeouts in settings.CACHES), a lookup answers "not cached" and a write is dropped, both
logged, so a page computes what it would have read instead of answering 500. `/readyz` still
names the cache as unreachable (while staying 200): it calls `check()`, which lets the error
through.

Rate counters and locks use the same server (opendata.ratelimit, contracts.public_cache).
"""

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class ForgivingRedisCache(RedisCache):
    def check(self):
        """Raise unless Redis answers a PING (for /readyz)."""
        self._cache.get_client(write=False).ping()

    def client(self, key):
        """The redis-py client that holds `key` (already made with make_key), for commands the
        cache API lacks (a counter's INCR and EXPIRE in one pipeline)."""
        return self._cache.get_client(key, write=True)

    def _failed(self, operation, error):
        logger.warning("Cache Redis tidak dapat dijangkau (%s): %r", operation, error)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as error:
            self._failed("get", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError as error:
            self._failed("get_many", error)
            return {}

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except RedisError as error:
            self._failed("set", error)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except RedisError as error:
            self._failed("set_many", error)
            return list(data)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # False (not added): a lock not taken, so no one recomputes on a server that is away.
        try:
            return super().add(key, value, timeout, version)
        except RedisError as error:
            self._failed("add", error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError as error:
            self._failed("delete", error)
            return False
