"""A fixed-window counter in the shared cache (Redis in production, a file cache locally)."""

from django.core.cache import cache


def client_ip(request) -> str:
    # Behind the production proxy the last hop it appends is the client's address.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "")


def allow(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit against `key`; False once `limit` hits fell in the current window."""
    cache_key = f"ratelimit:{key}"
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds)
        hits = 1
    return hits <= limit
