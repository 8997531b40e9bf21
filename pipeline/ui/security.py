"""CSRF and framing protection for the UI's few POSTs.

A per-process secret token goes into every form as a hidden field and is checked on POST; the request's
Origin (or Referer) must name the host the browser asked for, and that Host must be one the server was
started for (TrustedHostMiddleware), so a page on another site, or a DNS-rebinding name, cannot post.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request

PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
# The evaluation report is shown in a sandboxed frame: no scripts, no forms, no same-origin access.
REPORT_POLICY = (
    "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'"
)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_origin(request: Request) -> bool:
    """Origin (or, without it, Referer) names exactly the scheme and host this request was sent to."""
    source = request.headers.get("origin") or request.headers.get("referer") or ""
    parts = urlsplit(source)
    host = request.headers.get("host", "")
    return bool(host) and parts.scheme == request.url.scheme and parts.netloc == host


def csrf_problem(request: Request, form_token: str, expected: str) -> str:
    """Why the POST is refused ("" when it is acceptable)."""
    if not hmac.compare_digest(form_token.encode(), expected.encode()):
        return "the form's security token is missing or stale; reload the page and try again"
    if not same_origin(request):
        return "the request did not come from this UI's own pages (Origin/Referer mismatch)"
    return ""
