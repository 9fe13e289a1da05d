"""The flask commands: migrate, create-admin, seed-demo."""

import os
import subprocess
import sys
from pathlib import Path

from app.models import Business, BusinessMember, Category, MemberRole, SmsCode, User

ROOT = Path(__file__).resolve().parents[2]


def test_migrate_creates_roles_categories_and_indexes(app, runner):
    result = runner.invoke(args=["migrate"])
    assert result.exit_code == 0 and "nothing to migrate" in result.output
    with app.app_context():
        roles = {role.id: role.permissions for role in MemberRole.objects}
        assert set(roles) == {"owner", "manager", "operator", "viewer"}
        assert roles["owner"].can_manage_settings and roles["owner"].can_manage_members
        assert roles["manager"].can_manage_members and not roles["manager"].can_manage_settings
        assert roles["operator"].can_reply and not roles["operator"].can_publish_channel
        assert not any(roles["viewer"].to_mongo().to_dict().values())
        food = Category.objects.get(slug="food")
        assert Category.objects(parent_id=food.id).count() >= 3
        indexes = User._get_collection().index_information()
        assert any(info.get("unique") and info["key"] == [("phone", 1)]
                   for info in indexes.values())
        ttl = [i for i in SmsCode._get_collection().index_information().values()
               if "expireAfterSeconds" in i]
        assert ttl and ttl[0]["key"] == [("expiresAt", 1)]
        geo = Business._get_collection().index_information()
        assert any(info["key"] == [("location.point", "2dsphere")] for info in geo.values())


def test_create_admin_makes_a_superadmin(app, runner):
    result = runner.invoke(args=["create-admin", "--phone", "8 912 345-67-89"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert User.objects.get(phone="+79123456789").platform_roles == ["superadmin"]
    again = runner.invoke(args=["create-admin", "--phone", "+79123456789"])
    assert again.exit_code == 0
    with app.app_context():
        assert User.objects(phone="+79123456789").count() == 1


def test_create_admin_refuses_a_bad_phone(app, runner):
    result = runner.invoke(args=["create-admin", "--phone", "12345"])
    assert result.exit_code != 0
    with app.app_context():
        assert User.objects.count() == 0


def test_seed_demo_fills_a_demo_once(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        businesses = list(Business.objects)
        assert len(businesses) >= 6
        assert len({tuple(b.category_ids) for b in businesses}) >= 4
        assert all(b.location and b.location.point for b in businesses)
        assert BusinessMember.objects(role="operator").count() >= 1
        assert all(BusinessMember.objects(business_id=b.id, role="owner").count() == 1
                   for b in businesses)
        counts = (User.objects.count(), Business.objects.count())
    runner.invoke(args=["seed-demo"])
    with app.app_context():
        assert (User.objects.count(), Business.objects.count()) == counts


def test_seed_demo_fills_the_inbox_the_feeds_and_an_invitation_once(app, runner):
    from app.businesses import invitations
    from app.conversations import dialogs, messages
    from app.models import ChannelComment, ChannelPost, ChannelReaction, Conversation

    def activity():
        return (Conversation.objects.count(), ChannelPost.objects.count(),
                ChannelComment.objects.count(), ChannelReaction.objects.count(),
                BusinessMember.objects(user_id=None).count(),
                sum(len(messages.page(User.objects.get(id=c.customer_id), c.id, None, 50)[0])
                    for c in Conversation.objects))

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        oleg = User.objects.get(phone="+79990000004")
        mine, total = dialogs.of_customer(oleg, False, 1, 20)
        assert total >= 2
        # Both sides wrote, as the customer sees it.
        kinds = {m["sender"]["kind"] for c in mine for m in messages.page(oleg, c.id, None, 50)[0]}
        assert {"customer", "team"} <= kinds
        conversations = list(Conversation.objects)
        assert any(c.team_unread for c in conversations)  # waiting for the team
        assert any(dialogs.unread_for(User.objects.get(id=c.customer_id), c)
                   for c in conversations)  # an answer the customer has not read yet
        assert ChannelPost.objects(status="published").count() >= 3
        assert ChannelReaction.objects.count() >= 3 and ChannelComment.objects.count() >= 2
        [(invited, business)] = invitations.open_for(oleg)[0]
        assert invited.role == "operator" and business.name == "Пекарня «Колосок»"
        before = activity()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    with app.app_context():
        assert activity() == before


def test_commands_on_a_fresh_store_print_a_short_summary(tmp_path):
    """The server's INFO lines (every job run inline) stay out of a command's output, and the
    embedded mode never mentions a broker."""
    env = {**os.environ, "FLASK_APP": "wsgi", "EMBEDDED_STORE_PATH": str(tmp_path / "s.sqlite3"),
           "INSTANCE_PATH": str(tmp_path / "instance"), "UPLOADS_PATH": str(tmp_path / "up"),
           "MONGODB_URI": "", "CELERY_BROKER_URL": "", "REDIS_URL": "", "MMS3_API_URL": ""}
    flask = [sys.executable, "-m", "flask"]
    migrated = subprocess.run([*flask, "migrate"], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    seeded = subprocess.run([*flask, "seed-demo"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert seeded.returncode == 0, seeded.stderr[-2000:]
    lines = (seeded.stdout + seeded.stderr).splitlines()
    assert 1 <= len(lines) <= 3, lines
    assert "demo:" in seeded.stdout
    assert "broker" not in migrated.stderr + seeded.stderr
    assert "hostname" not in migrated.stderr + seeded.stderr


def test_a_flask_commands_log_level_is_warning_unless_set_and_the_servers_is_untouched():
    import click
    from flask.cli import FlaskGroup

    from app import logs

    with click.Context(FlaskGroup()):
        assert logs.level_for({"LOG_LEVEL": "INFO", "CLI_LOG_LEVEL": None}) == "WARNING"
        assert logs.level_for({"LOG_LEVEL": "ERROR", "CLI_LOG_LEVEL": None}) == "ERROR"
        assert logs.level_for({"LOG_LEVEL": "INFO", "CLI_LOG_LEVEL": "DEBUG"}) == "DEBUG"
    with click.Context(click.Group()):  # another click program (a Celery worker)
        assert logs.level_for({"LOG_LEVEL": "INFO", "CLI_LOG_LEVEL": None}) == "INFO"
    assert logs.level_for({"LOG_LEVEL": "INFO", "CLI_LOG_LEVEL": None}) == "INFO"
