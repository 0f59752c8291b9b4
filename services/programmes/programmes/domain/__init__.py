"""Rules and state machines of the programmes service: plain Python, no Flask, no SQLAlchemy."""
