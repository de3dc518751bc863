"""Jobs of the sharing domain."""

from __future__ import annotations

import uuid

from learningos.jobs.registry import JobContext, PermanentJobError, job
from learningos.kit.email import Email
from learningos.kit.sealing import Unsealable, unseal
from learningos.models.content import Content
from learningos.models.jobs import JobName
from learningos.models.sharing import ShareLink
from learningos.models.user import User
from learningos.sharing.service import INVITATION


@job(JobName.SHARING_INVITATION_EMAIL)
async def send_invitation_email(ctx: JobContext) -> None:
    """The invitation: the same message whether or not the address has an account."""
    link = await ctx.session.get(ShareLink, uuid.UUID(ctx.job.payload["link_id"]))
    if link is None or link.email is None or link.revoked_at is not None:
        raise PermanentJobError("the invitation no longer exists")
    content = await ctx.session.get(Content, link.content_id)
    owner = await ctx.session.get(User, link.created_by)
    if content is None or owner is None:
        raise PermanentJobError("the shared material no longer exists")
    try:
        code = unseal(ctx.services.signing_secret, INVITATION, ctx.job.payload["code"])
    except Unsealable as exc:  # sealed under a secret that has since been changed
        raise PermanentJobError("the invitation's code cannot be read: invite again") from exc
    base = ctx.services.settings.base_url.rstrip("/")
    text = (
        "Hello,\n\n"
        f'{owner.name} invited you to learn from "{content.title}" on Learning OS.\n\n'
        f"Open it here (sign in, or create an account with any address): "
        f"{base}/s/{code}\n\n"
        f"The link works until {link.expires_at:%d %B %Y}.\n\n"
        "If you did not expect this, you can ignore this message.\n\n"
        "— Learning OS\n"
    )
    subject = f"{owner.name} shared material with you"
    await ctx.services.email.send(Email(to=link.email, subject=subject[:200], text=text))
