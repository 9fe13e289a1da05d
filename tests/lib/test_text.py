"""One rule for every displayed text (app/lib/text.py): NUL, the byte-order mark, the
right-to-left override and zero-width characters are refused in business names and
descriptions, posts, comments, messages and the bot's and the widget's texts, as they already
were in people's names; line breaks pass where a text has lines, and emoji joined by a
zero-width joiner stay whole."""

import pytest

from app.businesses import widget_settings
from app.errors import AppError
from app.lib import text
from tests.conversations.dialog_world import World, make_world

B = World.bearer
HIDDEN = ["Кофейня\x00", "\ufeffКофейня", "Кофейня \u202eяндекс.ru", "Кофе\u200bйня",
          "Кофейня\u2066", "Кофе\u00ad йня"]
FAMILY = "Мы рады всем 👨\u200d👩\u200d👧"


@pytest.mark.parametrize("value", HIDDEN)
def test_hidden_characters_are_refused(value):
    assert text.refused_characters(value)
    assert text.refused_characters(value, multiline=True)


def test_lines_tabs_and_joined_emoji_pass():
    assert text.refused_characters("Меню:\n\tкофе\n\tчай", multiline=True) == []
    assert text.refused_characters("Меню:\nкофе") == ["U+000A"]  # one line: no breaks
    assert text.refused_characters(FAMILY) == []
    assert text.refused_characters("a\u200db") == ["U+200D"]  # not between emoji


@pytest.mark.parametrize("value", HIDDEN)
def test_every_displayed_text_of_the_api_refuses_them(app, client, value):
    world = make_world(app, client)
    owner = B(world.owner)
    business_url = f"/api/businesses/{world.business_id}"
    dialog = client.post(f"{business_url}/start-dialog", headers=B(world.customer))
    dialog_id = dialog.get_json()["data"]["id"]
    post = client.post(f"{business_url}/channel/messages", json={"text": "Открылись"},
                       headers=owner).get_json()["data"]["id"]
    client.put(f"{business_url}/bot/settings", headers=owner,
               json={"channelSettings": {"allowComments": True}})
    attempts = {
        "business name": client.put(business_url, json={"name": value}, headers=owner),
        "description": client.put(business_url, json={"description": value}, headers=owner),
        "post": client.post(f"{business_url}/channel/messages", json={"text": value},
                            headers=owner),
        "comment": client.post(f"{business_url}/channel/messages/{post}/comments",
                               json={"text": value}, headers=B(world.customer)),
        "message": client.post(f"/api/dialogs/{dialog_id}/messages", json={"text": value},
                               headers=B(world.customer)),
        "greeting": client.put(f"{business_url}/bot/settings", json={"greeting": value},
                               headers=owner),
        "person's name": client.put(f"/api/users/{world.owner['user']['id']}",
                                    json={"name": value}, headers=owner),
    }
    assert {name: answer.status_code for name, answer in attempts.items()} == dict.fromkeys(
        attempts, 422)
    business = client.get(business_url).get_json()["data"]
    assert value not in (business["name"], business["description"])


def test_a_message_of_several_lines_with_a_family_emoji_is_taken(app, client):
    world = make_world(app, client)
    dialog_id = client.post(f"/api/businesses/{world.business_id}/start-dialog",
                            headers=B(world.customer)).get_json()["data"]["id"]
    sent = client.post(f"/api/dialogs/{dialog_id}/messages", headers=B(world.customer),
                       json={"text": f"Здравствуйте!\r\nМы придём втроём: {FAMILY}"})
    assert sent.status_code == 201
    assert sent.get_json()["data"]["text"] == f"Здравствуйте!\nМы придём втроём: {FAMILY}"


@pytest.mark.parametrize("origin", ["data:", "data:text/html,<b>x</b>", "javascript:alert(1)",
                                    "blob:https://shop.example"])
def test_an_allowed_website_is_an_http_origin_and_nothing_else(app, origin):
    """`data:` was saved as https://data."""
    with app.app_context(), pytest.raises(AppError) as refused:
        widget_settings.clean_origin(origin)
    assert refused.value.status == 422
    with app.app_context():
        assert widget_settings.clean_origin("shop.example:8080") == "https://shop.example:8080"
