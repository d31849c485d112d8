"""deliverDocument as MTOM/XOP: the npm `soap` client (forceMTOM, SOAP 1.1 and 1.2) and
packages built with Python's `email` package deliver a PDF that reaches the RC adapter with the
same SHA-256; the answer is plain SOAP. Bad packages, misplaced xop:Include elements, hostile
root parts and unauthenticated or oversized requests are refused with a Fault naming the field,
leaving nothing in the store or the journal."""
import base64
import hashlib
import json
import os
import re
import subprocess
import uuid
from email import encoders, policy
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from xml.sax.saxutils import unescape

import pytest

from harness import (Workspace, audit_entries, header_xml, http, journal_counts, password_of,
                     soap_envelope, wait_until)
from test_documents import make_pdf
from test_documents_streamed import make_large_pdf, open_case, stored_files

NODE_CLIENT = os.path.join(os.path.dirname(__file__), "node", "department_client.js")
XOP = "http://www.w3.org/2004/08/xop/include"
KIND = "<p:documentKind>Veranlagungsverfuegung</p:documentKind><p:title>t</p:title>"
SOAP_TYPES = {"1.1": "text/xml", "1.2": "application/soap+xml"}


def include(cid):
    return f'<xop:Include xmlns:xop="{XOP}" href="cid:{cid}"/>'


def deliver_envelope(bpid, message_id, document, version="1.1", sender="steueramt",
                     title="t"):
    fields = (header_xml("steueramt", message_id, bpid) +
              f"<p:documentKind>Veranlagungsverfuegung</p:documentKind><p:title>{title}</p:title>"
              f"<p:date>2026-11-29</p:date><p:document>{document}</p:document>"
              "<p:channel>inbox</p:channel>")
    return soap_envelope("deliverDocument", fields, version=version, sender=sender)


def mtom_package(envelope, parts, version="1.1", start="root@portier.test",
                 root_type="application/xop+xml", boundary_param=True):
    """(Content-Type, body) of a multipart/related XOP package, built with `email`. `parts`:
    {content id: bytes}. Contents are put in after generation: the generator rewrites line
    ends in 8-bit payloads, which would change a PDF."""
    package = MIMEMultipart("related", boundary="mtom-" + uuid.uuid4().hex)
    package.set_param("type", "application/xop+xml")
    if start:
        package.set_param("start", f"<{start}>")
    package.set_param("start-info", SOAP_TYPES[version])
    contents = {}

    def add(maintype_subtype, content_id, content, headers=()):
        maintype, subtype = maintype_subtype.split("/")
        marker = f"@@content-{len(contents)}@@".encode()
        contents[marker] = content
        part = MIMEApplication(marker, subtype, _encoder=encoders.encode_noop)
        if maintype != "application":
            part.set_type(maintype_subtype)
        part["Content-Transfer-Encoding"] = "binary"
        part["Content-ID"] = f"<{content_id}>"
        for name, value in headers:
            part.set_param(name, value)
        package.attach(part)

    add(root_type, "root@portier.test", envelope.encode(),
        [("charset", "UTF-8"), ("type", SOAP_TYPES[version])])
    for content_id, content in parts.items():
        add("application/pdf", content_id, content)
    whole = package.as_bytes(policy=policy.HTTP)
    body = whole.split(b"\r\n\r\n", 1)[1]
    for marker, content in contents.items():
        body = body.replace(marker, content)
    content_type = package["Content-Type"]
    if not boundary_param:
        content_type = re.sub(r'; boundary="[^"]*"', "", content_type)
    return content_type, body


def post_mtom(ws, content_type, body, timeout=30):
    return http("POST", ws.portier.url + "/soap/v1", body, {"Content-Type": content_type},
                timeout=timeout)


def fault_reason(status, body):
    text = body.decode(errors="replace")
    assert status in (400, 500) and "Fault" in text, (status, text[:400])
    for tag in ("faultstring>", "Text xml:lang=\"en\">", "Text>"):
        if tag in text:
            return unescape(text.split(tag)[1].split("<")[0])
    return text


def delivered(ws, digest):
    rc = ws.sim.state().get("rc-adapter") or {}
    return [d for d in rc.get("deliveries", []) if d.get("sha256") == digest]


def run_node(ws, version, calls):
    argv = ["node", NODE_CLIENT, ws.portier.wsdl, "steueramt", password_of("steueramt"), version]
    done = subprocess.run(argv, input=json.dumps(calls), capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("mtom", ["xop", "inline"])
@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_npm_soap_delivers_a_document_as_mtom(ws, version, mtom):
    pdf = make_pdf(f"MTOM {version} {mtom}")
    digest = hashlib.sha256(pdf).hexdigest()
    header = {"senderId": "steueramt", "messageId": f"open-{mtom}"}
    opened, document = run_node(ws, version, [
        {"op": "openBusinessCase", "args": {"header": header, "serviceId": 7,
                                            "ownerId": "profile-4711", "title": "Steuern"}},
        {"op": "deliverDocument", "mtom": mtom, "args": {
            "header": {"senderId": "steueramt", "messageId": f"doc-{mtom}",
                       "businessProcessId": "$0.businessProcessId"},
            "documentKind": "Veranlagungsverfuegung", "title": "Verfügung", "date": "2026-11-29",
            "document": base64.b64encode(pdf).decode(), "channel": "inbox"}},
    ])
    assert opened["ok"], opened
    assert document["ok"], document
    assert document["contentType"].startswith("multipart/related")
    assert document["result"]["sha256"] == digest
    assert document["result"]["fileName"] == "KantonSolothurn-Veranlagungsverfuegung-2026-11-29.pdf"
    (at_rc,) = wait_until(lambda: delivered(ws, digest), what="the MTOM document at the RC adapter")
    assert at_rc["sizeBytes"] == len(pdf)


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_the_answer_to_mtom_is_plain_soap_and_a_fault_as_for_base64(ws, version):
    bpid = open_case(ws)
    pdf = make_pdf("plain answer")
    content_type, body = mtom_package(
        deliver_envelope(bpid, f"plain-{version}", include("pdf@portier.test"), version),
        {"pdf@portier.test": pdf}, version)
    status, headers, answer = post_mtom(ws, content_type, body)
    assert status == 200, answer[:400]
    assert headers["Content-Type"].startswith(SOAP_TYPES[version])
    assert hashlib.sha256(pdf).hexdigest() in answer.decode()
    # Not a PDF: the same Fault as the same bytes in base64 text.
    text = b"plain text " * 10
    content_type, body = mtom_package(
        deliver_envelope(bpid, f"text-{version}", include("t@portier.test"), version),
        {"t@portier.test": text}, version)
    status, headers, answer = post_mtom(ws, content_type, body)
    inline = deliver_envelope(bpid, f"text-b64-{version}", base64.b64encode(text).decode(), version)
    status_b64, _, answer_b64 = ws.portier.post_soap(inline, version=version)
    assert (status, fault_reason(status, answer)) == (status_b64,
                                                       fault_reason(status_b64, answer_b64))
    assert "not a PDF" in fault_reason(status, answer)
    assert headers["Content-Type"].startswith(SOAP_TYPES[version])


def bad_packages(bpid):
    """name: (Content-Type, body, words of the Fault)."""
    pdf = make_pdf("bad")
    cid = "pdf@portier.test"

    def env(document, message_id, **kw):
        return deliver_envelope(bpid, message_id, document, **kw)

    good_ct, good_body = mtom_package(env(include(cid), "good"), {cid: pdf})
    cases = {
        "unknown cid": (*mtom_package(env(include("other@x"), "c1"), {cid: pdf}),
                        "document: the xop:Include names cid:other@x"),
        "not a cid URL": (*mtom_package(env(f'<xop:Include xmlns:xop="{XOP}" href="http://x/"/>',
                                            "c2"), {cid: pdf}), "is not a cid: URL"),
        "two includes": (*mtom_package(env(include(cid) + include(cid), "c3"), {cid: pdf}),
                         "document: more than one xop:Include"),
        "include and text": (*mtom_package(env("QUJD" + include(cid), "c4"), {cid: pdf}),
                             "document: an xop:Include must be its only content"),
        "include elsewhere": (*mtom_package(env(include(cid), "c5", title=include(cid)),
                                            {cid: pdf}),
                              "only content of deliverDocument/document"),
        "include in another operation": (*mtom_package(soap_envelope(
            "reportStatus", header_xml("steueramt", "c6", bpid) +
            f"<p:status>{include(cid)}</p:status>", sender="steueramt"), {cid: pdf}),
            "only content of deliverDocument/document"),
        "missing start part": (*mtom_package(env(include(cid), "c7"), {cid: pdf},
                                             start="gone@portier.test"),
                               "start part <gone@portier.test> is missing"),
        "root not xop+xml": (*mtom_package(env(include(cid), "c8"), {cid: pdf},
                                           root_type="text/xml"),
                             "root part must be application/xop+xml"),
        "no boundary": (*mtom_package(env(include(cid), "c9"), {cid: pdf},
                                      boundary_param=False), "boundary"),
        "truncated": (good_ct, good_body[:good_body.rindex(b"--mtom-")], "truncated"),
        "not multipart": (good_ct.replace("multipart/related", "multipart/mixed"), good_body,
                          None),
        "type not xop": (good_ct.replace('type="application/xop+xml"', 'type="text/xml"'),
                         good_body, 'type="application/xop+xml"'),
        "doctype in root": (*mtom_package('<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x "y">]>'
                                          "<e>&x;</e>", {cid: pdf}), "(doctype)"),
        "deep root": (*mtom_package("<e>" * 10_000 + "</e>" * 10_000, {cid: pdf}), "(depth)"),
        "malformed root": (*mtom_package(env(include(cid), "c10")[:-20], {cid: pdf}),
                           "malformed XML"),
    }
    return cases


def test_bad_mtom_packages_are_refused_and_change_nothing(ws):
    bpid = open_case(ws)
    # Evidence follows the case to the portal in the background: intakes, work and cases only.
    before = journal_counts(ws.portier.journal)[:3]
    for name, (content_type, body, words) in bad_packages(bpid).items():
        status, _, answer = post_mtom(ws, content_type, body)
        if words is None:  # not MTOM at all: the body is no SOAP envelope
            assert status in (400, 500) and b"Fault" in answer, (name, status)
            continue
        reason = fault_reason(status, answer)
        assert words in reason, (name, reason)
    assert journal_counts(ws.portier.journal)[:3] == before
    assert stored_files(ws) == []


def test_an_unauthenticated_mtom_request_stores_nothing(ws):
    bpid = open_case(ws)
    before = journal_counts(ws.portier.journal)[:3]
    pdf = make_large_pdf(300 << 10)  # above what is kept in memory: the package is spooled
    for sender, words in ((None, "authentication required"), ("mfk", "senderId")):
        content_type, body = mtom_package(
            deliver_envelope(bpid, f"unauth-{sender}", include("p@x"), sender=sender),
            {"p@x": pdf})
        status, _, answer = post_mtom(ws, content_type, body)
        assert words in fault_reason(status, answer)
    assert journal_counts(ws.portier.journal)[:3] == before
    assert stored_files(ws) == []
    assert [a for a in audit_entries(ws.portier.journal) if a[1] == "deliverDocument"]


def test_a_part_over_the_document_limit_is_refused():
    small = Workspace(max_document=200_000)
    try:
        bpid = open_case(small)
        pdf = make_large_pdf(300 << 10)
        content_type, body = mtom_package(deliver_envelope(bpid, "too-big", include("p@x")),
                                          {"p@x": pdf})
        status, _, answer = post_mtom(small, content_type, body)
        reason = fault_reason(status, answer)
        assert reason.startswith("document: ") and "200000" in reason, reason
        assert stored_files(small) == []
    finally:
        small.close()


def test_a_20_mb_mtom_document_is_streamed_stored_and_delivered_intact():
    big = Workspace(max_body=40 << 20, max_document=28 << 20)
    try:
        bpid = open_case(big)
        pdf = make_large_pdf(20 << 20)
        digest = hashlib.sha256(pdf).hexdigest()
        content_type, body = mtom_package(
            deliver_envelope(bpid, "mtom-big", include("big@portier.test"), "1.2"),
            {"big@portier.test": pdf}, "1.2")
        status, headers, answer = post_mtom(big, content_type, body, timeout=60)
        assert status == 200, answer[:600]
        assert headers["Content-Type"].startswith("application/soap+xml")
        assert digest in answer.decode()
        (at_rc,) = wait_until(lambda: delivered(big, digest), timeout=30,
                              what="the large MTOM document at the RC adapter")
        assert at_rc["sizeBytes"] == len(pdf)
        with open(os.path.join(big.dir, "documents", digest[:2], digest), "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == digest
    finally:
        big.close()
