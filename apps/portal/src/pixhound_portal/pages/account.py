"""Account pages: sign up, sign in and out, language, profile, password and notification preferences."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from pixhound_portal import domain
from pixhound_portal.backend import BackendError
from pixhound_portal.i18n import LOCALES
from pixhound_portal.sessions import LANGUAGE_COOKIE, LANGUAGE_MAX_AGE
from pixhound_portal.web import FormDep, GuestDep, SignedInDep, codec, redirect, render, safe_next

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(request: Request, ctx: GuestDep) -> Response:
    if codec(request).read(request) is not None:
        return redirect("/matches")
    return render(ctx, "home.html")


@router.get("/signin")
async def sign_in_page(ctx: GuestDep, next: str = "/matches", expired: bool = False) -> Response:
    return render(ctx, "signin.html", next=safe_next(next), expired=expired, email="", error="")


@router.post("/signin")
async def sign_in(ctx: GuestDep, form: FormDep) -> Response:
    email, password = str(form.get("email", "")).strip(), str(form.get("password", ""))
    next_path = safe_next(str(form.get("next", "")))
    try:
        token = await ctx.backend.sign_in(email, password)
    except BackendError as error:
        if error.status in {401, 422}:
            return render(ctx, "signin.html", status_code=401, next=next_path, email=email, error="bad-credentials")
        raise
    response = RedirectResponse(next_path, status_code=303)
    codec(ctx.request).write(response, token["token"], token["account_id"])
    return response


@router.get("/signup")
async def sign_up_page(ctx: GuestDep) -> Response:
    return render(ctx, "signup.html", values={}, errors={})


@router.post("/signup")
async def sign_up(ctx: GuestDep, form: FormDep) -> Response:
    values = {name: str(form.get(name, "")).strip() for name in ("email", "display_name")}
    password, confirm = str(form.get("password", "")), str(form.get("password_confirm", ""))
    errors = domain.sign_up_errors(values["email"], values["display_name"], password, confirm)
    if not errors:
        try:
            token = await ctx.backend.sign_up(values["email"], values["display_name"], password, ctx.locale)
        except BackendError as error:
            if error.status == 409:
                errors["email"] = "taken"
            elif error.status == 422:
                errors["form"] = "invalid"
            else:
                raise
    if errors:
        return render(ctx, "signup.html", status_code=422, values=values, errors=errors)
    response = RedirectResponse("/photos/upload?welcome=1", status_code=303)
    codec(ctx.request).write(response, token["token"], token["account_id"])
    return response


@router.post("/signout")
async def sign_out(request: Request, form: FormDep) -> Response:
    session = codec(request).read(request)
    if session is not None:
        try:
            await request.app.state.backend.sign_out(session.token)
        except BackendError:
            pass
    response = RedirectResponse("/signin?signed_out=1", status_code=303)
    codec(request).clear(response)
    return response


@router.post("/language")
async def choose_language(request: Request, form: FormDep) -> Response:
    locale = str(form.get("locale", ""))
    back = safe_next(str(form.get("next", "")))
    response = RedirectResponse(back, status_code=303)
    if locale not in LOCALES:
        return response
    response.set_cookie(
        LANGUAGE_COOKIE, locale, max_age=LANGUAGE_MAX_AGE, httponly=True, samesite="lax", secure=codec(request).secure
    )
    session = codec(request).read(request)
    if session is not None:
        try:
            await request.app.state.backend.update_me(session.token, locale=locale)
        except BackendError:
            pass
    return response


@router.get("/account")
async def account(ctx: SignedInDep, saved: str = "") -> Response:
    profile, preferences = await asyncio.gather(ctx.backend.profile(ctx.token), ctx.backend.preferences(ctx.token))
    return render(
        ctx,
        "account.html",
        profile=profile or {},
        address="\n".join((profile or {}).get("address", [])),
        preferences=preferences,
        saved=saved,
        errors={},
    )


@router.post("/account/details")
async def save_details(ctx: SignedInDep, form: FormDep) -> Response:
    name = str(form.get("display_name", "")).strip()[:200]
    locale = str(form.get("locale", ctx.locale))
    changes = {"display_name": name} if name else {}
    if locale in LOCALES:
        changes["locale"] = locale
    await ctx.backend.update_me(ctx.token, **changes)
    response = redirect("/account", saved="details")
    if locale in LOCALES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            locale,
            max_age=LANGUAGE_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=codec(ctx.request).secure,
        )
    return response


@router.post("/account/legal")
async def save_legal_identity(ctx: SignedInDep, form: FormDep) -> Response:
    body = domain.profile_from_form(form, default_email=ctx.me.get("email", ""), locale=ctx.locale)
    try:
        await ctx.backend.save_profile(ctx.token, body)
    except BackendError as error:
        if error.status != 422:
            raise
        return await _account_with_errors(ctx, {"legal": "invalid"}, profile=body)
    return redirect("/account", saved="legal")


@router.post("/account/password")
async def change_password(ctx: SignedInDep, form: FormDep) -> Response:
    current, new, confirm = (str(form.get(name, "")) for name in ("current_password", "new_password", "confirm"))
    problem = domain.password_problem(new, confirm)
    if problem:
        return await _account_with_errors(ctx, {"password": problem})
    try:
        token = await ctx.backend.change_password(ctx.token, current, new)
    except BackendError as error:
        if error.status in {401, 403}:
            return await _account_with_errors(ctx, {"password": "wrong-current"})
        if error.status == 422:
            return await _account_with_errors(ctx, {"password": "too-short"})
        raise
    response = redirect("/account", saved="password")
    codec(ctx.request).write(response, token["token"], token["account_id"])
    return response


@router.post("/account/notifications")
async def save_notification_preferences(ctx: SignedInDep, form: FormDep) -> Response:
    current = await ctx.backend.preferences(ctx.token)
    body = domain.preferences_from_form(current, form)
    await ctx.backend.save_preferences(ctx.token, body)
    return redirect("/account", saved="notifications")


async def _account_with_errors(ctx, errors: dict[str, str], profile: dict | None = None) -> Response:
    stored, preferences = await asyncio.gather(ctx.backend.profile(ctx.token), ctx.backend.preferences(ctx.token))
    shown = profile if profile is not None else stored or {}
    return render(
        ctx,
        "account.html",
        status_code=422,
        profile=shown,
        address="\n".join(shown.get("address", [])),
        preferences=preferences,
        saved="",
        errors=errors,
    )
