"""Photographer authentication shared by every service: signed bearer tokens.

Ingest issues a token when an account is created; every other service verifies it with
the shared secret, without calling ingest, and scopes each query to the token's account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, Request

from pixhound_platform.problems import Problem

ALGORITHM = "HS256"
AUDIENCE = "pixhound"


@dataclass(frozen=True)
class Photographer:
    account_id: str


def issue_token(account_id: str, secret: str, ttl_seconds: int) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": account_id,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + timedelta(seconds=ttl_seconds),
        "role": "photographer",
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(token: str, secret: str) -> Photographer:
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], audience=AUDIENCE, options={"require": ["sub", "exp"]}
        )
    except jwt.PyJWTError as error:
        raise Problem(401, "invalid-token", f"The bearer token is not valid: {error}", title="Unauthorized") from error
    return Photographer(account_id=str(claims["sub"]))


def current_photographer(request: Request) -> Photographer:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "missing-token", "Send `Authorization: Bearer <token>`.", title="Unauthorized")
    return verify_token(token.strip(), request.app.state.runtime.settings.auth_secret.get_secret_value())


PhotographerDep = Annotated[Photographer, Depends(current_photographer)]
