"""The programmes service: organisations, API keys, programmes, applications, the event log."""
