"""HTTP caching of public API reads: revalidate every time, answer 304 when unchanged.

The ETag itself is computed by flask-smorest from the response body (`@blp.etag`), so
any host that changes the data changes the tag; shared caches may keep a copy but
must ask before reusing it.
"""

from __future__ import annotations

from flask import request


def add_cache_headers(response):
    """Mark successful public GETs as cacheable with revalidation, everything else private."""
    if "Cache-Control" in response.headers:
        return response
    if request.method in ("GET", "HEAD") and response.status_code in (200, 304) \
            and "Authorization" not in request.headers:
        response.headers["Cache-Control"] = "public, no-cache"
    else:
        response.headers["Cache-Control"] = "no-store"
    return response
