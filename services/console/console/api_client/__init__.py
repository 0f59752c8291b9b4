"""One small client per resource of the public API (as notifications-admin's notify_client)."""
