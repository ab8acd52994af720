"""Photographer authentication shared by every service: signed bearer tokens.

Ingest issues a token when an account is created; every other service verifies it with
the shared secret, without calling ingest, and scopes each query to the token's account.

A token issued for a sign-in carries its session id (`sid`). Only ingest holds the
sessions, so only ingest refuses a token whose session was revoked (sign-out, password
change); elsewhere a token stays valid until it expires, which keeps every other service
free of a call to ingest on each request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pixhound_platform.problems import Problem

ALGORITHM = "HS256"
AUDIENCE = "pixhound"


@dataclass(frozen=True)
class Photographer:
    account_id: str
    session_id: str | None = None


def issue_token(account_id: str, secret: str, ttl_seconds: int, *, session_id: str | None = None) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": account_id,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + timedelta(seconds=ttl_seconds),
        "role": "photographer",
    }
    if session_id is not None:
        claims["sid"] = session_id
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(token: str, secret: str) -> Photographer:
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], audience=AUDIENCE, options={"require": ["sub", "exp"]}
        )
    except jwt.PyJWTError as error:
        raise Problem(401, "invalid-token", f"The bearer token is not valid: {error}", title="Unauthorized") from error
    session_id = claims.get("sid")
    if session_id is not None and not isinstance(session_id, str):
        raise Problem(401, "invalid-token", "The bearer token's session id is not a string.", title="Unauthorized")
    return Photographer(account_id=str(claims["sub"]), session_id=session_id)


PHOTOGRAPHER_BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="PhotographerToken",
    description="The photographer's token from `POST /ingest/v1/accounts` or `POST /ingest/v1/sessions`.",
)


def current_photographer(
    request: Request,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Security(PHOTOGRAPHER_BEARER)] = None,
) -> Photographer:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "missing-token", "Send `Authorization: Bearer <token>`.", title="Unauthorized")
    return verify_token(token.strip(), request.app.state.runtime.settings.auth_secret.get_secret_value())


PhotographerDep = Annotated[Photographer, Depends(current_photographer)]
