"""Accessibility checks for the browser tests: axe-core's WCAG 2.0/2.1 A and AA rules, and no
horizontal scrolling. axe-core comes from the npm registry into tests/web/node_modules
(`make setup-dev` runs `npm ci` in tests/web); it is a test tool, never served to users.

    assert_accessible(page, "inbox at 390×844")
    assert_no_horizontal_scroll(page, "inbox at 390×844")
"""

import os
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
TARGETS_SHOWN = 4  # per violation, so that a failure stays readable
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def axe_source():
    """axe.min.js; the test is skipped when it is not installed, except under CI, where that
    is a failure (as tests/live_server.py's chromium() does for Chromium)."""
    if not AXE.exists():
        reason = (f"{AXE} is missing (npm ci --prefix tests/web, or make setup-dev; "
                  "Debian: apt-get install npm)")
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set: a failure, not a skip)")
        pytest.skip(f"{reason}; under CI this fails")
    return AXE.read_text(encoding="utf-8")


def _inject(page):
    """axe into the page and each of its frames (axe.run asks the frames' own axe about
    their content). Evaluated through the DevTools protocol rather than added as an inline
    <script> (Playwright's add_script_tag): our Content-Security-Policy (script-src 'self')
    rightly refuses inline scripts, and a refused one would be logged as a CSP violation."""
    source = None
    for frame in page.frames:
        if frame.is_detached() or frame.evaluate("typeof window.axe === 'object'"):
            continue
        source = source or axe_source()
        frame.evaluate("() => {\n" + source + "\n}")


_RUN = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                  resultTypes: ['violations']})
    .then(result => result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
        nodes: v.nodes.map(n => ({target: n.target.map(String).join(' '),
                                  summary: n.failureSummary || ''}))})))"""


def violations(page):
    """axe-core's WCAG 2.0/2.1 A and AA violations of the page as it is now: a list of
    {id, impact, help, count, nodes: [{target, summary}]}."""
    _inject(page)
    return page.evaluate(_RUN, list(WCAG_TAGS))


def describe(found):
    """The violations, one paragraph each: rule, impact, how many, a few targets and why."""
    lines = []
    for violation in found:
        lines.append(f"- {violation['id']} ({violation['impact']}, {violation['count']} "
                     f"element(s)): {violation['help']}")
        for node in violation["nodes"][:TARGETS_SHOWN]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}: {summary[:300]}")
        if violation["count"] > TARGETS_SHOWN:
            lines.append(f"    … and {violation['count'] - TARGETS_SHOWN} more")
    return "\n".join(lines)


def assert_accessible(page, where=""):
    """No axe-core violation of the WCAG 2.0/2.1 A and AA rules on `page` (checked as it is
    now: wait for what should be shown first). `where` names the page in the message."""
    found = violations(page)
    assert not found, (f"{where or page.url}: {len(found)} accessibility rule(s) broken "
                       f"(axe-core, WCAG 2.1 A/AA):\n{describe(found)}")


_WIDTHS = """() => {
    const doc = document.documentElement, body = document.body;
    const wide = [];
    if (doc.scrollWidth > doc.clientWidth || body.scrollWidth > body.clientWidth) {
        for (const el of document.body.querySelectorAll('*')) {
            const box = el.getBoundingClientRect();
            if (box.right > doc.clientWidth + 1 && box.width > 0 && wide.length < 5) {
                const classes = typeof el.className === 'string' && el.className.trim()
                    ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
                wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes
                          + ' (right edge ' + Math.round(box.right) + ')');
            }
        }
    }
    return {doc: [doc.scrollWidth, doc.clientWidth], body: [body.scrollWidth, body.clientWidth],
            wide};
}"""


def assert_no_horizontal_scroll(page, where=""):
    """Nothing makes the page scroll sideways: the document's and the body's scroll widths
    are within their client widths. The message names a few elements that stick out."""
    widths = page.evaluate(_WIDTHS)
    (doc_scroll, doc_client), (body_scroll, body_client) = widths["doc"], widths["body"]
    assert doc_scroll <= doc_client and body_scroll <= body_client, (
        f"{where or page.url} scrolls sideways: document {doc_scroll} > {doc_client} "
        f"or body {body_scroll} > {body_client}; sticking out: {widths['wide']}")
