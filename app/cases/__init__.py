"""Case management: people accepted into longer-term support."""
