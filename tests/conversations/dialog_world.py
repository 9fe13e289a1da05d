"""A business with a team and a customer, signed in, for the dialog and channel tests."""

from dataclasses import dataclass

from tests.factories import business, member, signed_in


@dataclass
class World:
    business_id: str
    owner: dict
    operator: dict
    viewer: dict
    customer: dict
    stranger: dict

    @staticmethod
    def bearer(who):
        return {"Authorization": f"Bearer {who['accessToken']}"}


def make_world(app, client=None, **settings):
    owner = signed_in(app, "+79160000001", "Ольга")
    operator = signed_in(app, "+79160000002", "Олег")
    viewer = signed_in(app, "+79160000003", "Вера")
    customer = signed_in(app, "+79160000004", "Кирилл")
    stranger = signed_in(app, "+79160000005", "Степан")
    shop = business(app, owner["user"]["id"], name="Кофейня")
    member(app, shop.id, operator["user"]["id"], "operator")
    member(app, shop.id, viewer["user"]["id"], "viewer")
    world = World(shop.id, owner, operator, viewer, customer, stranger)
    if settings and client is not None:
        answer = client.put(f"/api/businesses/{shop.id}/bot/settings", json=settings,
                              headers=World.bearer(owner))
        assert answer.status_code == 200, answer.get_json()
    return world


def open_dialog(client, world):
    """The customer's dialog with the business; its id."""
    answer = client.post(f"/api/businesses/{world.business_id}/start-dialog",
                         headers=World.bearer(world.customer))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["data"]["id"]


def say(client, dialog_id, who, text):
    """`who` writes `text` in the dialog."""
    answer = client.post(f"/api/dialogs/{dialog_id}/messages", json={"text": text},
                         headers=World.bearer(who))
    assert answer.status_code == 201, answer.get_json()
    return answer
