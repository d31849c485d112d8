"""The sandbox on its own configuration and mapping files (config/sandbox.xml, mappings/*.xml),
moved to free ports and a temporary folder, without what needs the sandbox's PKI and mail
servers: portier-sim, the department simulator and portierd, as scripts/sandbox.sh starts them.
Steps of deploy/sandbox/sample_flow.py then run against it, so the sandbox cannot silently
break."""
import os
import re
import shutil
import subprocess

from harness import binary, free_port, http, wait_until
from identity_harness import DepartmentSim

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
SAMPLE_FLOW = os.path.join(ROOT, "deploy/sandbox/sample_flow.py")
ENV = {"PORTIER_PORTAL_SECRET": "sandbox-secret", "PORTIER_STEUERAMT_SECRET": "s",
       "PORTIER_BETREIBUNGSAMT_SECRET": "b", "PORTIER_APF_SECRET": "apf-sandbox",
       "PORTIER_PORTAL_HMAC_SECRET": "portal-hmac-sandbox"}


# The sandbox's registered-mail sender and the secrets of its IncaMail account and of the
# receipt mailbox (mail_harness.MailWorkspace names that user receipts-incamail).
REGISTERED_SENDER = "betreibungsamt@kanton.sandbox"
ENV_MAIL = {"PORTIER_INCAMAIL_SECRET": "incamail-sandbox",
            "PORTIER_RECEIPTS_SECRET": "incamail-imap-secret"}


def answers(process, url):
    assert process.poll() is None, f"{url}: the process exited"
    try:
        return http("GET", url, timeout=1)[0] == 200
    except OSError:
        return False


MAKE_PKI = os.path.join(ROOT, "deploy/sandbox/make-pki.sh")
OIDC_ISSUER = os.path.join(ROOT, "tests/sim/oidc/oidc_issuer.py")


class Sandbox:
    def __init__(self, folder, api_tokens=None, console=False):
        """`api_tokens`: {department: token} added to those mappings as <apiToken> (the
        example mappings carry none), for clients of the Thrift service. With `console`, also
        the operators' console on its TLS listener (self.console_url), with the sandbox's PKI
        made in the folder (self.pki) and the simulated OpenID Connect issuer."""
        self.dir = folder
        self.console = console
        self.env = dict(os.environ, **ENV)
        self.api_tokens = api_tokens or {}
        self.sim = self.portier = self.department = self.oidc = self.mail = None
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self):
        sim_port, port = free_port(), free_port()
        log = open(os.path.join(self.dir, "sim.log"), "ab")
        self.sim = subprocess.Popen(
            [binary("portier-sim"), "--listen", f"127.0.0.1:{sim_port}",
             "--portal-client-id", "portier-sandbox", "--portal-client-secret-env",
             "PORTIER_PORTAL_SECRET", "--afs-password", "apf-sandbox"],
            stdout=log, stderr=log, env=self.env)
        self.sim_url = f"http://127.0.0.1:{sim_port}"
        wait_until(lambda: answers(self.sim, self.sim_url + "/_sim/clock"), what="portier-sim")
        self.department = DepartmentSim(self.dir)
        moved = {"127.0.0.1:9000": f"127.0.0.1:{sim_port}",
                 "127.0.0.1:9100": f"127.0.0.1:{self.department.port}"}

        mappings = os.path.join(self.dir, "mappings")
        shutil.copytree(os.path.join(ROOT, "mappings"), mappings)
        for name in os.listdir(mappings):
            if name.endswith(".xml"):
                self._rewrite(os.path.join(mappings, name), moved)
        for department, token in self.api_tokens.items():
            var = f"PORTIER_{department.upper()}_TOKEN"
            self.env[var] = token
            self._rewrite(os.path.join(mappings, f"{department}.xml"),
                          {"</authentication>": f'<apiToken token="env:{var}"/></authentication>'})
        with open(os.path.join(ROOT, "config/sandbox.xml")) as f:
            config = f.read()
        config = re.sub(r'<listener name="sandbox-tls".*?</listener>', "", config, flags=re.S)
        if self.console:
            config = self._console_config(config)
        else:
            config = re.sub(r'<listener name="console".*?</listener>', "", config, flags=re.S)
            config = re.sub(r"<console .*?</console>", "", config, flags=re.S)
        if self.console:
            config = self._registered_mail_config(config)
        else:
            config = re.sub(r"<registeredMail .*?</registeredMail>", "", config, flags=re.S)
        config = (config.replace("127.0.0.1:9000", f"127.0.0.1:{sim_port}")
                  .replace('port="8080"', f'port="{port}"')
                  .replace("../var/sandbox/journal.db", os.path.join(self.dir, "journal.db"))
                  .replace("../var/sandbox/documents", os.path.join(self.dir, "documents"))
                  .replace('"../mappings"', f'"{mappings}"'))
        self.config = os.path.join(self.dir, "sandbox.xml")
        with open(self.config, "w") as f:
            f.write(config)
        self.log_path = os.path.join(self.dir, "portierd.log")
        self.url = f"http://127.0.0.1:{port}"
        self._start_portierd()

    def _start_portierd(self):
        plog = open(self.log_path, "ab")
        self.portier = subprocess.Popen([binary("portierd"), "--config", self.config],
                                        stdout=plog, stderr=plog, env=self.env)
        wait_until(lambda: answers(self.portier, self.url + "/readyz"), what="portierd")

    def restart_portierd(self):
        """Stops portierd (SIGTERM: it drains) and starts it again on the same configuration,
        journal and ports; the simulators keep running."""
        self.portier.terminate()
        assert self.portier.wait(30) == 0, "portierd did not drain and exit cleanly"
        self._start_portierd()

    def _console_config(self, config):
        self.pki = os.path.join(self.dir, "pki")
        subprocess.run([MAKE_PKI, self.pki], check=True, capture_output=True)
        oidc_port, console_port = free_port(), free_port()
        log = open(os.path.join(self.dir, "oidc.log"), "ab")
        self.oidc = subprocess.Popen(
            ["/usr/bin/python3", OIDC_ISSUER, "--port", str(oidc_port),
             "--key", os.path.join(self.pki, "oidc-issuer.key")], stdout=log, stderr=log)
        self.oidc_url = f"http://127.0.0.1:{oidc_port}"
        wait_until(lambda: answers(self.oidc, self.oidc_url + "/_sim/health"), what="OIDC issuer")
        self.console_port = console_port
        self.console_url = f"https://127.0.0.1:{console_port}/console/"
        return (config.replace("../var/sandbox/pki", self.pki)
                .replace('port="8444"', f'port="{console_port}"')
                .replace("127.0.0.1:8444", f"127.0.0.1:{console_port}")
                .replace("127.0.0.1:9200", f"127.0.0.1:{oidc_port}"))

    def _registered_mail_config(self, config):
        """Keeps <registeredMail>, on a Dovecot and a simulated IncaMail of this sandbox
        (mail_harness.MailWorkspace), so that the console shows a delivery's receipts."""
        from mail_harness import MailWorkspace
        self.mail = MailWorkspace(("incamail",),
                                  accounts={REGISTERED_SENDER: ENV_MAIL["PORTIER_INCAMAIL_SECRET"]})
        self.env.update(ENV_MAIL)
        sim = self.mail.sims["incamail"]
        self.incamail_url = sim.url
        platform = (f'<platform name="incamail" smtpUrl="smtp://127.0.0.1:{sim.smtp_port}" '
                    f'sender="{REGISTERED_SENDER}" user="{REGISTERED_SENDER}" '
                    'password="env:PORTIER_INCAMAIL_SECRET" '
                    f'imapUrl="imap://127.0.0.1:{self.mail.mailserver.port}" '
                    'imapUser="receipts-incamail" imapPassword="env:PORTIER_RECEIPTS_SECRET" '
                    f'caFile="{self.mail.tls["ca"]}" receiptCaFile="{sim.ca_path}" pollMs="200"/>')
        return re.sub(r"<platform .*?/>", platform, config, count=1, flags=re.S)

    @staticmethod
    def _rewrite(path, moved):
        with open(path) as f:
            text = f.read()
        for old, new in moved.items():
            text = text.replace(old, new)
        with open(path, "w") as f:
            f.write(text)

    def sample_flow(self, *args):
        """Runs sample_flow.py with `args` against this sandbox; its completed process."""
        return subprocess.run(["/usr/bin/python3", SAMPLE_FLOW, "--sim", self.sim_url,
                               "--portier", self.url, *args],
                              capture_output=True, text=True, timeout=120, env=self.env)

    def stop(self):
        for proc in (self.portier, self.sim, self.oidc):
            if proc and proc.poll() is None:
                proc.terminate()
                proc.wait(20)
        if self.department:
            self.department.stop()
        if self.mail:
            self.mail.close()
