"""Sign-in to the operators' console by OpenID Connect (authorisation code flow with PKCE)
against the simulated issuer (tests/sim/oidc/), step by step as a browser follows the
redirects: the console sends state, nonce and an S256 challenge; the issuer's code is redeemed
with the verifier; the session is anna's. A callback in another browser (without the state
cookie), a code used twice, and a forged state are refused."""
import tempfile
import urllib.parse

import pytest

from console_harness import ConsoleSandbox


@pytest.fixture(scope="module")
def sandbox():
    with tempfile.TemporaryDirectory(prefix="portier-console-oidc-") as folder:
        box = ConsoleSandbox(folder)
        try:
            yield box
        finally:
            box.stop()


def authorize(box, browser, user):
    """Follows start -> issuer form -> issuer's redirect; the callback URL (not yet visited)."""
    start = browser.get(box.api + "session/oidc/start", allow_redirects=False)
    assert start.status_code == 302, start.text
    assert "portier_console_oidc=" in start.headers["Set-Cookie"]
    location = urllib.parse.urlsplit(start.headers["Location"])
    query = dict(urllib.parse.parse_qsl(location.query))
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["response_type"] == "code" and query["state"] and query["nonce"]
    form = box.client().get(start.headers["Location"])
    assert form.status_code == 200 and 'id="username"' in form.text
    issued = box.client().post(box.oidc_url + "/oidc/authorize", data={**query, "username": user},
                               allow_redirects=False)
    assert issued.status_code == 302, issued.text
    return issued.headers["Location"]


def test_sign_in_by_openid_connect_with_pkce(sandbox):
    browser = sandbox.client()  # no client certificate: the identity comes from the issuer
    callback = authorize(sandbox, browser, "anna")
    done = browser.get(callback, allow_redirects=False)
    assert done.status_code == 303, done.text
    assert done.headers["Location"] == "/console/"
    session = browser.get(sandbox.api + "session").json()
    assert (session["user"], session["method"], session["roles"]) == \
        ("anna", "oidc", ["viewer", "operator"])
    assert browser.get(sandbox.api + "overview").status_code == 200
    # The code served once: the same callback again is refused.
    assert browser.get(callback, allow_redirects=False).status_code == 401


def test_a_callback_without_the_browsers_state_cookie_is_refused(sandbox):
    callback = authorize(sandbox, sandbox.client(), "rita")
    elsewhere = sandbox.client().get(callback, allow_redirects=False)
    assert elsewhere.status_code == 401, elsewhere.text
    assert "state" in elsewhere.json()["detail"]


def test_a_forged_state_is_refused(sandbox):
    browser = sandbox.client()
    callback = authorize(sandbox, browser, "rita")
    forged = callback.replace("state=", "state=x")
    browser.cookies.set("portier_console_oidc", dict(urllib.parse.parse_qsl(
        urllib.parse.urlsplit(forged).query))["state"], domain="127.0.0.1",
        path="/console/api/session/oidc/")
    r = browser.get(forged, allow_redirects=False)
    assert r.status_code == 401, r.text
    assert browser.get(sandbox.api + "session").status_code == 401


def test_a_user_unknown_to_the_console_is_refused(sandbox):
    # The issuer knows only the configured users; the console refuses a sub it has no user for.
    browser = sandbox.client()
    start = browser.get(sandbox.api + "session/oidc/start", allow_redirects=False)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(start.headers["Location"]).query))
    refused = sandbox.client().post(sandbox.oidc_url + "/oidc/authorize",
                                    data={**query, "username": "mallory"}, allow_redirects=False)
    assert refused.status_code == 400
