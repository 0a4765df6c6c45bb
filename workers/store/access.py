"""Who may use the field app: cadres' link tokens, coordinator logins, sessions, failed logins.

Only hashes of secrets are stored: a link token's secret and a session id as SHA-256 (both
are 192 random bits, so a fast hash is enough), a coordinator's password with argon2. The key
that signs links lives here too, so several servers on one database agree on it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, Integer, String, Table, Text, func, select
from sqlalchemy.exc import IntegrityError

from workers.store.schema import metadata

web_keys = Table(  # the signing key of links, one per store
    "web_keys",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", String(200), nullable=False),
)

access_tokens = Table(  # a cadre's personal link; re-issuing revokes the previous one
    "access_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("campaign_id", Integer, nullable=False, index=True),
    Column("cadre_id", String(100), nullable=False),
    Column("issued_at", DateTime, nullable=False),
    Column("revoked_at", DateTime),
)

web_sessions = Table(  # a browser's session (HttpOnly cookie holds the id, the store its hash)
    "web_sessions",
    metadata,
    Column("session_hash", String(64), primary_key=True),
    Column("campaign_id", Integer, nullable=False),
    Column("kind", String(12), nullable=False),  # cadre | coordinator
    Column("subject", String(100), nullable=False),  # cadre id or coordinator name
    Column("token_hash", String(64)),  # a cadre session ends with its link
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

coordinators = Table(
    "coordinators",
    metadata,
    Column("campaign_id", Integer, primary_key=True),
    Column("name", String(100), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

login_failures = Table(  # counted per name and per client address to slow guessing down
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign_id", Integer, nullable=False),
    Column("name", String(100), nullable=False, index=True),
    Column("client", String(64), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class Session:
    campaign_id: int
    kind: str
    subject: str
    csrf: str


class AccessRepository:
    engine: object

    def web_key(self) -> str:
        """The store's link-signing key, made on first use (256 random bits)."""
        with self.engine.begin() as db:
            key = db.execute(select(web_keys.c.value).where(web_keys.c.name == "links")).scalar()
            if key is not None:
                return key
            try:
                with db.begin_nested():
                    key = secrets.token_urlsafe(32)
                    db.execute(web_keys.insert().values(name="links", value=key))
            except IntegrityError:  # another server made it first
                key = db.execute(
                    select(web_keys.c.value).where(web_keys.c.name == "links")
                ).scalar_one()
        return key

    def issue_token(self, campaign_id: int, cadre_id: str) -> str:
        """A new secret for ``cadre_id``'s link; earlier links of the cadre stop working."""
        secret = secrets.token_urlsafe(24)  # 192 bits
        with self.engine.begin() as db:
            self._revoke(db, campaign_id, cadre_id)
            db.execute(
                access_tokens.insert().values(
                    token_hash=digest(secret),
                    campaign_id=campaign_id,
                    cadre_id=cadre_id,
                    issued_at=_now(),
                )
            )
        return secret

    def revoke_tokens(self, campaign_id: int, cadre_id: str) -> int:
        """End the cadre's link and its sessions; returns how many links were live."""
        with self.engine.begin() as db:
            return self._revoke(db, campaign_id, cadre_id)

    def _revoke(self, db, campaign_id: int, cadre_id: str) -> int:
        a = access_tokens.c
        live = (a.campaign_id == campaign_id) & (a.cadre_id == cadre_id) & a.revoked_at.is_(None)
        hashes = list(db.execute(select(a.token_hash).where(live)).scalars())
        if hashes:
            db.execute(access_tokens.update().where(live).values(revoked_at=_now()))
            db.execute(web_sessions.delete().where(web_sessions.c.token_hash.in_(hashes)))
        return len(hashes)

    def token_cadre(self, campaign_id: int, secret: str) -> tuple[str, str] | None:
        """(cadre id, token hash) of a live link secret of the campaign, else None."""
        a = access_tokens.c
        with self.engine.connect() as db:
            row = db.execute(
                select(a.cadre_id, a.token_hash).where(
                    (a.token_hash == digest(secret))
                    & (a.campaign_id == campaign_id)
                    & a.revoked_at.is_(None)
                )
            ).first()
        return (row.cadre_id, row.token_hash) if row else None

    def cadres_of(
        self, campaign_id: int, secrets_: list[str], session_ids: list[str]
    ) -> tuple[dict[str, str], dict[str, str]]:
        """For many syncs at once: live link secrets → cadre, live session ids → cadre."""
        a, s = access_tokens.c, web_sessions.c
        by_secret = {digest(x): x for x in secrets_}
        by_session = {digest(x): x for x in session_ids}
        links, sessions = {}, {}
        with self.engine.connect() as db:
            if by_secret:
                rows = db.execute(
                    select(a.token_hash, a.cadre_id).where(
                        a.token_hash.in_(list(by_secret))
                        & (a.campaign_id == campaign_id)
                        & a.revoked_at.is_(None)
                    )
                )
                links = {by_secret[h]: c for h, c in rows}
            if by_session:
                rows = db.execute(
                    select(s.session_hash, s.subject).where(
                        s.session_hash.in_(list(by_session))
                        & (s.campaign_id == campaign_id)
                        & (s.kind == "cadre")
                        & (s.expires_at > _now())
                    )
                )
                sessions = {by_session[h]: c for h, c in rows}
        return links, sessions

    def live_links(self, campaign_id: int) -> set[str]:
        """Cadres with a live link."""
        a = access_tokens.c
        with self.engine.connect() as db:
            rows = db.execute(
                select(a.cadre_id).where((a.campaign_id == campaign_id) & a.revoked_at.is_(None))
            ).scalars()
            return set(rows)

    # Sessions ---------------------------------------------------------------------------

    def open_session(
        self, campaign_id: int, kind: str, subject: str, ttl: dt.timedelta, token_hash=None
    ) -> tuple[str, str]:
        """A new session: (its id for the cookie, its CSRF token)."""
        session_id, csrf = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        with self.engine.begin() as db:
            db.execute(web_sessions.delete().where(web_sessions.c.expires_at < _now()))
            db.execute(
                web_sessions.insert().values(
                    session_hash=digest(session_id),
                    campaign_id=campaign_id,
                    kind=kind,
                    subject=subject,
                    token_hash=token_hash,
                    csrf=csrf,
                    created_at=_now(),
                    expires_at=_now() + ttl,
                )
            )
        return session_id, csrf

    def session(self, session_id: str, kind: str) -> Session | None:
        s = web_sessions.c
        with self.engine.connect() as db:
            row = db.execute(
                select(s.campaign_id, s.kind, s.subject, s.csrf).where(
                    (s.session_hash == digest(session_id))
                    & (s.kind == kind)
                    & (s.expires_at > _now())
                )
            ).first()
        return Session(*row) if row else None

    def close_session(self, session_id: str) -> None:
        with self.engine.begin() as db:
            db.execute(
                web_sessions.delete().where(web_sessions.c.session_hash == digest(session_id))
            )

    # Coordinators and failed logins -------------------------------------------------------

    def set_coordinator(self, campaign_id: int, name: str, password_hash: str) -> bool:
        """Create or change a login; True if it was new. Its open sessions end."""
        c = coordinators.c
        with self.engine.begin() as db:
            known = db.execute(
                select(c.name).where((c.campaign_id == campaign_id) & (c.name == name))
            ).first()
            values = {"password_hash": password_hash, "updated_at": _now()}
            if known:
                db.execute(
                    coordinators.update()
                    .where((c.campaign_id == campaign_id) & (c.name == name))
                    .values(**values)
                )
                db.execute(
                    web_sessions.delete().where(
                        (web_sessions.c.kind == "coordinator") & (web_sessions.c.subject == name)
                    )
                )
            else:
                db.execute(
                    coordinators.insert().values(campaign_id=campaign_id, name=name, **values)
                )
        return not known

    def coordinator_hash(self, campaign_id: int, name: str) -> str | None:
        c = coordinators.c
        with self.engine.connect() as db:
            return db.execute(
                select(c.password_hash).where((c.campaign_id == campaign_id) & (c.name == name))
            ).scalar()

    def note_login_failure(self, campaign_id: int, name: str, client: str) -> None:
        with self.engine.begin() as db:
            db.execute(
                login_failures.insert().values(
                    campaign_id=campaign_id, name=name[:100], client=client[:64], at=_now()
                )
            )

    def login_failures(
        self, campaign_id: int, name: str, client: str, window: dt.timedelta
    ) -> tuple[int, int]:
        """Failed logins within the last ``window``: (for this name, from this client)."""
        f = login_failures.c
        recent = (f.campaign_id == campaign_id) & (f.at >= _now() - window)
        with self.engine.connect() as db:
            by_name = db.execute(
                select(func.count()).where(recent & (f.name == name[:100]))
            ).scalar_one()
            by_client = db.execute(
                select(func.count()).where(recent & (f.client == client[:64]))
            ).scalar_one()
        return by_name, by_client

    def clear_login_failures(self, campaign_id: int, name: str) -> None:
        f = login_failures.c
        with self.engine.begin() as db:
            db.execute(
                login_failures.delete().where((f.campaign_id == campaign_id) & (f.name == name))
            )
