"""Creator JSON API: becoming a creator."""

from __future__ import annotations

from learningos.auth.deps import CurrentUser
from learningos.creator import service
from learningos.creator.schemas import CreatorOut, OnboardIn
from learningos.deps import MetaDep, SessionDep
from learningos.kit.api import api_router

router = api_router("/api/v1", ["creator"])


@router.post("/creator/onboard", response_model=CreatorOut)
async def onboard(body: OnboardIn, user: CurrentUser, session: SessionDep, meta: MetaDep):
    """Accept the creator agreement (`agreement_version` must be the one in force) and give a
    legal name, an ISO country code and optionally a tax id: the account becomes a creator
    and may sell. Again later: updates the details and records the acceptance anew."""
    profile = await service.onboard(
        session,
        user,
        meta,
        accepted=body.accept_agreement,
        version=body.agreement_version,
        legal_name=body.legal_name,
        country=body.country,
        tax_id=body.tax_id,
    )
    return {
        "user_id": user.id,
        "role": user.role,
        "legal_name": profile.legal_name,
        "country": profile.country,
        "tax_id": profile.tax_id,
        "agreement_version": profile.agreement_version,
        "agreement_accepted_at": profile.agreement_accepted_at,
    }
