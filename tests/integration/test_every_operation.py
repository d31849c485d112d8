"""Issue 3, "Must show": two SOAP clients nobody here wrote call every operation of the served
WSDL, over SOAP 1.1 and 1.2: python3-zeep (UsernameToken with PasswordDigest) and the npm `soap`
package (tests/integration/node/department_client.js). Each opens a case, reports a status both
as a portal status and as the department's own code, adds an activity, notifies and writes to
the owner, delivers a PDF to the owner's inbox, reads the case back as the portal knows it, and lists and acknowledges the event a
rejected delivery leaves for the department."""
import base64
import datetime
import hashlib
import json
import os
import subprocess

import pytest
import zeep
from zeep.helpers import serialize_object
from zeep.plugins import HistoryPlugin
from zeep.wsse.username import UsernameToken

from harness import DEPARTMENTS, password_of, wait_until, work_items
from test_documents import make_pdf

DEPARTMENT = "steueramt"
SERVICE = 7
OPERATIONS = {"openBusinessCase", "reportStatus", "addActivity", "sendNotification",
              "sendMessage", "deliverDocument", "getDelivery", "getReceipt", "getBusinessCase",
              "listEvents", "ackEvents", "decideIdentityLink", "getSubmission"}
# steueramt's status table (harness.DEPARTMENTS): VERANLAGT -> DECIDED with this text.
DECIDED_TEXT = DEPARTMENTS[DEPARTMENT][2]["VERANLAGT"][1]
DISPLAY_STAMP = datetime.datetime(2026, 3, 1, 10, 15, 30,
                                  tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
NODE_CLIENT = os.path.join(os.path.dirname(__file__), "node", "department_client.js")


class ZeepDepartment:
    """python3-zeep, from the served WSDL, bound to DepartmentSoap11 or DepartmentSoap12."""

    def __init__(self, portier, version):
        self.history = HistoryPlugin()
        binding = "DepartmentSoap11" if version == "1.1" else "DepartmentSoap12"
        wsse = UsernameToken(DEPARTMENT, password_of(DEPARTMENT), use_digest=True)
        self.service = zeep.Client(portier.wsdl, wsse=wsse, plugins=[self.history]).bind(
            "PortierDepartmentService", binding)

    def call(self, *calls):
        return [serialize_object(getattr(self.service, op)(**args), dict) for op, args in calls]

    @staticmethod
    def binary(data):
        return data  # zeep encodes xs:base64Binary itself

    def fault(self, op, args):
        """(fault text, namespace of the answer's envelope) of a call that must fail."""
        with pytest.raises(zeep.exceptions.Fault) as fault:
            getattr(self.service, op)(**args)
        envelope = self.history.last_received["envelope"]
        return fault.value.message, envelope.tag.split("}")[0].lstrip("{")


class NodeDepartment:
    """The npm soap package, one `node department_client.js` run per batch of calls."""

    @staticmethod
    def binary(data):
        return base64.b64encode(data).decode()  # npm soap takes xs:base64Binary as text

    def __init__(self, portier, version):
        self.argv = ["node", NODE_CLIENT, portier.wsdl, DEPARTMENT, password_of(DEPARTMENT),
                     version]

    def run(self, calls):
        payload = json.dumps([{"op": op, "args": args} for op, args in calls],
                             default=lambda v: v.isoformat())
        done = subprocess.run(self.argv, input=payload, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def call(self, *calls):
        results = self.run(calls)
        for result in results:
            assert result["ok"], result
        return [result["result"] for result in results]

    def fault(self, op, args):
        (result,) = self.run([(op, args)])
        assert not result["ok"], result
        fault = result["fault"]
        assert isinstance(fault, dict), fault  # a SOAP Fault, not a transport error
        if "Reason" in fault:
            return fault["Reason"]["Text"]["$value"], SOAP12
        return fault["faultstring"], SOAP11


CLIENTS = {"zeep": ZeepDepartment, "npm-soap": NodeDepartment}


def header(message_id, bpid=None):
    h = {"senderId": DEPARTMENT, "messageId": message_id}
    if bpid:
        h["businessProcessId"] = bpid
    return h


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def events_of(answer):
    """zeep gives the list of events itself; npm soap null or {"event": one or a list}."""
    if isinstance(answer, dict):
        return as_list(answer.get("event"))
    return as_list(answer)


def acknowledged_of(answer):
    return int(answer["acknowledged"] if isinstance(answer, dict) else answer)


def epoch_seconds(value):
    """A dateTime from zeep (datetime), npm soap or the simulator (ISO text), in whole seconds."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return int(value.timestamp())


def history_of(entries):
    return [(h["status"], h.get("statusText"), epoch_seconds(h["at"])) for h in entries]


def test_the_served_wsdl_has_these_operations_in_both_bindings(ws):
    client = zeep.Client(ws.portier.wsdl)
    for binding in ("DepartmentSoap11", "DepartmentSoap12"):
        name = f"{{urn:portier:department:1}}{binding}"
        assert set(client.wsdl.bindings[name]._operations) == OPERATIONS, binding


@pytest.mark.parametrize("version", ["1.1", "1.2"])
@pytest.mark.parametrize("client_name", list(CLIENTS))
def test_every_operation_reaches_the_portal(ws, client_name, version):
    client = CLIENTS[client_name](ws.portier, version)
    owner = f"profile-{client_name}-{version}"

    (opened,) = client.call(("openBusinessCase", {
        "header": dict(header("open"), ourBusinessReferenceId="ST-2026-42"),
        "serviceId": SERVICE, "ownerId": owner, "title": "Steuererklaerung 2026"}))
    bpid, case_id = opened["businessProcessId"], opened["businessCaseId"]
    assert bpid and len(case_id) == 36

    answers = client.call(
        ("reportStatus", {"header": header("status", bpid), "status": "IN_PROGRESS",
                          "statusText": "in Bearbeitung"}),
        ("reportStatus", {"header": header("code", bpid), "departmentStatusCode": "VERANLAGT"}),
        ("addActivity", {"header": header("activity", bpid), "title": "Veranlagung",
                         "body": "Die Veranlagung 2026 liegt vor.", "type": "INFO",
                         "target": "steuerkonto", "event": "VERANLAGT", "module": "eSteuer",
                         "objectId": "V-2026-42", "displayStamp": DISPLAY_STAMP}),
        ("sendNotification", {"header": header("notification", bpid), "subject": "Neu",
                              "body": "Ihre Veranlagung liegt vor.", "important": True}),
        ("sendMessage", {"header": header("message", bpid), "subject": "Veranlagung 2026",
                         "body": "Bitte pruefen Sie die Veranlagung.", "important": True}),
    )
    assert [a["businessProcessId"] for a in answers] == [bpid] * 5

    pdf = make_pdf(f"Veranlagung {client_name} {version}")
    (document,) = client.call(("deliverDocument", {
        "header": header("document", bpid), "documentKind": "Veranlagungsverfuegung",
        "title": "Veranlagungsverfügung 2026", "date": "2026-11-29",
        "document": client.binary(pdf), "important": True, "channel": "inbox"}))
    assert document["fileName"] == "KantonSolothurn-Veranlagungsverfuegung-2026-11-29.pdf"
    assert document["sha256"] == hashlib.sha256(pdf).hexdigest()
    wait_until(lambda: [d for d in ws.sim.state()["rc-adapter"]["deliveries"]
                        if d["sha256"] == document["sha256"]],
               what="the document at the RC adapter")
    def delivery_settled():  # the simulator may have it a moment before Portier records it
        (d,) = client.call(("getDelivery", {"header": header("delivery"),
                                            "deliveryId": document["deliveryId"]}))
        return d if d["status"] == "DELIVERED" else None

    delivery = wait_until(delivery_settled, interval=0.2, what="getDelivery to say DELIVERED")
    assert (delivery["status"], delivery["fileName"], delivery["sha256"]) == (
        "DELIVERED", document["fileName"], document["sha256"])
    text, _ = client.fault("getReceipt", {"header": header("receipt"), "receiptId": "0" * 64})
    assert "receiptId" in text and "not known" in text

    def at_portal():
        portal = ws.sim.portal()
        case = next((c for c in portal["businessCases"] if c["businessCaseId"] == case_id), None)
        of_case = {kind: [x for x in portal[kind] if x.get("businessCaseId") == case_id]
                   for kind in ("activities", "notifications", "messages")}
        if case and case["status"] == "DECIDED" and all(of_case.values()):
            return case, of_case
        return None

    case, of_case = wait_until(at_portal, what="the case DECIDED with its activity, "
                                               "notification and message at the portal")
    assert case["businessProcessId"] == bpid and case["ownerId"] == owner
    assert case["serviceId"] == SERVICE and case["title"] == "Steuererklaerung 2026"
    assert case["statusText"] == DECIDED_TEXT  # the status table's text, not the department's
    assert [(h["status"], h["statusText"]) for h in case["history"]] == [
        ("OPEN", None), ("IN_PROGRESS", "in Bearbeitung"), ("DECIDED", DECIDED_TEXT)]
    (activity,) = of_case["activities"]
    assert {k: activity[k] for k in ("ownerId", "title", "body", "type", "target", "event",
                                     "module", "objectId", "serviceId", "displayStamp")} == {
        "ownerId": owner, "title": "Veranlagung", "body": "Die Veranlagung 2026 liegt vor.",
        "type": "INFO", "target": "steuerkonto", "event": "VERANLAGT", "module": "eSteuer",
        "objectId": "V-2026-42", "serviceId": SERVICE,
        "displayStamp": "2026-03-01T09:15:30.000Z"}  # 10:15:30+01:00
    (notification,) = of_case["notifications"]
    assert (notification["ownerId"], notification["subject"], notification["body"],
            notification["important"]) == (owner, "Neu", "Ihre Veranlagung liegt vor.", True)
    (message,) = of_case["messages"]
    assert (message["ownerId"], message["subject"], message["body"]) == (
        owner, "Veranlagung 2026", "Bitte pruefen Sie die Veranlagung.")
    assert message["important"] is True and message["mustReadAtNextLogin"] is True
    assert message["read"] is False

    (read,) = client.call(("getBusinessCase", {"header": header("read", bpid)}))
    assert (read["businessProcessId"], read["businessCaseId"], int(read["serviceId"]),
            read["ownerId"], read["title"]) == (bpid, case_id, SERVICE, owner,
                                                "Steuererklaerung 2026")
    assert (read["status"], read["statusText"]) == ("DECIDED", DECIDED_TEXT)
    assert history_of(as_list(read["history"]["historyEntry"])) == history_of(case["history"])

    # An event for the department: the portal rejects the next activity (422), Portier parks
    # it and tells the department.
    ws.sim.faults(status=422, count=1, pathPrefix="/api/v9/activities")
    client.call(("addActivity", {"header": header("rejected", bpid), "title": "Abgelehnt",
                                 "body": "wird abgelehnt", "type": "INFO"}))
    wait_until(lambda: [w for w in work_items(ws.portier.journal)
                        if w[1] == "parked" and w[2] == bpid],
               what="the rejected activity to be parked")
    (listed,) = client.call(("listEvents", {"header": header("list-1"), "afterSeq": 0,
                                            "maxEvents": 100}))
    # Other events (e.g. messageDelivered from the portal's feed) may be listed beside it.
    (event,) = [e for e in events_of(listed) if e["kind"] == "deliveryFailed"]
    assert event["businessProcessId"] == bpid and "422" in event.get("detail", ""), event
    seq = int(event["seq"])
    acked, again, relisted = client.call(
        ("ackEvents", {"header": header("ack-1"), "seq": [seq]}),
        ("ackEvents", {"header": header("ack-2"), "seq": [seq]}),
        ("listEvents", {"header": header("list-2"), "afterSeq": 0, "maxEvents": 100}))
    assert acknowledged_of(acked) == 1 and acknowledged_of(again) == 0
    assert seq not in [int(e["seq"]) for e in events_of(relisted)]
    assert [a["title"] for a in ws.sim.portal()["activities"]] == ["Veranlagung"]

    # The client really spoke this binding's SOAP version: its Fault came in that envelope.
    text, envelope = client.fault("reportStatus", {"header": header("unknown-code", bpid),
                                                   "departmentStatusCode": "UNBEKANNT"})
    assert "departmentStatusCode" in text and "UNBEKANNT" in text
    assert envelope == (SOAP11 if version == "1.1" else SOAP12)
