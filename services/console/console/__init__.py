"""Setu's console: the web front end for people, a client of the public API and nothing more."""
