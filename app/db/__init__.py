"""Database helpers below every domain: bulk inserts in each dialect's own form."""
