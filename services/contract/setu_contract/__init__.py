"""The contract between Setu's services, and the only package they share.

- ``events``: the envelope and the data schema of every event type (versioned).
- ``messaging``: queue and task names, who subscribes to what, and the Celery settings
  every producer and consumer of the broker must agree on.
- ``outbox``: the outbox table and the relay that publishes it (one home for both).
- ``idempotency``: what an ``Idempotency-Key`` means (its rules, its owner, the replay) and
  the table each service stores the first answers in.
- ``dead_letters``: the dead-letter store every consumer keeps (table, record, list, requeue).
- ``personal_data``: which fields of an event name a person, and how an erasure takes
  them out of every copy.
- ``confirmations``, ``deliveries``, ``redelivery``: delivery confirmed end to end: consumers
  confirm each event to its producer, whose relay sends again what is not confirmed in time.
- ``broker``: Celery's Redis transport, guarded so that a worker outlives a Redis crash.
- ``http``: the identity headers the gateway passes on, and the error body's shape.
- ``edge``, ``errors``, ``paging``: the one HTTP edge of every service: its ``Api`` (every
  error answers the error body; a database away is 503 with Retry-After), the caller and
  its role guard, the shape of domain errors, and the page of a list.
- ``observability``: the correlation id, the JSON log format, and the WSGI instrumentation
  every API wears (one log line and metrics a request, ``/metrics``).
- ``metrics``, ``health``, ``database``: the metric names, the readiness checks and the engine
  settings, which every service must have alike.

Everything here is a convention the services must agree on; nothing here knows a service.
"""

CONTRACT_VERSION = 1
