"""The operators' console refuses whoever does not belong (adapters/console/README.md), over its
JSON API on the sandbox's configuration (console_harness.py): no client certificate, a
certificate of nobody configured, another listener, a change without the CSRF token, a planted
session id (session fixation), a session used with another certificate, a missing role, and a
reviewer of another department. Each refusal is an audit entry and changes nothing."""
import re
import sqlite3
import tempfile

import pytest
import requests

from console_harness import ConsoleSandbox
from harness import http


@pytest.fixture(scope="module")
def sandbox():
    with tempfile.TemporaryDirectory(prefix="portier-console-security-") as folder:
        box = ConsoleSandbox(folder)
        try:
            yield box
        finally:
            box.stop()


def audit_reasons(box):
    db = sqlite3.connect(f"file:{box.dir}/journal.db?mode=ro", uri=True)
    try:
        return [r[0] for r in db.execute("SELECT reason FROM audit ORDER BY seq")]
    finally:
        db.close()


def test_without_a_client_certificate_nothing_is_served(sandbox):
    anonymous = sandbox.client()
    r = anonymous.post(sandbox.api + "session/certificate")
    assert r.status_code == 401, r.text
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert "no client certificate" in r.json()["detail"]
    assert anonymous.get(sandbox.api + "overview").status_code == 401
    assert "sign-in by certificate: no client certificate was presented" in audit_reasons(sandbox)
    # A session cookie taken elsewhere does not help a connection without the certificate.
    anna, _ = sandbox.signed_in("anna")
    stolen = anonymous.get(sandbox.api + "overview",
                           cookies={"portier_console": anna.cookies["portier_console"]})
    assert stolen.status_code == 401, stolen.text
    assert "another client certificate" in stolen.json()["detail"]


def test_a_certificate_of_nobody_configured_is_refused(sandbox):
    mfk = sandbox.client()
    mfk.cert = (f"{sandbox.pki}/mfk.pem", f"{sandbox.pki}/mfk.key")  # a department's, not a user's
    r = mfk.post(sandbox.api + "session/certificate")
    assert r.status_code == 403, r.text
    assert "CN=mfk" in r.json()["detail"]
    assert "Set-Cookie" not in r.headers


def test_the_console_is_served_on_its_listener_only(sandbox):
    anna, _ = sandbox.signed_in("anna")
    assert anna.get(sandbox.console_url).status_code == 200
    for path in ("/console/", "/console/api/session", "/console/app.js"):
        status, _, _ = http("GET", sandbox.url + path)
        assert status == 404, path


def test_sign_in_sets_a_strict_cookie_and_a_fresh_id_every_time(sandbox):
    s = sandbox.client("anna")
    planted = "a" * 64
    s.cookies.set("portier_console", planted, domain="127.0.0.1", path="/console/")
    r = s.post(sandbox.api + "session/certificate")
    assert r.status_code == 200, r.text
    cookie = r.headers["Set-Cookie"]
    for attribute in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/console/"):
        assert attribute in cookie, cookie
    first = re.match(r"portier_console=([0-9a-f]{64});", cookie).group(1)
    assert first != planted
    # The planted id never became a session.
    assert sandbox.client("anna").get(sandbox.api + "session",
                                      cookies={"portier_console": planted}).status_code == 401
    # Signing in again drops the old session.
    again = s.post(sandbox.api + "session/certificate")
    second = re.match(r"portier_console=([0-9a-f]{64});", again.headers["Set-Cookie"]).group(1)
    assert second != first
    assert sandbox.client("anna").get(sandbox.api + "session",
                                      cookies={"portier_console": first}).status_code == 401


def test_a_session_is_bound_to_its_certificate(sandbox):
    anna, _ = sandbox.signed_in("anna")
    rita = sandbox.client("rita")
    r = rita.get(sandbox.api + "session",
                 cookies={"portier_console": anna.cookies["portier_console"]})
    assert r.status_code == 401, r.text


def test_every_change_needs_the_csrf_token(sandbox):
    bpid, item = sandbox.parked_case()
    anna, token = sandbox.signed_in("anna")
    url = f"{sandbox.api}work-items/{item}/replay"
    assert anna.post(url).status_code == 403
    assert anna.post(url, headers={"X-CSRF-Token": "0" * 64}).status_code == 403
    wrong = anna.post(url, headers={"X-CSRF-Token": token[:-1]})
    assert wrong.status_code == 403 and "CSRF" in wrong.json()["detail"]
    assert anna.get(f"{sandbox.api}work-items/{item}").json()["state"] == "parked"
    assert anna.delete(sandbox.api + "session").status_code == 403  # signing out is a change too
    ok = anna.post(url, headers={"X-CSRF-Token": token})
    assert ok.status_code == 200, ok.text
    assert ok.json()["state"] == "pending"
    assert any(r.startswith("by anna (certificate): replayed work item") for r in audit_reasons(sandbox))
    assert "missing or wrong CSRF token (X-CSRF-Token)" in audit_reasons(sandbox)
    # The token of one session is no good for another.
    other, _ = sandbox.signed_in("anna")
    assert other.post(f"{sandbox.api}work-items/{item}/park", json={"reason": "x"},
                      headers={"X-CSRF-Token": token}).status_code == 403


def test_a_missing_role_is_refused(sandbox):
    rita, rita_token = sandbox.signed_in("rita")  # reviewer only
    assert rita.get(sandbox.api + "overview").status_code == 403
    assert rita.get(sandbox.api + "work-items?state=parked").status_code == 403
    assert rita.get(sandbox.api + "audit").status_code == 403
    r = rita.post(sandbox.api + "work-items/1/replay", headers={"X-CSRF-Token": rita_token})
    assert r.status_code == 403 and "operator role" in r.json()["detail"]
    anna, anna_token = sandbox.signed_in("anna")  # viewer and operator, no reviewer
    assert anna.get(sandbox.api + "identity-links").status_code == 403
    assert anna.get(sandbox.api + "overview").status_code == 200


def test_a_reviewer_decides_only_its_own_departments_links(sandbox):
    link = sandbox.pending_link()  # the Steueramt's
    bruno, bruno_token = sandbox.signed_in("bruno")  # reviews the Betreibungsamt
    assert link not in bruno.get(sandbox.api + "identity-links?state=all").text
    assert bruno.get(sandbox.api + "identity-links?department=steueramt").status_code == 403
    assert bruno.get(f"{sandbox.api}identity-links/{link}").status_code == 404
    decided = bruno.post(f"{sandbox.api}identity-links/{link}/decision",
                         json={"decision": "approve"}, headers={"X-CSRF-Token": bruno_token})
    assert decided.status_code == 404, decided.text
    revoked = bruno.post(f"{sandbox.api}identity-links/{link}/revoke", json={"reason": "x"},
                         headers={"X-CSRF-Token": bruno_token})
    assert revoked.status_code == 404, revoked.text
    rita, rita_token = sandbox.signed_in("rita")
    assert rita.get(f"{sandbox.api}identity-links/{link}").json()["state"] == "pending"
    bad = rita.post(f"{sandbox.api}identity-links/{link}/decision", json={"decision": "reject"},
                    headers={"X-CSRF-Token": rita_token})
    assert bad.status_code == 400 and bad.json()["field"] == "reason", bad.text
    ok = rita.post(f"{sandbox.api}identity-links/{link}/decision", json={"decision": "approve"},
                   headers={"X-CSRF-Token": rita_token})
    assert ok.status_code == 200, ok.text
    assert (ok.json()["state"], ok.json()["decidedBy"]) == ("active", "console:rita")
    assert any(f"active identity link {link}" in r for r in audit_reasons(sandbox))


def test_bad_input_names_the_field(sandbox):
    anna, token = sandbox.signed_in("anna")
    r = anna.get(sandbox.api + "work-items?state=lost")
    assert r.status_code == 400 and r.json()["field"] == "state"
    r = anna.post(sandbox.api + "work-items/1/park", json={}, headers={"X-CSRF-Token": token})
    assert r.status_code == 400 and r.json()["field"] == "reason"
    r = anna.post(sandbox.api + "work-items/replay", json={"ids": "all"},
                  headers={"X-CSRF-Token": token})
    assert r.status_code == 400 and r.json()["field"] == "ids"


def test_the_openapi_description_is_served(sandbox):
    r = sandbox.client().get(sandbox.api + "openapi.yaml")
    assert r.status_code == 200 and "/work-items/{id}/replay" in r.text
