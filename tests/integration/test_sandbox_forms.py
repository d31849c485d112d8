"""The sandbox's web form, on the sandbox's own configuration and mapping files (moved to free
ports and a temporary folder): a form submitted to the simulated APF reaches the department's
intake with its Business Process ID, the business case is in the portal, the APF shows it
taken over. The check is deploy/sandbox/sample_flow.py's own."""
import tempfile

from sandbox_harness import Sandbox


def test_the_sandbox_web_form_goes_through():
    with tempfile.TemporaryDirectory(prefix="portier-sandbox-forms-") as folder:
        sandbox = Sandbox(folder)
        try:
            flow = sandbox.sample_flow("--forms-only")
        finally:
            sandbox.stop()
        assert flow.returncode == 0, flow.stdout + flow.stderr
        assert "taken over as 'bp-" in flow.stdout, flow.stdout
        # No identity check has linked the account: no person reference is made up.
        assert "person reference" not in flow.stdout, flow.stdout
