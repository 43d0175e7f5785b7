"""End-to-end tests: the phone app in a real Chromium against a real server (marked e2e)."""
