"""The example Thrift client of the docs (docs/examples/thrift_department_client.py), on the
sandbox's own configuration and mapping files (sandbox_harness.py): it generates its Python
client from the IDL the running portierd serves, then, as the Steueramt, opens a business case,
reports a status in the Steueramt's own code and delivers a PDF to the citizen's inbox, in the
compact and in the binary protocol."""
import json
import os
import tempfile

import pytest

from harness import http, wait_until
from sandbox_harness import ROOT, Sandbox

EXAMPLE = os.path.join(ROOT, "docs/examples/thrift_department_client.py")
PDF = os.path.join(ROOT, "deploy/sandbox/sample-extract.pdf")
TOKEN = "steueramt-sandbox-thrift-token"


@pytest.mark.parametrize("protocol", ["compact", "binary"])
def test_the_example_client_opens_reports_and_delivers_in_the_sandbox(protocol):
    import subprocess
    with tempfile.TemporaryDirectory(prefix="portier-sandbox-thrift-") as folder:
        sandbox = Sandbox(folder, api_tokens={"steueramt": TOKEN})
        try:
            run = subprocess.run(["/usr/bin/python3", EXAMPLE, "--url", sandbox.url, "--token",
                                  TOKEN, "--pdf", PDF, "--protocol", protocol],
                                 capture_output=True, text=True, timeout=120, env=sandbox.env)
            assert run.returncode == 0, run.stdout + run.stderr
            out = run.stdout
            bpid = out.split("Business Process ID ")[1].split()[0]

            def arrived():
                state = json.loads(http("GET", sandbox.sim_url + "/_sim/state")[2])
                cases = [c for c in state["portal"]["businessCases"]
                         if c.get("title") == "Steuererklaerung 2026"]
                documents = state["rc-adapter"]["deliveries"]
                return (cases, documents) if cases and documents else None

            cases, documents = wait_until(arrived, what="the case and the document at the portal")
        finally:
            sandbox.stop()
        assert bpid.startswith("bp-")
        assert "reportStatus departmentStatusCode=EINGEGANGEN" in out
        assert "deliverDocument -> KantonSolothurn-Steuerausweis-" in out
        assert cases[0]["ownerId"] == "profile-4711"
        assert len(documents) == 1
