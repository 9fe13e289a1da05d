"""A category's slug that another category has is refused on the form with "this slug is
taken" in the staff member's language, never the database's duplicate-key text."""

import pytest

from app.models import Category
from tests.admin.conftest import csrf_token

RU = {"Accept-Language": "ru"}
EN = {"Accept-Language": "en"}


def save(client, url, language, **fields):
    form = client.get(url, headers=language)
    data = {"name": "Новая", "slug": "new-one", "icon": "", "parent_id": "", "order": "5",
            "is_active": "y", "csrf_token": csrf_token(form), **fields}
    return client.post(url, data=data, headers=language)


@pytest.mark.parametrize("language, taken", [(EN, "This slug is taken."),
                                             (RU, "Этот адрес страницы занят.")])
def test_creating_a_category_with_a_taken_slug(app, staff_client, language, taken):
    client = staff_client("superadmin")
    page = save(client, "/admin/categories/new/", language, name="Ещё кофе", slug="coffee")
    text = page.get_data(as_text=True)
    assert taken in text
    assert "E11000" not in text and "duplicate" not in text.lower()
    with app.app_context():
        assert Category.objects(slug="coffee").count() == 1
        assert Category.objects(name="Ещё кофе").count() == 0


@pytest.mark.parametrize("language, taken", [(EN, "This slug is taken."),
                                             (RU, "Этот адрес страницы занят.")])
def test_renaming_a_category_to_a_taken_slug(app, staff_client, language, taken):
    client = staff_client("superadmin")
    with app.app_context():
        food = Category.objects.get(slug="food")
    url = f"/admin/categories/edit/?id={food.id}"
    page = save(client, url, language, name=food.name, slug="coffee", order="0")
    text = page.get_data(as_text=True)
    assert taken in text
    assert "E11000" not in text
    with app.app_context():
        assert Category.objects.get(id=food.id).slug == "food"


def test_keeping_its_own_slug_is_not_taken(app, staff_client):
    client = staff_client("superadmin")
    with app.app_context():
        food = Category.objects.get(slug="food")
    url = f"/admin/categories/edit/?id={food.id}"
    save(client, url, EN, name="Еда", slug="food", order="0")
    with app.app_context():
        assert Category.objects.get(id=food.id).name == "Еда"
