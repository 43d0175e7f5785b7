"""Supervisors' figures: daily counts, the published summary, heavy users, exports, demo history."""
