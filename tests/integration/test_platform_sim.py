"""The delivery-platform simulator against stdlib smtplib/imaplib and the openssl CLI: subject
tags of both dialects, SMTP access, dedupe, the registered lifecycle and its receipts in a real
Dovecot, the receipts' signatures, and injected SMTP faults."""
import datetime
import email.utils
import hashlib
import os
import shutil
import smtplib
import subprocess

import pytest

from harness import wait_until
from mail_harness import (SENDER, MailWorkspace, receipt_parts, smtp_client, submission, submit,
                          unique_id, verify_receipt)

pytestmark = pytest.mark.skipif(not os.path.exists("/usr/sbin/dovecot"),
                                reason="dovecot is not installed")
CITIZEN = "buerger@example.test"


@pytest.fixture(scope="module")
def mail():
    workspace = MailWorkspace(platforms=("incamail", "privasphere"))
    yield workspace
    workspace.close()


def send(mail, platform, subject, recipient=CITIZEN, pdf=b"%PDF-1.4\n%test\n"):
    message_id = unique_id(platform)
    submit(mail.sims[platform], mail.tls["ca"],
           submission(SENDER[0], recipient, subject, message_id, pdf=pdf))
    return message_id


@pytest.mark.parametrize("platform,subject,kind", [
    ("incamail", "<r> Verfuegung", "registered"),
    ("incamail", "<c> Verfuegung", "confidential"),
    ("incamail", "<p> Verfuegung", "personal"),
    ("incamail", "Verfuegung", "confidential"),
    ("incamail", "<x> Verfuegung", "confidential"),
    ("incamail", "<PSPRegistered/> Verfuegung", "confidential"),
    ("privasphere", "<PSPRegistered/> Verfuegung", "registered"),
    ("privasphere", "<PSPeGov/> Verfuegung", "egov"),
    ("privasphere", "<PSPeGov3161/> Verfuegung", "egov"),
    ("privasphere", "<r> Verfuegung", "registered"),
    ("privasphere", "<egov> Verfuegung", "egov"),
    ("privasphere", "<c> Verfuegung", "confidential"),
    ("privasphere", "Verfuegung", "confidential"),
])
def test_subject_tag_gives_the_type(mail, platform, subject, kind):
    message = mail.sims[platform].message(send(mail, platform, subject))
    assert message["type"] == kind
    if kind in ("registered", "egov"):
        assert message["title"] == "Verfuegung"
        assert message["state"] == "AVAILABLE"
        assert [r["kind"] for r in message["receipts"]] == ["SUBMISSION"]
    else:
        assert (message["state"], message["receipts"]) == ("DELIVERED", [])


def test_auth_needs_starttls_and_the_right_password(mail):
    sim = mail.sims["incamail"]
    with smtplib.SMTP("127.0.0.1", sim.smtp_port, timeout=10) as client:
        client.ehlo()
        assert not client.has_extn("auth")
        assert client.docmd("AUTH", "PLAIN")[0] == 530
        assert client.docmd("MAIL", f"FROM:<{SENDER[0]}>")[0] == 530
    with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
        smtp_client(sim, mail.tls["ca"], login=(SENDER[0], "wrong"))
    assert refused.value.smtp_code == 535
    with smtp_client(sim, mail.tls["ca"], login=None) as client:
        client.ehlo()
        assert client.docmd("MAIL", f"FROM:<{SENDER[0]}>")[0] == 530  # no AUTH yet
    with smtp_client(sim, mail.tls["ca"], login=None) as client:
        client.ehlo()
        client.user, client.password = SENDER
        assert client.auth("LOGIN", client.auth_login)[0] == 235
        assert client.docmd("MAIL", "FROM:<someone@else.test>")[0] == 553
        client.rset()
        assert client.docmd("MAIL", f"FROM:<{SENDER[0]}>")[0] == 250
        assert client.docmd("RCPT", f"TO:<{CITIZEN}>")[0] == 250
        assert client.docmd("RCPT", "TO:<second@example.test>")[0] == 554


def test_a_repeated_message_id_is_taken_once(mail):
    sim, box = mail.sims["incamail"], mail.mailboxes["incamail"]
    message_id = unique_id("dedupe")
    for _ in range(3):
        assert submit(sim, mail.tls["ca"],
                      submission(SENDER[0], CITIZEN, "<r> Einmal", message_id)) == {}
    state = sim.state()
    assert state["submissions"][message_id] == 3
    assert [m["messageId"] for m in state["messages"]].count(message_id) == 1
    box.wait_for_receipts(message_id, 1)
    assert len(box.receipts_for(message_id)) == 1


def test_submission_receipt_arrives_in_dovecot(mail):
    sim, box = mail.sims["incamail"], mail.mailboxes["incamail"]
    message_id = send(mail, "incamail", "<r> Veranlagungsverfügung 2024")
    [receipt] = box.wait_for_receipts(message_id, 1)
    # The mailer marks it delivered once APPEND has answered, a moment after Dovecot shows it.
    recorded = wait_until(lambda: sim.message(message_id)["receipts"][0]["delivered"] and
                          sim.message(message_id)["receipts"][0], what="delivered receipt")
    assert str(receipt["Subject"]) == "Abgabequittung: Veranlagungsverfügung 2024"
    assert str(receipt["References"]).strip() == message_id
    assert str(receipt["Message-ID"]).strip() == recorded["messageId"] != message_id
    sent_at = email.utils.parsedate_to_datetime(str(receipt["Date"]))
    recorded_at = datetime.datetime.fromisoformat(recorded["at"])
    assert abs((sent_at - recorded_at).total_seconds()) < 1
    assert [(p.get_content_type(), p.get_filename()) for p in receipt.iter_attachments()] == [
        ("application/pdf", "receipt.pdf"), ("application/pkcs7-signature", "receipt.pdf.p7s")]


@pytest.mark.parametrize("platform,action,kind,name,state", [
    ("incamail", "accept", "ACCEPTANCE", "Abholquittung", "ACCEPTED"),
    ("incamail", "refuse", "REFUSAL", "Annahmeverweigerungsquittung", "REFUSED"),
    ("incamail", "undeliverable", "UNDELIVERABLE", "Unzustellbarkeitsmeldung", "UNDELIVERABLE"),
    ("privasphere", "accept", "ACCEPTANCE", "Lesebestaetigung", "ACCEPTED"),
    ("privasphere", "refuse", "REFUSAL", "Annahmeverweigerung", "REFUSED"),
])
def test_an_action_gives_its_receipt(mail, platform, action, kind, name, state):
    sim, box = mail.sims[platform], mail.mailboxes[platform]
    tag = "<r>" if platform == "incamail" else "<PSPRegistered/>"
    message_id = send(mail, platform, f"{tag} Entscheid")
    answer = sim.act(message_id, action)
    assert answer["message"]["state"] == state
    assert (answer["receipt"]["kind"], answer["receipt"]["name"]) == (kind, name)
    first, second = box.wait_for_receipts(message_id, 2)
    submitted = "Abgabequittung" if platform == "incamail" else "Belegexemplar"
    assert str(first["Subject"]) == f"{submitted}: Entscheid"
    assert str(second["Subject"]) == f"{name}: Entscheid"


def test_bad_control_calls_are_refused_with_a_reason(mail):
    sim = mail.sims["incamail"]
    message_id = send(mail, "incamail", "<r> Zweimal")
    sim.act(message_id, "accept")
    for body, status, words in [
            ({"messageId": "<nobody@x>", "action": "accept"}, 404, "no message"),
            ({"messageId": message_id, "action": "open"}, 422, "unknown action"),
            ({"messageId": message_id, "action": "refuse"}, 422, "ACCEPTED"),
            ({"messageId": message_id}, 422, "missing"),
            ({"messageId": message_id, "action": "accept", "x": 1}, 422, "unknown field")]:
        got, answer = sim.call("POST", "/_sim/act", body)
        assert (got, words in answer["error"]) == (status, True), answer
    confidential = send(mail, "incamail", "<c> Vertraulich")
    assert sim.call("POST", "/_sim/act", {"messageId": confidential, "action": "accept"})[0] == 422
    assert sim.call("POST", "/_sim/advance", {"days": -1})[0] == 422
    assert sim.call("POST", "/_sim/clock", {"now": "yesterday"})[0] == 422
    assert sim.call("POST", "/_sim/faults", {"smtp": 250})[0] == 422
    assert sim.call("GET", "/_sim/nothing")[0] == 404
    assert sim.call("GET", "/_sim/act")[0] == 405
    controls = [e for e in sim.events() if e["channel"] == "http"]
    assert {"method": "POST", "path": "/_sim/act", "status": 404}.items() <= controls[-9].items()


def test_expiry_after_seven_days_on_the_sim_clock(mail):
    sim, box = mail.sims["incamail"], mail.mailboxes["incamail"]
    sim.set_clock("2025-03-24T09:00:00+01:00")
    message_id = send(mail, "incamail", "<r> Frist")
    sim.advance(days=6, hours=22)  # 08:00 local on day 7: summer time took an hour
    assert sim.message(message_id)["state"] == "AVAILABLE"
    sim.advance(hours=2)
    assert sim.message(message_id)["state"] == "EXPIRED"
    submitted, expired = box.wait_for_receipts(message_id, 2)
    assert str(expired["Subject"]) == "Verfallquittung: Frist"
    # Zurich moved to summer time in between: the Date header shows the local offset.
    assert str(submitted["Date"]).startswith("Mon, 24 Mar 2025 09:00")
    assert str(expired["Date"]).startswith("Mon, 31 Mar 2025 09:00")
    assert str(expired["Date"]).endswith("+0200")


def test_blocked_recipient_and_auto_accept(mail):
    sim, box = mail.sims["privasphere"], mail.mailboxes["privasphere"]
    sim.recipient("blockiert@example.test", blocks_registered=True)
    sim.recipient("immer@example.test", auto_accept=True)
    blocked = send(mail, "privasphere", "<PSPeGov/> Blockiert", "blockiert@example.test")
    accepted = send(mail, "privasphere", "<PSPeGov/> Sofort", "immer@example.test")
    assert sim.message(blocked)["state"] == "UNDELIVERABLE"
    assert sim.message(accepted)["state"] == "ACCEPTED"
    assert [str(r["Subject"]) for r in box.wait_for_receipts(blocked, 2)] == [
        "Belegexemplar: Blockiert", "Unzustellbarkeitsmeldung: Blockiert"]
    assert [str(r["Subject"]) for r in box.wait_for_receipts(accepted, 2)] == [
        "Belegexemplar: Sofort", "Lesebestaetigung: Sofort"]


def test_receipt_is_a_signed_pdf_naming_the_document(mail):
    sim, box = mail.sims["incamail"], mail.mailboxes["incamail"]
    document = b"%PDF-1.4\n% Veranlagung " + os.urandom(64) + b"\n%%EOF\n"
    message_id = send(mail, "incamail", "<r> Signiert", pdf=document)
    pdf, p7s = receipt_parts(box.wait_for_receipts(message_id, 1)[0])
    assert hashlib.sha256(document).hexdigest().encode() in pdf
    assert message_id.encode() in pdf
    ca = os.path.join(mail.dir, "incamail-ca.pem")
    with open(ca, "wb") as f:
        f.write(sim.ca_pem())
    checked = verify_receipt(pdf, p7s, ca, mail.dir)
    assert checked.returncode == 0, checked.stderr
    changed = pdf.replace(b"Signiert", b"Signierx")
    assert verify_receipt(changed, p7s, ca, mail.dir).returncode != 0
    if shutil.which("qpdf"):
        path = os.path.join(mail.dir, "receipt.pdf")
        with open(path, "wb") as f:
            f.write(pdf)
        assert subprocess.run(["qpdf", "--check", path], capture_output=True).returncode == 0


@pytest.mark.parametrize("code", [451, 554])
def test_injected_smtp_fault_refuses_the_next_submission(mail, code):
    sim = mail.sims["incamail"]
    sim.fault(code, count=1)
    message = submission(SENDER[0], CITIZEN, "<r> Stoerung", unique_id("fault"))
    with pytest.raises(smtplib.SMTPDataError) as refused:
        submit(sim, mail.tls["ca"], message)
    assert refused.value.smtp_code == code
    assert sim.message(message["Message-ID"]) is None
    submit(sim, mail.tls["ca"], message)
    assert sim.message(message["Message-ID"])["submissions"] == 1


def test_mailboxes_for_portier_exist(mail):
    connection = mail.mailboxes["incamail"].connect()
    try:
        names = b" ".join(connection.list()[1])
    finally:
        connection.logout()
    assert b"Archive" in names and b"Unmatched" in names
