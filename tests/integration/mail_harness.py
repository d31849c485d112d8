"""Starts a test Dovecot and delivery-platform simulators on free loopback ports in a temporary
folder, and reads the receipts they mail, for tests of registered mail.

    ws = MailWorkspace(platforms=("incamail", "privasphere"))
    sim = ws.sims["incamail"]          # PlatformSim: smtp_port, url, state(), act(), ...
    box = ws.mailboxes["incamail"]     # Mailbox: the sender account's receipt mailbox
    ws.close()

Every process is stopped when the workspace is closed, so a failing test leaves nothing running.
"""
import email
import email.message
import email.policy
import email.utils
import imaplib
import json
import os
import smtplib
import ssl
import subprocess
import sys
import tempfile
import time

from harness import http, stop_process, wait_until

PLATFORM_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "../sim/platform"))
sys.path.insert(0, PLATFORM_DIR)
import mailserver  # noqa: E402
import testpki  # noqa: E402

PYTHON = "/usr/bin/python3"  # Debian's, where aiosmtpd and cryptography are installed
SENDER = ("amt@kanton.test", "amt-secret")


class PlatformSim:
    """platform_sim.py as a child process; control calls return the parsed JSON answer."""

    def __init__(self, workdir, platform, tls, accounts, imap=None, ca=None):
        """`imap`: (port, user, password) of the receipt mailbox; `ca`: (cert, key) of the
        seal CA to use instead of one made in `workdir`."""
        self.workdir = workdir
        self.platform = platform
        self.port_file = os.path.join(workdir, "ports.json")
        self.args = [PYTHON, os.path.join(PLATFORM_DIR, "platform_sim.py"),
                     "--platform", platform, "--dir", workdir, "--port-file", self.port_file,
                     "--cert", tls["cert"], "--key", tls["key"]]
        for address, password in accounts.items():
            self.args += ["--account", f"{address}:{password}"]
        if imap:
            port, user, password = imap
            self.args += ["--imap-port", str(port), "--imap-user", user,
                          "--imap-password", password, "--imap-ca", tls["ca"]]
        if ca:
            self.args += ["--ca-cert", ca[0], "--ca-key", ca[1]]
        self.proc = None
        self.start()

    def start(self):
        if os.path.exists(self.port_file):
            os.remove(self.port_file)
        self.log = open(os.path.join(self.workdir, "platform_sim.log"), "ab")
        self.proc = subprocess.Popen(self.args, stdout=self.log, stderr=self.log)
        wait_until(self._listening, timeout=20, what=f"platform_sim {self.platform} to listen")
        with open(self.port_file) as f:
            ports = json.load(f)
        self.smtp_port, self.http_port = ports["smtp"], ports["http"]

    def _listening(self):
        if self.proc.poll() is not None:
            with open(os.path.join(self.workdir, "platform_sim.log"), errors="replace") as f:
                raise AssertionError(f"platform_sim exited with {self.proc.returncode}:\n"
                                     f"{f.read()}")
        return os.path.exists(self.port_file)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def ca_path(self):
        return os.path.join(self.workdir, "ca.pem")

    def call(self, method, path, body=None):
        """(status, parsed JSON) of a control call."""
        data = json.dumps(body).encode() if body is not None else None
        status, _, answer = http(method, self.url + path, data,
                                 {"Content-Type": "application/json"})
        return status, json.loads(answer) if answer.strip() else None

    def _ok(self, method, path, body=None):
        status, answer = self.call(method, path, body)
        assert status == 200, f"{method} {path} -> {status}: {answer}"
        return answer

    def state(self):
        return self._ok("GET", "/_sim/state")

    def message(self, message_id):
        return next((m for m in self.state()["messages"] if m["messageId"] == message_id), None)

    def act(self, message_id, action):
        return self._ok("POST", "/_sim/act", {"messageId": message_id, "action": action})

    def advance(self, **delta):
        return self._ok("POST", "/_sim/advance", delta)

    def set_clock(self, now):
        return self._ok("POST", "/_sim/clock", {"now": now})

    def recipient(self, address, auto_accept=False, blocks_registered=False):
        return self._ok("POST", "/_sim/recipients", {"email": address, "autoAccept": auto_accept,
                                                     "blocksRegistered": blocks_registered})

    def fault(self, smtp, count=1):
        return self._ok("POST", "/_sim/faults", {"smtp": smtp, "count": count})

    def reset(self):
        return self._ok("POST", "/_sim/reset", {})

    def events(self, since=0):
        return self._ok("GET", f"/_sim/log?since={since}")["entries"]

    def ca_pem(self):
        return http("GET", self.url + "/_sim/ca.pem")[2]

    def stop(self):
        stop_process(self.proc, 10)
        self.proc = None


class Mailbox:
    """One IMAP account, read with stdlib imaplib over STARTTLS; reading never sets \\Seen."""

    def __init__(self, port, user, password, ca):
        self.port, self.user, self.password, self.ca = port, user, password, ca

    def connect(self):
        connection = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        connection.starttls(ssl.create_default_context(cafile=self.ca))
        connection.login(self.user, self.password)
        return connection

    def messages(self, mailbox="INBOX"):
        """[(uid, raw bytes)] in UID order."""
        connection = self.connect()
        try:
            connection.select(mailbox, readonly=True)
            _, found = connection.uid("SEARCH", None, "ALL")
            result = []
            for uid in found[0].split():
                _, data = connection.uid("FETCH", uid, "(BODY.PEEK[])")
                result.append((int(uid), data[0][1]))
            return result
        finally:
            connection.logout()

    def receipts_for(self, message_id):
        """The parsed receipts whose In-Reply-To is `message_id`, oldest first."""
        parsed = (email.message_from_bytes(raw, policy=email.policy.default)
                  for _, raw in self.messages())
        return [m for m in parsed if str(m.get("In-Reply-To", "")).strip() == message_id]

    def wait_for_receipts(self, message_id, count, timeout=10):
        """Waits until `count` receipts for the message are there; returns them."""
        found = []

        def enough():
            found[:] = self.receipts_for(message_id)
            return len(found) >= count
        wait_until(enough, timeout=timeout, interval=0.05,
                   what=f"{count} receipt(s) for {message_id}")
        return found


def receipt_parts(receipt):
    """(pdf bytes, p7s bytes) of a parsed receipt."""
    parts = {p.get_filename(): p.get_content() for p in receipt.iter_attachments()}
    return parts["receipt.pdf"], parts["receipt.pdf.p7s"]


def verify_receipt(pdf, p7s, ca_path, workdir):
    """openssl cms -verify of the detached signature; returns the CompletedProcess."""
    fd, pdf_path = tempfile.mkstemp(suffix=".pdf", dir=workdir)
    with os.fdopen(fd, "wb") as f:
        f.write(pdf)
    fd, p7s_path = tempfile.mkstemp(suffix=".p7s", dir=workdir)
    with os.fdopen(fd, "wb") as f:
        f.write(p7s)
    return subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER",
                           "-content", pdf_path, "-in", p7s_path, "-CAfile", ca_path,
                           "-out", os.devnull], capture_output=True, text=True, timeout=30)


def submission(sender, recipient, subject, message_id, pdf=b"%PDF-1.4\n%test\n",
               pdf_name="dokument.pdf"):
    """A message as Portier submits it: multipart/mixed, a short text, then the PDF."""
    message = email.message.EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, recipient, subject
    message["Message-ID"] = message_id
    message["Date"] = email.utils.format_datetime(email.utils.localtime())
    message.set_content("Sie haben ein Dokument erhalten.\n")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=pdf_name)
    return message


def smtp_client(sim, ca, login=SENDER):
    """smtplib connected to the simulator, after STARTTLS and AUTH (`login` None: no AUTH)."""
    client = smtplib.SMTP("127.0.0.1", sim.smtp_port, timeout=10)
    client.starttls(context=ssl.create_default_context(cafile=ca))
    if login:
        client.login(*login)
    return client


def submit(sim, ca, message, login=SENDER):
    with smtp_client(sim, ca, login) as client:
        return client.send_message(message)


class MailWorkspace:
    """A temporary folder with TLS certificates, one Dovecot and one simulator per platform;
    each simulator mails its receipts to its own Dovecot user `receipts-<platform>`."""

    def __init__(self, platforms=("incamail",), accounts=None):
        self.tmp = tempfile.TemporaryDirectory(prefix="portier-mail-")
        self.dir = self.tmp.name
        os.chmod(self.dir, 0o711)  # Dovecot's unprivileged processes pass through it
        self.sims, self.mailboxes = {}, {}
        self.mailserver = None
        try:
            self.tls = testpki.make_tls(os.path.join(self.dir, "tls"))
            users = {f"receipts-{p}": f"{p}-imap-secret" for p in platforms}
            self.mailserver = mailserver.MailServer(os.path.join(self.dir, "dovecot"),
                                                    self.tls["cert"], self.tls["key"],
                                                    users).start()
            for platform in platforms:
                user = f"receipts-{platform}"
                folder = os.path.join(self.dir, platform)
                os.makedirs(folder)
                self.sims[platform] = PlatformSim(
                    folder, platform, self.tls, accounts or dict([SENDER]),
                    imap=(self.mailserver.port, user, users[user]))
                self.mailboxes[platform] = Mailbox(self.mailserver.port, user, users[user],
                                                   self.tls["ca"])
        except BaseException:
            self.close()
            raise

    def close(self):
        for sim in self.sims.values():
            sim.stop()
        if self.mailserver:
            self.mailserver.stop()
        self.tmp.cleanup()


def unique_id(label):
    return f"<{label}-{time.time_ns()}@portier.test>"


MESSAGE_ID_DOMAIN = "portier.test"

REGISTERED_MAIL = """  <registeredMail messageIdDomain="{domain}" warnBeforeHours="{warn_hours}"
                  holidays="2026-12-24 2026-12-25">
{platforms}  </registeredMail>
  <destination name="securemail" concurrency="2">
    <retry initialDelayMs="50" maxDelayMs="500" maxAttempts="5" attemptTimeoutMs="10000"/>
  </destination>
"""

PLATFORM = """    <platform name="{name}" smtpUrl="smtp://127.0.0.1:{smtp}" sender="{sender}"
              user="{sender}" password="env:PORTIER_SMTP_SECRET"
              imapUrl="imap://127.0.0.1:{imap}" imapUser="receipts-{name}"
              imapPassword="env:PORTIER_IMAP_{upper}" caFile="{tls_ca}"
              receiptCaFile="{seal_ca}" pollMs="100" timeoutMs="10000"
              maxReceiptBytes="1048576"/>
"""


class RegisteredWorkspace:
    """MailWorkspace plus the portal simulator and a portierd that delivers registered mail
    through the platform simulators and collects their receipts."""

    def __init__(self, platforms=("incamail", "privasphere"), warn_hours=24):
        from harness import Portier, Sim
        self.mail = MailWorkspace(platforms)
        self.dir = self.mail.dir
        self.sim = self.portier = None
        try:
            self.sim = Sim(self.dir)
            config = REGISTERED_MAIL.format(
                domain=MESSAGE_ID_DOMAIN, warn_hours=warn_hours,
                platforms="".join(PLATFORM.format(
                    name=p, upper=p.upper(), smtp=self.mail.sims[p].smtp_port,
                    imap=self.mail.mailserver.port, sender=SENDER[0], tls_ca=self.mail.tls["ca"],
                    seal_ca=self.mail.sims[p].ca_path) for p in platforms))
            env = {"PORTIER_SMTP_SECRET": SENDER[1]}
            env.update({f"PORTIER_IMAP_{p.upper()}": f"{p}-imap-secret" for p in platforms})
            self.portier = Portier(self.dir, self.sim, extra_config=config, extra_env=env)
        except BaseException:
            self.close()
            raise

    @property
    def sims(self):
        return self.mail.sims

    @property
    def mailboxes(self):
        return self.mail.mailboxes

    def close(self):
        if self.portier:
            self.portier.stop()
        if self.sim:
            self.sim.stop()
        self.mail.close()


def message_id_of(delivery_id):
    return f"<{delivery_id}@{MESSAGE_ID_DOMAIN}>"
