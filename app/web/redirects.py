"""Where a page may send the visitor afterwards: same-site relative paths only."""

from urllib.parse import urlsplit


def safe_next(target, default="/"):
    """`target` when it is a path on this site ("/catalog?q=1"), else `default`.

    Refused: absolute URLs, scheme-relative ones ("//evil.com"), backslashes (browsers read
    "/\\evil.com" as "//evil.com") and control characters."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
