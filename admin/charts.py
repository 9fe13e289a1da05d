"""Bar charts drawn on the server as inline SVG: no script, no external asset, nothing for a
Content-Security-Policy to block (colours are SVG presentation attributes and Bootstrap
classes, never inline styles).

Each chart is a <figure>: a caption, an SVG with role="img", a <title> and a <desc> that sums
it up, bars with their value as a tooltip, labelled axes, and the exact values in a visually
hidden table for screen readers (and for anyone reading the page's source). Every piece of
text is escaped.
"""

import math
from datetime import date

from flask_babel import format_date, format_number, gettext
from markupsafe import Markup

# The drawing's own coordinates; the SVG scales to the width of its card.
WIDTH, HEIGHT = 600, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 10, 34  # margins: y labels, x labels and the axis title
GRID = "#dee2e6"
INK = "#6c757d"
FONT = Markup('font-family="inherit" font-size="13"')


def nice_step(peak, ticks=4):
    """A step of 1, 2 or 5 times a power of ten so that about `ticks` steps cover `peak`."""
    if peak <= ticks:
        return 1
    raw = peak / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power  # not reached: factor 10 always suffices


def _day(value):
    return format_date(date.fromisoformat(value), "d MMM")


def bar_chart(chart_id, title, rows, axis_title=None):
    """A bar chart of `rows` ([{"day": "YYYY-MM-DD", "count": n}, …], oldest first), as
    Markup. `chart_id` must be unique on the page (it names the title and description)."""
    if not rows:
        raise ValueError("a chart needs at least one row")
    counts = [row["count"] for row in rows]
    peak = max(counts)
    step = nice_step(peak)
    top = max(step, math.ceil(peak / step) * step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base = TOP + plot_h
    slot = plot_w / len(rows)
    bar_w = max(1.0, slot * 0.72)

    def y(value):
        return round(base - value / top * plot_h, 1)

    summary = gettext(
        "%(days)s days from %(first)s to %(last)s: %(total)s in all, at most %(peak)s a day.",
        days=len(rows), first=_day(rows[0]["day"]), last=_day(rows[-1]["day"]),
        total=format_number(sum(counts)), peak=format_number(peak))
    parts = [Markup(
        '<svg id="{id}" class="d-block w-100 text-primary" viewBox="0 0 {w} {h}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" focusable="false">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
    ).format(id=chart_id, w=WIDTH, h=HEIGHT, title=title, desc=summary)]
    # The y axis: grid lines with their values.
    for value in range(0, top + 1, step):
        parts.append(Markup(
            '<line x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="{grid}" stroke-width="1"/>'
            '<text x="{tx}" y="{y}" dy="4" text-anchor="end" fill="{ink}" {font}>{label}</text>'
        ).format(x1=LEFT, x2=WIDTH - RIGHT, y=y(value), grid=GRID, tx=LEFT - 6, ink=INK,
                 font=FONT, label=format_number(value)))
    # The bars (none for an empty day), each with its day and value as a tooltip.
    for index, row in enumerate(rows):
        if row["count"]:
            parts.append(Markup(
                '<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{h:.1f}" '
                'fill="currentColor" rx="1"><title>{day}: {value}</title></rect>'
            ).format(x=LEFT + index * slot + (slot - bar_w) / 2, y=y(row["count"]), w=bar_w,
                     h=base - y(row["count"]), day=_day(row["day"]),
                     value=format_number(row["count"])))
    # The x axis: every seventh day back from the last one, and the first day when it does
    # not crowd its neighbour.
    marked = set(range(len(rows) - 1, -1, -7))
    if min(marked) >= 3:
        marked.add(0)
    for index in sorted(marked):
        # The last label ends at the plot's edge, so it is never cut off.
        last = index == len(rows) - 1 and len(rows) > 1
        parts.append(Markup(
            '<text x="{x:.1f}" y="{y}" text-anchor="{anchor}" fill="{ink}" {font}>{label}</text>'
        ).format(x=LEFT + (index + 1) * slot if last else LEFT + index * slot + slot / 2,
                 y=base + 15, anchor="end" if last else "middle", ink=INK, font=FONT,
                 label=_day(rows[index]["day"])))
    parts.append(Markup(
        '<line x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="{ink}" stroke-width="1"/>'
        '<text x="{mid:.1f}" y="{ty}" text-anchor="middle" fill="{ink}" {font}>{label}</text>'
        '</svg>'
    ).format(x1=LEFT, x2=WIDTH - RIGHT, y=base, ink=INK, mid=LEFT + plot_w / 2,
             ty=HEIGHT - 2, font=FONT, label=axis_title or gettext("Day (UTC)")))
    parts.append(_table(chart_id, title, rows))
    return Markup("").join(parts)


def _table(chart_id, title, rows):
    """The values as a table that only screen readers see (Bootstrap's sr-only)."""
    body = Markup("").join(
        Markup('<tr><th scope="row">{day}</th>'
               '<td data-day="{day}" data-value="{value}">{shown}</td></tr>').format(
            day=row["day"], value=int(row["count"]), shown=format_number(row["count"]))
        for row in rows)
    return Markup(
        '<table class="sr-only" data-series="{id}"><caption>{title}</caption>'
        '<thead><tr><th scope="col">{day}</th><th scope="col">{count}</th></tr></thead>'
        '<tbody>{body}</tbody></table>'
    ).format(id=chart_id, title=title, day=gettext("Day"), count=gettext("Count"), body=body)
