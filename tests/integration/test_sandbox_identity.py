"""The sandbox's identity checks, on the sandbox's own configuration and mapping files (moved to
free ports and a temporary folder; sandbox_harness.py): the portal signs with HMAC as
adapters/rest/README.md says; the Betreibungsamt's check (REST, link="auto") links at once; the
Steueramt's (SOAP, link="review") waits, is approved over SOAP and then answered from the link.
The web form that follows carries the Betreibungsamt's person reference of the linked account to
its intake."""
import json
import tempfile

from harness import http
from sandbox_harness import Sandbox


def test_the_sandbox_identity_checks_link_and_the_intake_carries_the_person_reference():
    with tempfile.TemporaryDirectory(prefix="portier-sandbox-identity-") as folder:
        sandbox = Sandbox(folder)
        try:
            flow = sandbox.sample_flow("--identity-only")
            asked = json.loads(http("GET", sandbox.department.url + "/_sim/log")[2])["entries"]
            state = json.loads(http("GET", sandbox.sim_url + "/_sim/state")[2])
        finally:
            sandbox.stop()
        out = flow.stdout
        assert flow.returncode == 0, out + flow.stderr
        assert 'Betreibungsamt (link="auto"): HTTP 200, MATCH (answered from the department)' in out
        assert 'Steueramt (link="review"): HTTP 200, PENDING_REVIEW' in out
        assert "(decideIdentityLink over SOAP) -> active, person CH.SO.STEUERNR ST-1001" in out
        assert "asks again: HTTP 200, MATCH (answered from the link)" in out
        # The department was asked once per service: the second Steueramt check came from the link.
        assert [(a["path"], a.get("result")) for a in asked] == [
            ("/identity/v1/checks", "MATCH"), ("/soap/identity", "MATCH")], asked
        [intake] = state["department"]["intakes"]
        assert intake["body"]["ownerId"] == "profile-4711"
        assert (intake["body"]["personIdCategory"], intake["body"]["personId"]) == \
            ("CH.SO.STEUERNR", "ST-1001"), intake["body"]
        assert "person reference of the account's identity link: CH.SO.STEUERNR ST-1001" in out
