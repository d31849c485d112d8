"""Back-pressure: while the portal stalls, the portal's backlog fills up to its bound; then a
department's call is answered 503 with Retry-After and a Fault naming the destination, and
changes nothing. When the portal recovers, everything accepted is delivered, once each, and the
refused call goes through when it is sent again."""
import collections
import re

import pytest

from harness import Workspace, http, open_case_envelope, report_status_envelope, wait_until

BOUND = 20
RETRY_AFTER_S = 2


@pytest.fixture
def bounded():
    workspace = Workspace(portal_destination=f' maxBacklog="{BOUND}" '
                                             f'backlogRetryAfterMs="{RETRY_AFTER_S * 1000}"')
    yield workspace
    workspace.close()


def status_updates_at_portal(sim):
    """Status texts the portal took (answered 2xx, not as a duplicate), with how often."""
    taken = collections.Counter()
    for r in sim.requests():
        if r["method"] == "PATCH" and 200 <= r["status"] < 300 and not r["duplicate"]:
            taken[r["body"]["statusText"]] += 1
    return taken


def metric(portier, name, labels):
    _, _, body = http("GET", portier.url + "/metrics")
    pattern = re.escape(name + "{" + labels + "}") + r" (\S+)"
    found = re.search(pattern.encode(), body)
    return float(found.group(1)) if found else None


def test_a_stalled_portal_fills_the_bound_then_calls_get_503_and_nothing_is_lost(bounded):
    ws = bounded
    status, _, body = ws.portier.post_soap(open_case_envelope("mfk", "bp-open"))
    assert status == 200, body
    bpid = re.search(rb"<p:businessProcessId>([^<]+)<", body).group(1).decode()
    wait_until(lambda: bpid in {c["businessProcessId"] for c in ws.sim.portal()["businessCases"]},
               what="the case at the portal")

    ws.sim.faults(hang=1_000_000, pathPrefix="/api/v9/businesscases")
    accepted, refused = [], None
    for i in range(10 * BOUND):
        message_id = f"bp-{i}"
        status, headers, body = ws.portier.post_soap(
            report_status_envelope("mfk", message_id, bpid, "IN_PROGRESS", text=f"step {i}"))
        if status != 200:
            refused = (message_id, i, status, headers, body)
            break
        accepted.append(f"step {i}")
    assert refused, "no call was refused although the portal's backlog passed its bound"
    message_id, step, status, headers, body = refused
    assert status == 503, body
    assert headers.get("Retry-After") == str(RETRY_AFTER_S), headers
    assert b"destination portal has" in body and f"its bound is {BOUND}".encode() in body, body
    # The bound counts what is undelivered; the one case already delivered is not in it.
    assert BOUND - 1 <= len(accepted) <= BOUND + 1, len(accepted)
    assert metric(ws.portier, "portier_destination_backlog_bound", 'destination="portal"') == BOUND
    assert metric(ws.portier, "portier_backpressure_refusals_total",
                  'reason="backlog",destination="portal"') >= 1

    # Refused means not taken: the same messageId is new when the portal has recovered.
    ws.sim.clear_faults()
    wait_until(lambda: set(accepted) <= set(status_updates_at_portal(ws.sim)), timeout=60,
               what="every accepted status update at the portal")
    status, _, body = ws.portier.post_soap(
        report_status_envelope("mfk", message_id, bpid, "IN_PROGRESS", text=f"step {step}"))
    assert status == 200, body
    wait_until(lambda: f"step {step}" in status_updates_at_portal(ws.sim),
               what="the call refused before, delivered after it was sent again")
    taken = status_updates_at_portal(ws.sim)
    assert all(count == 1 for count in taken.values()), taken
