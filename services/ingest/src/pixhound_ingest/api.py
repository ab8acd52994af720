"""Ingest's HTTP API: accounts and sessions for photographers, and photo upload."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import insert

from pixhound_ingest import domain, events, store
from pixhound_platform.app import RuntimeDep, SessionDep
from pixhound_platform.auth import PhotographerDep, issue_token
from pixhound_platform.problems import Problem

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
    token: str
    token_type: Literal["bearer"] = "bearer"


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
    limit: int
    offset: int


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
            password_hash=domain.hash_password(body.password),
        )
    )
    await runtime.outbox.add(
        session,
        events.account_registered(
            account_id=account_id, email=body.email, display_name=body.display_name, locale=body.locale
        ),
    )
    secret = runtime.settings.auth_secret.get_secret_value()
    return TokenOut(account_id=account_id, token=issue_token(account_id, secret, runtime.settings.token_ttl_seconds))


@router.post("/sessions", response_model=TokenOut, tags=["accounts"], summary="Sign in and get a bearer token")
async def create_session(body: SessionIn, session: SessionDep, runtime: RuntimeDep) -> TokenOut:
    account = await store.account_by_email(session, body.email.strip().lower())
    if account is None or not domain.password_matches(body.password, account.password_hash):
        raise Problem(401, "bad-credentials", "Email or password is wrong.", title="Unauthorized")
    secret = runtime.settings.auth_secret.get_secret_value()
    return TokenOut(account_id=account.id, token=issue_token(account.id, secret, runtime.settings.token_ttl_seconds))


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
    photographer: PhotographerDep,
    runtime: RuntimeDep,
    session: SessionDep,
    response: Response,
    file: Annotated[UploadFile, File(description="JPEG, PNG, WebP, TIFF or GIF")],
    title: Annotated[str, Form(max_length=300)] = "",
) -> PhotoOut:
    settings = runtime.settings
    data = await file.read(settings.max_upload_bytes + 1)
    try:
        facts = domain.examine_upload(data, max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels)
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


@router.get("/photos", response_model=PhotoPage, tags=["photos"], summary="List my photos")
async def list_photos(
    photographer: PhotographerDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> PhotoPage:
    rows = await store.photos_for_owner(session, photographer.account_id, limit=limit, offset=offset)
    return PhotoPage(items=[_photo_out(row) for row in rows], limit=limit, offset=offset)


@router.get("/photos/{photo_id}", response_model=PhotoOut, tags=["photos"], summary="One of my photos")
async def get_photo(photo_id: str, photographer: PhotographerDep, session: SessionDep) -> PhotoOut:
    row = await store.photo_for_owner(session, photographer.account_id, photo_id)
    if row is None:
        raise Problem(404, "photo-not-found", "No such photo in your account.")
    return _photo_out(row)
