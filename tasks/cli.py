"""`flask events …`: run the mms3 events consumer, and look after its dead letters."""

import signal

import click
from flask import current_app
from flask.cli import AppGroup

from app import logs
from app.messaging import dead_letters
from tasks.consumer import EventConsumer

events_cli = AppGroup("events", help="The mms3 events consumer (RabbitMQ).")


def _config():
    config = current_app.config
    if not config["RABBITMQ_URL"]:
        raise click.UsageError("RABBITMQ_URL is not set: there is no broker to consume from")
    return config


@events_cli.command("consume")
def consume_command():
    """Consume mms3 events until SIGTERM or SIGINT (the message in hand is finished first)."""
    _config()
    # A service, not a one-off command: it logs at LOG_LEVEL, as the server does.
    logs.configure_logging(current_app.config["LOG_LEVEL"])
    consumer = EventConsumer(current_app._get_current_object())
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: consumer.stop())
    consumer.run()


@events_cli.command("dead-letters")
@click.option("--requeue", is_flag=True, help="Put them back on the main queue.")
@click.option("--purge", is_flag=True, help="Delete them.")
@click.option("--id", "ids", multiple=True, help="Only this dead letter (repeatable).")
def dead_letters_command(requeue, purge, ids):
    """List the dead letters (nothing is taken off the queue), or requeue or purge them."""
    config = _config()
    if requeue and purge:
        raise click.UsageError("--requeue or --purge, not both")
    try:
        if purge and not ids:
            click.echo(f"{dead_letters.purge(config)} dead letter(s) purged")
        elif requeue or purge:
            chosen = ids or [letter["id"] for letter in dead_letters.peek(config)[1]]
            done = (dead_letters.requeue if requeue else dead_letters.discard)(config, chosen)
            click.echo(f"{done} dead letter(s) {'requeued' if requeue else 'purged'}")
        else:
            waiting, letters = dead_letters.peek(config)
            for letter in letters:
                click.echo("{id}  {eventType}  {eventId}  attempts={attempts}  {failedAt}  "
                           "{error}".format(**letter))
            click.echo(f"{waiting} dead letter(s)")
    except dead_letters.BrokerUnavailable as exc:
        raise click.ClickException(str(exc)) from None
