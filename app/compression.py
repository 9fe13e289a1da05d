"""Response compression (Flask-Compress): Brotli or gzip for text, as the browser accepts.

The widget and the public pages reach customers on phones, often on websites we do not
control; compressing in the app keeps that true without a compressing proxy in front.
"""

from flask import request
from flask_compress import Compress

TEXT_TYPES = [
    "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
    "application/manifest+json", "image/svg+xml",
]
# Staff pages reflect what is typed into them next to CSRF tokens; compressing such pages
# lets an attacker guess a secret from response sizes (BREACH). They are left as they are.
UNCOMPRESSED_PREFIXES = ("/cabinet", "/admin")


class PublicCompress(Compress):
    def after_request(self, response):
        # A range (206) of a file is bytes of the plain file; compressed, it would not be.
        if request.path.startswith(UNCOMPRESSED_PREFIXES) or response.status_code == 206:
            return response
        return super().after_request(response)


def init_compression(app):
    app.config.setdefault("COMPRESS_MIMETYPES", TEXT_TYPES)
    # Every browser accepts one of these two; Flask-Compress leaves gzip out for streamed
    # responses (static files) by default, which would send those to older browsers as is.
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    # On our scripts, Brotli's level 4 (the default) is no smaller than gzip; level 5 is 5 %
    # smaller for about 1 ms per 12 KB script.
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    # Files are streamed; these endpoints still answer a revalidation with a 304.
    app.config.setdefault("COMPRESS_STREAMING_ENDPOINT_CONDITIONAL",
                          ["static", "widget.static", "api.openapi.swagger_asset"])
    PublicCompress().init_app(app)
