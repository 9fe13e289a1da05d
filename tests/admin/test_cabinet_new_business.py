"""/cabinet/new: a signed-in person creates a business from the page, through the service's
rules; each refusal shows next to its field and leaves nothing behind."""

import io

import pytest

from app.models import AuditEntry, Business, BusinessMember, BusinessSettings, Category, SlugClaim
from tests.admin.cabinet_world import NEWBIE, png_bytes, sign_in
from tests.admin.conftest import csrf_token

URL = "/cabinet/new"


def everything():
    """What a creation writes, counted: a refused one must leave these as they were."""
    return (Business.objects.count(), BusinessMember.objects.count(),
            BusinessSettings.objects.count(), SlugClaim.objects.count(),
            AuditEntry.objects(action="create", target_type="business").count())


def submit(client, logo=None, **fields):
    page = client.get(URL)
    assert page.status_code == 200
    data = {"csrf_token": csrf_token(page), "name": "Цветы у дома", "slug": "", "address": "",
            "lat": "", "lng": "", "description": "", "is_public": "y", **fields}
    if logo is not None:
        data["logo"] = (io.BytesIO(logo), "logo.png")
    return client.post(URL, data={k: v for k, v in data.items() if v is not None},
                       content_type="multipart/form-data")


def field_error(html, field):
    """The error text shown under `field` (the form's invalid-feedback after it)."""
    start = html.index(f'id="{field}"')
    feedback = html.index("invalid-feedback", start)
    return html[feedback:html.index("</div>", feedback)]


def test_the_form_is_for_signed_in_people_and_lists_its_fields_in_order(app, client, sms, world):
    assert client.get(URL).headers["Location"].startswith("/cabinet/login")
    newbie = sign_in(app, sms, NEWBIE)
    html = newbie.get(URL).get_data(as_text=True)
    order = [html.index(f'id="{field}"') for field in (
        "name", "slug", "categories", "address", "lat", "lng", "use-my-location",
        "description", "logo", "is_public")]
    assert order == sorted(order)
    active = [c.id for c in Category.objects(is_active=True)]
    assert all(f'value="{category_id}"' in html for category_id in active)
    # The empty cabinet and the list offer it.
    assert 'href="/cabinet/new"' in newbie.get("/cabinet/").get_data(as_text=True)


def test_a_business_is_created_with_its_logo_and_the_owner_lands_on_its_first_steps(
        app, sms, world):
    newbie = sign_in(app, sms, NEWBIE)
    category = Category.objects(is_active=True).first()
    created = submit(newbie, logo=png_bytes(), slug="flowers-home", categories=[category.id],
                     address="Москва, Тверская, 1", lat="55,7575", lng="37.6135",
                     description="Букеты и доставка.", is_public="")
    assert created.status_code == 303, created.get_data(as_text=True)
    business = Business.objects.get(slug="flowers-home")
    assert created.headers["Location"] == f"/cabinet/b/{business.id}/"
    assert (business.name, business.description, business.is_public) == (
        "Цветы у дома", "Букеты и доставка.", False)
    assert business.category_ids == [category.id]
    assert business.location.address == "Москва, Тверская, 1"
    assert business.location.point["coordinates"] == [37.6135, 55.7575]
    assert business.logo and business.logo.endswith(".webp")
    owner = BusinessMember.objects.get(business_id=business.id)
    assert owner.role == "owner" and owner.user_id not in world.values()
    [entry] = AuditEntry.objects(action="create", target_type="business")
    assert entry.area == "cabinet" and entry.actor_id == owner.user_id
    assert entry.changes["slug"]["after"] == "flowers-home"

    overview = newbie.get(created.headers["Location"]).get_data(as_text=True)
    assert "Цветы у дома is created" in overview
    assert 'id="first-steps"' in overview
    assert overview.count('data-done="false"') == 5


def test_an_empty_slug_is_made_from_the_name(app, sms, world):
    newbie = sign_in(app, sms, NEWBIE)
    assert submit(newbie, name="Кофейня на Арбате").status_code == 303
    assert Business.objects.get(name="Кофейня на Арбате").slug == "kofeinia-na-arbate"


@pytest.mark.parametrize("fields, logo, status, field, message", [
    ({"slug": "coffee-a"}, None, 409, "slug", "This address is taken."),
    ({"slug": "admin"}, None, 422, "slug", "This address is reserved."),
    ({"slug": "Not a slug!"}, None, 422, "slug", "single hyphens"),
    ({"name": "  "}, None, 422, "name", "1 to 120 characters"),
    ({"address": "Тверская, 1"}, None, 422, "lat", "needs its coordinates"),
    ({"lat": "55.7"}, None, 422, "lng", "both the latitude and the longitude"),
    ({"lat": "north", "lng": "37"}, None, 422, "lat", "Not a valid float value"),
    ({}, b"not an image", 415, "logo", "Upload a JPEG, PNG or WebP image."),
    ({"description": "x" * 2001}, None, 422, "description", "at most 2000 characters"),
])
def test_each_refusal_shows_next_to_its_field_and_nothing_is_made(
        app, sms, world, fields, logo, status, field, message):
    newbie = sign_in(app, sms, NEWBIE)
    before = everything()
    refused = submit(newbie, logo=logo, **fields)
    assert refused.status_code == status
    assert message in field_error(refused.get_data(as_text=True), field)
    assert everything() == before


def test_a_taken_slug_suggests_free_ones_and_keeps_what_was_typed(app, sms, world):
    newbie = sign_in(app, sms, NEWBIE)
    html = submit(newbie, slug="coffee-a", description="Мой текст").get_data(as_text=True)
    assert "coffee-a-2" in field_error(html, "slug")
    assert "Мой текст" in html and "Choose the file again" in html


def test_a_logo_too_large_is_refused_before_anything_is_written(app, sms, world):
    app.config["IMAGE_MAX_MEGAPIXELS"] = 0.001  # 1,000 pixels: the 64×64 image is too large
    newbie = sign_in(app, sms, NEWBIE)
    before = everything()
    refused = submit(newbie, logo=png_bytes(), slug="flowers-home")
    assert refused.status_code == 422
    assert field_error(refused.get_data(as_text=True), "logo")
    assert everything() == before
    assert SlugClaim.objects(id="flowers-home").first() is None


def test_an_expired_form_is_refused(app, sms, world):
    newbie = sign_in(app, sms, NEWBIE)
    refused = newbie.post(URL, data={"csrf_token": "stale", "name": "Цветы"})
    assert refused.status_code == 400
    assert "The form has expired" in refused.get_data(as_text=True)
    assert Business.objects(name="Цветы").first() is None


def test_one_person_creates_a_bounded_number_of_businesses(app, sms, world):
    app.config["BUSINESSES_PER_USER"] = "2/day"
    newbie = sign_in(app, sms, NEWBIE)
    # A refused form does not count.
    assert submit(newbie, slug="Not a slug!").status_code == 422
    assert submit(newbie, name="Первый").status_code == 303
    assert submit(newbie, name="Второй").status_code == 303
    third = submit(newbie, name="Третий")
    assert third.status_code == 429
    assert "many businesses today" in third.get_data(as_text=True)
    assert Business.objects(name="Третий").first() is None
