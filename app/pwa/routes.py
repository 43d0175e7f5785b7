"""Serves the PWA shell at / and the service worker at /sw.js (so it controls the whole origin)."""

from flask import Blueprint

pages = Blueprint("pwa", __name__)
