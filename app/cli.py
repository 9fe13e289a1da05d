"""`flask` commands: migrate, create-admin, repair, seed-demo."""

import click
from flask import current_app

from app import db, migrate
from app.accounts import phones, users
from app.backoffice import demo
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
