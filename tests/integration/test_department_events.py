"""Departments that cannot receive calls pull events: a citizen reading an important message
at the portal becomes a messageRead event for the department that sent it, and only for it.
Also: a department over its mapping's request limit gets 503 with Retry-After."""
import json
import time

from harness import Workspace, http, open_case_envelope, wait_until, zeep_client


def test_message_read_at_the_portal_reaches_the_sending_department_as_an_event(ws):
    steueramt = zeep_client(ws.portier, "steueramt")
    case = steueramt.openBusinessCase(header={"senderId": "steueramt", "messageId": "ev-1"},
                                      serviceId=7, ownerId="profile-1", title="Veranlagung")
    steueramt.sendMessage(header={"senderId": "steueramt", "messageId": "ev-2",
                                  "businessProcessId": case.businessProcessId},
                          subject="Ihre Veranlagung", body="liegt vor", important=True)
    message = wait_until(lambda: (ws.sim.portal().get("messages") or [None])[0],
                         what="the message at the portal")
    message_id = message.get("messageId") or message.get("id")
    status, _, body = http("POST", ws.sim.url + "/_sim/portal/read",
                           json.dumps({"messageId": message_id}).encode(),
                           {"Content-Type": "application/json"})
    assert status in (200, 201, 204), body

    def read_events():
        answer = steueramt.listEvents(header={"senderId": "steueramt", "messageId": "ev-list"})
        events = answer or []
        events = getattr(answer, "event", events) or []
        return [e for e in events if e.kind == "messageRead"]

    events = wait_until(read_events, timeout=30, interval=0.3, what="a messageRead event")
    assert events[0].businessProcessId == case.businessProcessId
    assert message_id in (events[0].detail or "")
    # Another department sees none of it.
    mfk = zeep_client(ws.portier, "mfk").listEvents(header={"senderId": "mfk", "messageId": "l"})
    assert not (getattr(mfk, "event", mfk) or [])


def test_a_department_over_its_request_limit_gets_503_with_retry_after():
    ws = Workspace()
    try:
        mapping = f"{ws.portier.mappings}/d.xml"
        with open(mapping) as f:
            text = f.read()
        with open(mapping, "w") as f:
            f.write(text.replace("</mapping>", '<limits maxRequestsPerMinute="3"/></mapping>'))
        ws.portier.kill(15)
        ws.portier.start()
        if time.time() % 60 > 55:  # limits count per clock minute: stay inside one
            time.sleep(61 - time.time() % 60)
        statuses = [ws.portier.post_soap(open_case_envelope("d", f"lim-{i}"))[0:2]
                    for i in range(5)]
        assert [s for s, _ in statuses[:3]] == [200, 200, 200]
        assert [s for s, _ in statuses[3:]] == [503, 503]
        assert statuses[3][1].get("Retry-After") == "1"
        # Others are not held back by it.
        assert ws.portier.post_soap(open_case_envelope("mfk", "lim-other"))[0] == 200
    finally:
        ws.close()
