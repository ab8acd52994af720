"""Bearer tokens: the session id travels in `sid`, tokens without one stay valid, bad ones are refused."""

import jwt
import pytest

from pixhound_platform.auth import ALGORITHM, AUDIENCE, Photographer, issue_token, verify_token
from pixhound_platform.problems import Problem

SECRET = "a test secret that is long enough to sign"


def test_a_token_carries_its_session() -> None:
    token = issue_token("alice", SECRET, 60, session_id="s-1")
    assert jwt.decode(token, SECRET, algorithms=[ALGORITHM], audience=AUDIENCE)["sid"] == "s-1"
    assert verify_token(token, SECRET) == Photographer(account_id="alice", session_id="s-1")


def test_a_token_without_a_session_is_accepted() -> None:
    token = issue_token("alice", SECRET, 60)
    assert "sid" not in jwt.decode(token, SECRET, algorithms=[ALGORITHM], audience=AUDIENCE)
    assert verify_token(token, SECRET) == Photographer(account_id="alice", session_id=None)


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (lambda: issue_token("alice", SECRET, -10, session_id="s"), "expired"),
        (lambda: issue_token("alice", "another secret, just as long as it", 60, session_id="s"), "signature"),
        (
            lambda: jwt.encode({"sub": "alice", "aud": AUDIENCE, "exp": 2**40, "sid": 7}, SECRET, algorithm=ALGORITHM),
            "session id",
        ),
    ],
    ids=["expired", "wrong-secret", "sid-not-a-string"],
)
def test_bad_tokens_are_refused(token, reason) -> None:
    with pytest.raises(Problem) as refused:
        verify_token(token(), SECRET)
    assert refused.value.status == 401 and refused.value.slug == "invalid-token"
    assert reason in refused.value.detail.lower()
