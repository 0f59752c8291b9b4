"""Persistence of the notifications service: models, engine and sessions, migrations."""
