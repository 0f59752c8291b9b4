"""gunicorn settings for every API process (`--config python:setu.gunicorn_conf`).

Read from the environment so that compose and `setu up` share one file.
"""

import os

from setu_contract.process import keep_new_files_private

# The master and every worker it forks write files for Setu's user alone.
keep_new_files_private()

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# gunicorn 27's control interface listens on one socket per user ($XDG_RUNTIME_DIR or
# ~/.gunicorn/gunicorn.ctl), which every server of `setu up` would fight over, each logging an
# error; nothing of Setu uses it (processes are managed by signals, setu.supervisor).
control_socket_disable = True
# Threads let one worker keep answering while another request waits on the database or,
# for the gateway, on an upstream service.
# gthread, but a worker whose threads are all busy leaves new connections to an idle one
# (setu/gunicorn_worker.py): otherwise one worker can take every keep-alive connection.
worker_class = "setu.gunicorn_worker.BalancedThreadWorker"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 30
graceful_timeout = 10
keepalive = 5
# The request line and headers are bounded; bodies are bounded by each service (1 MiB).
limit_request_line = 8190
accesslog = "-" if os.environ.get("ACCESS_LOG", "0") == "1" else None
# Its lines name a signed link's route, never its token.
logger_class = "setu.gunicorn_logger.AccessLogger"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

# Every worker process counts its own requests; Prometheus must see their sum. Each gunicorn
# master gets a fresh directory for the workers' metric files (prometheus_client's
# multiprocess mode), set here, before any worker imports the app.
# prometheus_client reads this when it is first imported, so it is set before any import of
# it (the name is setu_contract.metrics.MULTIPROCESS_DIRECTORY, not imported for that reason).
MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
if not os.environ.get(MULTIPROCESS_DIRECTORY):
    import tempfile

    os.environ[MULTIPROCESS_DIRECTORY] = tempfile.mkdtemp(prefix="setu-metrics-")


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    """JSON log lines in every API process, named after its service; the start-up heap frozen.

    Then one line saying the worker has loaded the app, with how many workers there are:
    "Booting worker" comes before the import, and a worker still importing takes no
    connections, so whoever waits for the whole server (a benchmark) waits for these lines.
    """
    from setu_contract.observability import configure_logging
    from setu_contract.process import freeze_start_up_heap

    package = worker.app.app_uri.split(":")[0].split(".")[0]
    configure_logging("gateway" if package == "setu" else package, loglevel)
    freeze_start_up_heap()
    worker.log.info("Worker ready (pid: %s; workers: %s)", worker.pid, worker.cfg.workers)
