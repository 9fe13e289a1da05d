"""Create the default member roles and their permissions."""

from app.models import MemberRole, Permissions

ROLES = [
    ("owner", "Владелец", 0, dict(can_reply=True, can_publish_channel=True,
                                   can_manage_members=True, can_manage_settings=True)),
    ("manager", "Менеджер", 1, dict(can_reply=True, can_publish_channel=True,
                                     can_manage_members=True, can_manage_settings=False)),
    ("operator", "Оператор", 2, dict(can_reply=True)),
    ("viewer", "Наблюдатель", 3, {}),
]


def up():
    for role, title, rank, permissions in ROLES:
        if MemberRole.objects(id=role).first() is None:
            MemberRole(id=role, title=title, rank=rank,
                       permissions=Permissions(**permissions)).save(force_insert=True)
