"""The pull variant of form intake (<forms delivery="pull">): the department is offered each
submission as a formSubmitted event, reads it with getSubmission (python3-zeep and the npm
`soap` package, SOAP 1.1 and 1.2) and acknowledges the event; the APF takes it over only after
that acknowledgement, once, also when portierd is killed in between."""
import base64
import hashlib
import json
import os
import subprocess
import time

import pytest
import zeep
from zeep.helpers import serialize_object
from zeep.wsse.username import UsernameToken

from forms_harness import (FORM_ID, MAILBOX, PDF, afs_state, department_state, form_xml,
                           forms_workspace, submit, wait_taken)
from harness import wait_until, zeep_client

AMT_SECRET = "amt-geheim"
NODE_CLIENT = os.path.join(os.path.dirname(__file__), "node", "department_client.js")
ATTACHMENT = b"Beilage zum Antrag"


@pytest.fixture
def fw():
    ws = forms_workspace(delivery="pull")
    yield ws
    ws.close()


def amt(portier, version="1.1"):
    binding = "DepartmentSoap11" if version == "1.1" else "DepartmentSoap12"
    wsse = UsernameToken("amt", AMT_SECRET, use_digest=True)
    return zeep.Client(portier.wsdl, wsse=wsse).bind("PortierDepartmentService", binding)


def header(n):
    return {"senderId": "amt", "messageId": f"pull-{n}-{time.time_ns()}"}


def offered(client):
    """The formSubmitted events listed, waiting until there is one."""
    found = []

    def listed():
        answer = serialize_object(client.listEvents(header=header("list")))
        found[:] = [e for e in (answer or []) if e["kind"] == "formSubmitted"]
        return found
    wait_until(listed, timeout=30, what="a formSubmitted event")
    return found


def untaken(sim, app_id):
    [app] = [a for a in afs_state(sim)["applications"] if a["applicationId"] == app_id]
    return app


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_list_get_ack_then_the_apf_shows_it_taken_over(fw, version):
    [app_id] = submit(fw.sim, attachments=[("beilage.txt", ATTACHMENT)])
    client = amt(fw.portier, version)
    [event] = offered(client)
    detail = json.loads(event["detail"])
    bpid = event["businessProcessId"]
    assert detail["applicationId"] == app_id and detail["formId"] == FORM_ID
    assert detail["businessProcessId"] == bpid and detail["mailbox"] == MAILBOX
    assert {"lastName", "firstName", "purpose"} <= set(detail["fields"])
    # Personal values stay out of the event; the others are shown.
    assert "Muster" not in event["detail"] and "Hans" not in event["detail"]
    assert detail["values"]["purpose"] == "PRIVAT"

    s = client.getSubmission(header=header("get"), applicationId=app_id)
    assert s.applicationId == app_id and s.formId == FORM_ID and s.businessProcessId == bpid
    fields = {f.name: f.value for f in s.field}
    assert fields["lastName"] == "Muster" and fields["firstName"] == "Hans"
    assert fields["purpose"] == "PRIVAT"
    assert s.formData.content == form_xml().encode()
    assert s.formData.sha256 == hashlib.sha256(form_xml().encode()).hexdigest()
    assert s.pdf.content == PDF and s.pdf.sha256 == hashlib.sha256(PDF).hexdigest()
    [attachment] = s.attachment
    assert attachment.content == ATTACHMENT
    assert s.acknowledged is False

    # Not taken over before the acknowledgement, however long it takes.
    time.sleep(1.5)
    app = untaken(fw.sim, app_id)
    assert app["status"] == "NEW" and app["takeOvers"] == 0
    assert department_state(fw.sim)["intakes"] == []   # nothing was pushed

    assert client.ackEvents(header=header("ack"), seq=[event["seq"]]) == 1
    wait_taken(fw.sim, 1)
    app = untaken(fw.sim, app_id)
    assert app["externalReference"] == bpid and app["takeOvers"] == 1
    actions = [e["action"] for e in app["accessLog"]]
    assert actions == ["GET", "TAKE_OVER", "SET_STATUS IN_PROGRESS"]
    [case] = fw.sim.portal()["businessCases"]
    assert case["businessCaseId"] == s.businessCaseId
    # Still readable after the take-over; the event is gone from the list.
    again = client.getSubmission(header=header("again"), applicationId=app_id)
    assert again.acknowledged is True
    assert not [e for e in (client.listEvents(header=header("l2")) or [])
                if e.kind == "formSubmitted"]


def test_another_department_and_an_unknown_id_get_a_fault(fw):
    [app_id] = submit(fw.sim)
    offered(amt(fw.portier))
    other = zeep_client(fw.portier, "steueramt")
    with pytest.raises(zeep.exceptions.Fault) as fault:
        other.getSubmission(header={"senderId": "steueramt", "messageId": "x-1"},
                            applicationId=app_id)
    assert "another department" in fault.value.message
    with pytest.raises(zeep.exceptions.Fault) as fault:
        amt(fw.portier).getSubmission(header=header("unknown"), applicationId="APP-NOPE")
    assert "applicationId" in fault.value.message and "not known" in fault.value.message
    # Acknowledging another department's event changes nothing.
    [event] = offered(amt(fw.portier))
    assert other.ackEvents(header={"senderId": "steueramt", "messageId": "x-2"},
                           seq=[event["seq"]]) == 0
    time.sleep(1)
    assert untaken(fw.sim, app_id)["takeOvers"] == 0


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_the_npm_soap_client_lists_gets_and_acknowledges(fw, version):
    [app_id] = submit(fw.sim)
    [event] = offered(amt(fw.portier))
    calls = [{"op": "listEvents", "args": {"header": header("n1")}},
             {"op": "getSubmission", "args": {"header": header("n2"), "applicationId": app_id}},
             {"op": "ackEvents", "args": {"header": header("n3"), "seq": [event["seq"]]}}]
    run = subprocess.run(["node", NODE_CLIENT, fw.portier.wsdl, "amt", AMT_SECRET, version],
                         input=json.dumps(calls), capture_output=True, text=True, timeout=60,
                         check=True)
    listed, got, acked = json.loads(run.stdout)
    assert listed["ok"] and got["ok"] and acked["ok"], run.stdout
    assert got["result"]["applicationId"] == app_id
    assert base64.b64decode(got["result"]["formData"]["content"]) == form_xml().encode()
    assert base64.b64decode(got["result"]["pdf"]["content"]) == PDF
    assert int(acked["result"]["acknowledged"]) == 1
    wait_taken(fw.sim, 1)


def test_sigkill_between_ack_and_take_over_takes_over_once_after_restart(fw):
    [app_id] = submit(fw.sim)
    client = amt(fw.portier)
    [event] = offered(client)
    # From now on the APF never answers: the take-over the acknowledgement releases hangs.
    fw.sim.faults(hang=1000, pathPrefix="/afs/apf/v1")
    assert client.ackEvents(header=header("ack"), seq=[event["seq"]]) == 1
    time.sleep(1)
    fw.portier.kill()
    fw.sim.clear_faults()
    assert untaken(fw.sim, app_id)["takeOvers"] == 0
    fw.portier.start()
    wait_taken(fw.sim, 1)
    time.sleep(1)
    app = untaken(fw.sim, app_id)
    assert app["takeOvers"] == 1 and app["externalReference"] == event["businessProcessId"]
    assert [e["action"] for e in app["accessLog"]].count("TAKE_OVER") == 1


def test_a_submission_never_acknowledged_is_never_taken_over(fw):
    [app_id] = submit(fw.sim)
    offered(amt(fw.portier))
    fw.portier.stop()
    fw.portier.start()
    time.sleep(2)
    app = untaken(fw.sim, app_id)
    assert app["status"] == "NEW" and app["takeOvers"] == 0
    listing = fw.portier.ctl("work", "list", "--parked").stdout
    assert "waiting for amt to acknowledge formSubmitted" in listing
