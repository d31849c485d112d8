"""The operators' console in a real browser: Debian's headless Chromium, driven by puppeteer-core
(node/console_browser.js), against the sandbox with the console (console_harness.py). Each of
the three users gets a browser home of their own whose NSS database trusts the sandbox CA and
holds their client certificate; a Chromium policy (AutoSelectCertificateForUrls, for this test's
port only, removed afterwards) lets the browser present it without a dialog. Screenshots of every
page go to the build tree (console-screenshots/)."""
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile

import pytest

from console_harness import USERS, ConsoleSandbox
from harness import BIN_DIR

NODE_DIR = os.path.join(os.path.dirname(__file__), "node")
POLICIES = "/etc/chromium/policies/managed"


def browser_home(folder, pki, user):
    home = os.path.join(folder, "home-" + user)
    nssdb = "sql:" + os.path.join(home, ".pki", "nssdb")
    os.makedirs(os.path.join(home, ".pki", "nssdb"))
    run = lambda *args: subprocess.run(args, check=True, capture_output=True)  # noqa: E731
    run("certutil", "-N", "-d", nssdb, "--empty-password")
    run("certutil", "-A", "-d", nssdb, "-n", "Portier Sandbox CA", "-t", "C,,",
        "-i", os.path.join(pki, "ca.pem"))
    run("pk12util", "-i", os.path.join(pki, f"console-{user}.p12"), "-d", nssdb, "-W", "")
    return home


def test_sign_in_replay_approve_and_refuse_in_a_browser():
    if not os.access("/usr/bin/chromium", os.X_OK) or not shutil.which("pk12util"):
        pytest.fail("chromium and libnss3-tools are needed (scripts/setup.sh installs them)")
    screenshots = os.path.join(BIN_DIR, "console-screenshots")
    shutil.rmtree(screenshots, ignore_errors=True)
    os.makedirs(screenshots)
    with tempfile.TemporaryDirectory(prefix="portier-console-browser-") as folder:
        box = ConsoleSandbox(folder)
        policy = os.path.join(POLICIES, f"portier-console-test-{box.console_port}.json")
        try:
            bpid, item = box.parked_case()
            link = box.pending_link()
            registered_bpid = box.registered_case()
            homes = {user: browser_home(folder, box.pki, user) for user in USERS}
            os.makedirs(POLICIES, exist_ok=True)
            with open(policy, "w") as f:
                json.dump({"AutoSelectCertificateForUrls": [json.dumps(
                    {"pattern": f"https://127.0.0.1:{box.console_port}", "filter": {}})]}, f)
            run = subprocess.run(
                ["node", os.path.join(NODE_DIR, "console_browser.js")],
                capture_output=True, text=True, timeout=300, cwd=NODE_DIR,
                env=dict(os.environ, CONSOLE_URL=box.console_url, HOMES=json.dumps(homes),
                         SCREENSHOTS=screenshots, ITEM=str(item), BPID=bpid, LINK=link,
                         REGISTERED_BPID=registered_bpid))
        finally:
            if os.path.exists(policy):
                os.remove(policy)
            box.stop()
        print(run.stdout)
        print(run.stderr)
        assert run.returncode == 0, run.stdout + run.stderr + open(box.log_path).read()[-4000:]
        db = sqlite3.connect(os.path.join(folder, "journal.db"))
        state = db.execute("SELECT state FROM work_items WHERE id = ?", (item,)).fetchone()[0]
        link_state = db.execute("SELECT state, decided_by FROM identity_links WHERE link_id = ?",
                                (link,)).fetchone()
        db.close()
    assert state == "done"
    assert link_state == ("active", "console:rita")
    shots = sorted(os.listdir(screenshots))
    assert len(shots) == 11, shots
