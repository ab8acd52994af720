"""What every page shares: the signed-in photographer, the language, the forms' CSRF check, rendering.

Pages declare `ctx: SignedInDep` to require a signed-in photographer (the portal asks ingest
who the token belongs to on every page, so a revoked session is refused at once) and
`form: FormDep` to read a form body whose CSRF token and origin were checked.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import FormData

from pixhound_portal import domain, i18n
from pixhound_portal.backend import Backend, BackendError, SignedOut
from pixhound_portal.sessions import CSRF_FIELD, CSRF_HEADER, LANGUAGE_COOKIE, SessionCodec, same_site_request
from pixhound_portal.settings import PortalSettings


class CsrfRejected(Exception):
    """A state-changing request without a valid CSRF token or from another site."""


class SignInRequired(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


@dataclass
class Context:
    request: Request
    locale: str
    csrf: str
    token: str = ""
    me: dict[str, Any] = field(default_factory=dict)
    unread: int = 0

    @property
    def signed_in(self) -> bool:
        return bool(self.token)

    @property
    def fmt(self) -> i18n.Formatter:
        return i18n.Formatter(self.locale)

    @property
    def backend(self) -> Backend:
        return self.request.app.state.backend

    @property
    def settings(self) -> PortalSettings:
        return self.request.app.state.settings

    def gettext(self, message: str) -> str:
        return i18n.translations(self.locale).gettext(message)


def codec(request: Request) -> SessionCodec:
    return request.app.state.sessions


def chosen_locale(request: Request, account_locale: str | None = None) -> str:
    return (
        i18n.supported(request.cookies.get(LANGUAGE_COOKIE))
        or i18n.supported(account_locale)
        or i18n.negotiate(request.headers.get("accept-language", ""))
    )


def guest_context(request: Request) -> Context:
    return Context(request=request, locale=chosen_locale(request), csrf=codec(request).csrf_token(request))


async def signed_in_context(request: Request) -> Context:
    session = codec(request).read(request)
    if session is None:
        raise SignInRequired(_here(request))
    backend: Backend = request.app.state.backend
    me, unread = await asyncio.gather(backend.me(session.token), _unread(backend, session.token))
    return Context(
        request=request,
        locale=chosen_locale(request, me.get("locale")),
        csrf=codec(request).csrf_token(request),
        token=session.token,
        me=me,
        unread=unread,
    )


def token_context(request: Request) -> Context:
    """The signed-in photographer's token without asking ingest who they are: for images and uploads."""
    session = codec(request).read(request)
    if session is None:
        raise SignInRequired(_here(request))
    return Context(
        request=request, locale=chosen_locale(request), csrf=codec(request).csrf_token(request), token=session.token
    )


async def _unread(backend: Backend, token: str) -> int:
    try:
        return await backend.unread_count(token)
    except SignedOut:
        raise
    except BackendError:
        return 0


def _here(request: Request) -> str:
    path = request.url.path
    return path + (f"?{request.url.query}" if request.url.query else "")


async def read_checked_form(request: Request, *, max_files: int, max_part_size: int) -> FormData:
    """The form body, once its origin and CSRF token (form field or `X-CSRF-Token`) are checked."""
    if not same_site_request(request):
        raise CsrfRejected()
    form = await request.form(max_files=max_files, max_fields=2000, max_part_size=max_part_size)
    submitted = str(form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER, ""))
    if not codec(request).csrf_valid(request, submitted):
        await form.close()
        raise CsrfRejected()
    return form


async def checked_form(request: Request) -> FormData:
    settings: PortalSettings = request.app.state.settings
    return await read_checked_form(request, max_files=0, max_part_size=settings.max_form_bytes)


SignedInDep = Annotated[Context, Depends(signed_in_context)]
GuestDep = Annotated[Context, Depends(guest_context)]
TokenDep = Annotated[Context, Depends(token_context)]
FormDep = Annotated[FormData, Depends(checked_form)]


@cache
def environment(locale: str) -> Environment:
    env = Environment(
        loader=PackageLoader("pixhound_portal", "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(locale), newstyle=True)
    env.globals.update(
        query=_query,
        labels=domain,
        band=domain.band,
        state_label=lambda state: domain.STATE_LABELS.get(state, state),
        band_label=lambda value: domain.BAND_LABELS.get(value, value),
        country_name=i18n.country_name,
        can_abandon=domain.can_abandon,
        can_reopen=domain.can_reopen,
    )
    env.filters["urlquote"] = lambda value: quote(str(value), safe="")
    return env


def _query(base: dict[str, Any], **changes: Any) -> str:
    merged = {key: value for key, value in {**base, **changes}.items() if value not in (None, "", False)}
    return urlencode(merged, doseq=True)


def render(ctx: Context, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    page = environment(ctx.locale).get_template(template)
    html = page.render(ctx=ctx, fmt=ctx.fmt, locale=ctx.locale, csrf=ctx.csrf, request=ctx.request, **values)
    response = HTMLResponse(html, status_code=status_code)
    codec(ctx.request).persist_new_csrf(ctx.request, response)
    return response


def redirect(path: str, **params: Any) -> RedirectResponse:
    target = path + (("&" if "?" in path else "?") + _query({}, **params) if params else "")
    return RedirectResponse(target, status_code=303)


def safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/matches"
