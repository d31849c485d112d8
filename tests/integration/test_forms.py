"""The forms flow: submissions polled from the simulated AFS Antragspostfach reach the
department's intake with their Business Process ID, the business case is open in the portal,
and the APF shows them taken over; what cannot be handed on is parked, never taken over, and
holds nothing up."""
import base64
import hashlib
import json
import re

import pytest

from forms_harness import (MAILBOX, PDF, afs_state, apf_options, department_state, form_xml,
                           forms_workspace, submit, wait_taken)
from harness import http, wait_until


@pytest.fixture
def fw():
    ws = forms_workspace()
    yield ws
    ws.close()


def parked_items(portier):
    out = portier.ctl("work", "list", "--parked").stdout
    return out


def test_a_submission_reaches_the_department_with_its_business_process_id(fw):
    [app_id] = submit(fw.sim, attachments=[("beilage.txt", b"Beilage")])
    wait_taken(fw.sim, 1)

    [intake] = department_state(fw.sim)["intakes"]
    body = intake["body"]
    assert body["applicationId"] == app_id
    assert body["name"] == "Muster" and body["vorname"] == "Hans" and body["zweck"] == "PRIVAT"
    assert body["pdfSha256"] == hashlib.sha256(PDF).hexdigest()
    bpid = body["businessProcessId"]
    assert re.fullmatch(r"bp-[0-9a-f-]{36}", bpid)
    assert intake["businessProcessId"] == bpid          # also as a header
    assert intake["received"] == 1

    [case] = fw.sim.portal()["businessCases"]
    assert case["businessCaseId"] == body["businessCaseId"]
    assert case["ownerId"] == "owner-7" and case["serviceId"] == 301

    [app] = afs_state(fw.sim)["applications"]
    assert app["status"] == "IN_PROGRESS" and app["externalReference"] == bpid
    assert app["takeOvers"] == 1
    actions = [e["action"] for e in app["accessLog"]]
    assert actions == ["GET", "TAKE_OVER", "SET_STATUS IN_PROGRESS"]
    assert {e["who"] for e in app["accessLog"]} == {"portier"}


def test_malformed_submissions_are_parked_with_a_reason_and_not_taken_over(fw):
    good = submit(fw.sim, count=2)
    bad_xml = submit(fw.sim, form="<antrag><person></antrag>")
    no_name = submit(fw.sim, form=form_xml(name=""))
    bad_table = submit(fw.sim, form=form_xml(zweck="9"))
    bad_attachment = submit(fw.sim, attachments=[("beilage.txt", b"x")], corrupt="attachmentDigest")
    missing_attachment = submit(fw.sim, attachments=[("beilage.txt", b"x")],
                                corrupt="missingAttachment")
    bad_seal = submit(fw.sim, corrupt="signature")
    unknown_form = submit(fw.sim, form_id="UNBEKANNT")
    later = submit(fw.sim, count=2)
    wait_taken(fw.sim, 4)
    bad = bad_xml + no_name + bad_table + bad_attachment + missing_attachment + bad_seal + unknown_form
    wait_until(lambda: parked_items(fw.portier).count("submission parked") == len(bad),
               what="every malformed submission parked")

    apps = {a["applicationId"]: a for a in afs_state(fw.sim)["applications"]}
    for app_id in good + later:
        assert apps[app_id]["status"] == "IN_PROGRESS"
    for app_id in bad:
        assert apps[app_id]["status"] == "NEW" and apps[app_id]["takeOvers"] == 0
    delivered = {i["body"]["applicationId"] for i in department_state(fw.sim)["intakes"]}
    assert delivered == set(good + later)

    listing = parked_items(fw.portier)
    for reason in ("not well-formed XML", "required field 'lastName'",
                   "value '9' is not in table 'zweck'", "SHA-256 does not match",
                   "inbound signature: does not match", "no mapping takes this form"):
        assert reason in listing, listing
    # Another round changes nothing: parked stays parked, nothing is fetched twice.
    gets = {a: apps[a]["gets"] for a in bad}
    wait_until(lambda: afs_state(fw.sim)["calls"]["list"] > 3, what="more polling rounds")
    apps = {a["applicationId"]: a for a in afs_state(fw.sim)["applications"]}
    assert {a: apps[a]["gets"] for a in bad} == gets


def test_several_mailboxes_and_duplicates_across_pages_are_handled_once():
    ws = forms_workspace(mailboxes=("eins", "zwei"), page_size=5)
    try:
        apf_options(ws.sim, duplicateAcrossPages=True)
        ids = submit(ws.sim, count=23, mailbox="eins") + submit(ws.sim, count=17, mailbox="zwei")
        wait_taken(ws.sim, 40)
        state = department_state(ws.sim)
        assert state["effects"] == 40
        assert sorted(i["body"]["applicationId"] for i in state["intakes"]) == sorted(ids)
        for app in afs_state(ws.sim)["applications"]:
            assert app["takeOvers"] == 1 and app["gets"] == 1, app
        assert len(ws.sim.portal()["businessCases"]) == 40
    finally:
        ws.close()


def test_a_department_outage_delays_but_neither_loses_nor_doubles(fw):
    fw.sim.faults(status=503, count=5, pathPrefix="/department/")
    ids = submit(fw.sim, count=3)
    wait_taken(fw.sim, 3)
    state = department_state(fw.sim)
    assert sorted(i["body"]["applicationId"] for i in state["intakes"]) == sorted(ids)
    assert all(a["takeOvers"] == 1 for a in afs_state(fw.sim)["applications"])


def test_a_submission_the_department_refuses_is_parked_and_not_taken_over(fw):
    fw.sim.faults(status=422, count=1, pathPrefix="/department/")
    [refused] = submit(fw.sim)
    wait_until(lambda: "did not take the submission" in parked_items(fw.portier),
               what="the take-over parked")
    [app] = afs_state(fw.sim)["applications"]
    assert app["applicationId"] == refused and app["status"] == "NEW" and app["takeOvers"] == 0
    # The rest flows on.
    [later] = submit(fw.sim)
    wait_taken(fw.sim, 1)


def test_a_form_of_an_existing_business_case_opens_no_second_case(fw):
    [first] = submit(fw.sim)
    wait_taken(fw.sim, 1)
    bpid = department_state(fw.sim)["intakes"][0]["businessProcessId"]
    submit(fw.sim, form=form_xml(extra=f"<geschaeftsfall>{bpid}</geschaeftsfall>"))
    wait_taken(fw.sim, 2)
    intakes = department_state(fw.sim)["intakes"]
    assert [i["businessProcessId"] for i in intakes] == [bpid, bpid]
    assert len(fw.sim.portal()["businessCases"]) == 1
    # A Business Process ID that is no case of this department is parked.
    submit(fw.sim, form=form_xml(extra="<geschaeftsfall>bp-unbekannt</geschaeftsfall>"))
    wait_until(lambda: "not a business case of amt" in parked_items(fw.portier),
               what="the unknown case parked")


def test_metrics_show_backlog_and_parked(fw):
    fw.sim.faults(status=503, count=1000, pathPrefix="/department/")
    # Submitted an hour ago (the APF's clock): the age counts from the submission.
    now = json.loads(http("GET", fw.sim.url + "/_sim/clock")[2])["nowMs"]
    http("POST", fw.sim.url + "/_sim/clock", json.dumps({"nowMs": now - 3_600_000}).encode(),
         {"Content-Type": "application/json"})
    submit(fw.sim, count=3)
    http("POST", fw.sim.url + "/_sim/clock", json.dumps({"nowMs": now}).encode(),
         {"Content-Type": "application/json"})
    submit(fw.sim, form="kaputt")

    def metrics():
        return http("GET", fw.portier.url + "/metrics")[2].decode()
    wait_until(lambda: f'portier_afs_backlog{{mailbox="{MAILBOX}"}} 3' in metrics(),
               what="a backlog of 3")
    text = metrics()
    assert f'portier_afs_parked{{mailbox="{MAILBOX}"}} 1' in text
    assert f'portier_afs_submissions_total{{mailbox="{MAILBOX}",outcome="parked"}} 1' in text
    age = re.search(r'portier_afs_oldest_untaken_seconds\{mailbox="betreibungsamt"\} ([0-9.e+]+)',
                    text)
    assert age and 3600 <= float(age.group(1)) < 3700, text
    fw.sim.clear_faults()
    wait_taken(fw.sim, 3)
    wait_until(lambda: f'portier_afs_backlog{{mailbox="{MAILBOX}"}} 0' in metrics(),
               what="the backlog drained")
    fw.sim.faults(status=503, count=3, pathPrefix="/afs/")
    wait_until(lambda: "portier_afs_poll_errors_total" in metrics(), what="a poll error counted")
