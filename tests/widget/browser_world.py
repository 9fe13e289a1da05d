"""The browser tests' world: the shop's page on a second origin (a tiny http.server), the
demo business, and the steps a person takes with the widget (find its frame, click the
launcher, write)."""

import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from playwright.sync_api import expect

from tests.live_server import free_port

OWNER = "+79990000001"  # Анна, owner of "Кофейня на Арбате" in the demo data
SLUG = "kofeinia-na-arbate"
GREETING = "Чем можем помочь?"
VIEWPORT = {"width": 1280, "height": 860}

# The host page's own styles try hard to hide or restyle everything; the widget must not care.
HOSTILE_CSS = ("* { font-size: 40px !important; color: red !important; } "
               "button, iframe, bank-chat-widget { display: none !important; }")


def shop_page(base, attributes=""):
    """The shop's page with the snippet (and `attributes` added to its tag)."""
    return (f"<!doctype html><html lang='ru'><head><meta charset='utf-8'><title>Магазин</title>"
            f"<style>{HOSTILE_CSS}</style></head><body><h1>Наш магазин</h1>"
            f"<script src='{base}/widget.js' data-business='{SLUG}' {attributes} async>"
            f"</script></body></html>")


def framing_page(base):
    """A page that frames the chat directly, as a site not on the list might try."""
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Чужой сайт</title></head>"
            f"<body><iframe id='stolen' src='{base}/widget/{SLUG}' width='400' height='500'>"
            f"</iframe><script src='{base}/widget.js' data-business='{SLUG}' async></script>"
            f"</body></html>")


@contextmanager
def host_site(pages):
    """Plain HTML pages on 127.0.0.1:<port> (another origin than the app's)."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            if self.path == "/favicon.ico":  # no icon, and no 404 in the console for it
                self.send_response(204)
                self.end_headers()
                return
            body = pages.get(self.path.split("?")[0])
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write((body or "not found").encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def click_launcher(page):
    """A person's click on the launcher: bottom right, where it is drawn."""
    page.mouse.click(VIEWPORT["width"] - 48, VIEWPORT["height"] - 48)


def open_chat(page, host=None, path="/shop.html", shown="#text"):
    """Load the shop's page (or reload it), wait for the launcher, click it: the chat, once
    `shown` (the message box) is visible in it."""
    if host:
        page.goto(f"{host}{path}")
    else:
        page.reload()
    page.wait_for_function("typeof window.BankWidget?.open === 'function'")
    ready = page.evaluate("new Promise(done => BankWidget.on('ready', () => done(true)))")
    assert ready
    click_launcher(page)
    frame = chat_frame(page)
    expect(frame.locator(shown)).to_be_visible()
    return frame


def write(frame, text):
    frame.fill("#text", text)
    frame.press("#text", "Enter")




def chat_frame(page, timeout=15):
    """The widget's chat frame on `page` (a Playwright Frame): its iframe lives in the
    loader's closed shadow root, out of reach of selectors, so it is found among the page's
    frames by its address (/widget/<slug>)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "/widget/" in frame.url:
                return frame
        page.wait_for_timeout(50)
    raise AssertionError(f"no widget frame in {[frame.url for frame in page.frames]}")


def demo_shop(server):
    """The demo's "Кофейня на Арбате" as the catalog shows it."""
    return requests.get(f"{server.base}/api/catalog", params={"q": "Кофейня на Арбате"},
                        timeout=10).json()["data"][0]
