"""Identity checks from the portal's side: the real portierd, the department simulator (REST and
SOAP variants) and a portal that signs its calls; every answer is checked against
adapters/rest/openapi.yaml at the end (openapi-response-validator, swagger-parser)."""
import json
import os
import sqlite3
import subprocess
import tempfile
import time
import uuid

import pytest

from harness import http, wait_until
from identity_harness import (OPENAPI, NODE_DIR, REST_SERVICE, SOAP_SERVICE, DepartmentSim,
                              IdentityWorkspace, decide_envelope, list_events_envelope, sign)

MUELLER = {"officialName": "MÜLLER", "firstName": "hans",
           "dateOfBirth": {"yearMonthDay": "1980-04-12"}, "vn": "7561234567897"}
# Values that must never appear in portierd's log.
CANARIES = ["Müller", "MÜLLER", "MUELLER", "mueller", "1980-04-12", "7561234567897", "Zuercher",
            "Meier", "Gerber", "1988-02-29", "7569876543217"]


@pytest.fixture(scope="module")
def iws():
    tmp = tempfile.TemporaryDirectory(prefix="portier-identity-")
    workspace = IdentityWorkspace(tmp.name)
    yield workspace
    code, output = workspace.portal.check_openapi(tmp.name)
    workspace.close()
    logs = open(workspace.portier.log_path, encoding="utf-8", errors="replace").read()
    tmp.cleanup()
    assert code == 0, output
    for canary in CANARIES:
        assert canary not in logs, f"{canary!r} appears in portierd's log"


def request(person, service=REST_SERVICE, level=2, account=None, **extra):
    body = {"requestId": str(uuid.uuid4()),
            "portal": {"accountId": account or f"acc-{uuid.uuid4()}", "identificationLevel": level,
                       "identityProvider": "SwissID"},
            "serviceId": service, "person": person}
    body.update(extra)
    return body


def links(iws):
    db = sqlite3.connect(f"file:{iws.portier.journal}?mode=ro", uri=True)
    try:
        return db.execute("SELECT link_id, state FROM identity_links").fetchall()
    finally:
        db.close()


def evidence_hops(iws, hop):
    db = sqlite3.connect(f"file:{iws.portier.journal}?mode=ro", uri=True)
    try:
        return db.execute("SELECT business_process_id, detail FROM evidence WHERE hop = ?",
                          (hop,)).fetchall()
    finally:
        db.close()


def test_openapi_description_validates():
    result = subprocess.run(["node", os.path.join(NODE_DIR, "openapi_check.js"), OPENAPI],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_match_links_and_the_next_check_answers_from_the_link(iws):
    body = request(MUELLER)
    status, headers, answer = iws.portal.check(body)
    assert status == 200, answer
    assert answer["result"] == "MATCH" and answer["answeredFrom"] == "department"
    assert answer["departmentPersonRef"] == {"personIdCategory": "CH.SO.STEUERNR", "personId": "ST-1001"}
    assert answer["link"]["state"] == "active" and "vn" in answer["matchedOn"]
    asked = len(iws.department.asked())
    status, _, again = iws.portal.check(body)
    assert status == 200 and again["result"] == "MATCH" and again["answeredFrom"] == "link"
    assert again["link"]["linkId"] == answer["link"]["linkId"]
    assert len(iws.department.asked()) == asked, "a linked account must not be checked again"
    link_id = answer["link"]["linkId"]
    status, _, link = iws.portal.call("GET", f"/portal/v1/identity-links/{link_id}", None,
                                      "/identity-links/{linkId}")
    assert status == 200 and link["state"] == "active" and link["decidedBy"] == "auto"
    account = body["portal"]["accountId"]
    status, _, listed = iws.portal.call("GET", f"/portal/v1/identity-links?accountId={account}",
                                        None, "/identity-links")
    assert status == 200 and [l["linkId"] for l in listed["items"]] == [link_id]


@pytest.mark.parametrize("person, extra, result, ref", [
    # Case and umlauts: "Zuercher"/"Jerome" is Zürcher/Jérôme; a VN the register lacks is ignored.
    ({"officialName": "Zuercher", "firstName": "JEROME", "dateOfBirth": {"yearMonthDay": "1969-07-30"}},
     {}, "MATCH", "ST-1006"),
    ({"officialName": "Gerber", "firstName": "Lea", "dateOfBirth": {"yearMonthDay": "1988-02-29"},
      "vn": "7561111111113"}, {}, "NO_MATCH", None),  # that VN belongs to someone else
    ({"officialName": "Gerber", "firstName": "Lea", "dateOfBirth": {"yearMonthDay": "1988-02-29"}},
     {}, "MATCH", "ST-1005"),
    # Double name given in part, birth date known to the register only to the month: review.
    ({"officialName": "Meier", "firstName": "Anna Lena", "dateOfBirth": {"yearMonthDay": "1975-11-03"}},
     {}, "PENDING_REVIEW", None),
    ({"officialName": "Meier-Suter", "firstName": "Anna", "dateOfBirth": {"yearMonth": "1975-11"}},
     {}, "PENDING_REVIEW", None),
    # Two Peter Schmid born the same day: ambiguous, unless the VN picks one.
    ({"officialName": "Schmid", "firstName": "Peter", "dateOfBirth": {"yearMonthDay": "1990-01-01"}},
     {}, "AMBIGUOUS", None),
    ({"officialName": "Schmid", "firstName": "Peter", "dateOfBirth": {"year": "1990"},
      "vn": "7569876543217"}, {}, "MATCH", "ST-1004"),
    # A representative for a company profile, and someone who is not one.
    (MUELLER, {"representation": {"organisationUid": "CHE-123.456.789"}}, "MATCH", "CHE-123.456.789"),
    ({"officialName": "Gerber", "firstName": "Lea", "dateOfBirth": {"yearMonthDay": "1988-02-29"}},
     {"representation": {"organisationUid": "CHE-123.456.789"}}, "NOT_AUTHORISED", None),
])
def test_matching_rules_of_the_register(iws, person, extra, result, ref):
    status, _, answer = iws.portal.check(request(person, **extra))
    assert status == 200, answer
    assert answer["result"] == result, answer
    assert answer.get("departmentPersonRef", {}).get("personId") == ref


def test_manual_review_over_soap(iws):
    person = dict(MUELLER, sex=1)
    body = request(person, service=SOAP_SERVICE, level=1)
    status, _, answer = iws.portal.check(body)
    assert status == 200 and answer["result"] == "PENDING_REVIEW", answer
    assert "departmentPersonRef" not in answer, "not the portal's before the department decides"
    link_id = answer["link"]["linkId"]
    assert answer["link"]["state"] == "pending"
    # The department learns of it from its events, with its own person reference.
    status, _, events = iws.portier.post_soap(list_events_envelope("grundbuch"))
    assert status == 200 and link_id.encode() in events and b"identityLink" in events
    # Another department may not decide it.
    status, _, fault = iws.portier.post_soap(decide_envelope("esteuer", link_id, "approve"))
    assert status == 500 and b"another department" in fault
    status, _, decided = iws.portier.post_soap(decide_envelope("grundbuch", link_id, "approve"))
    assert status == 200, decided
    assert b"<p:state>active</p:state>" in decided and b"ST-1001" in decided
    status, _, again = iws.portal.check(body)
    assert status == 200 and again["result"] == "MATCH" and again["answeredFrom"] == "link"
    assert again["departmentPersonRef"]["personId"] == "ST-1001"
    assert again["link"]["decidedBy"] == "sachbearbeiterin.keller"
    # A decided link cannot be decided again.
    status, _, fault = iws.portier.post_soap(decide_envelope("grundbuch", link_id, "reject"))
    assert status == 500 and b"is active" in fault


def test_rejected_review_leaves_no_link(iws):
    body = request(dict(MUELLER, sex=1), service=SOAP_SERVICE, level=3)
    _, _, answer = iws.portal.check(body)
    link_id = answer["link"]["linkId"]
    status, _, decided = iws.portier.post_soap(decide_envelope("grundbuch", link_id, "reject"))
    assert status == 200 and b"<p:state>rejected</p:state>" in decided
    asked = len(iws.department.asked())
    _, _, again = iws.portal.check(body)
    assert again["result"] == "PENDING_REVIEW" and again["answeredFrom"] == "department"
    assert len(iws.department.asked()) == asked + 1


def test_revocation_removes_the_link_and_the_department_is_asked_again(iws):
    body = request(MUELLER)
    _, _, answer = iws.portal.check(body)
    link_id = answer["link"]["linkId"]
    status, _, revoked = iws.portal.call(
        "DELETE", f"/portal/v1/identity-links/{link_id}?reason=account%20closed", None,
        "/identity-links/{linkId}")
    assert status == 200 and revoked["state"] == "revoked" and revoked["reason"] == "account closed"
    asked = len(iws.department.asked())
    _, _, again = iws.portal.check(body)
    assert again["result"] == "MATCH" and again["answeredFrom"] == "department"
    assert again["link"]["linkId"] != link_id
    assert len(iws.department.asked()) == asked + 1
    status, _, problem = iws.portal.call("DELETE", f"/portal/v1/identity-links/{link_id}", None,
                                         "/identity-links/{linkId}")
    assert status == 409 and problem["field"] == "linkId"
    status, _, problem = iws.portal.call("GET", "/portal/v1/identity-links/no-such-link", None,
                                         "/identity-links/{linkId}")
    assert status == 404


def test_department_down_is_a_temporary_error_and_stores_nothing(iws):
    before = links(iws)
    port = iws.department.port
    iws.department.stop()
    try:
        status, headers, answer = iws.portal.check(request(MUELLER))
        assert status == 503, answer
        assert answer["result"] == "TEMPORARY_ERROR" and answer["retryAfterSeconds"] == 20
        assert headers["Retry-After"] == "20"
        assert links(iws) == before, "nothing may be half-stored"
    finally:
        iws.department = DepartmentSim(iws.dir, port)
    # The department's own 503 with Retry-After is passed on.
    iws.department.faults(status=503, count=1, retryAfter=7)
    status, headers, answer = iws.portal.check(request(MUELLER))
    assert status == 503 and headers["Retry-After"] == "7"
    assert links(iws) == before


def test_slow_department_the_portal_deadline_is_kept(iws):
    iws.department.faults(latencyMs=4000)
    try:
        started = time.monotonic()
        status, headers, answer = iws.portal.check(request(MUELLER))
        took = time.monotonic() - started
    finally:
        iws.department.clear_faults()
    assert status == 503 and answer["result"] == "TEMPORARY_ERROR", answer
    assert took < 2.5, f"the deadline is 1.5 s, the answer took {took:.2f} s"
    assert headers["Retry-After"] == "20"


@pytest.mark.parametrize("mutate, status, field", [
    (lambda b: b["person"].update(dateOfBirth={"yearMonthDay": "2023-02-30"}), 400,
     "person.dateOfBirth.yearMonthDay"),
    (lambda b: b["person"].update(dateOfBirth={"yearMonth": "1980-13"}), 400,
     "person.dateOfBirth.yearMonth"),
    (lambda b: b["person"].update(dateOfBirth={"yearMonthDay": "2999-01-01"}), 400,
     "person.dateOfBirth.yearMonthDay"),
    (lambda b: b["person"].pop("officialName"), 400, "person.officialName"),
    (lambda b: b["person"].update(firstName="  "), 400, "person.firstName"),
    (lambda b: b["person"].update(vn="7561234567898"), 400, "person.vn"),
    (lambda b: b["person"].update(sex=4), 400, "person.sex"),
    (lambda b: b.update(colour="blue"), 400, "colour"),
    (lambda b: b["portal"].update(identificationLevel=7), 400, "portal.identificationLevel"),
    (lambda b: b.update(serviceId=999), 422, "serviceId"),
    (lambda b: b["portal"].update(identificationLevel=1), 422, "identificationLevel"),
    (lambda b: b.update(serviceId=SOAP_SERVICE), 422, "person.sex"),
])
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(iws, mutate, status, field):
    body = request(dict(MUELLER))
    mutate(body)
    before, asked = links(iws), len(iws.department.asked())
    got, _, problem = iws.portal.check(body)
    assert got == status, problem
    assert problem["field"] == field and problem["status"] == status
    assert problem["invalid-params"][0]["name"] == field
    if field == "identificationLevel":
        assert problem["result"] == "NOT_AUTHORISED"
    assert links(iws) == before and len(iws.department.asked()) == asked


def test_not_json_is_refused(iws):
    status, _, problem = iws.portal.check(b'{"portal": ')
    assert status == 400 and problem["field"] == "(body)"


def test_authentication(iws):
    body = json.dumps(request(MUELLER)).encode()
    url = iws.portier.url + "/portal/v1/identity-checks"
    ct = {"Content-Type": "application/json"}
    status, headers, raw = http("POST", url, body, ct)
    assert status == 401 and headers["Content-Type"] == "application/problem+json"
    iws.portal.recorded.append({"method": "POST", "path": "/identity-checks", "status": 401,
                                "contentType": headers["Content-Type"], "body": json.loads(raw)})
    signed = sign("POST", "/portal/v1/identity-checks", body)
    assert http("POST", url, body, {**ct, **signed})[0] == 200
    assert http("POST", url, body, {**ct, **signed})[0] == 401, "a replayed nonce"
    tampered = sign("POST", "/portal/v1/identity-checks", body)
    assert http("POST", url, body.replace(b"hans", b"fritz"), {**ct, **tampered})[0] == 401
    stale = sign("POST", "/portal/v1/identity-checks", body, timestamp=int(time.time()) - 3600)
    assert http("POST", url, body, {**ct, **stale})[0] == 401
    wrong_key = sign("POST", "/portal/v1/identity-checks", body, key="not-the-key")
    assert http("POST", url, body, {**ct, **wrong_key})[0] == 401
    for alg in ("RS256", "ES256"):
        status, _, answer = iws.portal.check(request(MUELLER), auth=alg)
        assert status == 200, answer
    bearer = lambda token: {**ct, "Authorization": "Bearer " + token}  # noqa: E731
    portal = iws.portal
    assert http("POST", url, body, bearer(portal.token("RS256", exp=int(time.time()) - 3600)))[0] == 401
    assert http("POST", url, body, bearer(portal.token("RS256", aud="someone-else")))[0] == 401
    assert http("POST", url, body, bearer(portal.token("RS256", iss="https://evil.test")))[0] == 401
    head, claims, _ = portal.token("RS256").split(".")
    assert http("POST", url, body, bearer("eyJhbGciOiJub25lIn0." + claims + "."))[0] == 401
    refusals = [r for r in iws.portier.ctl("audit", "list").stdout.splitlines() if "portal" in r]
    assert len(refusals) >= 8


def test_curl_from_the_portal_side(iws):
    body = json.dumps(request(MUELLER, account="acc-curl")).encode()
    headers = sign("POST", "/portal/v1/identity-checks", body)
    args = ["curl", "-sS", "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "@-",
            "-w", "\n%{http_code}", iws.portier.url + "/portal/v1/identity-checks"]
    for k, v in headers.items():
        args[1:1] = ["-H", f"{k}: {v}"]
    result = subprocess.run(args, input=body, capture_output=True, timeout=30)
    text, code = result.stdout.decode().rsplit("\n", 1)
    assert code == "200", text
    answer = json.loads(text)
    assert answer["result"] == "MATCH"
    iws.portal.recorded.append({"method": "POST", "path": "/identity-checks", "status": 200,
                                "contentType": "application/json", "body": answer})
    served = subprocess.run(["curl", "-sS", iws.portier.url + "/portal/v1/openapi.yaml"],
                            capture_output=True, timeout=30).stdout
    assert served == open(OPENAPI, "rb").read()


def test_every_check_and_decision_is_in_the_evidence_log(iws):
    _, _, answer = iws.portal.check(request(MUELLER, account="acc-evidence"))
    link_id = answer["link"]["linkId"]
    exported = json.loads(iws.portier.ctl("evidence", "export", f"identity:{link_id}").stdout)
    records = exported if isinstance(exported, list) else exported.get("records", [])
    assert any(r.get("hop") == "identityCheck" for r in records), exported
    checks = evidence_hops(iws, "identityCheck")
    answered = [r for r in iws.portal.recorded
                if r["path"] == "/identity-checks" and r["status"] in (200, 503)]
    assert len(checks) >= len(answered)
    decisions = evidence_hops(iws, "identityLink")
    assert any('"state":"active"' in d for _, d in decisions)
    assert any('"state":"revoked"' in d for _, d in decisions)
    for _, detail in checks + decisions:
        for canary in CANARIES:
            assert canary not in detail
    iws.portier.ctl("evidence", "verify")


def test_portierctl_identity_list_show_revoke(iws):
    _, _, answer = iws.portal.check(request(MUELLER, account="acc-ctl"))
    link_id = answer["link"]["linkId"]
    listed = iws.portier.ctl("identity", "list", "--account", "acc-ctl").stdout
    assert link_id in listed and "active" in listed
    shown = json.loads(iws.portier.ctl("identity", "show", link_id).stdout)
    assert shown["personId"] == "ST-1001" and len(shown["couplingSha256"]) == 64
    revoked = json.loads(iws.portier.ctl("identity", "revoke", link_id, "--reason", "test").stdout)
    assert revoked["state"] == "revoked"
    assert iws.portier.ctl("identity", "revoke", link_id, check=False).returncode == 1
    _, _, again = iws.portal.check(request(MUELLER, account="acc-ctl"))
    assert again["answeredFrom"] == "department"
