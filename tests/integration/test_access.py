"""Every content read goes through the access rule."""

from __future__ import annotations

from datetime import timedelta

from learningos.content.repository import ContentRepository
from learningos.kit.db import utcnow
from learningos.models.content import Content, ContentAccess
from learningos.models.user import User


async def _user(session, email: str, role: str = "user") -> User:  # type: ignore[no-untyped-def]
    user = User(email=email, name=email.split("@")[0], password_hash="x", role=role)
    session.add(user)
    await session.flush()
    return user


async def _content(session, owner: User, title: str, **extra) -> Content:  # type: ignore[no-untyped-def]
    content = Content(user_id=owner.id, title=title, type="text", **extra)
    session.add(content)
    await session.flush()
    return content


async def test_access_rule(services):
    async with services.db.transaction() as session:
        owner = await _user(session, "owner@example.com")
        friend = await _user(session, "friend@example.com")
        stranger = await _user(session, "stranger@example.com")
        admin = await _user(session, "admin@example.com", role="admin")
        private = await _content(session, owner, "private")
        shared = await _content(session, owner, "shared", visibility="shared")
        expired = await _content(session, owner, "expired-share", visibility="shared")
        revoked = await _content(session, owner, "revoked-share", visibility="shared")
        await _content(session, owner, "public", visibility="public")
        await _content(session, owner, "platform", is_platform_content=True)
        paid = await _content(session, owner, "paid", visibility="paid", price_cents=500)
        session.add_all(
            [
                ContentAccess(
                    content_id=shared.id,
                    user_id=friend.id,
                    access_type="shared",
                    granted_by=owner.id,
                ),
                ContentAccess(
                    content_id=expired.id,
                    user_id=friend.id,
                    access_type="shared",
                    expires_at=utcnow() - timedelta(days=1),
                ),
                ContentAccess(
                    content_id=revoked.id,
                    user_id=friend.id,
                    access_type="shared",
                    revoked_at=utcnow() - timedelta(seconds=1),
                ),
                # Several reasons on one item: one revoked, one live, and it stays readable.
                ContentAccess(
                    content_id=shared.id,
                    user_id=friend.id,
                    access_type="subscriber",
                    revoked_at=utcnow(),
                ),
                # A grant on private content does not open it: private means the owner only.
                ContentAccess(content_id=private.id, user_id=friend.id, access_type="shared"),
            ]
        )
        await session.flush()
        repo = ContentRepository(session)

        async def titles(user):  # type: ignore[no-untyped-def]
            return (
                sorted(c.title for c in await repo.list_readable(user))
                if user
                else sorted(c.title for c in (await session.scalars(repo.readable_by(None))).all())
            )

        everything = sorted(
            ["private", "shared", "expired-share", "revoked-share", "public", "platform", "paid"]
        )
        assert await titles(owner) == everything
        assert await titles(admin) == everything
        assert await titles(friend) == ["platform", "public", "shared"]
        assert await titles(stranger) == ["platform", "public"]
        assert await titles(None) == ["platform", "public"]
        assert await repo.get_readable(private.id, stranger) is None
        assert await repo.get_readable(paid.id, stranger) is None
        assert (await repo.get_readable(shared.id, friend)).title == "shared"
        assert await repo.get_readable(revoked.id, friend) is None
        assert [c.title for c in await repo.list_library(friend)] == ["shared"]
