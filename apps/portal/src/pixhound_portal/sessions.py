"""The portal's session and CSRF protection, kept in signed cookies and nowhere else.

The session cookie holds the photographer's bearer token (signed, HttpOnly, SameSite=Lax,
Secure outside development); signing out revokes the token's session at ingest, so a copy
of the cookie is useless afterwards. Every state-changing request must carry the CSRF token
(a form field or the `X-CSRF-Token` header) matching the signed CSRF cookie, and come from
this site (`Sec-Fetch-Site` / `Origin`), the OWASP signed double-submit pattern.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from pixhound_portal.settings import PortalSettings

SESSION_COOKIE = "pxh_session"
CSRF_COOKIE = "pxh_csrf"
LANGUAGE_COOKIE = "pxh_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
LANGUAGE_MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class PortalSession:
    token: str
    account_id: str


class SessionCodec:
    def __init__(self, settings: PortalSettings) -> None:
        secret = settings.session_secret.get_secret_value()
        self._sessions = URLSafeTimedSerializer(secret, salt="pixhound-portal-session")
        self._csrf = URLSafeTimedSerializer(secret, salt="pixhound-portal-csrf")
        self.ttl = settings.session_ttl_seconds
        self.secure = settings.cookies_secure

    def read(self, request: Request) -> PortalSession | None:
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        try:
            data = self._sessions.loads(raw, max_age=self.ttl)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not data.get("t"):
            return None
        return PortalSession(token=str(data["t"]), account_id=str(data.get("a", "")))

    def write(self, response: Response, token: str, account_id: str) -> None:
        value = self._sessions.dumps({"t": token, "a": account_id})
        response.set_cookie(
            SESSION_COOKIE, value, max_age=self.ttl, httponly=True, samesite="lax", secure=self.secure, path="/"
        )
        self.rotate_csrf(response)

    def clear(self, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=self.secure)
        self.rotate_csrf(response)

    def csrf_token(self, request: Request) -> str:
        """The token to embed in this page's forms; a new one is set if the browser has none."""
        existing = self._csrf_value(request.cookies.get(CSRF_COOKIE, ""))
        if existing:
            return existing
        token = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(32)
        request.state.new_csrf = token
        return token

    def persist_new_csrf(self, request: Request, response: Response) -> None:
        token = getattr(request.state, "new_csrf", None)
        if token:
            self._set_csrf(response, token)

    def rotate_csrf(self, response: Response) -> None:
        self._set_csrf(response, secrets.token_urlsafe(32))

    def _set_csrf(self, response: Response, token: str) -> None:
        response.set_cookie(
            CSRF_COOKIE,
            self._csrf.dumps(token),
            max_age=self.ttl,
            httponly=True,
            samesite="lax",
            secure=self.secure,
            path="/",
        )

    def _csrf_value(self, raw: str) -> str:
        if not raw:
            return ""
        try:
            value = self._csrf.loads(raw, max_age=self.ttl)
        except BadSignature:
            return ""
        return value if isinstance(value, str) else ""

    def csrf_valid(self, request: Request, submitted: str) -> bool:
        expected = self._csrf_value(request.cookies.get(CSRF_COOKIE, ""))
        if not expected or not submitted:
            return False
        return hmac.compare_digest(expected.encode(), submitted.encode())


def same_site_request(request: Request) -> bool:
    """A state-changing request must come from the portal's own pages."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in {"same-origin", "none"}
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host
