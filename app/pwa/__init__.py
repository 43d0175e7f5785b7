"""Serves the phone app: the shell, /sw.js at the root scope, the manifest."""
