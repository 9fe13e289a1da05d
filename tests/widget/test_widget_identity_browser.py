"""The widget's identity verification and business hours in headless Chromium: a customer the
shop's website vouches for (its server signs the id with the secret from the cabinet) sees
the same conversation on a second device; with the "mandatory" switch on, an anonymous
visitor is offered phone sign-in only; outside business hours the chat says when the team
answers, in the visitor's time zone. Screenshots: test-output/screenshots/widget-id-*.png."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from app.businesses.widget_settings import sign
from tests.live_server import Watched, sign_in_cabinet
from tests.widget.browser_world import OWNER, VIEWPORT, demo_shop, open_chat, shop_page, write

CUSTOMER_ID = "shop-customer-77"


def test_a_verified_customer_closed_hours_and_the_mandatory_switch(browser, site):
    server, host, _foreign, pages = site
    shop = demo_shop(server)
    contexts = [browser.new_context(base_url=server.base, locale="ru-RU", viewport=VIEWPORT,
                                    timezone_id="Asia/Yekaterinburg") for _ in range(4)]
    for context in contexts:
        context.set_default_timeout(15000)
    owner, laptop, phone, anonymous = (Watched(c.new_page(), f"widget-id-{name}-") for c, name
                                       in zip(contexts, ("owner", "laptop", "phone", "anon"),
                                              strict=True))
    try:
        # The owner allows the website and creates the secret, shown once.
        sign_in_cabinet(owner.page, server, OWNER)
        widget_url = f"/cabinet/b/{shop['id']}/widget"
        owner.page.goto(widget_url)
        owner.page.fill("#allowed_origins", host)
        owner.page.uncheck("#identity_required")
        owner.page.click("#save-widget")
        owner.page.click("#rotate-secret")
        secret = owner.page.input_value("#new-secret")
        assert len(secret) == 64
        owner.shot("01-secret")
        owner.page.goto(widget_url)
        expect(owner.page.locator("#new-secret")).to_have_count(0)  # never shown again

        # The website's server signs its customer's id; the same customer on two devices.
        signed = f'data-user-id="{CUSTOMER_ID}" data-user-signature="{sign(secret, CUSTOMER_ID)}"'
        pages["/member.html"] = shop_page(server.base, signed)
        frame = open_chat(laptop.page, host, "/member.html")
        write(frame, "Пишу с ноутбука")
        expect(frame.locator(".msg--customer .msg__tick")).to_have_attribute(
            "data-state", "sent")
        other = open_chat(phone.page, host, "/member.html")
        expect(other.locator("#messages")).to_contain_text("Пишу с ноутбука")
        phone.shot("01-second-device")

        # A forged signature is refused: that visitor cannot write as the customer.
        pages["/forged.html"] = shop_page(
            server.base, f'data-user-id="{CUSTOMER_ID}" data-user-signature="{"0" * 64}"')
        forged = open_chat(anonymous.page, host, "/forged.html")
        write(forged, "Я не тот, за кого себя выдаю")
        expect(forged.locator("#status")).not_to_be_empty()  # the API's reason
        expect(forged.locator(".msg__tick")).to_have_attribute("data-state", "failed")
        assert "Пишу с ноутбука" not in forged.locator("#messages").inner_text()
        anonymous.expect_failed_request(403)

        # Mandatory: an anonymous visitor gets phone sign-in only.
        owner.page.check("#identity_required")
        owner.page.click("#save-widget")
        expect(owner.page.locator(".alert-success")).to_be_visible()
        chat = open_chat(anonymous.page, host, shown="#signin")
        expect(chat.locator("#signin-why")).to_have_text("Чтобы написать нам, войдите по телефону.")
        expect(chat.locator("#compose")).to_be_hidden()
        expect(chat.locator("#signin-cancel")).to_be_hidden()
        anonymous.shot("01-mandatory")

        # Closed now: one hour a day, three hours from now (UTC); shown in Yekaterinburg time.
        opens = (datetime.now(UTC) + timedelta(hours=3)).hour
        owner.page.goto(f"/cabinet/b/{shop['id']}/bot")
        owner.page.fill("#timezone", "UTC")
        for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
            owner.page.fill(f"#{day}", f"{opens:02d}:00-{(opens + 1) % 24:02d}:00")
        owner.page.click("#save-bot")
        expect(owner.page.locator(".alert-success")).to_be_visible()
        frame = open_chat(laptop.page)
        away = frame.locator("#away")
        expect(away).to_contain_text("Сейчас мы закрыты. Команда ответит, когда мы откроемся:")
        expect(away).to_contain_text(f"{(opens + 5) % 24:02d}:00")  # UTC+5
        expect(away).to_contain_text("Войдите по телефону")
        expect(frame.locator("#messages")).to_contain_text("Пишу с ноутбука")
        laptop.shot("01-closed")

        for watched in (owner, laptop, phone, anonymous):
            watched.assert_clean()
    finally:
        for context in contexts:
            context.close()
