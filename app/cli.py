"""`flask` commands: migrate, create-admin, repair, seed-demo, export, import."""

from pathlib import Path

import click
from flask import current_app

from app import db, migrate
from app.accounts import phones, users
from app.backoffice import data_transfer, demo
from app.businesses import repair
from app.errors import AppError


def init_cli(app):
    @app.cli.command("migrate")
    def migrate_command():
        """Apply pending migrations."""
        db.refresh(current_app)
        names = migrate.run(echo=click.echo)
        click.echo(f"{len(names)} migration(s) applied" if names else "nothing to migrate")

    @app.cli.command("create-admin")
    @click.option("--phone", required=True, help="The admin's phone number.")
    @click.option("--role", default="superadmin", show_default=True,
                  type=click.Choice(["superadmin", "moderator", "support"]))
    def create_admin_command(phone, role):
        """Make the user with this phone a platform admin (registering the phone if new)."""
        db.refresh(current_app)
        try:
            normalized = phones.normalize(phone, current_app.config["SMS_DEFAULT_REGION"])
        except AppError as exc:
            raise click.BadParameter(exc.message, param_hint="--phone") from None
        user = users.grant_platform_role(normalized, role)
        click.echo(f"{user.id} {user.phone} is now {role}")

    @app.cli.command("repair")
    def repair_command():
        """Remove what creations of businesses cut short by a crash left behind."""
        db.refresh(current_app)
        removed = repair.remove_half_made()
        click.echo("removed: {slugClaims} slug claim(s), {members} membership(s), "
                   "{settings} settings of businesses never created".format(**removed))

    @app.cli.command("seed-demo")
    @click.option("--businesses", default=0, show_default=True,
                  help="Also create this many generated businesses (for benchmarks).")
    def seed_demo_command(businesses):
        """Fill the database with demo users, businesses and members."""
        db.refresh(current_app)
        demo.seed(extra_businesses=businesses, echo=click.echo)

    @app.cli.command("export")
    @click.argument("path", type=click.Path(file_okay=False, path_type=Path))
    def export_command(path):
        """Write the whole database to the new directory PATH: one <collection>.jsonl per
        collection (a document per line, canonical Extended JSON) and manifest.json (the
        collections, their counts and indexes). Stop the app and its workers first.

        PATH appears only once complete; on failure nothing is left behind."""
        try:
            summary = data_transfer.export_database(path, echo=click.echo)
        except data_transfer.TransferError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"exported {len(summary.collections)} collections, "
                   f"{summary.documents} documents to {path}")

    @app.cli.command("import")
    @click.argument("path", type=click.Path(file_okay=False, path_type=Path))
    @click.option("--replace", is_flag=True,
                  help="Drop the export's collections in the target first (their documents "
                       "are lost) instead of refusing when they hold documents.")
    def import_command(path, replace):
        """Read an export made by `flask export` at PATH into the configured database
        (MONGODB_URI, or the embedded store), indexes first, then the documents.

        Every file is read through first: a malformed line or an unknown or missing file is
        refused naming the file and line, with nothing written. A target collection that
        holds documents is refused unless --replace. If writing fails (or is interrupted),
        what was written is taken out again, so the collections hold no documents and the
        import can be run again; only a killed process leaves part of it, which the next
        run refuses until --replace."""
        try:
            summary = data_transfer.import_database(path, replace=replace, echo=click.echo)
        except data_transfer.TransferError as exc:
            raise click.ClickException(str(exc)) from None
        replaced = f" (replaced {len(summary.replaced)})" if summary.replaced else ""
        click.echo(f"imported {len(summary.collections)} collections{replaced}, "
                   f"{summary.documents} documents from {path}")
