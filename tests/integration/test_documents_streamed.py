"""Large requests are spooled to disk and read in pieces: a PDF of tens of MB goes through
deliverDocument and reaches the RC adapter intact, while hostile, unauthenticated and oversized
large requests are refused as small ones are, leaving nothing in the store or the journal."""
import base64
import hashlib
import http.client
import os

import pytest

from harness import (Workspace, audit_entries, header_xml, journal_counts, soap_envelope,
                     wait_until)
from test_documents import pdf_of

MAX_BODY = 40 << 20
MAX_DOCUMENT = 28 << 20
KIND = "<p:documentKind>Veranlagungsverfuegung</p:documentKind><p:title>t</p:title>"


def make_large_pdf(image_bytes):
    """A valid one-page PDF around an uncompressed greyscale image of `image_bytes` bytes (a
    scan's shape): qpdf checks it without decoding the image."""
    width = 4096
    height = image_bytes // width
    pixels = hashlib.sha256(b"seed").digest() * (width * height // 32)
    content = b"q 612 0 0 792 0 0 cm /Im1 Do Q"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content +
        b"\nendstream",
        (f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace "
         f"/DeviceGray /BitsPerComponent 8 /Length {len(pixels)} >>\nstream\n").encode() +
        pixels + b"\nendstream",
    ]
    return pdf_of(objects)


def base64_lines(data):
    """Base64 in lines of 76 characters, as MIME-minded clients send it."""
    flat = base64.b64encode(data)
    return b"\r\n".join(flat[i:i + 76] for i in range(0, len(flat), 76)).decode()


@pytest.fixture
def big():
    workspace = Workspace(max_body=MAX_BODY, max_document=MAX_DOCUMENT)
    yield workspace
    workspace.close()


def open_case(ws, message_id="open-1"):
    fields = (header_xml("steueramt", message_id) + "<p:serviceId>7</p:serviceId>"
              "<p:ownerId>profile-4711</p:ownerId><p:title>Steuern 2026</p:title>")
    status, _, body = ws.portier.post_soap(soap_envelope("openBusinessCase", fields,
                                                         sender="steueramt"))
    assert status == 200, body[:400]
    text = body.decode()
    return text.split("businessProcessId>")[1].split("<")[0]


def deliver_envelope(bpid, message_id, document_text, sender="steueramt"):
    fields = (header_xml("steueramt", message_id, bpid) + KIND +
              f"<p:date>2026-11-29</p:date><p:document>{document_text}</p:document>"
              "<p:channel>inbox</p:channel>")
    return soap_envelope("deliverDocument", fields, sender=sender)


def stored_files(ws):
    found = []
    for folder, _, files in os.walk(os.path.join(ws.dir, "documents")):
        found += [os.path.join(folder, f) for f in files]
    return found


def fault_text(status, body):
    text = body.decode(errors="replace")
    assert status in (400, 413, 500) and "Fault" in text, (status, text[:400])
    return text


def test_a_20_mb_pdf_is_streamed_stored_and_delivered_intact(big):
    bpid = open_case(big)
    pdf = make_large_pdf(20 << 20)
    digest = hashlib.sha256(pdf).hexdigest()
    status, _, body = big.portier.post_soap(deliver_envelope(bpid, "doc-big", base64_lines(pdf)),
                                            timeout=60)
    assert status == 200, body[:600]
    assert f"<p:sha256>{digest}</p:sha256>" in body.decode() or digest in body.decode()

    def delivered():
        rc = big.sim.state().get("rc-adapter") or {}
        return [d for d in rc.get("deliveries", []) if d.get("sha256") == digest]

    delivery = wait_until(delivered, timeout=30, what="the large document at the RC adapter")[0]
    assert delivery["sizeBytes"] == len(pdf)
    with open(os.path.join(big.dir, "documents", digest[:2], digest), "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == digest
    # The evidence names the request as it was received, not the envelope read from the spool.
    export = big.portier.ctl("evidence", "export", bpid).stdout
    assert "deliverDocument" in export


LARGE_HOSTILE = {
    "doctype": lambda pad: ('<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x "y">]>'
                            f"<e>{pad}&x;</e>"),
    "depth": lambda pad: "<e>" * 100_000 + pad + "</e>" * 100_000,
    "attributes": lambda pad: "<e " + " ".join(f'a{i}="v"' for i in range(200_000)) +
                              f">{pad}</e>",
    "namespaces": lambda pad: "".join(
        "<e " + " ".join(f'xmlns:n{j}="urn:{j}"' for j in range(30)) + ">" for _ in range(20)) + pad,
    "name length": lambda pad: f"<{'n' * 100_000}>{pad}</{'n' * 100_000}>",
}


@pytest.mark.parametrize("rule", list(LARGE_HOSTILE))
def test_a_large_hostile_body_is_refused_by_the_guard(big, rule):
    pad = "A" * (2 << 20)  # well above what is kept in memory: the body is spooled
    before = journal_counts(big.portier.journal)
    status, _, body = big.portier.post_soap(LARGE_HOSTILE[rule](pad), timeout=30)
    text = fault_text(status, body)
    assert f"({rule})" in text, text[:400]
    assert journal_counts(big.portier.journal) == before
    assert stored_files(big) == []


def test_a_large_unauthenticated_request_stores_nothing(big):
    bpid = open_case(big)
    before = journal_counts(big.portier.journal)[:3]
    document = base64_lines(make_large_pdf(3 << 20))
    for sender, words in ((None, "authentication required"), ("mfk", "senderId")):
        envelope = deliver_envelope(bpid, f"unauth-{sender}", document, sender=sender)
        status, _, body = big.portier.post_soap(envelope, timeout=30)
        assert words in fault_text(status, body)
    assert journal_counts(big.portier.journal)[:3] == before
    assert stored_files(big) == []
    assert [a for a in audit_entries(big.portier.journal) if a[1] == "deliverDocument"]


def test_a_body_over_the_limit_is_refused_with_413(big):
    envelope = deliver_envelope("bp-x", "too-big", "A" * (MAX_BODY + 1))
    status, _, body = big.portier.post_soap(envelope, timeout=30)
    assert status == 413 and "Fault" in body.decode(errors="replace")
    # Without a Content-Length the limit is found while reading the chunks.
    conn = http.client.HTTPConnection("127.0.0.1", big.portier.port, timeout=30)
    conn.putrequest("POST", "/soap/v1")
    conn.putheader("Content-Type", "text/xml; charset=utf-8")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    chunk = b"A" * (1 << 20)
    try:
        for _ in range((MAX_BODY >> 20) + 2):
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        conn.send(b"0\r\n\r\n")
    except OSError:
        pass  # the server may close once it has answered
    response = conn.getresponse()
    assert response.status == 413 and b"Fault" in response.read()
    assert stored_files(big) == []


def test_large_and_small_requests_get_the_same_faults(big):
    """What the codec or the PDF check says about a document does not depend on its size."""
    bpid = open_case(big)
    wait_until(lambda: big.sim.portal()["businessCases"], what="the case at the portal")
    small_pad, large_pad = "", " " * (1 << 20)  # white space in base64 text is skipped
    cases = {
        "empty": ("", "must not be empty"),
        # gSOAP's wording for a character outside base64 depends on what follows it; at the
        # end of the text it is the same for both.
        "not base64": ("QUJDRA-", "syntax error in element 'p:document'"),
        "not a PDF": (base64.b64encode(b"plain text " * 10).decode(), "not a PDF"),
    }
    for name, (text, words) in cases.items():
        faults = []
        for pad in (small_pad, large_pad):
            envelope = deliver_envelope(bpid, f"same-{name}-{len(pad)}", text + pad if text else pad)
            status, _, body = big.portier.post_soap(envelope, timeout=30)
            reason = fault_text(status, body).split("faultstring>")[1].split("<")[0]
            faults.append((status, reason))
        assert faults[0] == faults[1], (name, faults)
        assert words in faults[0][1], (name, faults)
    assert stored_files(big) == []
