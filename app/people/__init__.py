"""The people teams meet: alias-friendly records, consent, search and timelines."""
