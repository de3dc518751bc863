"""ORM models. Importing this package registers every table on Base.metadata (the audit
log's table is kit's: kit/audit.py)."""

from learningos.kit.audit import AuditEvent
from learningos.models.ai import AIUsage
from learningos.models.auth import RefreshToken
from learningos.models.catalogue import ContentRating, LibraryEntry
from learningos.models.content import Content, ContentAccess, ContentSection
from learningos.models.donations import CreatorPaymentSettings, Donation
from learningos.models.jobs import Job
from learningos.models.learning import (
    Adaptation,
    Concept,
    ConceptProgress,
    Engagement,
    Interaction,
    LearningMap,
    LearningSession,
    NoteVersion,
    UserNote,
)
from learningos.models.ledger import LedgerEntry, LedgerTransaction
from learningos.models.sales import CreatorProfile, Purchase, TakedownRequest
from learningos.models.sharing import ShareLink
from learningos.models.user import User
from learningos.models.webhooks import WebhookEvent

__all__ = [
    "AIUsage",
    "Adaptation",
    "ConceptProgress",
    "Engagement",
    "NoteVersion",
    "AuditEvent",
    "Concept",
    "Content",
    "ContentAccess",
    "ContentRating",
    "ContentSection",
    "CreatorPaymentSettings",
    "Donation",
    "CreatorProfile",
    "Purchase",
    "TakedownRequest",
    "LedgerEntry",
    "LedgerTransaction",
    "LibraryEntry",
    "Interaction",
    "Job",
    "LearningMap",
    "LearningSession",
    "RefreshToken",
    "ShareLink",
    "User",
    "UserNote",
    "WebhookEvent",
]
