"""Each department acts only within its mapping. Whatever is refused (another department's
service or case, a wrong password, no credentials, a senderId that is not the authenticated
department, a replayed nonce, a stale or future timestamp, a client certificate no mapping
names) gets a SOAP Fault, leaves an entry in the journal's audit table and stores nothing. A
client certificate from another CA cannot even connect."""
import datetime
import os
import re
import subprocess
import tempfile

import pytest
import requests

from harness import (CERTIFICATE_DEPARTMENT, Portier, Sim, audit_entries, header_xml,
                     journal_counts, open_case_envelope, password_of, soap_envelope, wait_until,
                     work_items, wsse_header)

NS = 'xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:p="urn:portier:department:1"'


def fault_text(body):
    match = re.search(rb"<faultstring>(.*?)</faultstring>", body, re.S)
    assert match, body.decode(errors="replace")
    return match.group(1).decode()


def bpid_of(body):
    return re.search(rb"<p:businessProcessId>([^<]+)<", body).group(1).decode()


def signed(operation, fields, header=""):
    """An envelope with a SOAP header of our own making (or none)."""
    return (f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope {NS}>{header}<s:Body>'
            f"<p:{operation}>{fields}</p:{operation}></s:Body></s:Envelope>")


def timestamp(offset_minutes=0):
    moment = (datetime.datetime.now(datetime.timezone.utc)
              + datetime.timedelta(minutes=offset_minutes))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def open_fields(sender, message_id, service):
    return (header_xml(sender, message_id) + f"<p:serviceId>{service}</p:serviceId>"
            "<p:ownerId>owner-1</p:ownerId><p:title>Titel</p:title>")


def settle(journal):
    """Waits until every work item is delivered, so the journal's counts stand still."""
    wait_until(lambda: all(state == "done" for _, state, _ in work_items(journal)),
               what="every work item delivered")


def assert_refused(journal, post, envelope, department, operation, words):
    """Posts `envelope`; expects a Fault containing `words`, exactly one new audit entry
    (department, operation, reason with `words`) and no new intake, work, case or evidence."""
    counts, audited = journal_counts(journal), len(audit_entries(journal))
    status, body = post(envelope)
    text = fault_text(body)
    assert status == 500, (status, text)
    assert words in text, text
    entries = audit_entries(journal)[audited:]
    assert len(entries) == 1, entries
    assert entries[0][1] == operation, entries
    if department is not None:  # None: which department it is filed under is tested elsewhere
        assert entries[0][0] == department, entries
    assert words in entries[0][2], entries
    assert journal_counts(journal) == counts
    return text


@pytest.fixture
def post(ws):
    def send(envelope):
        status, _, body = ws.portier.post_soap(envelope)
        return status, body
    return send


def open_case(ws, sender, message_id="case-1"):
    status, _, body = ws.portier.post_soap(open_case_envelope(sender, message_id))
    assert status == 200, body
    settle(ws.portier.journal)
    return bpid_of(body)


@pytest.mark.parametrize("service", [3, 5, 999], ids=["mfk's", "zertifikat's", "nobody's"])
def test_opening_a_case_for_a_service_outside_the_mapping_is_refused(ws, post, service):
    envelope = open_case_envelope("steueramt", "svc-1", service=service)
    assert_refused(ws.portier.journal, post, envelope, "steueramt", "openBusinessCase",
                   f"serviceId {service} is not a service of steueramt")
    assert ws.sim.portal()["businessCases"] == []


OTHER_CASE_OPERATIONS = {
    "reportStatus": "<p:status>CLOSED</p:status>",
    "addActivity": "<p:title>t</p:title><p:body>b</p:body><p:type>INFO</p:type>",
    "sendNotification": "<p:subject>s</p:subject><p:body>b</p:body>",
    "sendMessage": "<p:subject>s</p:subject><p:body>b</p:body><p:important>true</p:important>",
    "getBusinessCase": "",
}


def test_a_case_opened_by_another_department_is_out_of_reach(ws, post):
    bpid = open_case(ws, "steueramt")
    for i, (operation, fields) in enumerate(OTHER_CASE_OPERATIONS.items()):
        envelope = soap_envelope(operation, header_xml("mfk", f"other-{i}", bpid) + fields,
                                 sender="mfk")
        assert_refused(ws.portier.journal, post, envelope, "mfk", operation,
                       f"'{bpid}' belongs to another department")
    portal = ws.sim.portal()
    assert [c["status"] for c in portal["businessCases"]] == ["OPEN"]
    assert portal["activities"] == portal["notifications"] == portal["messages"] == []
    # The department that opened it still may.
    status, _, body = ws.portier.post_soap(
        soap_envelope("getBusinessCase", header_xml("steueramt", "own-1", bpid),
                      sender="steueramt"))
    assert status == 200 and b"<p:status>OPEN</p:status>" in body, body


def test_another_departments_events_are_neither_listed_nor_acknowledged(ws, post):
    ws.sim.faults(status=422, count=1, pathPrefix="/api/v9/businesscases")
    status, _, body = ws.portier.post_soap(open_case_envelope("steueramt", "parked-1"))
    assert status == 200, body
    bpid = bpid_of(body)
    wait_until(lambda: [w for w in work_items(ws.portier.journal) if w[1] == "parked"],
               what="the rejected case to be parked")

    def events(sender, message_id):
        status, _, body = ws.portier.post_soap(
            soap_envelope("listEvents", header_xml(sender, message_id), sender=sender))
        assert status == 200, body
        return [int(s) for s in re.findall(rb"<p:seq>(\d+)</p:seq>", body)], body

    (seq,), body = events("steueramt", "ev-1")
    assert bpid.encode() in body and b"deliveryFailed" in body
    assert events("mfk", "ev-2")[0] == []
    status, _, body = ws.portier.post_soap(soap_envelope(
        "ackEvents", header_xml("mfk", "ev-3") + f"<p:seq>{seq}</p:seq>", sender="mfk"))
    assert status == 200 and b"<p:acknowledged>0</p:acknowledged>" in body, body
    assert events("steueramt", "ev-4")[0] == [seq]


def test_a_wrong_password_or_an_unknown_user_is_refused(ws, post):
    wrong = signed("openBusinessCase", open_fields("steueramt", "pw-1", 7),
                   wsse_header("steueramt", "falsch"))
    assert_refused(ws.portier.journal, post, wrong, "steueramt", "openBusinessCase",
                   "wrong user or password")
    # Another department's (valid) password is a wrong one too.
    borrowed = signed("openBusinessCase", open_fields("steueramt", "pw-2", 7),
                      wsse_header("steueramt", password_of("mfk")))
    assert_refused(ws.portier.journal, post, borrowed, "steueramt", "openBusinessCase",
                   "wrong user or password")
    unknown = signed("openBusinessCase", open_fields("niemand", "pw-3", 7),
                     wsse_header("niemand", "egal"))
    assert_refused(ws.portier.journal, post, unknown, "niemand", "openBusinessCase",
                   "wrong user or password")


def test_no_token_and_no_certificate_is_refused(ws, post):
    for i, operation in enumerate(["openBusinessCase", "listEvents"]):
        fields = (open_fields("steueramt", f"anon-{i}", 7) if operation == "openBusinessCase"
                  else header_xml("steueramt", f"anon-{i}"))
        assert_refused(ws.portier.journal, post, signed(operation, fields), "steueramt",
                       operation, "authentication required")


def test_a_plain_text_password_is_refused_even_when_right(ws, post):
    header = wsse_header("steueramt", password_of("steueramt")).replace(
        "#PasswordDigest", "#PasswordText")
    header = re.sub(r"(<wsse:Password [^>]*>)[^<]*<", rf"\g<1>{password_of('steueramt')}<",
                    header)
    envelope = signed("openBusinessCase", open_fields("steueramt", "text-1", 7), header)
    assert_refused(ws.portier.journal, post, envelope, "steueramt", "openBusinessCase",
                   "only PasswordDigest is accepted")


def test_a_sender_id_other_than_the_token_user_is_refused(ws, post):
    envelope = signed("openBusinessCase", open_fields("mfk", "sender-1", 3),
                      wsse_header("steueramt", password_of("steueramt")))
    counts, audited = journal_counts(ws.portier.journal), len(audit_entries(ws.portier.journal))
    status, body = post(envelope)
    assert status == 500
    assert "header/senderId 'mfk' is not the authenticated department 'steueramt'" in \
        fault_text(body)
    ((department, operation, reason),) = audit_entries(ws.portier.journal)[audited:]
    assert operation == "openBusinessCase" and "'mfk'" in reason and "'steueramt'" in reason
    assert journal_counts(ws.portier.journal) == counts
    assert ws.sim.portal()["businessCases"] == []


def test_an_impersonation_attempt_is_audited_under_the_authenticated_department(ws, post):
    envelope = signed("openBusinessCase", open_fields("mfk", "sender-2", 3),
                      wsse_header("steueramt", password_of("steueramt")))
    audited = len(audit_entries(ws.portier.journal))
    assert post(envelope)[0] == 500
    ((department, _, _),) = audit_entries(ws.portier.journal)[audited:]
    assert department == "steueramt"


def test_the_same_signed_envelope_twice_is_a_replay(ws, post):
    envelope = open_case_envelope("steueramt", "replay-1")
    status, body = post(envelope)
    assert status == 200, body
    settle(ws.portier.journal)
    assert_refused(ws.portier.journal, post, envelope, "steueramt", "openBusinessCase",
                   "replay")
    assert len(ws.sim.portal()["businessCases"]) == 1
    # Reads are protected as well.
    listing = soap_envelope("listEvents", header_xml("steueramt", "replay-2"), sender="steueramt")
    assert post(listing)[0] == 200
    assert_refused(ws.portier.journal, post, listing, "steueramt", "listEvents", "replay")


def test_a_nonce_reused_with_another_message_id_is_a_replay(ws, post):
    nonce, created = os.urandom(16), timestamp()
    token = wsse_header("steueramt", password_of("steueramt"), created=created, nonce=nonce)
    first = signed("openBusinessCase", open_fields("steueramt", "nonce-1", 7), token)
    status, body = post(first)
    assert status == 200, body
    settle(ws.portier.journal)
    second = signed("openBusinessCase", open_fields("steueramt", "nonce-2", 101), token)
    assert_refused(ws.portier.journal, post, second, "steueramt", "openBusinessCase", "replay")
    # Another department may happen to pick the same nonce: nonces are per department.
    theirs = signed("openBusinessCase", open_fields("mfk", "nonce-3", 3),
                    wsse_header("mfk", password_of("mfk"), created=created, nonce=nonce))
    assert post(theirs)[0] == 200


@pytest.mark.parametrize("minutes, words", [(-10, "the timestamp has expired"),
                                            (10, "the timestamp lies in the future")],
                         ids=["10 minutes ago", "10 minutes ahead"])
def test_a_timestamp_outside_five_minutes_is_refused(ws, post, minutes, words):
    token = wsse_header("steueramt", password_of("steueramt"), created=timestamp(minutes))
    envelope = signed("openBusinessCase", open_fields("steueramt", "time-1", 7), token)
    assert_refused(ws.portier.journal, post, envelope, "steueramt", "openBusinessCase", words)
    # Inside the window the same request goes through.
    token = wsse_header("steueramt", password_of("steueramt"),
                        created=timestamp(4 if minutes > 0 else -4))
    status, body = post(signed("openBusinessCase", open_fields("steueramt", "time-2", 7), token))
    assert status == 200, body


# ------------------------------------------------------------------------------------ TLS

def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def issue(folder, ca, name, subject, extension):
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out",
            f"{name}.csr", "-subj", subject, cwd=folder)
    with open(os.path.join(folder, f"{name}.ext"), "w") as f:
        f.write(extension + "\n")
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
            "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext",
            cwd=folder)


def make_pki(folder):
    """Like test_operations.make_pki: the test CA with a server certificate for 127.0.0.1 and
    the mapped client certificate (harness.CERTIFICATE_DEPARTMENT), plus a client certificate
    of the same CA that no mapping names, and an impostor: the mapped subject, issued by
    another CA."""
    for ca, subject in (("ca", "/CN=Portier Test CA"), ("other-ca", "/CN=Other CA")):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{ca}.key", "-out",
                f"{ca}.pem", "-days", "2", "-subj", subject, cwd=folder)
    issue(folder, "ca", "server", "/O=Kanton Test/CN=portier-server", "subjectAltName=IP:127.0.0.1")
    for ca, name, cn in (("ca", "client", "portier-client"), ("ca", "unmapped", "portier-unmapped"),
                         ("other-ca", "impostor", "portier-client")):
        issue(folder, ca, name, f"/O=Kanton Test/CN={cn}", "extendedKeyUsage=clientAuth")


@pytest.fixture(scope="module")
def tls():
    tmp = tempfile.TemporaryDirectory(prefix="portier-tls-security-")
    make_pki(tmp.name)
    path = lambda n: os.path.join(tmp.name, n)  # noqa: E731
    listener = (f'<tls certificate="{path("server.pem")}" privateKey="{path("server.key")}" '
                f'clientCa="{path("ca.pem")}" requireClientCertificate="true"/>')
    sim = Sim(tmp.name)
    portier = Portier(tmp.name, sim, tls=listener)
    try:
        yield portier, path
    finally:
        portier.stop()
        sim.stop()
        tmp.cleanup()


def tls_post(tls, certificate):
    portier, path = tls

    def send(envelope):
        session = requests.Session()
        session.trust_env = False  # else a CA bundle from the environment overrides ours
        response = session.post(portier.url + "/soap/v1", data=envelope.encode(), timeout=10,
                                headers={"Content-Type": "text/xml; charset=utf-8"},
                                verify=path("ca.pem"),
                                cert=(path(f"{certificate}.pem"), path(f"{certificate}.key")))
        return response.status_code, response.content
    return send


def test_tls_the_mapped_certificate_acts_only_within_its_mapping(tls):
    portier = tls[0]
    name, _, services = CERTIFICATE_DEPARTMENT
    post = tls_post(tls, "client")
    status, body = post(signed("openBusinessCase", open_fields(name, "cert-1", services[0])))
    assert status == 200, body
    settle(portier.journal)
    assert_refused(portier.journal, post,
                   signed("openBusinessCase", open_fields(name, "cert-2", 7)),
                   name, "openBusinessCase", f"serviceId 7 is not a service of {name}")
    assert_refused(portier.journal, post,
                   signed("openBusinessCase", open_fields("steueramt", "cert-3", 7)),
                   name, "openBusinessCase",
                   f"header/senderId 'steueramt' is not the authenticated department '{name}'")


def test_tls_a_certificate_of_the_ca_that_no_mapping_names_is_refused(tls):
    portier = tls[0]
    name, _, services = CERTIFICATE_DEPARTMENT
    post = tls_post(tls, "unmapped")
    envelope = signed("openBusinessCase", open_fields(name, "unmapped-1", services[0]))
    assert_refused(portier.journal, post, envelope, name, "openBusinessCase",
                   "authentication required")


def test_tls_a_certificate_from_another_ca_cannot_connect(tls):
    portier = tls[0]
    name, _, services = CERTIFICATE_DEPARTMENT
    counts, audited = journal_counts(portier.journal), len(audit_entries(portier.journal))
    # TLS 1.3 may finish the client's side of the handshake before the server's alert arrives.
    with pytest.raises(requests.exceptions.ConnectionError):
        tls_post(tls, "impostor")(signed("openBusinessCase",
                                         open_fields(name, "impostor-1", services[0])))
    assert journal_counts(portier.journal) == counts
    assert len(audit_entries(portier.journal)) == audited


@pytest.mark.parametrize("certificate", ["client", "unmapped", "impostor"])
def test_tls_thrift_signs_in_by_the_client_certificate_alone(tls, certificate):
    """The Thrift door takes the same certificates as SOAP, with no token: the mapped one acts
    within its mapping; one no mapping names and one of another CA are refused (the impostor
    already in the TLS handshake)."""
    import ssl

    from thrift.protocol import TCompactProtocol
    from thrift.transport import THttpClient

    from department_protocols import generated_client
    portier, path = tls
    name, _, services = CERTIFICATE_DEPARTMENT
    session = requests.Session()
    session.trust_env = False
    idl = session.get(portier.url + "/thrift/v1?idl", verify=path("ca.pem"),
                      cert=(path("client.pem"), path("client.key")), timeout=10).text
    service, t = generated_client(portier, idl)
    context = ssl.create_default_context(cafile=path("ca.pem"))
    context.load_cert_chain(path(f"{certificate}.pem"), path(f"{certificate}.key"))
    transport = THttpClient.THttpClient(portier.url + "/thrift/v1", ssl_context=context)
    client = service.Client(TCompactProtocol.TCompactProtocol(transport))
    request = t.OpenBusinessCaseRequest(
        header=t.MessageHeader(senderId=name, messageId=f"thrift-{certificate}"),
        serviceId=services[0], ownerId="o", title="t")
    if certificate == "client":
        assert client.openBusinessCase(request).businessProcessId
        return
    before = len(audit_entries(portier.journal))
    if certificate == "impostor":
        with pytest.raises((ssl.SSLError, OSError)):
            client.openBusinessCase(request)
        return
    with pytest.raises(t.RequestRefused) as refused:
        client.openBusinessCase(request)
    assert refused.value.code == t.ErrorCode.PERMISSION_DENIED
    assert "authentication required" in refused.value.reason
    assert len(audit_entries(portier.journal)) == before + 1
