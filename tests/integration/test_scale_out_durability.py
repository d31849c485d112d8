"""Three portierd instances on one PostgreSQL share the work. Under SOAP load spread over all
three, one instance at a time is killed (SIGKILL) and restarted, ten times: every acknowledged
call reaches the portal simulator exactly once and in order per case, and every AFS submission
is handed over exactly once, however often its poller changed hands."""
import collections
import http.client
import os
import re
import tempfile
import threading
import time

import harness
from forms_harness import APF_SECRET, afs_state, apf_config, department_state, form_mapping
from forms_harness import submit, wait_taken
from harness import open_case_envelope, report_status_envelope, wait_until
from pg_server import PostgresServer

INSTANCES = 3
KILLS = 10
CASES = 12
SUBMISSIONS = 300


def journal_xml(index):
    return (f'<journal instance="node-{index}">'
            '<postgresql conninfo="env:PORTIER_PG" pool="2"/></journal>')


class Cluster:
    def __init__(self, folder, pg):
        self.sim = harness.Sim(folder)
        env = {"PORTIER_PG": pg.conninfo("portier"), "PORTIER_TEST_APF_SECRET": APF_SECRET,
               "PORTIER_TEST_AMT_SECRET": "amt-geheim"}
        documents = os.path.join(folder, "documents")  # shared, as a volume would be
        self.nodes = []
        for i in range(INSTANCES):
            workdir = os.path.join(folder, f"node-{i}")
            os.makedirs(workdir)
            self.nodes.append(harness.Portier(
                workdir, self.sim, journal_xml=journal_xml(i), documents=documents,
                extra_config=apf_config(self.sim.url, page_size=20, lease_ms=2000),
                extra_env=env, extra_mappings={"amt": form_mapping(self.sim.url)}))

    def close(self):
        for node in self.nodes:
            node.stop()
        self.sim.stop()


def post(port, body):
    """The call's answer, or None if that instance did not answer it (down or killed)."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", "/soap/v1", body.encode(), {"Content-Type": "text/xml"})
        reply = conn.getresponse()
        data = reply.read()
        return data if reply.status == 200 else None
    except (OSError, http.client.HTTPException):
        return None


def case_sender(cluster, case_index, bpid, acked, stop):
    """Reports steps 0, 1, 2, ... for one case, one at a time, each to the next instance; a
    call that got no answer is sent again, with the same messageId, to another instance."""
    step, turn = 0, case_index
    while not stop.is_set():
        message_id = f"c{case_index}-{step}"
        body = report_status_envelope("steueramt", message_id, bpid, text=f"step {step}")
        node = cluster.nodes[turn % INSTANCES]
        turn += 1
        answer = post(node.port, body)
        if answer is not None and b"reportStatusResponse" in answer:
            acked[bpid].append(step)
            step += 1
        elif answer is None:
            time.sleep(0.02)


def test_three_instances_survive_ten_kills():
    with tempfile.TemporaryDirectory(prefix="portier-scale-") as folder, \
            PostgresServer(fsync=True) as pg:
        pg.create_database("portier")
        cluster = Cluster(folder, pg)
        try:
            run(cluster)
        finally:
            cluster.close()


def run(cluster):
    first = cluster.nodes[0]
    bpids = []
    for i in range(CASES):
        status, _, body = first.post_soap(open_case_envelope("steueramt", f"open-{i}"))
        assert status == 200, body
        bpids.append(re.search(rb"<p:businessProcessId>([^<]+)<", body).group(1).decode())
    application_ids = submit(cluster.sim, count=SUBMISSIONS)
    cluster.sim.faults(latencyMs=5)  # deliveries take a while, so kills find work in flight

    acked, stop = collections.defaultdict(list), threading.Event()
    senders = [threading.Thread(target=case_sender, args=(cluster, i, bpid, acked, stop))
               for i, bpid in enumerate(bpids)]
    for t in senders:
        t.start()
    try:
        for kill in range(KILLS):
            time.sleep(1.5)
            victim = cluster.nodes[kill % INSTANCES]
            victim.kill()
            victim.start()
        time.sleep(1.0)
    finally:
        stop.set()
        for t in senders:
            t.join()
    total = sum(len(steps) for steps in acked.values())
    print(f"{total} calls acknowledged across {INSTANCES} instances and {KILLS} kills")
    assert total > 200

    cluster.sim.faults(latencyMs=0)

    def statuses_of(case):
        return [int(h["statusText"].split()[1]) for h in case["history"]
                if (h["statusText"] or "").startswith("step ")]

    def all_delivered():
        cases = {c["businessProcessId"]: c for c in cluster.sim.portal()["businessCases"]}
        return all(b in cases and set(acked[b]) <= set(statuses_of(cases[b])) for b in bpids)

    try:
        wait_until(all_delivered, timeout=120, interval=0.5, what="every acknowledged call")
    except AssertionError:
        cases = {c["businessProcessId"]: c for c in cluster.sim.portal()["businessCases"]}
        missing = {b: sorted(set(acked[b]) - set(statuses_of(cases[b])))[:5] if b in cases
                   else "no case" for b in bpids}
        raise AssertionError(f"missing: {missing}\n" +
                             first.ctl("work", "list", "--limit", "20").stdout +
                             first.ctl("instances", "list").stdout)
    portal = cluster.sim.portal()
    assert all(k["applied"] <= 1 for k in portal["keys"].values()), "a call took effect twice"
    for case in portal["businessCases"]:
        steps = statuses_of(case)
        # In order and once each; a call whose answer was lost to a kill may be there too.
        assert steps == sorted(set(steps)), f"{case['businessProcessId']}: {steps}"

    wait_taken(cluster.sim, SUBMISSIONS, timeout=180)
    apf = afs_state(cluster.sim)
    assert all(a["takeOvers"] == 1 for a in apf["applications"])
    dept = department_state(cluster.sim)
    assert dept["effects"] == SUBMISSIONS
    delivered = collections.Counter(i["body"]["applicationId"] for i in dept["intakes"])
    assert sorted(delivered) == sorted(application_ids)

    verdict = first.ctl("evidence", "verify", check=False)
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr
    for i, node in enumerate(cluster.nodes):
        metrics = harness.http("GET", node.url + "/metrics")[2].decode()
        assert f'portier_instance="node-{i}"' in metrics
    listed = first.ctl("instances", "list").stdout
    assert all(f"node-{i}" in listed for i in range(INSTANCES)), listed
