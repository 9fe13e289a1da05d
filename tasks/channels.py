"""Channel jobs: delivering posts into the channel dialog, keeping its members in step with the
subscribers, and the backfill (also `flask channels backfill`). Retried with backoff while the
messaging service is unreachable, as the provisioning jobs are."""

import logging

import click
from celery import shared_task
from flask import current_app
from flask.cli import AppGroup

from app import db
from app.channels import delivery, members
from app.messaging.gateway import MessagingError
from tasks.retries import MESSAGING_RETRIES, final

log = logging.getLogger("bank.channels")


@shared_task(name="channels.deliver", bind=True, **MESSAGING_RETRIES)
def deliver(self, post_id):
    delivery.run(post_id, final=final(self))


@shared_task(name="channels.sync_member", bind=True, **MESSAGING_RETRIES)
def sync_member(self, business_id, user_id):
    members.run_sync(business_id, user_id, final=final(self))


@shared_task(name="channels.backfill", bind=True, **MESSAGING_RETRIES)
def backfill(self, business_id):
    try:
        members.backfill(business_id)
    except MessagingError as exc:
        if not final(self):
            raise
        log.warning("channel backfill of %s failed: %s", business_id, exc)


channels_cli = AppGroup("channels", help="Business channels.")


@channels_cli.command("backfill")
@click.option("--business", "business_id", help="Only this business (default: all).")
def backfill_command(business_id):
    """Put the channel dialogs' members in step with the subscribers, and send again the posts
    whose copy is missing."""
    db.refresh(current_app)
    totals = {"added": 0, "removed": 0, "redelivered": 0}
    failed = 0
    for one in [business_id] if business_id else members.business_ids():
        try:
            done = members.backfill(one)
        except MessagingError as exc:
            failed += 1
            click.echo(f"{one}: {exc}", err=True)
            continue
        for key, value in done.items():
            totals[key] += value
    click.echo("{added} added, {removed} removed, {redelivered} posts sent again".format(**totals)
               + (f", {failed} business(es) failed" if failed else ""))
    if failed:
        raise SystemExit(1)
