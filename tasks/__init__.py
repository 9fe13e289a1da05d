"""The Celery app: eager when no broker is configured, otherwise over RabbitMQ.

`celery -A wsgi:celery worker` starts a worker on the same app factory.
"""

from celery import Celery, Task, signals
from flask import has_app_context

from app.db import refresh
from app.lib import metrics
from tasks import channels, messaging, push, sms  # noqa: F401  (defines the tasks)
from tasks.cli import events_cli


def _count(outcome):
    def receiver(sender=None, **_kwargs):
        metrics.JOBS.labels(getattr(sender, "name", None) or str(sender), outcome).inc()
    return receiver


def _count_outcomes():
    """Count every task's outcome (the signals fire in eager mode too); connected once per
    process, however many apps it builds."""
    for signal, outcome in ((signals.task_success, "success"),
                            (signals.task_failure, "failure"),
                            (signals.task_retry, "retry")):
        signal.connect(_count(outcome), weak=False, dispatch_uid=f"bank.metrics.{outcome}")


def celery_init_app(app):
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            if has_app_context():  # eager: keep the caller's context (and its request id)
                return self.run(*args, **kwargs)
            with app.app_context():
                refresh(app)  # see writes made by the web process (embedded store)
                return self.run(*args, **kwargs)

    broker = app.config["CELERY_BROKER_URL"]
    queue = app.config["CELERY_TASK_QUEUE"]
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.conf.update(
        # Eager without a broker; a host in the URL keeps kombu from warning that none was
        # given (embedded mode never mentions a broker it does not use).
        broker_url=broker or "memory://localhost/",
        task_always_eager=not broker,
        task_eager_propagates=app.config.get("TESTING", False),
        task_ignore_result=True,
        task_default_queue=queue,
        task_acks_late=True,  # a worker that dies mid-task leaves the task for another
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=4,
        broker_connection_max_retries=3,
        task_publish_retry_policy={"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5},
        # The worker keeps the app's JSON log lines (app/logs.py) instead of Celery's own text.
        worker_hijack_root_logger=False,
    )
    celery_app.set_default()
    _count_outcomes()
    app.extensions["celery"] = celery_app

    app.cli.add_command(events_cli)  # `flask events consume`, `flask events dead-letters`
    app.cli.add_command(channels.channels_cli)  # `flask channels backfill`

    return celery_app
