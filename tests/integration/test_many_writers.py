"""Several writers, one evidence chain: portierctl parks and replays work items (each an
evidence record, written from its own process) while portierd records deliveries under load,
and `evidence verify` still proves one unbroken chain."""
import http.client
import re
import threading

from harness import open_case_envelope, report_status_envelope, wait_until

SENDERS = 4
CASES = 8


def sender(port, index, bpids, answered, stop):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    n = 0
    while not stop.is_set():
        message_id = f"w{index}-{n}"
        body = report_status_envelope("steueramt", message_id, bpids[(index + n) % len(bpids)])
        conn.request("POST", "/soap/v1", body.encode(), {"Content-Type": "text/xml"})
        reply = conn.getresponse()
        data = reply.read()
        if reply.status == 200 and b"reportStatusResponse" in data:
            answered.append(message_id)
        n += 1


def parked_ids(portier):
    lines = portier.ctl("work", "list", "--parked", "--limit", "50").stdout.splitlines()[1:]
    return [line.split()[0] for line in lines if line.strip()]


def test_operator_writes_beside_a_busy_daemon_keep_one_chain(ws):
    portier, sim = ws.portier, ws.sim
    bpids = []
    for i in range(CASES):
        status, _, body = portier.post_soap(open_case_envelope("steueramt", f"open-{i}"))
        assert status == 200, body
        bpids.append(re.search(rb"<p:businessProcessId>([^<]+)<", body).group(1).decode())
    wait_until(lambda: len(sim.portal()["businessCases"]) == CASES, what="the cases opened")
    # The portal refuses some status reports for good, so dead letters keep coming for the
    # operator.
    sim.faults(status=422, count=200, pathPrefix="/api/v9/businesscases/")

    answered, stop = [], threading.Event()
    threads = [threading.Thread(target=sender, args=(portier.port, i, bpids, answered, stop))
               for i in range(SENDERS)]
    for t in threads:
        t.start()
    replayed = 0
    try:
        while replayed < 20:
            for item in parked_ids(portier):
                # Each replay appends an evidence record from portierctl's own process while
                # portierd appends its own records for the deliveries going on.
                if portier.ctl("work", "replay", item, check=False).returncode == 0:
                    replayed += 1
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert len(answered) > 100

    verdict = portier.ctl("evidence", "verify", check=False)
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr
    # And it goes on: the daemon's next records link to what portierctl wrote.
    sim.clear_faults()

    def all_delivered():
        parked = parked_ids(portier)
        for item in parked:  # some were still in flight, and parked, when the faults ended
            portier.ctl("work", "replay", item, check=False)
        return not parked
    try:
        wait_until(all_delivered, timeout=60, interval=0.5, what="the replayed items delivered")
    except AssertionError:
        raise AssertionError(portier.ctl("work", "list", "--parked").stdout)
    verdict = portier.ctl("evidence", "verify", check=False)
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr
