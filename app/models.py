"""Imports every domain's models so the metadata (and Alembic) sees the whole schema."""

from app.audit.models import AuditEvent, Disclosure
from app.auth.models import AuthSession, LoginFailure, User
from app.cases.models import Case, CaseGoal, CaseGoalEvent, CaseNote, CaseTransition
from app.directory.models import Agency, Site, Team
from app.encounters.models import Encounter, EncounterChange
from app.entries.models import ChangeClock
from app.people.models import Person, PersonChange
from app.push.models import PendingAlert, PushDelivery, PushSubscription
from app.referrals.models import Referral, ReferralEvent
from app.stats.models import DailyAuthorCount, DailyTeamCount
from app.tables.models import Situation, SituationAssist, SituationNote, SituationTable, TableChair, TableMember

__all__ = ["AuditEvent", "Disclosure", "AuthSession", "LoginFailure", "User", "Case", "CaseGoal", "CaseGoalEvent",
           "CaseNote", "CaseTransition", "Agency", "Site", "Team", "Encounter", "EncounterChange", "Person",
           "PersonChange", "PendingAlert",
           "PushDelivery", "PushSubscription", "Referral", "ReferralEvent", "ChangeClock", "DailyAuthorCount",
           "DailyTeamCount", "Situation", "SituationAssist", "SituationNote", "SituationTable", "TableChair",
           "TableMember"]
