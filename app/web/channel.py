"""A business's whole channel, `/b/<slug>/channel`, and my feed, `/my/feed` (the posts of
every channel I subscribe to).

The channel page answers as the landing page does (businesses.public_stamp): a former slug
redirects, a business the public may not see is a 404. The header is rendered here; the
posts come from the API (app/static/js/channel.js), because each reader's reactions and what
they may do are theirs.
"""

from flask import Blueprint, redirect, render_template, request, url_for

from app.api.presenters import business_public
from app.businesses import businesses
from app.web.js_strings import strings

bp = Blueprint("channel_pages", __name__)


@bp.get("/b/<slug>/channel")
def channel(slug):
    business_id, current_slug, _stamp = businesses.public_stamp(slug)  # 404 unless public
    if slug != current_slug:  # a former slug, or the current one in another case
        target = url_for("channel_pages.channel", slug=current_slug)
        if request.query_string:
            target += "?" + request.query_string.decode("latin-1")
        return redirect(target, code=301)
    business = businesses.public(business_id)
    return render_template(
        "channel.html", business=business_public(business),
        logo_path=url_for("web.media", key=business.logo) if business.logo else None,
        i18n=strings("channel"))


@bp.get("/my/feed")
def my_feed():
    return render_template("my_feed.html", i18n=strings("channel"))
