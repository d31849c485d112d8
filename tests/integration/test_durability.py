"""Accepted means durable: SIGKILL in the middle of a few thousand reportStatus calls loses
nothing that was answered, and every answered call reaches the portal exactly once by its
idempotency key."""
import http.client
import re
import signal
import threading
import time

from harness import open_case_envelope, report_status_envelope, wait_until

SENDERS = 8
CASES = 16


def open_cases(portier):
    bpids = []
    for i in range(CASES):
        status, _, body = portier.post_soap(open_case_envelope("steueramt", f"open-{i}"))
        assert status == 200, body
        bpids.append(re.search(rb"<p:businessProcessId>([^<]+)<", body).group(1).decode())
    return bpids


def sender(port, index, bpids, answered, stop):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    n = 0
    while not stop.is_set():
        message_id = f"s{index}-{n}"
        bpid = bpids[(index + n) % len(bpids)]
        body = report_status_envelope("steueramt", message_id, bpid, text=f"step {n}")
        try:
            conn.request("POST", "/soap/v1", body.encode(), {"Content-Type": "text/xml"})
            reply = conn.getresponse()
            data = reply.read()
            if reply.status == 200 and b"reportStatusResponse" in data:
                answered.append(message_id)
        except (OSError, http.client.HTTPException):
            return  # the daemon is gone: this call was never answered
        n += 1


def test_sigkill_loses_no_answered_call_and_delivers_each_once(ws):
    portier, sim = ws.portier, ws.sim
    bpids = open_cases(portier)
    answered, stop = [], threading.Event()
    threads = [threading.Thread(target=sender, args=(portier.port, i, bpids, answered, stop))
               for i in range(SENDERS)]
    for t in threads:
        t.start()
    wait_until(lambda: len(answered) >= 2000, timeout=120, what="2000 answered calls")
    portier.kill(signal.SIGKILL)
    stop.set()
    for t in threads:
        t.join()
    acknowledged = set(answered)
    print(f"{len(acknowledged)} calls answered before SIGKILL")

    portier.start()
    expected = {f"steueramt/{m}/portal/1" for m in acknowledged}

    def delivered():
        keys = sim.portal()["keys"]
        return all(k in keys and keys[k]["applied"] == 1 for k in expected)

    wait_until(delivered, timeout=180, interval=0.5, what="every answered call at the portal")
    keys = sim.portal()["keys"]
    assert all(v["applied"] <= 1 for v in keys.values()), "a call took effect twice"
    assert not [i for i in portier.ctl("work", "list", "--parked").stdout.splitlines()[1:] if i]
