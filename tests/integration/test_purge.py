"""Retention and purge end to end: a registered delivery is followed to its acceptance with the
platform's receipts, under a mapping that keeps nothing once work has finished (P0D). While the
delivery waits for its final receipt nothing of it may go; then `portierctl purge --dry-run`
lists the document and receipts and changes nothing, and `portierctl purge` deletes their
content and files, keeps their digests, records each in the case's evidence, and `evidence
verify` stays green; the export and getDelivery still work. portierd purges on its own on its
interval, counted on /metrics and in the audit log."""
import datetime
import glob
import json
import os
import time
import uuid

import pytest
import zeep

from harness import http, mapping_xml, wait_until, Workspace, zeep_client
from mail_harness import RegisteredWorkspace, message_id_of
from test_documents import make_pdf

KEEP_NOTHING = ('<retention documents="P0D" submissions="P0D" receipts="P0D" '
                'personalData="P0D"/>')
SERVICES = {"steueramt": (7, 101), "d": (1, 42)}


def keep_nothing(workdir, department, **mapping_options):
    """Rewrites the department's test mapping (harness.write_mappings) with retention P0D."""
    auth = (f'<usernameToken user="{department}" '
            f'password="env:PORTIER_TEST_{department.upper()}_SECRET"/>'
            f'<apiToken token="env:PORTIER_TEST_{department.upper()}_TOKEN"/>')
    xml = mapping_xml(department, auth, SERVICES[department], **mapping_options)
    with open(os.path.join(workdir, "mappings", f"{department}.xml"), "w") as f:
        f.write(xml.replace("</personalData>", "</personalData>" + KEEP_NOTHING))


def header(bpid=None):
    h = {"senderId": "steueramt", "messageId": f"purge-{uuid.uuid4().hex[:20]}"}
    if bpid:
        h["businessProcessId"] = bpid
    return h


def age_documents(folder, seconds=3600):
    """The files were stored an hour ago: the purge keeps files stored in the last minutes (an
    intake may be storing the same bytes right now)."""
    past = time.time() - seconds
    for path in glob.glob(os.path.join(folder, "*", "*")):
        os.utime(path, (past, past))


@pytest.fixture(scope="module")
def rws():
    workspace = RegisteredWorkspace(platforms=("incamail",))
    keep_nothing(workspace.dir, "steueramt",
                 statuses={"VERANLAGT": ("DECIDED", "Die Veranlagung ist erstellt")})
    yield workspace
    workspace.close()


def test_a_purge_deletes_expired_content_keeps_digests_and_the_chain_stays_intact(rws):
    ctl = rws.portier.ctl
    service = zeep_client(rws.portier, "steueramt")
    bpid = service.openBusinessCase(header=header(), serviceId=7, ownerId="profile-purge",
                                    title="Steuern 2026").businessProcessId
    sim = rws.sims["incamail"]
    sim.set_clock("2026-11-30T08:00:00Z")
    answer = service.deliverDocument(
        header=header(bpid), documentKind="Veranlagungsverfuegung", title="Veranlagung Muster",
        date=datetime.date(2026, 11, 30), document=make_pdf("Veranlagung Muster"),
        channel="registered", recipient="hans.muster@example.ch", platform="incamail")
    delivery_id = answer.deliveryId

    def status_is(status):
        d = service.getDelivery(header=header(), deliveryId=delivery_id)
        return d if d.status == status else None

    wait_until(lambda: status_is("AVAILABLE"), timeout=20, interval=0.1, what="AVAILABLE")
    documents = os.path.join(rws.dir, "documents")
    age_documents(documents)

    # Waiting for the final receipt: nothing of the delivery may go yet.
    waiting = ctl("purge", "--dry-run").stdout
    assert "nothing was changed" in waiting
    assert delivery_id not in waiting, waiting

    sim.act(message_id_of(delivery_id), "accept")
    accepted = wait_until(lambda: status_is("ACCEPTED"), timeout=20, interval=0.1,
                          what="ACCEPTED")
    receipt_id = accepted.receipt[1].receiptId
    # The acceptance's activity for the portal was queued with the receipt: let it be
    # delivered, so that the case is quiet while we look.
    wait_until(lambda: not any(state in ctl("work", "list", "--bpid", bpid).stdout
                               for state in ("pending", "inflight")),
               timeout=20, interval=0.1, what="the case's work delivered")
    age_documents(documents)
    before = json.loads(ctl("evidence", "export", bpid).stdout)
    (delivery,) = before["deliveries"]
    files = [delivery["document"]] + [path for r in delivery["receipts"]
                                      for path in r["files"].values()]
    assert all(os.path.exists(path) for path in files)

    dry = ctl("purge", "--dry-run").stdout
    assert f"document Veranlagungsverfuegung of delivery {delivery_id}" in dry, dry
    assert dry.count(f"receipt of delivery {delivery_id}") == 2, dry
    rows = {tuple(line.split()) for line in dry.splitlines()}
    assert ("steueramt", "documents", "1") in rows, dry
    assert ("steueramt", "receipts", "2") in rows, dry
    # A dry run changes nothing.
    assert all(os.path.exists(path) for path in files)
    unchanged = json.loads(ctl("evidence", "export", bpid).stdout)
    assert unchanged["deliveries"] == before["deliveries"]
    assert "purged" not in [r["hop"] for r in unchanged["records"]]
    assert service.getReceipt(header=header(), receiptId=receipt_id).pdf.startswith(b"%PDF-")

    done = ctl("purge").stdout
    assert done.startswith("purged "), done
    assert f"document Veranlagungsverfuegung of delivery {delivery_id}" in done
    assert not [path for path in files if os.path.exists(path)], "content and files are gone"

    # The chain holds, and says what went, with its digest, retention and who purged it.
    assert "intact" in ctl("evidence", "verify").stdout
    after = json.loads(ctl("evidence", "export", bpid).stdout)
    assert after["records"][:len(before["records"])] == before["records"]
    purged = [r for r in after["records"] if r["hop"] == "purged"]
    document_record = next(r for r in purged if delivery_id in r["detail"]
                           and "document" in r["detail"])
    assert f"file sha256:{answer.sha256}" in document_record["detail"]
    assert document_record["detail"].endswith("retention P0D, by portierctl")
    assert sum("receipt of delivery" in r["detail"] for r in purged) == 2
    (kept,) = after["deliveries"]
    assert (kept["deliveryId"], kept["documentSha256"], kept["status"], kept["title"],
            kept["recipient"]) == (delivery_id, answer.sha256, "ACCEPTED", "", "")
    assert "purgedAt" in kept and "document" not in kept
    assert [r["receiptId"] for r in kept["receipts"]] == [r["receiptId"]
                                                          for r in delivery["receipts"]]
    assert all("purgedAt" in r and "files" not in r for r in kept["receipts"])

    # The department still learns where its delivery stands; the proof itself is gone.
    still = service.getDelivery(header=header(), deliveryId=delivery_id)
    assert still.status == "ACCEPTED" and still.legalDeliveryDate is not None
    with pytest.raises(zeep.exceptions.Fault) as gone:
        service.getReceipt(header=header(), receiptId=receipt_id)
    assert "purged" in gone.value.message
    assert "by portierctl" in ctl("audit", "list").stdout

    # Purged once: nothing is left to purge.
    assert "0 items would be purged" in ctl("purge", "--dry-run").stdout


def test_portierd_purges_on_its_interval_and_counts_it():
    ws = Workspace(extra_config='  <purge intervalMs="300"/>\n')
    try:
        keep_nothing(ws.dir, "d")  # portierd watches the folder and reads it again
        service = zeep_client(ws.portier, "d")
        service.openBusinessCase(header={"senderId": "d", "messageId": "purge-scheduled"},
                                 serviceId=1, ownerId="profile-scheduled", title="Antrag")

        def purged_by_portierd():
            text = http("GET", ws.portier.url + "/metrics")[2].decode()
            return [line for line in text.splitlines()
                    if line.startswith("portier_purged_total")
                    and 'department="d"' in line and 'kind="personalData"' in line] or None

        (line,) = wait_until(purged_by_portierd, timeout=20, interval=0.2,
                             what="portierd's purge on /metrics")
        assert float(line.split()[-1]) >= 1
        assert "by portierd" in ws.portier.ctl("audit", "list").stdout
        assert "intact" in ws.portier.ctl("evidence", "verify").stdout
    finally:
        ws.close()
