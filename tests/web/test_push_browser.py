"""Push notifications in Chromium against gunicorn: a signed-in customer turns notifications on
from the profile page, the owner posts to the channel, and the push service stand-in
(tests/push_standin.py, which checks the VAPID signature and decrypts the payload) receives
the post; the service worker then shows that payload as a notification.

Chromium cannot reach a real push service here, so PushManager.subscribe is replaced before
any page script runs: it resolves to a subscription whose endpoint is the stand-in and whose
keys are a key pair the test made, as a browser's push service would hand out. Everything
else (the page, the permission, the service worker, the API, the job, the encryption) is
real. Screenshots: test-output/screenshots/push-*.png."""

import json

import requests
from playwright.sync_api import expect

from tests.live_server import Watched, fill_sign_in_form
from tests.push_standin import BROWSER_STUB, PushServiceStandIn

OWNER = "+79990000001"  # Анна, owner of "Кофейня на Арбате" in the demo data
CUSTOMER = "+79995550188"



def test_a_channel_post_reaches_a_browser_that_turned_notifications_on(browser, live_server):
    shop = requests.get(f"{live_server.base}/api/catalog", params={"q": "Кофейня на Арбате"},
                        timeout=10).json()["data"][0]
    vapid_key = live_server.secret("VAPID_PUBLIC_KEY")
    context = browser.new_context(base_url=live_server.base, locale="ru-RU",
                                  viewport={"width": 390, "height": 844},
                                  permissions=["notifications"])
    context.set_default_timeout(15000)
    with PushServiceStandIn(vapid_key) as push_service:
        device = push_service.subscription("customer")
        context.add_init_script(BROWSER_STUB % json.dumps(device))
        watched = Watched(context.new_page(), "push-")
        page = watched.page
        try:
            # The customer signs in and subscribes to the coffee shop.
            page.goto("/login")
            fill_sign_in_form(page, live_server, CUSTOMER)
            expect(page).to_have_url(f"{live_server.base}/profile")
            page.evaluate("id => Bank.api.post('/api/businesses/' + id + '/subscribe')",
                          shop["id"])

            # Notifications on, from the profile page.
            toggle = page.locator("#push-toggle")
            expect(toggle).to_have_text("Включить уведомления")
            expect(page.locator("#push-prefs")).to_be_hidden()
            toggle.click()
            expect(page.locator("#push-state")).to_have_text(
                "Уведомления на этом устройстве включены.")
            expect(toggle).to_have_text("Выключить уведомления")
            for name in ("newMessage", "channelUpdate", "mentions"):
                expect(page.locator(f"#push-prefs input[name={name}]")).to_be_checked()
            assert page.evaluate("window.__applicationServerKey") == vapid_key
            watched.shot("01-profile-on")

            # The owner posts; the stand-in gets the post, encrypted for this browser.
            owner = live_server.sign_in_api(OWNER)["accessToken"]
            text = "Сегодня пончики за полцены — только до вечера!"
            posted = requests.post(
                f"{live_server.base}/api/businesses/{shop['id']}/channel/messages",
                json={"text": text}, headers={"Authorization": f"Bearer {owner}"}, timeout=10)
            assert posted.status_code == 201, posted.text
            push_service.wait_for(lambda received: any(
                text in r["payload"]["body"] for r in received))
            [payload] = push_service.payloads("customer")
            assert payload == {"title": shop["name"], "body": text, "url": f"/b/{shop['slug']}",
                               "tag": f"post:{posted.json()['data']['id']}"}
            assert push_service.refused == []

            # The service worker shows that payload as a notification.
            show_in_worker(context, page, live_server.base, payload)
            shown = page.evaluate("""async () => {
                const registration = await navigator.serviceWorker.ready;
                // Up to 15 s, as every other wait here: a loaded machine starts the worker late.
                for (let i = 0; i < 150; i++) {
                  const found = await registration.getNotifications();
                  if (found.length) return found.map(n => ({title: n.title, body: n.body,
                                                            tag: n.tag, url: n.data.url}));
                  await new Promise(r => setTimeout(r, 100));
                }
                return [];
            }""")
            assert shown == [{"title": payload["title"], "body": payload["body"],
                              "tag": payload["tag"], "url": payload["url"]}]

            # The push service replaces the subscription; the worker passes the new one on
            # (its pushsubscriptionchange handler), and the next post reaches it there.
            renewed = push_service.subscription("customer-renewed")
            page.evaluate("replacement => window.__replaceSubscription(replacement)", renewed)
            status = renew_in_worker(context, device, renewed)
            assert status == 200
            second = requests.post(
                f"{live_server.base}/api/businesses/{shop['id']}/channel/messages",
                json={"text": "Завтра — круассаны."}, timeout=10,
                headers={"Authorization": f"Bearer {owner}"})
            assert second.status_code == 201, second.text
            push_service.wait_for(lambda received: any(
                "круассаны" in r["payload"]["body"] for r in received))
            assert [p["body"] for p in push_service.payloads("customer-renewed")] == [
                "Завтра — круассаны."]
            assert len(push_service.payloads("customer")) == 1  # the old one: nothing more

            # Off again: the device is removed on the server too.
            toggle.click()
            expect(page.locator("#push-state")).to_have_text(
                "Уведомления на этом устройстве выключены.")
            expect(page.locator("#push-prefs")).to_be_hidden()
            watched.shot("02-profile-off")
            watched.assert_clean()
        finally:
            context.close()


def renew_in_worker(context, old, fresh):
    """Run what the service worker does on pushsubscriptionchange, the subscription `old`
    (as toJSON gives it) replaced by `fresh`; the status of its call to the server. The
    handler is called directly: the event cannot be raised from outside the browser."""
    [worker] = context.service_workers
    return worker.evaluate("""async ([old, fresh]) => {
        const raw = (text) => Uint8Array.from(
          atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)).buffer;
        const subscription = {endpoint: old.endpoint, getKey: (name) => raw(old.keys[name])};
        const answer = await renewSubscription(subscription, {toJSON: () => fresh});
        return answer.status;
    }""", [old, fresh])


def show_in_worker(context, page, origin, payload):
    """Hand the payload to the service worker as its push service would (DevTools'
    ServiceWorker.deliverPushMessage)."""
    cdp = context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
    deadline = 50
    while not registrations and deadline:
        page.wait_for_timeout(100)
        deadline -= 1
    [registration] = [r for r in registrations if r["scopeURL"] == f"{origin}/"][:1]
    cdp.send("ServiceWorker.deliverPushMessage", {
        "origin": origin, "registrationId": registration["registrationId"],
        "data": json.dumps(payload, ensure_ascii=False)})
