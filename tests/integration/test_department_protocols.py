"""One table of department behaviour cases, run over every department protocol: SOAP (zeep, from
the served WSDL) and Thrift (python3-thrift, generated from the served IDL; compact and binary).
Each case drives the real portierd against the simulated portal: every operation, the refusals
of a caller that may not do what it asks (each an audit entry), idempotent retries by
messageId, and bad input refused with the field named and nothing stored."""
import hashlib

import pytest

from department_protocols import Refused, clients, epoch_ms
from harness import Workspace, audit_entries, journal_counts, wait_until, work_items
from test_documents import make_pdf

PROTOCOLS = ["soap", "thrift-compact", "thrift-binary"]
STEUERAMT_SERVICE = 7
MFK_SERVICE = 3


@pytest.fixture(scope="module")
def shared():
    workspace = Workspace()
    yield workspace
    workspace.close()


def header(ids, step, bpid=None):
    h = {"senderId": ids["sender"], "messageId": f"{ids['run']}-{step}"[:36]}
    if bpid:
        h["businessProcessId"] = bpid
    return h


def refused(client, op, args):
    with pytest.raises(Refused) as e:
        client.call(op, args)
    return e.value


def open_case(client, ids, step="open", service=STEUERAMT_SERVICE):
    return client.call("openBusinessCase", {"header": header(ids, step), "serviceId": service,
                                            "ownerId": f"owner-{ids['run']}",
                                            "title": "Steuererklaerung 2026"})


def case_every_operation(ws, make, ids):
    client = make()
    opened = open_case(client, ids)
    bpid, case_id = opened["businessProcessId"], opened["businessCaseId"]
    assert bpid and len(case_id) == 36
    answers = [
        client.call("reportStatus", {"header": header(ids, "status", bpid),
                                     "status": "IN_PROGRESS", "statusText": "in Bearbeitung"}),
        client.call("reportStatus", {"header": header(ids, "code", bpid),
                                     "departmentStatusCode": "VERANLAGT"}),
        client.call("addActivity", {"header": header(ids, "activity", bpid),
                                    "title": "Veranlagung", "body": "Sie liegt vor.",
                                    "type": "INFO", "module": "eSteuer"}),
        client.call("sendNotification", {"header": header(ids, "note", bpid), "subject": "Neu",
                                         "body": "Ihre Veranlagung liegt vor.",
                                         "important": True}),
        client.call("sendMessage", {"header": header(ids, "message", bpid),
                                    "subject": "Veranlagung", "body": "Bitte pruefen.",
                                    "important": False}),
    ]
    assert [a["businessProcessId"] for a in answers] == [bpid] * 5
    pdf = make_pdf(f"Veranlagung {ids['run']}")
    document = client.call("deliverDocument", {
        "header": header(ids, "document", bpid), "documentKind": "Veranlagungsverfuegung",
        "title": "Veranlagung 2026", "date": "2026-11-29", "document": pdf,
        "channel": "inbox"})
    assert document["fileName"] == "KantonSolothurn-Veranlagungsverfuegung-2026-11-29.pdf"
    assert document["sha256"] == hashlib.sha256(pdf).hexdigest()

    def delivered():
        d = client.call("getDelivery", {"header": header(ids, "delivery"),
                                        "deliveryId": document["deliveryId"]})
        return d if d["status"] == "DELIVERED" else None

    delivery = wait_until(delivered, interval=0.2, what="getDelivery to say DELIVERED")
    assert (delivery["fileName"], delivery["sha256"]) == (document["fileName"], document["sha256"])

    def decided():
        try:
            c = client.call("getBusinessCase", {"header": header(ids, "read", bpid)})
        except Refused as e:
            assert e.blame == "gateway", e.reason  # not at the portal yet
            return None
        return c if c["status"] == "DECIDED" else None

    case = wait_until(decided, interval=0.2, what="the case DECIDED at the portal")
    assert (case["businessCaseId"], case["serviceId"]) == (case_id, STEUERAMT_SERVICE)
    events = client.call("listEvents", {"header": header(ids, "events")})
    assert isinstance(events["events"], list)
    assert client.call("ackEvents", {"header": header(ids, "ack"), "seq": [987654321]}) == {
        "acknowledged": 0}
    for op, args, field in [
            ("getReceipt", {"receiptId": "0" * 64}, "receiptId"),
            ("getSubmission", {"applicationId": "no-such-application"}, "applicationId"),
            ("decideIdentityLink", {"linkId": "no-such-link", "decision": "approve",
                                    "decidedBy": "Sachbearbeiterin"}, "linkId")]:
        e = refused(client, op, dict(args, header=header(ids, op)))
        assert e.blame == "caller" and field in e.reason and "not" in e.reason, (op, e.reason)


def case_idempotent_retries(ws, make, ids):
    client = make()
    first = open_case(client, ids, "retry-open")
    again = open_case(client, ids, "retry-open")
    assert (again["businessProcessId"], again["businessCaseId"]) == (
        first["businessProcessId"], first["businessCaseId"])
    bpid = first["businessProcessId"]
    args = {"header": header(ids, "retry-status", bpid), "status": "CLOSED"}
    one, two = client.call("reportStatus", args), client.call("reportStatus", args)
    stamp = "acceptedMs" if "acceptedMs" in one else "acceptedAt"
    assert epoch_ms(one[stamp]) == epoch_ms(two[stamp])
    # One business case and one status update, however often they were sent.
    assert len([w for w in work_items(ws.portier.journal) if w[2] == bpid]) == 2


def case_refusals_of_the_caller(ws, make, ids):
    steueramt = make()
    bpid = open_case(steueramt, ids, "owner")["businessProcessId"]
    mfk_ids = dict(ids, sender="mfk")
    before = len(audit_entries(ws.portier.journal))
    rows = [
        (make("mfk"), "reportStatus", {"header": header(mfk_ids, "foreign", bpid),
                                       "status": "CLOSED"}, "belongs to another department"),
        (make("mfk"), "getBusinessCase", {"header": header(mfk_ids, "peek", bpid)},
         "belongs to another department"),
        (steueramt, "openBusinessCase", {"header": header(ids, "not-mine"),
                                         "serviceId": MFK_SERVICE, "ownerId": "o",
                                         "title": "t"}, f"serviceId {MFK_SERVICE}"),
        (steueramt, "reportStatus", {"header": header(mfk_ids, "posing", bpid),
                                     "status": "CLOSED"}, "header/senderId"),
        (make(wrong=True), "reportStatus", {"header": header(ids, "wrong", bpid),
                                            "status": "CLOSED"}, ""),
    ]
    for client, op, args, words in rows:
        e = refused(client, op, args)
        assert e.blame == "caller" and words in e.reason, (op, e.reason)
        if getattr(e, "code", None):
            assert e.code == "PERMISSION_DENIED", (op, e.code)
    audited = audit_entries(ws.portier.journal)[before:]
    assert len(audited) == len(rows), audited
    assert {a[1] for a in audited} == {"reportStatus", "getBusinessCase", "openBusinessCase"}


def case_bad_input_names_the_field(ws, make, ids):
    client = make()
    bpid = open_case(client, ids, "bad-open")["businessProcessId"]
    # Intakes, work items and business cases; evidence grows meanwhile as dispatch delivers.
    counts = journal_counts(ws.portier.journal)[:3]
    rows = [
        ("openBusinessCase", {"header": dict(header(ids, "x"), messageId=""), "serviceId": 7,
                              "ownerId": "o", "title": "t"}, "messageId"),
        ("openBusinessCase", {"header": header(ids, "long"), "serviceId": 7, "ownerId": "o",
                              "title": "x" * 201}, "title"),
        ("reportStatus", {"header": header(ids, "no-bpid"), "status": "CLOSED"},
         "header/businessProcessId"),
        ("reportStatus", {"header": header(ids, "code", bpid), "departmentStatusCode": "NOPE"},
         "departmentStatusCode"),
        ("deliverDocument", {"header": header(ids, "date", bpid),
                             "documentKind": "Veranlagungsverfuegung", "title": "t",
                             "date": "2026-11-31", "document": make_pdf("x")}, "date"),
        ("deliverDocument", {"header": header(ids, "kind", bpid), "documentKind": "Unbekannt",
                             "title": "t", "date": "2026-11-29", "document": make_pdf("x")},
         "documentKind"),
    ]
    for op, args, field in rows:
        e = refused(client, op, args)
        assert e.blame == "caller" and field in e.reason, (op, field, e.reason)
        if getattr(e, "code", None):
            assert e.code == "INVALID_ARGUMENT", (op, e.code)
    assert journal_counts(ws.portier.journal)[:3] == counts, "a refused request stored something"


CASES = {
    "every_operation": case_every_operation,
    "idempotent_retries": case_idempotent_retries,
    "refusals_of_the_caller": case_refusals_of_the_caller,
    "bad_input_names_the_field": case_bad_input_names_the_field,
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_department_behaviour(shared, protocol, case):
    factories = clients(shared.portier)
    make = factories[protocol]
    ids = {"sender": "steueramt", "run": f"{protocol[:8]}-{case[:12]}"}
    CASES[case](shared, make, ids)


def test_one_message_id_is_one_message_whatever_the_protocol(shared):
    """The idempotency key is the department's messageId: a call repeated over the other
    protocol answers the first answer and stores nothing new."""
    factories = clients(shared.portier)
    ids = {"sender": "steueramt", "run": "cross-protocol"}
    first = open_case(factories["soap"](), ids)
    again = open_case(factories["thrift-compact"](), ids)
    assert again["businessCaseId"] == first["businessCaseId"]
