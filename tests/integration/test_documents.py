"""Documents reach the citizen's inbox: deliverDocument checks the PDF, names it by the
department's mapping, stores it, answers with a delivery id, and the RC adapter (simulated)
receives it with its Business Process ID. Bad documents are refused before anything is stored."""
import base64
import datetime
import hashlib
import json
import os

import pytest
import zeep

from harness import (header_xml, http, journal_counts, soap_envelope, wait_until,
                     zeep_client)


def make_pdf(text="Veranlagungsverfuegung 2026"):
    """A small valid one-page PDF with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    return pdf_of([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


def pdf_of(objects):
    """A PDF of these objects (object 1 the catalog) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n"
            "%%EOF\n").encode()
    return bytes(out)


def open_case(ws):
    service = zeep_client(ws.portier, "steueramt")
    case = service.openBusinessCase(header={"senderId": "steueramt", "messageId": "doc-open"},
                                    serviceId=7, ownerId="profile-4711", title="Steuern 2026")
    return service, case.businessProcessId


def rc_deliveries(ws):
    state = ws.sim.state()
    rc = state.get("rc-adapter") or {}
    return rc.get("deliveries") or rc.get("documents") or []


def test_a_pdf_is_named_by_the_mapping_stored_and_delivered_to_the_inbox(ws):
    service, bpid = open_case(ws)
    pdf = make_pdf()
    answer = service.deliverDocument(
        header={"senderId": "steueramt", "messageId": "doc-1", "businessProcessId": bpid},
        documentKind="Veranlagungsverfuegung", title="Veranlagungsverfügung 2026",
        date=datetime.date(2026, 11, 29), document=pdf, important=True, channel="inbox")
    assert answer.fileName == "KantonSolothurn-Veranlagungsverfuegung-2026-11-29.pdf"
    assert answer.title == "Veranlagungsverfuegung - 2026-11-29"
    assert answer.sha256 == hashlib.sha256(pdf).hexdigest() and answer.deliveryId

    def delivered():
        found = [d for d in rc_deliveries(ws) if str(d).find(answer.sha256) >= 0]
        return found[0] if found else None

    delivery = wait_until(delivered, what="the document at the RC adapter")
    assert bpid in str(delivery) and answer.fileName in str(delivery)
    def settled():  # the simulator may have it a moment before Portier records it
        s = service.getDelivery(header={"senderId": "steueramt", "messageId": "get-1"},
                                deliveryId=answer.deliveryId)
        return s if s.status == "DELIVERED" else None

    status = wait_until(settled, what="getDelivery to say DELIVERED")
    assert (status.status, status.businessProcessId, status.sha256) == ("DELIVERED", bpid,
                                                                         answer.sha256)
    # Another department learns nothing about it; an unknown id is named.
    with pytest.raises(zeep.exceptions.Fault) as other:
        zeep_client(ws.portier, "mfk").getDelivery(header={"senderId": "mfk", "messageId": "g"},
                                                   deliveryId=answer.deliveryId)
    assert "another department" in other.value.message
    with pytest.raises(zeep.exceptions.Fault) as unknown:
        service.getDelivery(header={"senderId": "steueramt", "messageId": "get-2"},
                            deliveryId="no-such-delivery")
    assert "deliveryId" in unknown.value.message
    export = ws.portier.ctl("evidence", "export", bpid).stdout
    assert "deliverDocument" in export and "rc_adapter" in export


BAD_DOCUMENTS = {
    "not a PDF": (b"just some text, no PDF at all\n", "not a PDF"),
    "HTML before %PDF-": (b"<html><body>hi</body></html>\n" + make_pdf(), "before %PDF-"),
    "ZIP appended": (make_pdf() + b"PK\x03\x04" + b"\0" * 64, "after the last %%EOF"),
    "truncated": (make_pdf()[: len(make_pdf()) // 2], "EOF"),
    "over the limit": (b"%PDF-1.4\n" + b"0" * 4_100_000 + b"\n%%EOF\n", "limit"),
}


@pytest.mark.parametrize("name", list(BAD_DOCUMENTS))
def test_a_bad_document_is_refused_before_anything_is_stored(ws, name):
    _, bpid = open_case(ws)
    wait_until(lambda: ws.sim.portal()["businessCases"], what="the case at the portal")
    document, words = BAD_DOCUMENTS[name]
    before = journal_counts(ws.portier.journal)[:3]  # evidence grows as the case is delivered
    fields = (header_xml("steueramt", f"bad-{len(document)}", bpid) +
              "<p:documentKind>Veranlagungsverfuegung</p:documentKind><p:title>t</p:title>"
              "<p:date>2026-11-29</p:date>"
              f"<p:document>{base64.b64encode(document).decode()}</p:document>")
    status, _, body = ws.portier.post_soap(soap_envelope("deliverDocument", fields,
                                                         sender="steueramt"))
    text = body.decode(errors="replace")
    assert status in (413, 500) and "Fault" in text, text[:400]
    assert words.lower() in text.lower(), text[:600]
    assert journal_counts(ws.portier.journal)[:3] == before
    assert rc_deliveries(ws) == []
    # Nor is the refused file kept in the document store.
    digest = hashlib.sha256(document).hexdigest()
    store = os.path.join(ws.dir, "documents")
    assert not os.path.exists(os.path.join(store, digest[:2], digest))


def pdf_with(catalog_entries, *objects):
    """A one-page PDF whose catalog has these entries, with further objects from number 4."""
    return pdf_of([b"<< /Type /Catalog /Pages 2 0 R " + catalog_entries + b" >>",
                   b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                   b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>", *objects])


SCRIPTED = pdf_with(b"/OpenAction 4 0 R", b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>")
WITH_ATTACHMENT = pdf_with(b"/Names << /EmbeddedFiles << /Names [(beilage.pdf) 4 0 R] >> >>",
                           b"<< /Type /Filespec /F (beilage.pdf) /EF << /F 5 0 R >> >>",
                           b"<< /Type /EmbeddedFile /Length 4 >>\nstream\nPDF!\nendstream")


def test_a_document_with_active_content_is_refused_unless_its_kind_allows_it(ws):
    service, bpid = open_case(ws)
    wait_until(lambda: ws.sim.portal()["businessCases"], what="the case at the portal")

    def deliver(kind, document, message_id):
        return service.deliverDocument(
            header={"senderId": "steueramt", "messageId": message_id, "businessProcessId": bpid},
            documentKind=kind, title="Verfügung", date=datetime.date(2026, 11, 29),
            document=document)

    before = journal_counts(ws.portier.journal)[:3]
    with pytest.raises(zeep.exceptions.Fault) as scripted:
        deliver("Veranlagungsverfuegung", SCRIPTED, "active-js")
    assert "document: active content: javascript (object 4 0)" in scripted.value.message
    with pytest.raises(zeep.exceptions.Fault) as attached:
        deliver("Veranlagungsverfuegung", WITH_ATTACHMENT, "active-attached")
    assert "embeddedFile (object 1 0)" in attached.value.message
    assert "allowActiveContent" in attached.value.message
    assert journal_counts(ws.portier.journal)[:3] == before
    for document in (SCRIPTED, WITH_ATTACHMENT):
        digest = hashlib.sha256(document).hexdigest()
        assert not os.path.exists(os.path.join(ws.dir, "documents", digest[:2], digest))

    # The kind "Verfuegung" allows attachments (allowActiveContent="embeddedFile"), no scripts.
    accepted = deliver("Verfuegung", WITH_ATTACHMENT, "active-allowed")
    assert accepted.sha256 == hashlib.sha256(WITH_ATTACHMENT).hexdigest()
    with pytest.raises(zeep.exceptions.Fault) as still:
        deliver("Verfuegung", SCRIPTED, "active-js-allowed-kind")
    assert "javascript (object 4 0)" in still.value.message


def test_a_document_the_inbox_refuses_is_reported_failed_with_the_inbox_reason(ws):
    # The adapter takes the upload, but its status cannot be read until it has refused it.
    ws.sim.faults(status=503, count=100000, pathPrefix="/rc-adapter/v1/documents/")
    service, bpid = open_case(ws)
    pdf = make_pdf("Verweigert")
    answer = service.deliverDocument(
        header={"senderId": "steueramt", "messageId": "doc-x", "businessProcessId": bpid},
        documentKind="Veranlagungsverfuegung", title="Verweigert",
        date=datetime.date(2026, 11, 29), document=pdf, channel="inbox")
    at_adapter = wait_until(lambda: next((d for d in rc_deliveries(ws)
                                          if d["sha256"] == answer.sha256), None),
                            what="the upload at the RC adapter")

    def status():
        return service.getDelivery(header={"senderId": "steueramt", "messageId": "g"},
                                   deliveryId=answer.deliveryId)
    wait_until(lambda: status().status == "ACCEPTED", what="getDelivery to say ACCEPTED")
    http_status, _, body = http("POST", ws.sim.url + "/_sim/rc-adapter/reject",
                                json.dumps({"deliveryId": at_adapter["deliveryId"],
                                            "reason": "Postfach gesperrt"}).encode(),
                                {"Content-Type": "application/json"})
    assert http_status == 200, body
    ws.sim.clear_faults()
    failed = wait_until(lambda: (lambda s: s if s.status == "FAILED" else None)(status()),
                        what="getDelivery to say FAILED")
    assert "Postfach gesperrt" in failed.detail
    events = service.listEvents(header={"senderId": "steueramt", "messageId": "e"})
    (event,) = [e for e in events if e.kind == "deliveryFailed"]
    assert answer.deliveryId in event.detail and "Postfach gesperrt" in event.detail
