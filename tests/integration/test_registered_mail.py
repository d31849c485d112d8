"""Registered mail end to end: deliverDocument with channel registered goes to the delivery
platform simulator over SMTP (with the dialect's subject tag and a stable Message-ID); the
platform's receipts come back through a real Dovecot, are collected, checked and kept; the
department sees the life of the delivery in getDelivery, getReceipt and listEvents, and the
portal gets an activity on the business case for every change."""
import datetime
import hashlib
import json
import os
import sqlite3
import time
import uuid

import pytest
import zeep

from harness import http, wait_until, zeep_client
from mail_harness import RegisteredWorkspace, message_id_of
from test_documents import make_pdf

DEPARTMENT = "steueramt"
RECIPIENT = "buerger@example.ch"


@pytest.fixture(scope="module")
def rws():
    workspace = RegisteredWorkspace()
    yield workspace
    workspace.close()


class Department:
    """steueramt's zeep client, with fresh message ids."""

    def __init__(self, ws):
        self.service = zeep_client(ws.portier, DEPARTMENT)

    @staticmethod
    def header(bpid=None):
        h = {"senderId": DEPARTMENT, "messageId": f"reg-{uuid.uuid4().hex[:20]}"}
        if bpid:
            h["businessProcessId"] = bpid
        return h

    def open_case(self, owner="profile-reg"):
        return self.service.openBusinessCase(header=self.header(), serviceId=7, ownerId=owner,
                                             title="Steuern 2026").businessProcessId

    def deliver(self, bpid, platform, title="Veranlagungsverfügung 2026", pdf=None,
                kind="Veranlagungsverfuegung", **extra):
        return self.service.deliverDocument(
            header=self.header(bpid), documentKind=kind, title=title,
            date=datetime.date(2026, 11, 30), document=pdf or make_pdf(title), channel="registered",
            recipient=RECIPIENT, platform=platform, **extra)

    def delivery(self, delivery_id):
        return self.service.getDelivery(header=self.header(), deliveryId=delivery_id)

    def wait_status(self, delivery_id, status):
        def reached():
            d = self.delivery(delivery_id)
            return d if d.status == status else None
        return wait_until(reached, timeout=20, interval=0.1, what=f"getDelivery to say {status}")

    def events(self, bpid):
        found, after = [], 0
        while True:
            page = self.service.listEvents(header=self.header(), afterSeq=after, maxEvents=100)
            if not page:
                return [e for e in found if e.businessProcessId == bpid]
            found += page
            after = page[-1].seq


def activities_of(ws, bpid):
    case = next(c for c in ws.sim.portal()["businessCases"] if c["businessProcessId"] == bpid)
    return [a for a in ws.sim.portal()["activities"]
            if a.get("businessCaseId") == case["businessCaseId"]]


def test_a_decision_accepted_on_the_platform_has_its_receipts_and_legal_date(rws):
    dept = Department(rws)
    bpid = dept.open_case()
    sim = rws.sims["incamail"]
    sim.set_clock("2026-11-30T08:00:00Z")  # a Monday
    answer = dept.deliver(bpid, "incamail")
    message_id = message_id_of(answer.deliveryId)

    at_platform = wait_until(lambda: sim.message(message_id), what="the submission")
    assert at_platform["type"] == "registered"
    assert at_platform["subject"].startswith("<r> ")
    assert at_platform["recipient"] == RECIPIENT
    assert answer.sha256 in str(at_platform["documents"])

    available = dept.wait_status(answer.deliveryId, "AVAILABLE")
    assert available.channel == "registered" and available.platform == "incamail"
    assert available.legalDeliveryDate is None
    (submission,) = available.receipt
    assert submission.kind == "SUBMISSION" and submission.signatureValid is True

    sim.set_clock("2026-12-02T23:30:00Z")  # already 3 December in Solothurn
    sim.act(message_id, "accept")
    accepted = dept.wait_status(answer.deliveryId, "ACCEPTED")
    assert accepted.legalDeliveryDate == datetime.date(2026, 12, 3)
    assert [r.kind for r in accepted.receipt] == ["SUBMISSION", "ACCEPTANCE"]

    receipt = dept.service.getReceipt(header=dept.header(), receiptId=accepted.receipt[1].receiptId)
    assert (receipt.deliveryId, receipt.kind, receipt.platform) == (
        answer.deliveryId, "ACCEPTANCE", "incamail")
    assert receipt.signatureValid is True and "CN=" in receipt.signatureDetail
    assert receipt.pdf.startswith(b"%PDF-") and answer.sha256.encode() in receipt.pdf
    # The whole e-mail, byte for byte as it came: its digest is the receipt's id, and it is the
    # message that now sits in the mailbox's Archive.
    assert hashlib.sha256(receipt.message).hexdigest() == receipt.receiptId
    archived = [raw for _, raw in rws.mailboxes["incamail"].messages("Archive")]
    assert receipt.message in archived
    assert not [raw for _, raw in rws.mailboxes["incamail"].messages()
                if message_id.encode() in raw], "collected receipts leave the INBOX"

    kinds = [e.kind for e in dept.events(bpid)]
    assert "registeredDeliveryAvailable" in kinds and "registeredDeliveryAccepted" in kinds
    titles = wait_until(lambda: [a["title"] for a in activities_of(rws, bpid)
                                 if a["title"].startswith("Einschreiben")] or None,
                        what="activities on the case")
    wait_until(lambda: "Einschreiben abgeholt" in [a["title"] for a in activities_of(rws, bpid)],
               what="the acceptance activity")
    assert "Einschreiben zur Abholung bereit" in titles

    # One command shows what was delivered, how, when, and with what proof.
    export = json.loads(rws.portier.ctl("evidence", "export", bpid).stdout)
    (delivery,) = export["deliveries"]
    assert (delivery["deliveryId"], delivery["documentSha256"], delivery["status"],
            delivery["legalDeliveryDate"], delivery["recipient"]) == (
        answer.deliveryId, answer.sha256, "ACCEPTED", "2026-12-03", RECIPIENT)
    assert [r["kind"] for r in delivery["receipts"]] == ["SUBMISSION", "ACCEPTANCE"]
    for proof in delivery["receipts"]:
        assert proof["signatureValid"] is True
        for name, digest in (("message", proof["messageSha256"]), ("pdf", proof["pdfSha256"]),
                             ("signature", proof["signatureSha256"])):
            with open(proof["files"][name], "rb") as f:
                assert hashlib.sha256(f.read()).hexdigest() == digest
    with open(delivery["document"], "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == answer.sha256
    operations = [r["operation"] for r in export["records"]]
    assert "registered:registeredDeliveryAccepted" in operations
    assert "intact" in rws.portier.ctl("evidence", "verify").stdout

    # Only the department that sent it may read its proof.
    with pytest.raises(zeep.exceptions.Fault) as other:
        zeep_client(rws.portier, "mfk").getReceipt(
            header={"senderId": "mfk", "messageId": "peek"}, receiptId=receipt.receiptId)
    assert "another department" in other.value.message


def test_expiry_on_the_platform_clock_gives_the_seventh_day(rws):
    dept = Department(rws)
    bpid = dept.open_case()
    sim = rws.sims["incamail"]
    sim.set_clock("2026-11-29T08:00:00Z")  # a Sunday
    answer = dept.deliver(bpid, "incamail", title="Betreibungsurkunde")
    dept.wait_status(answer.deliveryId, "AVAILABLE")
    sim.advance(days=8)
    expired = dept.wait_status(answer.deliveryId, "EXPIRED")
    # The seventh day is a Sunday, and stays the delivery date: weekends move only deadlines.
    assert expired.legalDeliveryDate == datetime.date(2026, 12, 6)
    assert expired.deadlineLastDay is None  # this kind sets no deadline
    assert [r.kind for r in expired.receipt] == ["SUBMISSION", "EXPIRY"]
    event = next(e for e in dept.events(bpid) if e.kind == "registeredDeliveryExpired")
    assert '"legalDeliveryDate":"2026-12-06"' in event.detail
    wait_until(lambda: "Einschreiben nicht abgeholt" in [a["title"]
                                                         for a in activities_of(rws, bpid)],
               what="the expiry activity on the case")


def test_a_refusal_through_privasphere_reaches_department_and_portal(rws):
    dept = Department(rws)
    bpid = dept.open_case()
    sim = rws.sims["privasphere"]
    sim.set_clock("2026-12-04T09:00:00Z")  # a Friday
    answer = dept.deliver(bpid, "privasphere", title="Verfügung", kind="Verfuegung")
    message_id = message_id_of(answer.deliveryId)
    at_platform = wait_until(lambda: sim.message(message_id), what="the submission")
    assert at_platform["subject"].startswith("<PSPRegistered/> ")
    dept.wait_status(answer.deliveryId, "AVAILABLE")
    sim.set_clock("2026-12-05T10:00:00Z")  # a Saturday: the delivery date all the same
    sim.act(message_id, "refuse")
    refused = dept.wait_status(answer.deliveryId, "REFUSED")
    assert refused.legalDeliveryDate == datetime.date(2026, 12, 5)
    # The kind's 20-day deadline would end on Friday 25 December, a configured holiday: it ends
    # on the next working day after the weekend.
    assert refused.deadlineLastDay == datetime.date(2026, 12, 28)
    event = next(e for e in dept.events(bpid) if e.kind == "registeredDeliveryRefused")
    detail = json.loads(event.detail)
    assert (detail["legalDeliveryDate"], detail["deadlineLastDay"]) == ("2026-12-05", "2026-12-28")
    (exported,) = json.loads(rws.portier.ctl("evidence", "export", bpid).stdout)["deliveries"]
    assert (exported["legalDeliveryDate"], exported["deadlineLastDay"]) == (
        "2026-12-05", "2026-12-28")
    wait_until(lambda: "Einschreiben verweigert" in [a["title"] for a in activities_of(rws, bpid)],
               what="the refusal activity on the case")


def test_a_blocked_recipient_makes_the_delivery_undeliverable(rws):
    dept = Department(rws)
    bpid = dept.open_case()
    rws.sims["incamail"].recipient("blockiert@example.ch", blocks_registered=True)
    answer = dept.service.deliverDocument(
        header=dept.header(bpid), documentKind="Veranlagungsverfuegung", title="Mahnung",
        date=datetime.date(2026, 11, 30), document=make_pdf("Mahnung"), channel="registered",
        recipient="blockiert@example.ch", platform="incamail")
    gone = dept.wait_status(answer.deliveryId, "UNDELIVERABLE")
    assert gone.legalDeliveryDate is None
    assert "registeredDeliveryUndeliverable" in [e.kind for e in dept.events(bpid)]


def test_a_platform_refusing_the_submission_fails_the_delivery_with_its_words(rws):
    dept = Department(rws)
    bpid = dept.open_case()
    rws.sims["incamail"].fault(smtp=554)
    answer = dept.deliver(bpid, "incamail", title="Abgewiesen")
    failed = dept.wait_status(answer.deliveryId, "FAILED")
    assert "554" in failed.detail
    event = next(e for e in dept.events(bpid) if e.kind == "deliveryFailed")
    assert "554" in event.detail


def test_a_temporary_refusal_is_retried_and_submitted_once(rws):
    dept = Department(rws)
    bpid = dept.open_case()
    sim = rws.sims["incamail"]
    sim.fault(smtp=451, count=2)
    answer = dept.deliver(bpid, "incamail", title="Zweiter Versuch")
    dept.wait_status(answer.deliveryId, "AVAILABLE")
    message = sim.message(message_id_of(answer.deliveryId))
    assert message["submissions"] == 1


def test_mail_that_is_no_receipt_of_ours_is_set_aside_not_lost(rws):
    box = rws.mailboxes["incamail"]
    connection = box.connect()
    try:
        for subject, reply_to in (("Newsletter", "<x@elsewhere>"),
                                  ("Abholquittung: fremd", "<unknown@portier.test>")):
            raw = (f"From: news@example.ch\r\nTo: amt@kanton.test\r\nSubject: {subject}\r\n"
                   f"In-Reply-To: {reply_to}\r\nMessage-ID: <{subject[:4]}@example.ch>\r\n"
                   "Date: Mon, 30 Nov 2026 08:00:00 +0100\r\n\r\nHallo\r\n").encode()
            connection.append("INBOX", None, None, raw)
    finally:
        connection.logout()
    wait_until(lambda: len(box.messages("Unmatched")) >= 2, what="both set aside in Unmatched")
    text = http("GET", rws.portier.url + "/metrics")[2].decode()
    assert 'portier_receipts_total{platform="incamail",outcome="unmatched"} 2' in text


def test_a_mail_over_the_receipt_size_limit_is_set_aside_unread(rws):
    # The harness sets maxReceiptBytes="1048576"; this one is 1.5 MB.
    box = rws.mailboxes["privasphere"]
    raw = ("From: spam@example.ch\r\nTo: amt@kanton.test\r\nSubject: Abholquittung\r\n"
           "Message-ID: <big@example.ch>\r\nDate: Mon, 30 Nov 2026 08:00:00 +0100\r\n\r\n"
           ).encode() + (b"y" * 76 + b"\r\n") * 19_500
    connection = box.connect()
    try:
        connection.append("INBOX", None, None, raw)
    finally:
        connection.logout()
    wait_until(lambda: [r for _, r in box.messages("Unmatched") if b"<big@example.ch>" in r],
               what="the large mail set aside in Unmatched")
    assert not [r for _, r in box.messages() if b"<big@example.ch>" in r]
    text = http("GET", rws.portier.url + "/metrics")[2].decode()
    assert 'portier_receipts_total{platform="privasphere",outcome="too_large"} 1' in text


@pytest.mark.parametrize("case", [
    ({}, "recipient is required"),
    ({"recipient": "no-address"}, "recipient is not an e-mail address"),
])
def test_registered_without_a_usable_recipient_is_refused_before_anything_is_stored(rws, case):
    fields, expected = case
    dept = Department(rws)
    bpid = dept.open_case()
    header = dept.header(bpid)
    pdf = make_pdf("unstored " + expected)
    with pytest.raises(zeep.exceptions.Fault) as fault:
        dept.service.deliverDocument(
            header=header, documentKind="Veranlagungsverfuegung", title="Ohne",
            date=datetime.date(2026, 11, 30), document=pdf, channel="registered", **fields)
    assert expected in fault.value.message
    db = sqlite3.connect(f"file:{rws.portier.journal}?mode=ro", uri=True)
    try:
        kept = db.execute("SELECT count(*) FROM intake WHERE idempotency_key = ?",
                          (f"{DEPARTMENT}/{header['messageId']}",)).fetchone()[0]
    finally:
        db.close()
    assert kept == 0
    sha = hashlib.sha256(pdf).hexdigest()
    assert not os.path.exists(os.path.join(rws.dir, "documents", sha[:2], sha))


def test_registered_mail_is_refused_where_it_is_not_configured(ws):
    service = zeep_client(ws.portier, DEPARTMENT)
    bpid = service.openBusinessCase(header={"senderId": DEPARTMENT, "messageId": "o"},
                                    serviceId=7, ownerId="p", title="t").businessProcessId
    with pytest.raises(zeep.exceptions.Fault) as fault:
        service.deliverDocument(
            header={"senderId": DEPARTMENT, "messageId": "d", "businessProcessId": bpid},
            documentKind="Veranlagungsverfuegung", title="t", date=datetime.date(2026, 11, 30),
            document=make_pdf(), channel="registered", recipient=RECIPIENT)
    assert "registered mail is not configured" in fault.value.message


def test_the_department_is_warned_once_before_the_acceptance_window_closes(rws):
    dept = Department(rws)
    bpid = dept.open_case()
    # Made available six and a half days ago: the window closes within the next day.
    made_available = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=6.5)
    rws.sims["incamail"].set_clock(made_available.strftime("%Y-%m-%dT%H:%M:%SZ"))
    answer = dept.deliver(bpid, "incamail", title="Fristablauf")
    dept.wait_status(answer.deliveryId, "AVAILABLE")
    warning = wait_until(lambda: next((e for e in dept.events(bpid)
                                       if e.kind == "registeredDeliveryExpiring"), None),
                         what="the expiry warning")
    assert answer.deliveryId in warning.detail and '"closesAt"' in warning.detail
    wait_until(lambda: "Einschreiben: Abholfrist läuft ab" in [
        a["title"] for a in activities_of(rws, bpid)], what="the warning on the case")
    time.sleep(0.5)  # several more collector rounds (pollMs 100): still one warning
    assert [e.kind for e in dept.events(bpid)].count("registeredDeliveryExpiring") == 1
