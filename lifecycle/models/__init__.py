from lifecycle.models.administration import Administration
from lifecycle.models.audit import AuditChainHead, AuditEvent, PersonalData
from lifecycle.models.challenge import Challenge, EigPosition, TeamMember
from lifecycle.models.people import PERSON_FIELDS, Contact, Entrepreneur, Mentor
from lifecycle.models.promotion import Call, PayLevel, Promotion, SelectionCriterion, SoughtProfile

__all__ = [
    "PERSON_FIELDS",
    "Administration",
    "AuditChainHead",
    "AuditEvent",
    "Call",
    "Challenge",
    "Contact",
    "EigPosition",
    "Entrepreneur",
    "Mentor",
    "PayLevel",
    "PersonalData",
    "Promotion",
    "SelectionCriterion",
    "SoughtProfile",
    "TeamMember",
]
