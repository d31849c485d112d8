"""SIGKILL while portierd drains 1,000 form submissions: after the restart every submission is
handed to the department exactly once and taken over in the APF exactly once."""
import collections
import time

from forms_harness import afs_state, department_state, forms_workspace, submit, wait_taken

COUNT = 1000


def test_sigkill_while_draining_delivers_each_submission_once():
    ws = forms_workspace(page_size=50)
    try:
        ids = submit(ws.sim, count=COUNT)
        # Every simulated answer 10 ms late, so the drain takes long enough to be interrupted.
        ws.sim.faults(latencyMs=10)
        # Kill it twice in the middle of the drain: once early, once later.
        for wanted in (150, 600):
            deadline = time.time() + 40
            while time.time() < deadline:
                if department_state(ws.sim)["effects"] >= wanted:
                    break
                time.sleep(0.05)
            ws.portier.kill()
            at_kill = afs_state(ws.sim)["counts"]
            assert at_kill["IN_PROGRESS"] < COUNT, "the drain was over before the kill"
            ws.portier.start()
        wait_taken(ws.sim, COUNT, timeout=120)

        dept = department_state(ws.sim)
        delivered = collections.Counter(i["body"]["applicationId"] for i in dept["intakes"])
        assert sorted(delivered) == sorted(ids)
        assert dept["effects"] == COUNT               # each once, however often it was sent
        apf = afs_state(ws.sim)
        assert apf["counts"]["IN_PROGRESS"] == COUNT
        assert all(a["takeOvers"] == 1 for a in apf["applications"])
        # Each application was handed on under one Business Process ID.
        refs = {a["applicationId"]: a["externalReference"] for a in apf["applications"]}
        for intake in dept["intakes"]:
            assert refs[intake["body"]["applicationId"]] == intake["businessProcessId"]
        assert len(ws.sim.portal()["businessCases"]) == COUNT
    finally:
        ws.close()
