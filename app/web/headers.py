"""Security headers on the public pages. Not on /api/ or /media/ (they set their own), nor on
the back office and the cabinet (Flask-Admin's pages need a policy of their own)."""

from flask import request

# No inline scripts or styles anywhere: every script and stylesheet is a file under /static/.
# The JSON-LD and i18n blocks are data (<script type="application/…json">), never executed.
# The service worker (/sw.js) and the manifest are our own files: said so outright, rather
# than left to default-src, so that tightening default-src never breaks the installed app.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; "
    "worker-src 'self'; manifest-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


ELSEWHERE = ("api", "media", "admin", "cabinet")  # first path segments left alone


def _is_page(path):
    return path.strip("/").split("/", 1)[0] not in ELSEWHERE


def init_security_headers(app):
    @app.after_request
    def add_security_headers(response):
        if _is_page(request.path):
            for name, value in HEADERS.items():
                response.headers.setdefault(name, value)
            if response.mimetype == "text/html":
                # The language follows the cookie and Accept-Language.
                response.vary.update(("Cookie", "Accept-Language"))
        return response
