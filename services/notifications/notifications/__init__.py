"""The notifications service: emails (and webhooks) from Setu's events."""
