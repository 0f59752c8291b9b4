"""Alembic migrations of the programmes service."""
