"""Outbound mutual TLS: the simulated portal and its RC adapter serve HTTPS and require a client
certificate of their CA. With the configured client certificate and the portal's CA pinned,
business cases and documents get through, and the client certificate's expiry is on /metrics.
Without a certificate, with one of another CA, or with a server certificate that is not of the
pinned CA, the call fails: the item is retried and parked, never lost, its last error names the
TLS failure, and once the configuration is right a replay delivers it. A key that is not the
certificate's is refused by `portierctl check`."""
import datetime
import json
import os
import re
import subprocess
import tempfile
import time
import uuid

import pytest

from harness import Portier, Sim, binary, http, wait_until, zeep_client
from test_department_security import make_pki
from test_documents import make_pdf


class Pki:
    """make_pki's files: "ca" signed the sim's server certificate and the client certificates
    "client" and "unmapped"; "other-ca" signed "impostor"."""

    def __init__(self, folder):
        self.folder = folder
        make_pki(folder)

    def path(self, name):
        return os.path.join(self.folder, name)

    def client_certificate(self, name, key=None):
        return (f'<clientCertificate certificate="{self.path(name + ".pem")}" '
                f'privateKey="{self.path((key or name) + ".key")}"/>')


@pytest.fixture(scope="module")
def pki_and_sim():
    tmp = tempfile.TemporaryDirectory(prefix="portier-outbound-mtls-")
    pki = Pki(tmp.name)
    sim = Sim(tmp.name, tls={"certificate": pki.path("server.pem"), "key": pki.path("server.key"),
                             "client_ca": pki.path("ca.pem"), "ca": pki.path("ca.pem"),
                             "client_certificate": pki.path("unmapped.pem"),
                             "client_key": pki.path("unmapped.key")})
    try:
        yield pki, sim
    finally:
        sim.stop()
        tmp.cleanup()


@pytest.fixture
def start(pki_and_sim, tmp_path):
    """Starts portierd in this test's folder with the portal's CA file and client certificate
    element; a later call restarts it there (same journal) with the new ones."""
    _, sim = pki_and_sim
    running = []

    def start_portier(ca, client_xml):
        for p in running:
            p.stop()
        portier = Portier(str(tmp_path), sim, portal_tls=(ca, client_xml), max_attempts=3,
                          retry_ms=50, retry_max_ms=100)
        running.append(portier)
        return portier

    yield start_portier
    for p in running:
        p.stop()


def open_case(portier):
    service = zeep_client(portier, "steueramt")
    header = {"senderId": "steueramt", "messageId": f"mtls-{uuid.uuid4().hex[:12]}"}
    case = service.openBusinessCase(header=header, serviceId=7, ownerId="profile-4711",
                                    title="Steuern 2026")
    return service, case.businessProcessId


def cases_at_portal(sim):
    return {c["businessProcessId"] for c in sim.portal()["businessCases"]}


def test_cases_and_documents_get_through_with_the_client_certificate(pki_and_sim, start):
    pki, sim = pki_and_sim
    portier = start(pki.path("ca.pem"), pki.client_certificate("client"))
    service, bpid = open_case(portier)
    wait_until(lambda: bpid in cases_at_portal(sim), what="the case at the portal")

    answer = service.deliverDocument(
        header={"senderId": "steueramt", "messageId": f"mtls-doc-{uuid.uuid4().hex[:12]}",
                "businessProcessId": bpid},
        documentKind="Veranlagungsverfuegung", title="Veranlagungsverfügung 2026",
        date=datetime.date(2026, 11, 29), document=make_pdf(), important=False, channel="inbox")

    def delivered():
        status = service.getDelivery(header={"senderId": "steueramt",
                                             "messageId": f"mtls-get-{uuid.uuid4().hex[:12]}"},
                                     deliveryId=answer.deliveryId)
        return status if status.status == "DELIVERED" else None

    wait_until(delivered, what="the document in the inbox through the RC adapter")

    # The client certificate's expiry is watched like the listeners' certificates.
    metrics = http("GET", portier.url + "/metrics")[2].decode()
    for endpoint in ("portal", "rcAdapter"):
        series = re.search(r'^portier_tls_certificate_expiry_timestamp_seconds\{[^}]*endpoint="'
                           + endpoint + r'",file="' + re.escape(pki.path("client.pem"))
                           + r'"\} (\S+)$', metrics, re.M)
        assert series, metrics
        expires = float(series.group(1))
        assert time.time() < expires < time.time() + 3 * 86400  # make_pki: valid for 2 days


def parked_item(portier, bpid):
    lines = portier.ctl("work", "list", "--parked").stdout.splitlines()[1:]
    found = [line.split()[0] for line in lines if bpid in line]
    return found[0] if found else None


@pytest.mark.parametrize("ca, client, failure", [
    ("ca.pem", None, "alert certificate required"),
    ("ca.pem", "impostor", "alert unknown ca"),
    ("other-ca.pem", "client", "certificate problem"),
], ids=["no client certificate", "a client certificate of another CA",
        "a server certificate of another CA than the pinned one"])
def test_a_refused_handshake_parks_the_item_with_the_tls_error_and_loses_nothing(
        pki_and_sim, start, ca, client, failure):
    pki, sim = pki_and_sim
    portier = start(pki.path(ca), pki.client_certificate(client) if client else "")
    _, bpid = open_case(portier)  # accepted and journalled: the portal is not needed for that

    item = wait_until(lambda: parked_item(portier, bpid), what="the item to be parked")
    shown = json.loads(portier.ctl("work", "show", item).stdout)
    assert shown["attempts"] == 3, shown
    assert "SSL" in shown["lastError"] and failure in shown["lastError"], shown
    assert bpid not in cases_at_portal(sim)

    # Nothing is lost: with the right certificate and CA the replayed item is delivered.
    portier = start(pki.path("ca.pem"), pki.client_certificate("client"))
    portier.ctl("work", "replay", item)
    wait_until(lambda: bpid in cases_at_portal(sim), what="the replayed case at the portal")


def test_check_refuses_a_key_that_is_not_the_certificates(pki_and_sim, start):
    pki, _ = pki_and_sim
    portier = start(pki.path("ca.pem"), pki.client_certificate("client"))
    portier.stop()
    with open(portier.config) as f:
        good = f.read()
    with open(portier.config, "w") as f:
        f.write(good.replace(pki.path("client.key"), pki.path("impostor.key")))
    result = subprocess.run([binary("portierctl"), "check", portier.config], capture_output=True,
                            text=True, env=portier.env, timeout=60)
    assert result.returncode != 0, result.stdout
    assert "<portal><clientCertificate>" in result.stderr, result.stderr
    assert (f"{pki.path('impostor.key')} is not the private key of the certificate in "
            f"{pki.path('client.pem')}") in result.stderr
