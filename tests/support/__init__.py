"""Helpers for tests: the local fixture HTTP server."""
