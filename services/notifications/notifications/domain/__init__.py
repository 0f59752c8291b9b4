"""Rules of the notifications service: plain Python, no Flask, no SQLAlchemy."""
