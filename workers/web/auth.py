"""Who is asking: a cadre (link token or its session cookie) or a coordinator (login, CSRF).

A link is ``/c/TOKEN``, where TOKEN is ``[campaign id, secret]`` signed with itsdangerous:
a tampered token fails the signature before the store is asked; a signed one still needs its
secret's hash to be live in the store, so revoking a link ends it at once.
"""

from __future__ import annotations

import functools
import hmac
import secrets

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, URLSafeSerializer
from pwdlib import PasswordHash

from workers.store.access import Session, digest

CADRE_COOKIE = "zf_cadre"
COORDINATOR_COOKIE = "zf_board"
LOGIN_COOKIE = "zf_login"  # the login form's double-submit CSRF value
LINK_SALT = "zoufang.cadre-link"
MAX_SIGNED = 20_000  # tokens whose signature was checked, kept (a town issues a few hundred)
_SIGNED: dict[tuple[str, int, str], str] = {}

PASSWORDS = PasswordHash.recommended()  # argon2id
# Verified when the name is unknown, so a login takes as long whether or not it exists.
_DUMMY_HASH = PASSWORDS.hash(secrets.token_urlsafe(16))


@functools.lru_cache(maxsize=8)
def serializer(key: str) -> URLSafeSerializer:
    return URLSafeSerializer(key, salt=LINK_SALT)


def make_token(key: str, campaign_id: int, secret: str) -> str:
    return serializer(key).dumps([campaign_id, secret])


def read_token(key: str, campaign_id: int, token: str) -> str | None:
    """The secret of a well-signed token of this campaign, else None.

    A phone sends its token with every sync, and the signature check (itsdangerous, pure
    Python) cost 5 ms of the event loop's time per 300 syncs; a token that passed is
    remembered (only signed ones, so the memory is bounded by the links issued). Revocation
    is not a matter of the signature: the store is asked about the secret every time."""
    known = _SIGNED.get((key, campaign_id, token))
    if known is not None:
        return known
    secret = _verify(key, campaign_id, token)
    if secret is not None:
        if len(_SIGNED) >= MAX_SIGNED:
            _SIGNED.clear()
        _SIGNED[key, campaign_id, token] = secret
    return secret


def _verify(key: str, campaign_id: int, token: str) -> str | None:
    try:
        value = serializer(key).loads(token)
    except BadSignature:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or value[0] != campaign_id
        or not isinstance(value[1], str)
    ):
        return None
    return value[1]


def hash_password(password: str) -> str:
    return PASSWORDS.hash(password)


def check_password(password: str, stored: str | None) -> bool:
    if stored is None:
        PASSWORDS.verify(password, _DUMMY_HASH)
        return False
    return PASSWORDS.verify(password, stored)


def cookie_options(request: Request, max_age_s: int) -> dict:
    """HttpOnly, SameSite=Lax, Secure when the page came over HTTPS (also behind a proxy
    that says so in X-Forwarded-Proto, which uvicorn's proxy headers apply)."""
    return {
        "httponly": True,
        "samesite": "lax",
        "secure": request.url.scheme == "https",
        "max_age": max_age_s,
        "path": "/",
    }


def unauthorized(message: str = "链接无效或已失效，请向协调员索取新的链接") -> HTTPException:
    return HTTPException(status_code=401, detail=message)


def cadre_of(request: Request) -> str:
    """The cadre a request speaks for: ``Authorization: Bearer TOKEN`` or the session cookie.

    Raises 401 for a missing, bad, tampered or revoked token or an ended session."""
    field = request.app.state.field
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        secret = read_token(field.key, field.campaign_id, header[7:].strip())
        found = field.store.token_cadre(field.campaign_id, secret) if secret else None
        if found is None:
            raise unauthorized()
        return found[0]
    session = _session(request, CADRE_COOKIE, "cadre")
    if session is None:
        raise unauthorized()
    return session.subject


def _session(request: Request, cookie: str, kind: str) -> Session | None:
    field = request.app.state.field
    value = request.cookies.get(cookie)
    if not value or len(value) > 100:
        return None
    session = field.store.session(value, kind)
    if session is None or session.campaign_id != field.campaign_id:
        return None
    return session


def coordinator_of(request: Request) -> Session | None:
    return _session(request, COORDINATOR_COOKIE, "coordinator")


def require_csrf(request: Request, session: Session, sent: str | None) -> None:
    """A coordinator's POST must carry the session's CSRF token (form field or header) and,
    when the browser names one, come from this site."""
    origin = request.headers.get("origin")
    if origin and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise HTTPException(status_code=403, detail="来源不符 / cross-site request refused")
    if not sent or not hmac.compare_digest(sent.encode(), session.csrf.encode()):
        raise HTTPException(status_code=403, detail="缺少或错误的 CSRF 令牌 / bad CSRF token")


def same_secret(a: str | None, b: str | None) -> bool:
    return bool(a and b) and hmac.compare_digest(digest(a), digest(b))
