"""Referrals to partner agencies: the lifecycle state machine, inbox and history."""
