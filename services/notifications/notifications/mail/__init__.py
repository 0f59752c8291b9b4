"""Writing and sending emails: templates, MIME messages, the SMTP transport."""
