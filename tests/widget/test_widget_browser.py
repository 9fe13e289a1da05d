"""The widget in headless Chromium, as a business's customer meets it: a plain HTML page on a
second origin (another port, served by a tiny http.server) carries the snippet; gunicorn
serves the widget. A guest writes and gets the greeting and the auto-reply; the owner answers
from the cabinet in a second context and the answer arrives live; markup shows as text;
typing shows both ways; closed, the launcher counts unread answers; a returning visitor sees
the conversation; a message typed offline goes out once; the guest signs in by phone and
keeps the conversation; an origin that is not allowed cannot frame the chat. Screenshots go
to test-output/screenshots/widget-*.png."""

import re
import time

import requests
from playwright.sync_api import expect

from tests.live_server import Watched, fill_sign_in_form, sign_in_cabinet
from tests.widget.browser_world import (
    GREETING,
    OWNER,
    SLUG,
    VIEWPORT,
    click_launcher,
    demo_shop,
    open_chat,
    write,
)

CUSTOMER = "+79995550188"
AUTO_REPLY = "Спасибо! Ответим в течение часа."
EVIL = "<img src=x onerror=alert(1)>"


def api_token(server, phone):
    """The Authorization header of `phone`'s access token, signed in through the API."""
    return {"Authorization": f"Bearer {server.sign_in_api(phone)['accessToken']}"}


def test_a_visitor_talks_to_the_business_through_the_widget(browser, site):
    server, host, foreign, _pages = site
    shop = demo_shop(server)
    contexts = [browser.new_context(base_url=server.base, locale="ru-RU", viewport=VIEWPORT)
                for _ in range(3)]
    for context in contexts:
        context.set_default_timeout(15000)
    owner = Watched(contexts[0].new_page(), "widget-owner-")
    visitor = Watched(contexts[1].new_page(), "widget-")
    stranger = Watched(contexts[2].new_page(), "widget-foreign-")
    page = visitor.page
    # What the host page hears from the chat: only these kinds of messages may cross.
    page.add_init_script("window.__heard = []; addEventListener('message', e => "
                         "window.__heard.push(JSON.stringify(e.data)));")
    try:
        # The owner allows the shop's website and turns the auto-reply on, in the cabinet.
        sign_in_cabinet(owner.page, server, OWNER)
        owner.page.goto(f"/cabinet/b/{shop['id']}/widget")
        owner.page.fill("#allowed_origins", host)
        owner.page.fill("#launcher_text", "Напишите нам")
        owner.page.uncheck("#identity_required")
        owner.page.click("#save-widget")
        expect(owner.page.locator(".alert-success")).to_be_visible()
        expect(owner.page.locator("#snippet")).to_have_value(re.compile(
            f'data-business="{SLUG}"'))
        owner.shot("01-cabinet")
        owner.page.goto(f"/cabinet/b/{shop['id']}/bot")
        owner.page.check("#auto_reply_enabled")
        owner.page.fill("#auto_reply_message", AUTO_REPLY)
        owner.page.click("#save-bot")
        expect(owner.page.locator(".alert-success")).to_be_visible()

        # The visitor opens the widget on the shop's site and writes as a guest at once.
        frame = open_chat(page, host)
        expect(frame.locator("#messages")).to_contain_text(GREETING)
        visitor.shot("01-open")
        write(frame, "Здравствуйте! Есть ли у вас овсяное молоко?")
        messages = frame.locator("#messages")
        mine = messages.locator(".msg--customer")
        expect(mine).to_have_count(1)
        expect(mine.first.locator(".msg__tick")).to_have_attribute("data-state", "sent")
        expect(messages.locator(".msg--bot").filter(has_text=GREETING)).to_have_count(1)
        expect(messages.locator(".msg--bot").filter(has_text=AUTO_REPLY)).to_have_count(1)
        expect(frame.locator("#chat")).to_have_attribute("data-live", "open")
        visitor.shot("02-auto-reply")

        # The owner answers from the inbox; the answer appears without a reload.
        owner.page.goto(f"/cabinet/b/{shop['id']}/inbox")
        owner.page.locator("#dialogs a[data-dialog]").first.click()
        expect(owner.page.locator("#messages")).to_contain_text("овсяное молоко")
        owner.page.fill("#reply-text", "Да, есть! Меню: https://example.com/menu.")
        owner.page.click("#send-reply")
        answer = messages.locator(".msg--team")
        expect(answer).to_contain_text("Да, есть!")
        expect(answer.locator(".msg__author")).to_contain_text("Кофейня на Арбате")
        link = answer.locator("a")
        expect(link).to_have_attribute("href", "https://example.com/menu")
        expect(link).to_have_attribute("rel", "noopener noreferrer")
        expect(link).to_have_attribute("target", "_blank")
        visitor.shot("03-answer-live")
        owner.shot("02-inbox")

        # Typing: the team's shows in the widget; the visitor's is sent at most every 3 s.
        token = api_token(server, OWNER)
        dialog_id = requests.get(f"{server.base}/api/businesses/{shop['id']}/dialogs",
                                 headers=token, timeout=10).json()["data"][0]["id"]
        assert requests.post(f"{server.base}/api/dialogs/{dialog_id}/typing", headers=token,
                             timeout=10).ok
        expect(frame.locator("#typing")).to_contain_text("печатает")
        typing = []
        page.on("request", lambda r: r.url.endswith("/typing") and typing.append(r.url))
        frame.locator("#text").press_sequentially("Печатаю")  # seven keystrokes at once
        deadline = time.monotonic() + 5
        while not typing and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        assert len(typing) == 1, typing

        # Markup in a message is text, here and in the inbox.
        write(frame, EVIL)
        expect(mine.filter(has_text=EVIL)).to_have_count(1)
        assert frame.locator("#messages img").count() == 0
        expect(owner.page.locator("#messages")).to_contain_text(EVIL)
        assert owner.page.locator("#messages img").count() == 0
        # The owner's open inbox read it: the visitor's messages show ✓✓.
        expect(mine).to_have_count(2)
        expect(mine.locator('.msg__tick[data-state="read"]')).to_have_count(2)
        visitor.shot("04-markup-as-text")

        # The host page learnt nothing of the conversation.
        heard = [m for m in page.evaluate("window.__heard") if '"bank":1' in m]
        assert heard and all(re.fullmatch(
            r'\{"type":"(hello|unread|close)"(,"count":\d+)?,"bank":1\}', m) for m in heard), heard
        assert page.evaluate("document.querySelector('bank-chat-widget').shadowRoot") is None

        # Closed, the launcher counts unread answers for the host page, without their text.
        page.evaluate("window.__unread = []; window.__closed = false; "
                      "BankWidget.on('unread', e => __unread.push(e.count)); "
                      "BankWidget.on('close', () => { __closed = true; });")
        frame.click("#close")
        page.wait_for_function("window.__closed")
        owner.page.fill("#reply-text", "Ждём вас!")
        owner.page.click("#send-reply")
        page.wait_for_function("window.__unread.includes(1)")
        visitor.shot("05-unread-badge")
        click_launcher(page)
        page.wait_for_function("window.__unread[window.__unread.length - 1] === 0")
        expect(frame.locator("#messages")).to_contain_text("Ждём вас!")

        # A returning visitor (the page reloaded) sees the earlier conversation.
        frame = open_chat(page)
        messages = frame.locator("#messages")
        expect(messages).to_contain_text("овсяное молоко")
        expect(messages).to_contain_text("Да, есть!")
        expect(messages.locator(".msg--customer").filter(has_text=EVIL)).to_have_count(1)
        visitor.shot("06-returning")

        # Offline: the message waits, then goes out once when the connection is back.
        contexts[1].set_offline(True)
        write(frame, "Пишу без связи")
        waiting = messages.locator(".msg--customer").filter(has_text="Пишу без связи")
        expect(waiting.locator(".msg__tick")).to_have_attribute("data-state", "waiting")
        expect(frame.locator("#status")).to_contain_text("Нет связи")
        visitor.shot("07-offline")
        contexts[1].set_offline(False)
        delivered = re.compile("^(sent|read)$")  # the owner's open inbox may read it at once
        expect(waiting.locator(".msg__tick")).to_have_attribute("data-state", delivered)
        expect(owner.page.locator("#messages")).to_contain_text("Пишу без связи")
        frame = open_chat(page)  # and it is there once, not twice
        expect(frame.locator("#messages")).to_contain_text("Пишу без связи")
        expect(frame.locator(".msg--customer").filter(has_text="Пишу без связи")).to_have_count(1)
        visitor.errors = [e for e in visitor.errors if "ERR_INTERNET_DISCONNECTED" not in e]

        # Phone sign-in in the chat: the conversation joins the account and goes on.
        frame.click("#offer-signin")
        fill_sign_in_form(frame, server, CUSTOMER)
        expect(frame.locator("#status")).to_contain_text("Вы вошли")
        expect(frame.locator("#messages")).to_contain_text("овсяное молоко")
        write(frame, "Это снова я, уже по телефону")
        expect(frame.locator(".msg--customer").filter(has_text="по телефону")
               .locator(".msg__tick")).to_have_attribute("data-state", delivered)
        owner.page.reload()
        expect(owner.page.locator("#messages")).to_contain_text("по телефону")
        expect(owner.page.locator("#messages")).to_contain_text("овсяное молоко")
        visitor.shot("08-signed-in")

        # A website that is not allowed: no launcher, and a frame it makes itself is refused.
        refused = []
        stranger.page.on("console", lambda m: "frame-ancestors" in m.text and refused.append(
            m.text))
        warned = []
        stranger.page.on("console", lambda m: "Bank widget" in m.text and warned.append(m.text))
        stranger.page.goto(f"{foreign}/stolen.html")
        stranger.page.wait_for_function("typeof window.BankWidget?.open === 'function'")
        deadline = time.monotonic() + 10
        while not (refused and warned) and time.monotonic() < deadline:
            stranger.page.wait_for_timeout(50)
        assert refused and warned, (refused, warned)
        assert stranger.page.evaluate("document.querySelector('bank-chat-widget')") is None
        stolen = stranger.page.frame_locator("#stolen")
        expect(stolen.locator("#chat")).to_have_count(0)
        stranger.shot("01-refused")
        stranger.errors = [e for e in stranger.errors if "frame-ancestors" not in e]

        visitor.assert_clean()
        owner.assert_clean()
        stranger.assert_clean()
    finally:
        for context in contexts:
            context.close()
