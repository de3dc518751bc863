from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field, model_validator


class PaymentSettingsIn(BaseModel):
    """The whole set of donation methods (PUT replaces it). The KHQR image is uploaded on its
    own (`PUT /api/v1/creator/payment-settings/khqr-image`, multipart `file`)."""

    paddle_enabled: bool = True
    aba_khqr_enabled: bool = False
    aba_khqr_name: str | None = Field(default=None, max_length=100)
    paypal_enabled: bool = False
    # A PayPal email address or a https://www.paypal.me/<name> link.
    paypal: str | None = Field(default=None, max_length=320)


class PaymentSettingsOut(BaseModel):
    paddle_enabled: bool
    aba_khqr_enabled: bool
    aba_khqr_name: str | None
    aba_khqr_image_url: str | None
    aba_khqr_account: str | None
    paypal_enabled: bool
    paypal: str | None
    paypal_link: str | None


class ContentDonationsIn(BaseModel):
    accept_donations: bool
    donation_message: str | None = Field(default=None, max_length=500)


class ContentDonationsOut(BaseModel):
    id: uuid.UUID
    accept_donations: bool
    donation_message: str | None


class DonateCheckoutIn(BaseModel):
    """Donate to an item's creator (`content_id`) or to a creator (`creator_id`): one of them.
    `amount_cents`: a preset (100, 300, 500, 1000) or any whole amount from 100 to 100000."""

    content_id: uuid.UUID | None = None
    creator_id: uuid.UUID | None = None
    amount_cents: int
    message: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _one_target(self) -> DonateCheckoutIn:
        if (self.content_id is None) == (self.creator_id is None):
            raise ValueError("Give either content_id or creator_id.")
        return self


class DonateCheckoutOut(BaseModel):
    donation_id: uuid.UUID
    checkout_url: str


class DonationOut(BaseModel):
    id: uuid.UUID
    amount_cents: int
    currency: str
    message: str | None
    status: str
    payment_provider: str
    content_id: uuid.UUID | None
    content_title: str | None
    donor_name: str | None
    created_at: datetime
    completed_at: datetime | None


class DonationPage(BaseModel):
    items: list[DonationOut]
    total: int
    page: int
    per_page: int
