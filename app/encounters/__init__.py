"""Encounters: interactions, primary responses, consultations, on-scene assists, shelter check-ins."""
