"""Demo data: the reference data and demo accounts of `seed-demo`, and a generated history of field work."""
