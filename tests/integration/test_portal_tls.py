"""The portal's REST interface over the TLS listener, the portal proving who it is by its client
certificate alone (mutual TLS): the certificate whose subject <portalApi><clientCertificate>
names gets its identity check answered; another certificate of the same CA (another portal, or a
department's own) gets 401 problem+json and an audit entry, and changes nothing."""
import json
import os
import sqlite3
import tempfile
import uuid

import pytest
import requests

from harness import Portier, Sim, audit_entries
from identity_harness import DEPARTMENT_SECRETS, REST_SERVICE, DepartmentSim, identity_mappings
from test_department_security import issue, make_pki

PORTAL_SUBJECT = "CN=portal,O=Kanton Test"
MUELLER = {"officialName": "Müller", "firstName": "Hans",
           "dateOfBirth": {"yearMonthDay": "1980-04-12"}, "vn": "7561234567897"}


@pytest.fixture(scope="module")
def tls():
    tmp = tempfile.TemporaryDirectory(prefix="portier-portal-tls-")
    make_pki(tmp.name)
    issue(tmp.name, "ca", "portal", "/O=Kanton Test/CN=portal", "extendedKeyUsage=clientAuth")
    path = lambda n: os.path.join(tmp.name, n)  # noqa: E731
    listener = (f'<tls certificate="{path("server.pem")}" privateKey="{path("server.key")}" '
                f'clientCa="{path("ca.pem")}" requireClientCertificate="true"/>')
    portal_api = (f'  <portalApi deadlineMs="3000">\n'
                  f'    <clientCertificate subject="{PORTAL_SUBJECT}"/>\n'
                  f'  </portalApi>\n')
    department = DepartmentSim(tmp.name)
    sim = Sim(tmp.name)
    env = {f"PORTIER_TEST_{n.upper()}_SECRET": s for n, s in DEPARTMENT_SECRETS.items()}
    portier = None
    try:
        portier = Portier(tmp.name, sim, tls=listener, extra_config=portal_api, extra_env=env,
                          extra_mappings=identity_mappings(department.url))
        yield portier, path, department
    finally:
        if portier:
            portier.stop()
        sim.stop()
        department.stop()
        tmp.cleanup()


def check(tls, certificate, headers=None):
    portier, path, _ = tls
    body = {"requestId": str(uuid.uuid4()),
            "portal": {"accountId": f"acc-{uuid.uuid4()}", "identificationLevel": 2},
            "serviceId": REST_SERVICE, "person": MUELLER}
    session = requests.Session()
    session.trust_env = False  # else a CA bundle from the environment overrides ours
    response = session.post(portier.url + "/portal/v1/identity-checks",
                            data=json.dumps(body).encode(), timeout=10,
                            headers={"Content-Type": "application/json", **(headers or {})},
                            verify=path("ca.pem"),
                            cert=(path(f"{certificate}.pem"), path(f"{certificate}.key")))
    return response


def links(journal):
    db = sqlite3.connect(f"file:{journal}?mode=ro", uri=True)
    try:
        return db.execute("SELECT link_id, state FROM identity_links").fetchall()
    finally:
        db.close()


def asked(department):
    return len(requests.get(department.url + "/_sim/log", timeout=5).json()["entries"])


def test_the_portals_certificate_is_answered(tls):
    portier, _, department = tls
    before = asked(department)
    response = check(tls, "portal")
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["result"] == "MATCH" and answer["link"]["state"] == "active", answer
    assert answer["departmentPersonRef"]["personId"] == "ST-1001"
    assert asked(department) == before + 1


@pytest.mark.parametrize("certificate, headers, reason", [
    ("unmapped", None, "the client certificate is not the portal's"),
    ("client", None, "the client certificate is not the portal's"),  # a department's own
    # A signature is judged alone, even beside the portal's certificate.
    ("portal", {"X-Portier-Key-Id": "portal-1", "X-Portier-Timestamp": "1",
                "X-Portier-Nonce": "0123456789abcdef", "X-Portier-Signature": "AAAA"},
     "HMAC signatures are not accepted here"),
], ids=["another subject", "a department's certificate", "the portal's with a signature"])
def test_another_certificate_is_refused_audited_and_changes_nothing(tls, certificate, headers,
                                                                      reason):
    portier, _, department = tls
    before_links, before_asked = links(portier.journal), asked(department)
    audited = len(audit_entries(portier.journal))
    response = check(tls, certificate, headers)
    assert response.status_code == 401, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401
    entries = audit_entries(portier.journal)[audited:]
    assert len(entries) == 1, entries
    assert entries[0][0] == "portal" and entries[0][1] == "POST /portal/v1/identity-checks"
    assert reason in entries[0][2], entries
    assert links(portier.journal) == before_links
    assert asked(department) == before_asked
