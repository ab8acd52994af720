"""Ingest's HTTP API: accounts and sessions for photographers, photo upload, editing and viewing.

Every token ingest issues names a session row, and every endpoint here refuses a token
whose session was revoked, so signing out or changing the password takes effect at once
in ingest (other services only check the token's signature and expiry).

Signing in tells nothing about which emails have accounts: an unknown email costs one
password verification too and gets the same 401. Each attempt is counted, before the
password is checked, against the email and the client address; past a few failures in a
row the next one waits (429 `too-many-attempts` with Retry-After) and is not checked at
all. A success forgives the email's streak and upgrades an older password hash.

Photos are shown through JPEG renditions made on first view and kept in object storage;
their URLs never change content, so browsers may cache them for good and revalidate with
the ETag.
"""

from __future__ import annotations

import asyncio
import logging
import math
import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, Response, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pixhound_ingest import domain, events, store, worker
from pixhound_platform.app import RuntimeDep, SessionDep
from pixhound_platform.auth import Photographer, PhotographerDep, issue_token
from pixhound_platform.db import utcnow
from pixhound_platform.objects import ObjectNotFound
from pixhound_platform.problems import Problem
from pixhound_platform.runtime import ServiceRuntime

router = APIRouter(prefix="/v1")
log = logging.getLogger(__name__)


class AccountIn(BaseModel):
    email: str = Field(max_length=320)
    display_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=10, max_length=200)
    locale: Literal["fr", "en"] = "fr"

    @field_validator("email")
    @classmethod
    def _valid_email(cls, value: str) -> str:
        return domain.normalise_email(value)


class SessionIn(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=200)


class TokenOut(BaseModel):
    account_id: str
    session_id: str
    token: str
    token_type: Literal["bearer"] = "bearer"


class AccountOut(BaseModel):
    id: str
    email: str
    display_name: str
    locale: str
    created_at: datetime


class AccountEdit(BaseModel):
    """Only the fields sent are changed; null is refused (leave a field out to keep it)."""

    model_config = ConfigDict(extra="forbid")
    display_name: str = Field(default=None, min_length=1, max_length=200)
    locale: Literal["fr", "en"] = Field(default=None)


class PasswordChangeIn(BaseModel):
    current_password: str = Field(max_length=200)
    new_password: str = Field(min_length=10, max_length=200)


class PhotoEdit(BaseModel):
    """Only the fields sent are changed; an empty string clears a field, null is refused."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(default=None, max_length=300)
    creator: str = Field(default=None, max_length=300)
    copyright: str = Field(default=None, max_length=300)
    credit: str = Field(default=None, max_length=300)
    captured_at: str = Field(default=None, max_length=300)


class AuthorshipOut(BaseModel):
    creator: str
    copyright: str
    credit: str
    source: str
    captured_at: str


class PhotoOut(BaseModel):
    id: str
    sha256: str
    content_type: str
    byte_size: int
    width: int
    height: int
    filename: str
    title: str
    authorship: AuthorshipOut
    created_at: datetime


class PhotoPage(BaseModel):
    items: list[PhotoOut]
    total: int
    limit: int
    offset: int


RENDITION_CACHE_CONTROL = "private, max-age=31536000, immutable"


async def ensure_session_active(session: AsyncSession, photographer: Photographer) -> None:
    if photographer.session_id is not None and not await store.session_is_active(
        session, photographer.account_id, photographer.session_id
    ):
        raise Problem(401, "session-revoked", "This session was signed out; sign in again.", title="Unauthorized")


async def active_photographer(photographer: PhotographerDep, session: SessionDep) -> Photographer:
    await ensure_session_active(session, photographer)
    return photographer


ActivePhotographerDep = Annotated[Photographer, Depends(active_photographer)]


async def _open_session(runtime: ServiceRuntime, session: AsyncSession, account_id: str) -> TokenOut:
    session_id = str(uuid.uuid4())
    await store.open_session(session, account_id, session_id)
    token = issue_token(
        account_id,
        runtime.settings.auth_secret.get_secret_value(),
        runtime.settings.token_ttl_seconds,
        session_id=session_id,
    )
    return TokenOut(account_id=account_id, session_id=session_id, token=token)


async def _account(session: AsyncSession, photographer: Photographer):
    account = await store.account_by_id(session, photographer.account_id)
    if account is None:
        raise Problem(401, "account-not-found", "The token's account does not exist.", title="Unauthorized")
    return account


def _account_out(row) -> AccountOut:
    return AccountOut(
        id=row.id, email=row.email, display_name=row.display_name, locale=row.locale, created_at=row.created_at
    )


def _photo_out(row) -> PhotoOut:
    return PhotoOut(
        id=row.id,
        sha256=row.sha256,
        content_type=row.content_type,
        byte_size=row.byte_size,
        width=row.width,
        height=row.height,
        filename=row.filename,
        title=row.title,
        created_at=row.created_at,
        authorship=AuthorshipOut(
            creator=row.creator,
            copyright=row.copyright,
            credit=row.credit,
            source=row.source,
            captured_at=row.captured_at,
        ),
    )


@router.post(
    "/accounts",
    status_code=status.HTTP_201_CREATED,
    response_model=TokenOut,
    tags=["accounts"],
    summary="Open a photographer account",
)
async def create_account(body: AccountIn, session: SessionDep, runtime: RuntimeDep) -> TokenOut:
    if await store.account_by_email(session, body.email) is not None:
        raise Problem(409, "account-exists", "An account with this email already exists.")
    account_id = str(uuid.uuid4())
    await session.execute(
        insert(store.accounts).values(
            id=account_id,
            email=body.email,
            display_name=body.display_name,
            locale=body.locale,
            password_hash=await asyncio.to_thread(domain.hash_password, body.password),
        )
    )
    await runtime.outbox.add(
        session,
        events.account_registered(
            account_id=account_id, email=body.email, display_name=body.display_name, locale=body.locale
        ),
    )
    return await _open_session(runtime, session, account_id)


def _sign_in_subjects(runtime: ServiceRuntime, email: str, request: Request) -> dict[str, int]:
    """The counters an attempt is made against, each with its free failures in a row."""
    client = request.client.host if request.client else "unknown"
    return {
        f"email:{email}": runtime.settings.sign_in_free_failures_per_email,
        f"ip:{client}": runtime.settings.sign_in_free_failures_per_ip,
    }


async def _count_sign_in_attempt(runtime: ServiceRuntime, subjects: dict[str, int], email: str):
    """Counts the attempt as a failure before the password is checked (so parallel attempts
    cannot slip past the count), or refuses it while any of its counters must wait.

    Committed on its own, so the count stays whatever the answer; returns the account or None.
    """
    now = utcnow()
    async with runtime.transaction() as guard:
        counters = await store.lock_sign_in_counters(guard, list(subjects))
        wait = max(
            domain.sign_in_wait(counters[subject].failures, counters[subject].last_failure_at, now, free=free)
            for subject, free in subjects.items()
        )
        if wait > 0:
            raise Problem(
                429,
                "too-many-attempts",
                "Too many wrong sign-ins in a row; try again later.",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
        for subject in subjects:
            counter = counters[subject]
            failures = domain.failures_after_attempt(counter.failures, counter.last_failure_at, now)
            await store.set_sign_in_failures(guard, subject, failures, now)
        return await store.account_by_email(guard, email)


@router.post(
    "/sessions",
    response_model=TokenOut,
    tags=["accounts"],
    summary="Sign in and get a bearer token",
    responses={
        401: {"description": "Email or password is wrong (the same answer whether the account exists or not)"},
        429: {"description": "Too many wrong sign-ins in a row for this email or client address; see Retry-After"},
    },
)
async def create_session(body: SessionIn, request: Request, session: SessionDep, runtime: RuntimeDep) -> TokenOut:
    email = domain.sign_in_email(body.email)
    subjects = _sign_in_subjects(runtime, email, request)
    account = await _count_sign_in_attempt(runtime, subjects, email)
    stored = account.password_hash if account is not None else domain.DUMMY_PASSWORD_HASH
    matches = await asyncio.to_thread(domain.password_matches, body.password, stored)
    if account is None or not matches:
        raise Problem(401, "bad-credentials", "Email or password is wrong.", title="Unauthorized")
    email_subject, *others = subjects
    await store.set_sign_in_failures(session, email_subject, 0, None)
    for subject in others:
        await store.forgive_sign_in_failure(session, subject)
    if domain.password_needs_rehash(account.password_hash):
        new_hash = await asyncio.to_thread(domain.hash_password, body.password)
        await store.update_account(session, account.id, {"password_hash": new_hash})
    return await _open_session(runtime, session, account.id)


@router.delete(
    "/sessions/current",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    tags=["accounts"],
    summary="Sign out: revoke the session of the token sent",
)
async def delete_current_session(photographer: ActivePhotographerDep, session: SessionDep) -> Response:
    if photographer.session_id is None:
        raise Problem(
            409, "session-not-revocable", "This token was issued without a session; it stays valid until it expires."
        )
    await store.revoke_session(session, photographer.account_id, photographer.session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=AccountOut, tags=["accounts"], summary="My account")
async def get_me(photographer: ActivePhotographerDep, session: SessionDep) -> AccountOut:
    return _account_out(await _account(session, photographer))


@router.patch("/me", response_model=AccountOut, tags=["accounts"], summary="Change my display name or language")
async def edit_me(
    body: AccountEdit, photographer: ActivePhotographerDep, session: SessionDep, runtime: RuntimeDep
) -> AccountOut:
    account = await _account(session, photographer)
    changed = domain.changes(account._mapping, body.model_dump(exclude_unset=True))
    if changed:
        await store.update_account(session, account.id, changed)
        account = await _account(session, photographer)
        await runtime.outbox.add(
            session,
            events.account_updated(account_id=account.id, display_name=account.display_name, locale=account.locale),
        )
    return _account_out(account)


@router.post(
    "/me/password",
    response_model=TokenOut,
    tags=["accounts"],
    summary="Change my password: a new session, every other one revoked",
    responses={403: {"description": "The current password is wrong"}},
)
async def change_password(
    body: PasswordChangeIn, photographer: ActivePhotographerDep, session: SessionDep, runtime: RuntimeDep
) -> TokenOut:
    account = await _account(session, photographer)
    if not await asyncio.to_thread(domain.password_matches, body.current_password, account.password_hash):
        raise Problem(403, "bad-credentials", "The current password is wrong.")
    new_hash = await asyncio.to_thread(domain.hash_password, body.new_password)
    await store.update_account(session, account.id, {"password_hash": new_hash})
    await store.revoke_all_sessions(session, account.id)
    return await _open_session(runtime, session, account.id)


@router.post(
    "/photos",
    status_code=status.HTTP_201_CREATED,
    response_model=PhotoOut,
    tags=["photos"],
    summary="Upload a reference photo",
    responses={
        200: {"description": "The same photo was already uploaded; the existing record is returned"},
        413: {"description": "Too large"},
        415: {"description": "Not an accepted image"},
    },
)
async def upload_photo(
    photographer: ActivePhotographerDep,
    runtime: RuntimeDep,
    session: SessionDep,
    response: Response,
    file: Annotated[UploadFile, File(description="JPEG, PNG, WebP, TIFF or GIF")],
    title: Annotated[str, Form(max_length=300)] = "",
) -> PhotoOut:
    settings = runtime.settings
    data = await file.read(settings.max_upload_bytes + 1)
    try:
        facts = domain.examine_upload(
            data, max_bytes=settings.max_upload_bytes, max_pixels=settings.effective_max_image_pixels
        )
    except domain.RejectedUpload as rejection:
        raise Problem(rejection.status, rejection.slug, str(rejection)) from rejection
    existing = await store.photo_by_hash(session, photographer.account_id, facts.sha256)
    if existing is not None:
        response.status_code = status.HTTP_200_OK
        return _photo_out(existing)
    photo_id = str(uuid.uuid4())
    object_key = domain.photo_object_key(photographer.account_id, facts)
    await runtime.objects.put(object_key, data, facts.content_type)
    filename = (file.filename or "")[:300]
    await session.execute(
        insert(store.photos).values(
            id=photo_id,
            owner_id=photographer.account_id,
            sha256=facts.sha256,
            object_key=object_key,
            content_type=facts.content_type,
            byte_size=facts.byte_size,
            width=facts.width,
            height=facts.height,
            filename=filename,
            title=title,
            creator=facts.authorship.creator,
            copyright=facts.authorship.copyright,
            credit=facts.authorship.credit,
            source=facts.authorship.source,
            captured_at=facts.authorship.captured_at,
        )
    )
    await runtime.outbox.add(
        session,
        events.photo_ingested(
            photo_id=photo_id,
            owner_id=photographer.account_id,
            object_key=object_key,
            facts=facts,
            filename=filename,
            title=title,
        ),
    )
    log.info(
        "photo %s stored for account %s (%s, %d bytes)",
        photo_id,
        photographer.account_id,
        facts.content_type,
        facts.byte_size,
    )
    row = await store.photo_for_owner(session, photographer.account_id, photo_id)
    return _photo_out(row)


@router.get("/photos", response_model=PhotoPage, tags=["photos"], summary="List or search my photos")
async def list_photos(
    photographer: ActivePhotographerDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    q: Annotated[
        str, Query(max_length=200, description="Case-insensitive text found in the title, file name or creator")
    ] = "",
) -> PhotoPage:
    search = q.strip()
    rows = await store.photos_for_owner(session, photographer.account_id, limit=limit, offset=offset, search=search)
    total = await store.count_photos_for_owner(session, photographer.account_id, search=search)
    return PhotoPage(items=[_photo_out(row) for row in rows], total=total, limit=limit, offset=offset)


async def _owned_photo(session: AsyncSession, photographer: Photographer, photo_id: str):
    row = await store.photo_for_owner(session, photographer.account_id, photo_id)
    if row is None:
        raise Problem(404, "photo-not-found", "No such photo in your account.")
    return row


@router.get("/photos/{photo_id}", response_model=PhotoOut, tags=["photos"], summary="One of my photos")
async def get_photo(photo_id: str, photographer: ActivePhotographerDep, session: SessionDep) -> PhotoOut:
    return _photo_out(await _owned_photo(session, photographer, photo_id))


@router.patch(
    "/photos/{photo_id}", response_model=PhotoOut, tags=["photos"], summary="Correct a photo's title or authorship"
)
async def edit_photo(
    photo_id: str, body: PhotoEdit, photographer: ActivePhotographerDep, session: SessionDep, runtime: RuntimeDep
) -> PhotoOut:
    row = await _owned_photo(session, photographer, photo_id)
    changed = domain.changes(row._mapping, body.model_dump(exclude_unset=True))
    if changed:
        await store.update_photo(session, photographer.account_id, photo_id, changed)
        row = await _owned_photo(session, photographer, photo_id)
        await runtime.outbox.add(session, events.photo_details_changed(row))
    return _photo_out(row)


@router.get(
    "/photos/{photo_id}/image",
    response_class=Response,
    tags=["photos"],
    summary="One of my photos as a JPEG rendition (thumb 320, medium 800, large 1600 px)",
    responses={
        200: {"content": {"image/jpeg": {}}, "description": "The rendition, upright, never enlarged"},
        304: {"description": "The ETag in If-None-Match is current"},
        404: {"description": "No such photo in your account"},
    },
)
async def photo_image(
    photo_id: str,
    photographer: PhotographerDep,
    runtime: RuntimeDep,
    size: Annotated[Literal["thumb", "medium", "large"], Query()] = "thumb",
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    async with runtime.database.sessions() as session:
        await ensure_session_active(session, photographer)
        photo = await _owned_photo(session, photographer, photo_id)
    etag = domain.rendition_etag(photo.sha256, size)
    headers = {"ETag": etag, "Cache-Control": RENDITION_CACHE_CONTROL}
    if domain.etag_matches(if_none_match, etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    key = domain.rendition_object_key(photo.owner_id, photo.id, size)
    try:
        data = await runtime.objects.get(key)
    except ObjectNotFound:
        data = await _make_rendition(runtime, photo, size, key)
    return Response(content=data, media_type="image/jpeg", headers=headers)


async def _make_rendition(runtime: ServiceRuntime, photo, size: str, key: str) -> bytes:
    async with runtime.state[worker.RENDITIONS]:
        try:
            return await runtime.objects.get(key)
        except ObjectNotFound:
            pass
        original = await runtime.objects.get(photo.object_key)
        try:
            data = await asyncio.to_thread(
                domain.render_rendition,
                original,
                domain.RENDITION_SIDES[size],
                max_pixels=runtime.settings.effective_max_image_pixels,
            )
        except domain.RenditionRefused as refusal:
            raise Problem(refusal.status, refusal.slug, str(refusal)) from refusal
        try:
            await runtime.objects.put(key, data, "image/jpeg")
        except Exception:
            log.warning("rendition %s served but not kept", key, exc_info=True)
    log.info("rendition %s made (%d bytes)", key, len(data))
    return data
