"""Operating Portier: TLS with client certificates, graceful drain on SIGTERM, configuration
checks with file:line, admission control."""
import os
import signal
import ssl
import subprocess
import threading
import urllib.request

import pytest
import requests
import zeep
from zeep.transports import Transport

from harness import (Portier, Sim, binary, http, journal_counts, open_case_envelope,
                     report_status_envelope, wait_until, Workspace)
import tempfile


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_pki(folder):
    """A test CA, a server certificate for 127.0.0.1, a client certificate, and a stranger's."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-days", "2", "-subj", "/CN=Portier Test CA", cwd=folder)
    for name, extra in (("server", "subjectAltName=IP:127.0.0.1"),
                        ("client", "extendedKeyUsage=clientAuth")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out",
                f"{name}.csr", "-subj", f"/O=Kanton Test/CN=portier-{name}", cwd=folder)
        with open(os.path.join(folder, f"{name}.ext"), "w") as f:
            f.write(extra + "\n")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext",
                cwd=folder)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "stranger.key", "-out",
            "stranger.pem", "-days", "2", "-subj", "/CN=stranger", cwd=folder)


@pytest.fixture
def tls_ws():
    tmp = tempfile.TemporaryDirectory(prefix="portier-tls-")
    make_pki(tmp.name)
    p = lambda n: os.path.join(tmp.name, n)  # noqa: E731
    tls = (f'<tls certificate="{p("server.pem")}" privateKey="{p("server.key")}" '
           f'clientCa="{p("ca.pem")}" requireClientCertificate="true"/>')
    sim = Sim(tmp.name)
    portier = Portier(tmp.name, sim, tls=tls)
    yield portier, tmp.name
    portier.stop()
    sim.stop()
    tmp.cleanup()


def test_tls_requires_a_client_certificate_from_the_configured_ca(tls_ws):
    portier, folder = tls_ws
    ca = os.path.join(folder, "ca.pem")
    session = requests.Session()
    session.verify = ca
    session.trust_env = False  # else a CA bundle from the environment overrides ours
    session.cert = (os.path.join(folder, "client.pem"), os.path.join(folder, "client.key"))
    service = zeep.Client(portier.wsdl, transport=Transport(session=session)).bind(
        "PortierDepartmentService", "DepartmentSoap11")
    # The client certificate's subject names the department (its mapping), no token needed.
    opened = service.openBusinessCase(header={"senderId": "zertifikat", "messageId": "tls-1"},
                                      serviceId=5, ownerId="o", title="t")
    assert opened.businessProcessId

    for cert in (None, (os.path.join(folder, "stranger.pem"), os.path.join(folder, "stranger.key"))):
        with pytest.raises(requests.exceptions.RequestException):
            requests.get(portier.url + "/healthz", verify=ca, cert=cert, timeout=5)
    # TLS 1.1 is refused.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(ca)
    context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_1
    with pytest.raises((ssl.SSLError, OSError)):
        urllib.request.urlopen(portier.url + "/healthz", context=context, timeout=5)


def test_sigterm_drains_answers_in_flight_and_exits_cleanly(ws):
    ws.sim.faults(latencyMs=300)  # slow deliveries are in flight when SIGTERM comes
    answered = []

    def call(i):
        status, _, _ = ws.portier.post_soap(open_case_envelope("d", f"drain-{i}"))
        if status == 200:
            answered.append(i)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ws.portier.kill(signal.SIGTERM) == 0
    assert len(answered) == 20
    ws.sim.clear_faults()
    ws.portier.start()
    wait_until(lambda: len(ws.sim.portal()["businessCases"]) == 20, timeout=60,
               what="every answered case delivered after the restart")


def test_a_port_in_use_stops_portierd_with_a_clear_message_and_status_1(ws):
    # Before, start() returned early and stop() then called a service that was never built:
    # the daemon died of a segmentation fault instead of saying why.
    ws.portier.stop()
    import socket
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken.bind(("127.0.0.1", ws.portier.port))
        taken.listen()
        ws.portier.start(wait=False)
        assert ws.portier.proc.wait(30) == 1
    logs = ws.portier.logs()
    assert f"cannot listen on 127.0.0.1:{ws.portier.port}" in logs
    assert "Address already in use" in logs


def test_check_reports_every_problem_with_its_line(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text('<?xml version="1.0"?>\n<portier xmlns="urn:portier:config:1">\n'
                   '  <listener name="main" port="notaport"/>\n'
                   '  <journal><sqlite path="j.db"/></journal>\n'
                   '  <portal baseUrl="http://127.0.0.1:1/api" tokenUrl="http://127.0.0.1:1/t"\n'
                   '          clientId="x" clientSecret="inline-secret"/>\n</portier>\n')
    result = subprocess.run([binary("portierctl"), "check", str(bad)], capture_output=True,
                            text=True)
    assert result.returncode == 2
    assert f"{bad}:3:" in result.stderr and "port" in result.stderr
    assert "env:" in result.stderr and "inline-secret" not in result.stderr
    daemon = subprocess.run([binary("portierd"), "--config", str(bad)], capture_output=True,
                            text=True, timeout=30)
    assert daemon.returncode == 2 and f"{bad}:3:" in daemon.stderr
    root = os.path.join(os.path.dirname(__file__), "../..")
    # The sandbox's TLS listener needs its PKI (made once, in the sandbox's own var/ folder).
    subprocess.run([os.path.join(root, "deploy/sandbox/make-pki.sh"),
                    os.path.join(root, "var/sandbox/pki")], check=True)
    env = dict(os.environ, PORTIER_PORTAL_SECRET="x", PORTIER_STEUERAMT_SECRET="x",
               PORTIER_BETREIBUNGSAMT_SECRET="x", PORTIER_INCAMAIL_SECRET="x",
               PORTIER_RECEIPTS_SECRET="x", PORTIER_APF_SECRET="x",
               PORTIER_PORTAL_HMAC_SECRET="x")
    for checked in ("config/sandbox.xml", "mappings"):
        good = subprocess.run([binary("portierctl"), "check", os.path.join(root, checked)],
                              capture_output=True, text=True, env=env)
        assert good.returncode == 0, good.stderr


def test_admission_control_answers_503_with_retry_after():
    ws = Workspace(max_in_flight=1)
    try:
        results = []

        def call(i):
            results.append(ws.portier.post_soap(open_case_envelope("d", f"adm-{i}")))

        for round_ in range(20):  # concurrency is not deterministic: go on until one overlaps
            threads = [threading.Thread(target=call, args=(round_ * 100 + i,)) for i in range(24)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if any(r[0] == 503 for r in results):
                break
        busy = [r for r in results if r[0] == 503]
        assert busy, "no request was refused with max_in_flight=1"
        assert all(r[1].get("Retry-After") == "1" for r in busy)
        answered = len([r for r in results if r[0] == 200])
        assert answered > 0 and journal_counts(ws.portier.journal)[0] == answered
    finally:
        ws.close()
