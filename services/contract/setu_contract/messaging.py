"""Queue names, task names, subscriptions, and the broker settings everyone must share.

Producers send tasks by name (``send_task``) and never import a consumer. Each consuming
service has one queue of its own; its workers are pinned to it. ``deploy/`` and the
``setu up`` topology are checked against these constants by the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from setu_contract.events import PERSON_EVENTS, REVIEW_EVENTS, SCREENING_EVENTS, EventType
from setu_contract.personal_data import without_actor_names, without_personal_data

NOTIFICATIONS_QUEUE = "notifications"
REPORTS_QUEUE = "reports"
QUEUES = (NOTIFICATIONS_QUEUE, REPORTS_QUEUE)

# The one task through which each consumer receives events: args=[envelope].
HANDLE_EVENT_TASK = {
    NOTIFICATIONS_QUEUE: "notifications.handle_event",
    REPORTS_QUEUE: "reports.handle_event",
}

# Which events each consumer is sent. Reports keeps a read model of everything the
# programmes service does but its people (it counts no person); notifications also needs
# organisations and people (for addresses and languages) and report.generated (to email
# recipients). Review events name their reviewer: reports is sent only review.submitted (it
# counts reviewed proposals), without the reviewer (``sent_to``).
SUBSCRIPTIONS: dict[str, frozenset[EventType]] = {
    NOTIFICATIONS_QUEUE: frozenset(EventType),
    REPORTS_QUEUE: frozenset(EventType)
    - {EventType.REPORT_GENERATED, EventType.CALL_CLOSING_REMINDER}
    - PERSON_EVENTS
    - (REVIEW_EVENTS - {EventType.REVIEW_SUBMITTED}),
}


# The consumers that write to applicants, and so need their personal data; every other one
# is sent an application's events without it (setu_contract.personal_data), and so never
# keeps it in a dead letter nor quotes it in a log line.
PERSONAL_DATA_QUEUES = frozenset({NOTIFICATIONS_QUEUE})


def destinations(event_type: str) -> list[tuple[str, str]]:
    """(queue, task name) pairs an event of this type is published to."""
    kind = EventType(event_type)
    return [(q, HANDLE_EVENT_TASK[q]) for q in QUEUES if kind in SUBSCRIPTIONS[q]]


def sent_to(queue: str, envelope: dict[str, Any]) -> dict[str, Any]:
    """The envelope as ``queue``'s consumer is sent it: without personal data (an
    applicant's, a reviewer's, the names of who acted), unless it writes to people."""
    if queue in PERSONAL_DATA_QUEUES:
        return envelope
    if envelope.get("type") in REVIEW_EVENTS:
        envelope = {**envelope, "data": {**envelope["data"], "reviewer": None}}
    if envelope.get("type") in SCREENING_EVENTS:
        # Notes may speak of a person; who recorded it is named by organisation only.
        data = {**envelope["data"], "notes": None, "recorded_by": None}
        envelope = {**envelope, "data": data}
    return without_actor_names(without_personal_data(envelope))


# The services that write events (each has an outbox and a relay), and which writes what.
# A consumer is named by its queue.
PROGRAMMES_PRODUCER = "programmes"
REPORTS_PRODUCER = "reports"
PRODUCERS = (PROGRAMMES_PRODUCER, REPORTS_PRODUCER)


def producer_of(event_type: str) -> str:
    """The service that writes events of this type."""
    if EventType(event_type) is EventType.REPORT_GENERATED:
        return REPORTS_PRODUCER
    return PROGRAMMES_PRODUCER


def consumers_of(producer: str) -> tuple[str, ...]:
    """The queues (consumers) that are sent some of ``producer``'s events."""
    kinds = [kind for kind in EventType if producer_of(kind) == producer]
    return tuple(q for q in QUEUES if any(kind in SUBSCRIPTIONS[q] for kind in kinds))


def confirmations_key(producer: str) -> str:
    """The Redis list in which consumers confirm ``producer``'s events to it
    (setu_contract.confirmations)."""
    return f"setu:confirmations:{producer}"


def event_task_reprs(envelope: dict[str, Any]) -> dict[str, str]:
    """What an event task shows of its arguments: the event's type and id, none of its data.

    Pass these to ``send_task`` and to ``Task.retry`` for an event. Otherwise Celery puts
    ``saferepr`` of the envelope in the message's ``argsrepr`` header, which Flower, task
    events and ``celery inspect`` show to whoever operates the broker: up to 1 KiB of the
    payload, applicants' names and email addresses among it. Computing that repr was also
    most of the relay's CPU: it walks the whole envelope, once per queue. ``send_task`` also
    copies both options into the message's properties, where nothing reads them.
    """
    return {"argsrepr": f"[<{envelope['type']} {envelope['id']}>]", "kwargsrepr": "{}"}


def task_reprs(args: Sequence[Any]) -> dict[str, str]:
    """``event_task_reprs`` when a task's one argument is an event envelope (a dead letter of
    an event task sent again, say); otherwise nothing, and Celery shows the arguments (ids)."""
    if len(args) == 1 and isinstance(args[0], dict) and {"type", "id"} <= args[0].keys():
        return event_task_reprs(args[0])
    return {}


# Unacknowledged tasks a worker node holds per pool process: the one running and one more,
# so that a process that finishes is handed its next task at once instead of after the
# node's round trips to Redis for it (docs/performance.md). A node's held tasks
# stay in Redis's unacked set: a node that dies loses none of them, they come back after
# the visibility timeout (an event sooner: its producer publishes again what is not
# confirmed after SETU_DELIVERY_DEADLINE, setu_contract.deliveries).
PREFETCH_MULTIPLIER = 2

# Time budget. A task never runs longer than TASK_TIME_LIMIT, and no countdown (retry
# backoff included) exceeds MAX_COUNTDOWN. A task held by a node may wait there for the
# tasks ahead of it, one a process (PREFETCH_MULTIPLIER - 1 time limits), before it runs.
# The visibility timeout is longer than all of it added together, otherwise Redis hands a
# still-running or still-waiting task to a second worker and it runs twice (RELIABILITY.md).
TASK_TIME_LIMIT = 60
MAX_COUNTDOWN = 300
VISIBILITY_TIMEOUT = 900
assert VISIBILITY_TIMEOUT > PREFETCH_MULTIPLIER * TASK_TIME_LIMIT + MAX_COUNTDOWN

# Seconds a client waits on a Redis socket before giving up: a frozen Redis must not
# freeze a relay or a worker (RELIABILITY.md, "Redis hangs").
REDIS_SOCKET_TIMEOUT = 5.0

# Kombu's Redis transport with a guard for a connection lost while a worker waits on it
# (setu_contract.broker).
BROKER_TRANSPORT = "setu_contract.broker:Transport"


def celery_settings(broker_url: str) -> dict[str, Any]:
    """The Celery configuration shared by every producer and consumer on the broker."""
    transport = {
        # Unacknowledged tasks return to the queue after this long (see the time budget).
        "visibility_timeout": VISIBILITY_TIMEOUT,
        # Never block forever on a dead or frozen Redis (the relay's batch pipelines too).
        # No retry_on_timeout: kombu would then send the relay's batches one message per
        # round trip, since a replayed pipeline could push its messages twice.
        "socket_timeout": REDIS_SOCKET_TIMEOUT,
        "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
        # Look for tasks of dead worker nodes every 10 s instead of every ~100 s.
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
        # Publishing is retried by the outbox relay, not inside kombu.
        "max_retries": 2,
    }
    return {
        "broker_url": broker_url,
        "broker_transport": BROKER_TRANSPORT,
        "broker_transport_options": transport,
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": REDIS_SOCKET_TIMEOUT,
        "broker_pool_limit": 10,
        # Acknowledge after the handler returns, so a crash mid-task redelivers it...
        "task_acks_late": True,
        # ...including when the pool child is SIGKILLed (acks_late alone acks that task).
        "task_reject_on_worker_lost": True,
        # Each pool process has its next task waiting in the node (see PREFETCH_MULTIPLIER).
        "worker_prefetch_multiplier": PREFETCH_MULTIPLIER,
        # Nobody reads task results: storing them only fills Redis.
        "task_ignore_result": True,
        "result_backend": None,
        "task_time_limit": TASK_TIME_LIMIT,
        "task_soft_time_limit": TASK_TIME_LIMIT - 10,
        "task_serializer": "json",
        "accept_content": ["json"],
        "timezone": "UTC",
        "enable_utc": True,
        # A task running when the broker goes away runs to its end: its email is sent and
        # recorded once. Cancelling it would kill its pool process mid-send (the sweeper then
        # sends again what the SMTP server may have accepted), and Celery cancels by pool
        # process id, which may by then run another task. Its acknowledgement is lost with
        # the connection: the message comes back later and the consumer finds it applied.
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "worker_hijack_root_logger": False,
    }


def freeze_start_up_heap_in_pool_children() -> None:
    """Each prefork pool child freezes the heap it starts with
    (``setu_contract.process.freeze_start_up_heap``, as the API workers do)."""
    from celery import signals

    from setu_contract.process import freeze_start_up_heap

    @signals.worker_process_init.connect(weak=False)  # type: ignore[untyped-decorator]  # celery is untyped
    def _freeze(**_: Any) -> None:
        freeze_start_up_heap()


def keep_new_files_private_in_workers() -> None:
    """A worker node or beat makes its files private (``process.keep_new_files_private``)
    as it starts, before its pool children or its schedule file exist."""
    from celery import signals

    from setu_contract.process import keep_new_files_private

    @signals.worker_init.connect(weak=False)  # type: ignore[untyped-decorator]
    @signals.beat_init.connect(weak=False)  # type: ignore[untyped-decorator]
    def _private(**_: Any) -> None:
        keep_new_files_private()
