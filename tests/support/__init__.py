"""Test helpers: throwaway services, factories and an API client that carries the CSRF token."""
