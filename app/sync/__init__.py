"""Batch ingest of queued phone entries and the changes feed."""
