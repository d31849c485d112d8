"""The portal down for a while: work waits and is delivered after recovery. A call the portal
rejects (422) is parked, listed by `portierctl work list --parked`, and can be replayed."""
import re

from harness import Sim, open_case_envelope, report_status_envelope, wait_until


def open_case(portier, message_id):
    status, _, body = portier.post_soap(open_case_envelope("mfk", message_id))
    assert status == 200, body
    return re.search(rb"<p:businessProcessId>([^<]+)<", body).group(1).decode()


def cases_at_portal(sim):
    return {c["businessProcessId"]: c for c in sim.portal()["businessCases"]}


def test_work_waits_while_the_portal_is_down_and_is_delivered_after(ws):
    port = ws.sim.port
    ws.sim.stop()
    bpids = [open_case(ws.portier, f"down-{i}") for i in range(5)]
    wait_until(lambda: "retry" in ws.portier.logs(), what="failed attempts while the portal is down")
    ws.sim = Sim(ws.dir, port=port)
    wait_until(lambda: set(bpids) <= set(cases_at_portal(ws.sim)), timeout=60,
               what="all cases delivered after recovery")


def test_503_with_retry_after_is_retried(ws):
    ws.sim.faults(status=503, count=3, retryAfterSeconds=0, pathPrefix="/api/v9/businesscases")
    bpid = open_case(ws.portier, "busy-1")
    wait_until(lambda: bpid in cases_at_portal(ws.sim), what="delivery after three 503s")
    statuses = [r["status"] for r in ws.sim.requests() if r["path"] == "/api/v9/businesscases"]
    assert statuses[:3] == [503, 503, 503] and statuses[-1] == 201


def test_rejected_call_is_parked_listed_and_replayed(ws):
    bpid = open_case(ws.portier, "ok-1")
    wait_until(lambda: bpid in cases_at_portal(ws.sim), what="the case at the portal")
    ws.sim.faults(status=422, count=1, pathPrefix="/api/v9/businesscases/")
    status, _, body = ws.portier.post_soap(report_status_envelope("mfk", "st-1", bpid, "DECIDED"))
    assert status == 200, body

    def parked():
        lines = ws.portier.ctl("work", "list", "--parked").stdout.splitlines()[1:]
        return [l for l in lines if bpid in l]

    lines = wait_until(parked, what="the rejected status update to be parked")
    assert "HTTP 422" in lines[0]
    item_id = lines[0].split()[0]
    # The other work keeps flowing while this one is parked.
    other = open_case(ws.portier, "ok-2")
    wait_until(lambda: other in cases_at_portal(ws.sim), what="other work delivered")
    assert cases_at_portal(ws.sim)[bpid]["status"] == "OPEN"

    ws.portier.ctl("work", "replay", item_id)
    wait_until(lambda: cases_at_portal(ws.sim)[bpid]["status"] == "DECIDED",
               what="the replayed status at the portal")
    assert not parked()
