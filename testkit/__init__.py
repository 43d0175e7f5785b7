"""Helpers both the tests and the benchmarks use: factories, a JSON API client, entry builders, throwaway
PostgreSQL and Redis servers, a live gunicorn server and phones, a Web Push receiver."""
