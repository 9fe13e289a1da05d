"""The chat widget's launcher on the business's landing page, on a phone (390×844) and a
desktop, in headless Chromium against gunicorn: scrolled to the end, it covers none of the
footer's text nor any link or button (the page keeps room for it); it stands the business's
bottom offset (set through the API) plus the phone's safe-area inset above the screen's bottom,
and the side inset from the side; open or closed, the page never scrolls sideways, and the
open chat stays on the screen. Screenshots go to test-output/screenshots/landing-widget-*.png.

The launcher lives in the loader's closed shadow root, out of reach of the page's scripts and
of selectors: its box is read through the DevTools protocol (DOM.getDocument with pierce),
as the browser lays it out."""

import pytest
import requests
from playwright.sync_api import expect

from tests.live_server import SCREENSHOTS
from tests.widget.browser_world import OWNER, SLUG, chat_frame

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def settings_url(live_server):
    """Where the demo coffee shop's widget settings are changed, and its owner's header."""
    owner = live_server.sign_in_api(OWNER)
    headers = {"Authorization": f"Bearer {owner['accessToken']}"}
    shop = requests.get(f"{live_server.base}/api/businesses/slug/{SLUG}", timeout=10,
                        headers=headers).json()["data"]
    return f"{live_server.base}/api/businesses/{shop['id']}/widget/settings", headers


def set_offset(settings_url, offset):
    url, headers = settings_url
    answer = requests.put(url, json={"bottomOffset": offset}, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]["bottomOffset"]


def widget_box(page, class_name):
    """The CSS-pixel box {left, top, right, bottom} in the viewport of the widget's element of
    `class_name` ("l": the launcher, "p": the chat's iframe), or None while it is not shown."""
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
        found = []

        def walk(node, inside):
            attributes = dict(zip(node.get("attributes", [])[::2],
                                  node.get("attributes", [])[1::2], strict=True))
            if inside and class_name in attributes.get("class", "").split():
                found.append(node["nodeId"])
            inside = inside or node.get("localName") == "bank-chat-widget"
            for child in node.get("children", []) + node.get("shadowRoots", []):
                walk(child, inside)

        walk(root, False)
        assert len(found) == 1, f"{len(found)} widget elements of class {class_name}"
        try:
            quad = cdp.send("DOM.getBoxModel", {"nodeId": found[0]})["model"]["border"]
        except Exception:  # noqa: BLE001 - "Could not compute box model": not displayed
            return None
    finally:
        cdp.detach()
    xs, ys = quad[0::2], quad[1::2]
    return {"left": min(xs), "top": min(ys), "right": max(xs), "bottom": max(ys)}


# Every line of the footer's text, and every link, button and field on the page, as the
# viewport shows them (text by its line boxes, not the whole paragraph's box).
CONTENT_BOXES = """() => {
  const boxes = [];
  const add = (what, r) => { if (r.width && r.height) boxes.push(
    {what, left: r.left, top: r.top, right: r.right, bottom: r.bottom}); };
  const walker = document.createTreeWalker(document.querySelector('.site-footer'),
                                           NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode;
    if (!text.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(text);
    for (const r of range.getClientRects()) add('text: ' + text.textContent.trim(), r);
  }
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea')) {
    add(el.outerHTML.slice(0, 80), el.getBoundingClientRect());
  }
  return boxes;
}"""

SIDEWAYS = ("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def overlapping(box, page):
    return [other["what"] for other in page.evaluate(CONTENT_BOXES)
            if other["left"] < box["right"] and box["left"] < other["right"]
            and other["top"] < box["bottom"] and box["top"] < other["bottom"]]


def shot(page, name):
    """What the screen shows (not the whole page: the launcher is fixed to the screen):
    test-output/screenshots/landing-widget-<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"landing-widget-{name}.png"))


def load_landing(page, insets=None):
    """The landing page with its widget drawn (the page has made room for it), scrolled to the
    end. `insets`: the safe-area insets the device reports (a phone's notch and home bar)."""
    if insets:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Emulation.setSafeAreaInsetsOverride", {"insets": insets})
    page.goto(f"/b/{SLUG}")
    # Functions, not strings: the page's CSP forbids evaluating a string while polling.
    page.wait_for_function("() => document.body.classList.contains('has-widget')")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function("() => Math.ceil(scrollY + innerHeight) >= "
                           "document.documentElement.scrollHeight")


def test_on_a_phone_the_launcher_covers_no_footer_text_link_or_button(phone_page, settings_url):
    assert set_offset(settings_url, None) == 20  # the default
    page = phone_page.page
    load_landing(page)
    launcher = widget_box(page, "l")
    # Where it always was: 20 px from the bottom and the right, 56 px tall.
    assert launcher["bottom"] == pytest.approx(PHONE["height"] - 20, abs=0.5)
    assert launcher["right"] == pytest.approx(PHONE["width"] - 20, abs=0.5)
    assert launcher["bottom"] - launcher["top"] == pytest.approx(56, abs=0.5)
    assert overlapping(launcher, page) == []
    footer = page.locator(".site-footer p")
    expect(footer).to_be_visible()
    assert page.evaluate(SIDEWAYS) <= 0
    shot(page, "phone-bottom")
    phone_page.assert_clean()


def test_the_offset_and_the_safe_area_move_the_launcher_and_the_open_chat(
        phone_page, settings_url):
    assert set_offset(settings_url, 96) == 96
    page = phone_page.page
    insets = {"top": 47, "bottom": 34, "left": 0, "right": 12}
    load_landing(page, insets)
    launcher = widget_box(page, "l")
    # The business's 96 px plus the home bar's 34; 20 px plus the 12 px inset from the right.
    assert launcher["bottom"] == pytest.approx(PHONE["height"] - 96 - 34, abs=0.5)
    assert launcher["right"] == pytest.approx(PHONE["width"] - 20 - 12, abs=0.5)
    assert overlapping(launcher, page) == []  # the page's room grew with the offset
    assert page.evaluate(SIDEWAYS) <= 0
    shot(page, "phone-offset")

    # Open: on a phone the chat fills the screen inside the insets, down to the offset, and
    # nothing of it lies beyond the screen's sides.
    page.mouse.click((launcher["left"] + launcher["right"]) / 2,
                     (launcher["top"] + launcher["bottom"]) / 2)
    expect(chat_frame(page).locator("#text")).to_be_visible()
    panel = widget_box(page, "p")
    assert panel["top"] == pytest.approx(47, abs=0.5)
    assert panel["bottom"] == pytest.approx(PHONE["height"] - 96 - 34, abs=0.5)
    assert panel["left"] == pytest.approx(0, abs=0.5)
    assert panel["right"] == pytest.approx(PHONE["width"] - 12, abs=0.5)
    assert widget_box(page, "l") is None  # the chat has its own close button
    assert page.evaluate(SIDEWAYS) <= 0
    shot(page, "phone-open")

    page.evaluate("BankWidget.close()")
    assert widget_box(page, "p") is None
    assert widget_box(page, "l") == launcher
    assert page.evaluate(SIDEWAYS) <= 0
    phone_page.assert_clean()


def test_on_a_desktop_the_chat_opens_above_the_launcher_within_the_screen(
        desktop_page, settings_url):
    assert set_offset(settings_url, 96) == 96
    page = desktop_page.page
    load_landing(page)
    launcher = widget_box(page, "l")
    assert launcher["bottom"] == pytest.approx(900 - 96, abs=0.5)
    assert overlapping(launcher, page) == []
    page.evaluate("BankWidget.open()")
    expect(chat_frame(page).locator("#text")).to_be_visible()
    panel = widget_box(page, "p")
    assert panel["bottom"] == pytest.approx(launcher["top"] - 12, abs=0.5)
    assert panel["right"] == pytest.approx(launcher["right"], abs=0.5)
    assert panel["top"] >= 20 - 0.5  # shortened to fit above the raised launcher
    assert page.evaluate(SIDEWAYS) <= 0
    shot(page, "desktop-open")
    desktop_page.assert_clean()


def test_a_long_launcher_text_stays_on_a_phones_screen(phone_page, settings_url):
    url, headers = settings_url
    long_text = "Задайте нам любой вопрос о кофе и десертах"[:40]
    answer = requests.put(url, json={"bottomOffset": None, "launcherText": long_text},
                          headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    try:
        page = phone_page.page
        load_landing(page)
        launcher = widget_box(page, "l")
        # 20 px from each side at most: the text ends in "…" rather than leave the screen.
        assert launcher["left"] >= 20 - 0.5 and launcher["right"] <= PHONE["width"] - 20 + 0.5
        assert overlapping(launcher, page) == []
        assert page.evaluate(SIDEWAYS) <= 0
        shot(page, "phone-long-text")
        phone_page.assert_clean()
    finally:
        requests.put(url, json={"launcherText": None}, headers=headers, timeout=10)
