"""The public pages: home, catalog, sign-in, profile and "my" pages, the language switch and
the web app manifest.

Pages that need the visitor are shells: the server renders them and the scripts fill them in
with the token kept in the browser (app/static/js/api.js); signed out, they go to /login.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _

from app.api.presenters import business_public
from app.businesses import catalog, categories
from app.web.js_strings import strings
from app.web.pwa import manifest_icons, manifest_response
from app.web.redirects import safe_next

bp = Blueprint("pages", __name__)

PAGE_SIZE = 20
HOME_POPULAR = 6
LANG_COOKIE_SECONDS = 365 * 24 * 3600


def flat_categories(tree, depth=0):
    """The category tree as [(category, depth)], parents before their children."""
    rows = []
    for node in tree:
        rows.append((node, depth))
        rows.extend(flat_categories(node["children"], depth + 1))
    return rows


def _items(found):
    names = categories.by_ids({i for b in found for i in b.category_ids})
    return [business_public(b, names) for b in found]


def _int_arg(name, default, maximum):
    value = request.args.get(name, type=int)
    return value if value is not None and 1 <= value <= maximum else default


@bp.get("/")
def home():
    tree = categories.tree()
    popular = catalog.search(page=1, limit=HOME_POPULAR)
    return render_template("home.html", categories=tree, popular=_items(popular.items),
                           i18n=strings())


@bp.get("/catalog")
def catalog_page():
    """The first page is rendered here, so it works without JS; catalog.js takes over."""
    q = (request.args.get("q") or "").strip()[:200]
    category = (request.args.get("category") or "").strip()[:60]
    page = _int_arg("page", 1, 1000)
    found = catalog.search(q=q or None, category=category or None, page=page, limit=PAGE_SIZE)
    pages = -(-found.total // PAGE_SIZE)
    more_url = url_for("pages.catalog_page", q=q or None, category=category or None,
                       page=page + 1) if page < pages else None
    return render_template(
        "catalog.html", q=q, category=category, page=page, total=found.total, pages=pages,
        items=_items(found.items), more_url=more_url,
        categories=flat_categories(categories.tree()), page_size=PAGE_SIZE,
        i18n=strings("catalog"))


@bp.get("/login")
def login():
    return render_template("login.html", next_url=safe_next(request.args.get("next"), "/profile"),
                           i18n=strings("login"))


@bp.get("/profile")
def profile():
    return render_template("profile.html", i18n=strings("profile", "my"))


@bp.get("/my/businesses")
def my_businesses():
    return render_template("my_list.html", kind="businesses", heading=_("My businesses"),
                           i18n=strings("my"))


@bp.get("/my/subscriptions")
def my_subscriptions():
    return render_template("my_list.html", kind="subscriptions",
                           heading=_("My subscriptions"), i18n=strings("my"))


@bp.get("/lang/<code>")
def switch_language(code):
    """Remember the chosen language in a cookie and go back to where the visitor was."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    response = redirect(safe_next(request.args.get("next"), "/"), code=303)
    response.set_cookie("lang", code, max_age=LANG_COOKIE_SECONDS, samesite="Lax",
                        httponly=True, secure=request.is_secure)
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    return manifest_response({
        "id": "/",
        "name": "Bank",
        "short_name": "Bank",
        "description": str(_("Find businesses, subscribe to their news and write to them.")),
        "lang": str(get_locale()),
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": "#2346c4",
        "background_color": "#f5f6f8",
        "categories": ["business", "shopping", "social"],
        "icons": manifest_icons(),
        "shortcuts": [
            {"name": str(_("Catalog")), "url": url_for("pages.catalog_page")},
            {"name": str(_("My subscriptions")), "url": url_for("pages.my_subscriptions")},
        ],
    })
