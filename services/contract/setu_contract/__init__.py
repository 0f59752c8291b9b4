"""The contract between Setu's services, and the only package they share.

- ``events``: the envelope and the data schema of every event type (versioned).
- ``messaging``: queue and task names, who subscribes to what, and the Celery settings
  every producer and consumer of the broker must agree on.
- ``outbox``: the outbox table and the relay that publishes it (one home for both).
- ``http``: the identity headers the gateway passes on, and the error body's shape.
- ``observability``: the correlation id and the JSON log format.
"""

CONTRACT_VERSION = 1
