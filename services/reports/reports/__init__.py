"""The reports service: a read model built from events, report jobs and schedules."""
