"""A person's walk through the public pages in headless Chromium against gunicorn: sign in by
phone, find businesses by text, by category and near them, subscribe on a landing page, see it
in "My subscriptions" and on the profile. Screenshots of every step go to
test-output/screenshots/; no step may log a console error or a CSP violation."""

import re
import time

import jwt
from playwright.sync_api import expect

from tests.widget.browser_world import chat_frame

PHONE = "+79995550101"


def test_walk_sign_in_find_subscribe(phone_page, live_server):
    watched, page = phone_page, phone_page.page

    # Signed out, the header offers "Sign in", which comes back here afterwards.
    page.goto("/catalog")
    watched.shot("01-catalog-signed-out")
    expect(page.locator("#nav-profile")).to_have_text("Войти")
    page.locator("#nav-profile").click()
    expect(page).to_have_url(live_server.base + "/login?next=/catalog")

    page.fill("#phone", "8 999 555-01-01")
    watched.shot("02-login-phone")
    page.click("#send-code")
    expect(page.locator("#code-form")).to_be_visible()
    expect(page.locator("#code-sent")).to_contain_text(PHONE)
    expect(page.locator("#resend-timer")).to_contain_text("Новый код можно запросить через 0:")
    expect(page.locator("#resend")).to_be_disabled()

    # A wrong code: the API's message, in Russian, and the field marked invalid.
    page.fill("#code", "000000")
    page.click("#verify-code")
    expect(page.locator("#login-error")).to_contain_text("Неверный код")
    expect(page.locator("#code")).to_have_attribute("aria-invalid", "true")
    watched.shot("03-login-wrong-code")
    watched.expect_failed_request(400)

    page.fill("#code", live_server.code_for(PHONE))
    page.click("#verify-code")
    expect(page).to_have_url(live_server.base + "/catalog")
    expect(page.locator("#nav-profile")).to_have_text("Мой профиль")
    expect(page.locator(".profile-link")).to_be_visible()

    # Search as you type.
    page.fill("#q", "барбер")
    items = page.locator("#results .biz")
    expect(items).to_have_count(1)
    expect(items.first.locator(".biz__name")).to_have_text("Барбершоп Бритва")
    expect(page.locator("#results-status")).to_have_text("Найден 1 бизнес")
    assert "q=%D0%B1%D0%B0%D1%80%D0%B1%D0%B5%D1%80" in page.url  # the address follows
    watched.shot("04-catalog-search")

    # By category (a parent category includes its children).
    page.fill("#q", "")
    page.select_option("#category", "flowers")
    expect(items).to_have_count(1)
    expect(items.first.locator(".biz__name")).to_have_text("Цветочная лавка")
    page.select_option("#category", "food")  # coffee, bakeries, cafes, restaurants
    expect(items).to_have_count(3)
    watched.shot("05-catalog-category")

    # Near me: the nearest first, with the distance.
    page.select_option("#category", "")
    page.click("#near-me")
    expect(page.locator("#near-me")).to_have_attribute("aria-pressed", "true")
    expect(items.first.locator(".biz__name")).to_have_text("Кофейня на Арбате")
    expect(items.first.locator(".biz__distance")).to_have_text(re.compile(r"^\d+ м$"))
    expect(items.nth(1).locator(".biz__distance")).to_have_text(re.compile(r"^\d+,\d км$"))
    expect(items).to_have_count(3)  # the Moscow ones; St Petersburg and beyond are too far
    watched.shot("06-catalog-near-me")

    # The landing page: subscribe.
    items.first.locator(".biz__link").click()
    expect(page).to_have_url(live_server.base + "/b/kofeinia-na-arbate")
    expect(page.locator("h1")).to_have_text("Кофейня на Арбате")
    count = page.locator("#subscriber-count")
    expect(count).to_have_text("5 подписчиков")
    subscribe = page.locator("#subscribe")
    expect(subscribe).to_have_text("Подписаться")
    subscribe.click()
    expect(subscribe).to_have_text("Отписаться")
    expect(count).to_have_text("6 подписчиков")
    page.click("#write-to-us")  # the widget's chat opens, with the business's greeting
    expect(chat_frame(page).locator("#messages")).to_contain_text("Чем можем помочь?")
    watched.shot("07-landing-subscribed")
    page.reload()  # the state comes back from the API
    expect(page.locator("#subscribe")).to_have_text("Отписаться")

    # My subscriptions, and the count on the profile.
    page.goto("/my/subscriptions")
    subscribed = page.locator("#my-list .biz")
    expect(subscribed).to_have_count(1)
    expect(subscribed.first.locator(".biz__name")).to_have_text("Кофейня на Арбате")
    watched.shot("08-my-subscriptions")

    page.goto("/profile")
    expect(page.locator("#profile-phone")).to_have_text(PHONE)
    expect(page.locator("#count-subscriptions")).to_have_text("1")
    expect(page.locator("#profile-id")).to_have_text(re.compile(r"^usr_"))
    page.fill("#name", "Анна Тестова")
    page.click("#name-form button[type=submit]")
    expect(page.locator("#profile-status")).to_have_text("Сохранено.")
    expect(page.locator("#nav-profile")).to_have_text("Анна Тестова")
    watched.shot("09-profile")

    # Unsubscribe from "My subscriptions", after confirming.
    page.goto("/my/subscriptions")
    subscribed.first.get_by_role("button", name="Отписаться").click()
    expect(page.locator(".confirm__question")).to_have_text("Отписаться от «Кофейня на Арбате»?")
    watched.shot("10-unsubscribe-confirm")
    page.get_by_role("button", name="Да, отписаться").click()
    expect(subscribed).to_have_count(0)
    expect(page.locator("#my-status")).to_contain_text("У вас пока нет подписок")

    # An expired access token is refreshed once and the call retried, unnoticed.
    stale = page.evaluate("localStorage.getItem('bank.accessToken')")
    claims = jwt.decode(stale, options={"verify_signature": False})
    claims["exp"] = int(time.time()) - 60
    expired = jwt.encode(claims, live_server.secret("JWT_SECRET_KEY"), algorithm="HS256")
    page.evaluate("token => localStorage.setItem('bank.accessToken', token)", expired)
    page.goto("/profile")
    expect(page.locator("#profile-name")).to_have_text("Анна Тестова")
    assert page.evaluate("localStorage.getItem('bank.accessToken')") not in (stale, expired)
    watched.expect_failed_request(401)

    # The home page greets by name, linked to the profile.
    page.goto("/")
    expect(page.locator("#greeting-name")).to_have_text("Анна Тестова")
    expect(page.locator("#greeting-name")).to_have_attribute("href", "/profile")
    watched.shot("11-home-signed-in")
    watched.assert_clean()


def test_a_search_for_markup_shows_it_as_text(phone_page):
    watched, page = phone_page, phone_page.page
    page.goto("/catalog")
    evil = "<img src=x onerror=alert(1)>"
    page.fill("#q", evil)
    status = page.locator("#results-status")
    expect(status).to_have_text(f"По запросу «{evil}» ничего не нашлось.")
    assert page.locator("#results-status img, #results img").count() == 0
    watched.shot("12-catalog-markup-as-text")
    page.reload()  # the server-rendered page echoes it as text too
    expect(status).to_have_text(f"По запросу «{evil}» ничего не нашлось.")
    assert watched.dialogs == []
    watched.assert_clean()


def test_signed_out_subscribe_leads_to_sign_in_write_opens_the_chat(phone_page, live_server):
    watched, page = phone_page, phone_page.page
    page.goto("/b/kofeinia-na-arbate")
    watched.shot("13-landing-signed-out")
    page.click("#subscribe")
    expect(page).to_have_url(live_server.base + "/login?next=%2Fb%2Fkofeinia-na-arbate")
    page.go_back()
    page.click("#write-to-us")  # anyone may write: the widget's chat, as a guest
    chat = chat_frame(page)
    expect(chat.locator("#text")).to_be_visible()
    expect(chat.locator("#messages")).to_contain_text("Чем можем помочь?")
    expect(chat.locator("#offer-signin")).to_be_visible()
    watched.shot("13b-landing-chat-signed-out")
    for path in ("/profile", "/my/businesses", "/my/subscriptions"):
        page.goto(path)
        expect(page).to_have_url(live_server.base + "/login?next=" + path.replace("/", "%2F"))
    page.goto("/b/no-such-business")
    expect(page.locator("h1")).to_have_text("Страница не найдена")
    watched.expect_failed_request(404)  # the page's own status
    watched.shot("14-not-found")
    watched.assert_clean()


def test_desktop_pages(desktop_page):
    """The same pages on a desktop-sized window: screenshots and a clean console."""
    watched, page = desktop_page, desktop_page.page
    for name, path in (("15-desktop-home", "/"), ("16-desktop-catalog", "/catalog"),
                       ("17-desktop-landing", "/b/kofeinia-na-arbate"),
                       ("18-desktop-login", "/login")):
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        watched.shot(name)
    page.goto("/lang/en?next=/catalog")
    expect(page.locator("h1")).to_have_text("Catalog")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    watched.shot("19-desktop-catalog-en")
    watched.assert_clean()
