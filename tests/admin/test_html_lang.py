"""The back office's and the cabinet's pages declare their language on <html> (Flask-Admin's
base template does not: admin/html_lang.py adds it), in the language the page is in; pages
that declare it themselves are left as they are."""

import re

import pytest

from tests.admin.conftest import sign_in

OPENING = re.compile(r"<html[^>]*>")


def opening_tag(response):
    return OPENING.search(response.get_data(as_text=True)).group(0)


@pytest.mark.parametrize("path", ["/admin/login", "/cabinet/login"])
def test_sign_in_pages_are_in_russian_by_default_and_in_english_when_chosen(client, path):
    assert opening_tag(client.get(path)) == '<html lang="ru">'
    english = client.get(path, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert opening_tag(english) == '<html lang="en">'
    assert 'lang="en"' not in opening_tag(client.get(path))  # nothing is remembered
    client.set_cookie("lang", "en")
    answer = client.get(path, headers={"Accept-Language": "ru"})
    assert opening_tag(answer) == '<html lang="en">'
    assert int(answer.headers["Content-Length"]) == len(answer.get_data())


def test_signed_in_pages_and_the_error_page_have_one_lang(client, staff_client, sms):
    admin = staff_client("superadmin")
    for page in (admin.get("/admin/"), admin.get("/admin/users/"), client.get("/no-such-page"),
                 client.get("/")):
        tag = opening_tag(page)
        assert tag.count("lang=") == 1, tag
        assert 'lang="ru"' in tag, tag
    owner = client.application.test_client()
    assert sign_in(owner, sms, "+79160000001", area="cabinet").status_code == 302
    assert opening_tag(owner.get("/cabinet/")) == '<html lang="ru">'
