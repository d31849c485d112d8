"""The sandbox's web form, on the sandbox's own configuration and mapping files (moved to free
ports and a temporary folder): a form submitted to the simulated APF reaches the department's
intake with its Business Process ID, the business case is in the portal, the APF shows it
taken over. The check is deploy/sandbox/sample_flow.py's own."""
import os
import re
import shutil
import subprocess
import tempfile

from harness import Sim, binary, free_port, http, wait_until

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))


def answers(process, url):
    assert process.poll() is None, f"{url}: the process exited"
    try:
        return http("GET", url, timeout=1)[0] == 200
    except OSError:
        return False


def test_the_sandbox_web_form_goes_through():
    tmp = tempfile.TemporaryDirectory(prefix="portier-sandbox-forms-")
    sim = portier = None
    try:
        env = dict(os.environ, PORTIER_PORTAL_SECRET="sandbox-secret",
                   PORTIER_STEUERAMT_SECRET="s", PORTIER_BETREIBUNGSAMT_SECRET="b",
                   PORTIER_APF_SECRET="apf-sandbox")
        sim_port, port = free_port(), free_port()
        log = open(os.path.join(tmp.name, "sim.log"), "ab")
        sim = subprocess.Popen(
            [binary("portier-sim"), "--listen", f"127.0.0.1:{sim_port}",
             "--portal-client-id", "portier-sandbox", "--portal-client-secret-env",
             "PORTIER_PORTAL_SECRET", "--afs-password", "apf-sandbox"],
            stdout=log, stderr=log, env=env)
        sim_url = f"http://127.0.0.1:{sim_port}"
        wait_until(lambda: answers(sim, sim_url + "/_sim/clock"), what="portier-sim")

        mappings = os.path.join(tmp.name, "mappings")
        shutil.copytree(os.path.join(ROOT, "mappings"), mappings)
        for name in os.listdir(mappings):
            if name.endswith(".xml"):
                path = os.path.join(mappings, name)
                with open(path) as f:
                    text = f.read().replace("127.0.0.1:9000", f"127.0.0.1:{sim_port}")
                with open(path, "w") as f:
                    f.write(text)
        with open(os.path.join(ROOT, "config/sandbox.xml")) as f:
            config = f.read()
        # What the web form does not need (and what needs the sandbox's PKI and mail servers).
        config = re.sub(r'<listener name="sandbox-tls".*?</listener>', "", config, flags=re.S)
        config = re.sub(r"<registeredMail .*?</registeredMail>", "", config, flags=re.S)
        config = (config.replace("127.0.0.1:9000", f"127.0.0.1:{sim_port}")
                  .replace('port="8080"', f'port="{port}"')
                  .replace("../var/sandbox/journal.db", os.path.join(tmp.name, "journal.db"))
                  .replace("../var/sandbox/documents", os.path.join(tmp.name, "documents"))
                  .replace('"../mappings"', f'"{mappings}"'))
        config_path = os.path.join(tmp.name, "sandbox.xml")
        with open(config_path, "w") as f:
            f.write(config)
        plog = open(os.path.join(tmp.name, "portierd.log"), "ab")
        portier = subprocess.Popen([binary("portierd"), "--config", config_path],
                                   stdout=plog, stderr=plog, env=env)
        url = f"http://127.0.0.1:{port}"

        wait_until(lambda: answers(portier, url + "/readyz"), what="portierd")

        flow = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "deploy/sandbox/sample_flow.py"),
                               "--sim", sim_url, "--forms-only"],
                              capture_output=True, text=True, timeout=120, env=env)
        assert flow.returncode == 0, flow.stdout + flow.stderr
        assert "taken over as 'bp-" in flow.stdout, flow.stdout
    finally:
        for proc in (portier, sim):
            if proc and proc.poll() is None:
                proc.terminate()
                proc.wait(20)
        tmp.cleanup()
