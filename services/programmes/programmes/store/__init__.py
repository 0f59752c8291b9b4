"""Persistence of the programmes service: models, engine, migrations, the outbox."""
