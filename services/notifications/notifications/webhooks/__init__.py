"""Webhooks: Standard Webhooks signatures, address checks, the HTTP transport."""
