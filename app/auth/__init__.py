"""Users, roles, sign-in sessions, CSRF and the permission policy."""
