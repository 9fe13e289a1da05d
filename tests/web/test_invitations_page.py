"""/my/invitations through the Flask test client: a shell with its words and its script, under
the site's Content-Security-Policy (no inline script or style). The script talks to the API
only through api.js (`window.Bank.api`)."""

import json
import re
from pathlib import Path

EN = {"Accept-Language": "en"}
SCRIPT = Path(__file__).resolve().parents[2] / "app" / "static" / "js" / "invitations.js"


def test_the_page_is_a_shell_with_its_words_and_script(client):
    response = client.get("/my/invitations", headers=EN)
    assert response.status_code == 200
    assert "script-src 'self';" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assert "<h1>Team invitations</h1>" in html and 'id="invitations-list"' in html
    assert '<meta name="robots" content="noindex">' in html
    words = json.loads(re.search(r'<script type="application/json" id="i18n">(.*?)</script>',
                                 html, re.S).group(1))
    assert words["accept"] == "Accept" and words["decline"] == "Decline"
    assert words["invitedAs"] == "Invites you to its team as: {role}"
    assert words["operator"] == "Operator"
    script = re.search(r'<script src="(/static/js/invitations\.js\?v=[0-9a-f]+)"', html).group(1)
    assert client.get(script).status_code == 200
    assert " style=" not in html and "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)
    for attributes in re.findall(r"<script([^>]*)>", html):
        assert "src=" in attributes or "application/" in attributes, attributes


def test_the_script_calls_the_api_only_through_api_js():
    source = SCRIPT.read_text()
    assert "fetch(" not in source and "XMLHttpRequest" not in source
    assert set(re.findall(r'"(/api/[^"?]*)', source)) == {"/api/me/invitations",
                                                          "/api/me/invitations/"}
