"""Starts the real portierd and portier-sim on free loopback ports in temporary folders.

Binaries come from PORTIER_BIN_DIR (set by CTest). Every process is stopped when its owner is
closed, so a failing test leaves nothing running.
"""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

BIN_DIR = os.environ.get("PORTIER_BIN_DIR", os.path.join(os.path.dirname(__file__), "../../build"))
PORTAL_SECRET = "integration-secret"


def binary(name):
    for sub in ("", "core/app", "tests/sim"):
        path = os.path.join(BIN_DIR, sub, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"{name} not built in {BIN_DIR}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None, headers=None, timeout=10):
    """Returns (status, headers, body bytes); never raises for HTTP error statuses."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def wait_until(predicate, timeout=30, interval=0.05, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Sim:
    """portier-sim: the simulated portal."""

    def __init__(self, workdir, port=None):
        self.workdir = workdir
        self.port = port or free_port()
        self.proc = None
        self.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        env = dict(os.environ, PORTIER_PORTAL_SECRET=PORTAL_SECRET)
        self.log = open(os.path.join(self.workdir, "sim.log"), "ab")
        self.proc = subprocess.Popen(
            [binary("portier-sim"), "--listen", f"127.0.0.1:{self.port}",
             "--portal-client-id", "portier-test",
             "--portal-client-secret-env", "PORTIER_PORTAL_SECRET"],
            stdout=self.log, stderr=self.log, env=env)
        wait_until(lambda: self._alive(), what="portier-sim to listen")

    def _alive(self):
        try:
            return http("GET", self.url + "/_sim/state", timeout=1)[0] == 200
        except OSError:
            return False

    def state(self):
        return json.loads(http("GET", self.url + "/_sim/state")[2])

    def portal(self):
        return self.state()["portal"]

    def requests(self):
        return json.loads(http("GET", self.url + "/_sim/log")[2])["entries"]

    def faults(self, **plan):
        status, _, body = http("POST", self.url + "/_sim/faults", json.dumps(plan).encode(),
                               {"Content-Type": "application/json"})
        assert status in (200, 201, 204), body

    def clear_faults(self):
        http("DELETE", self.url + "/_sim/faults")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


CONFIG_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<portier xmlns="urn:portier:config:1">
  <log level="{log_level}"/>
  <listener name="main" address="127.0.0.1" port="{port}">{tls}</listener>
  <limits maxBodyBytes="{max_body}" maxInFlight="{max_in_flight}"/>
  <journal><sqlite path="{journal}"/></journal>
  <workers io="2" dispatch="4"/>
  <portal baseUrl="{sim}/api/v9" tokenUrl="{sim}/oauth2/token" clientId="portier-test"
          clientSecret="env:PORTIER_PORTAL_SECRET" timeoutMs="5000"/>
  <destination name="portal" concurrency="4">
    <retry initialDelayMs="{retry_ms}" maxDelayMs="{retry_max_ms}" maxAttempts="{max_attempts}" attemptTimeoutMs="3000"/>
    <circuitBreaker failureThreshold="5" openMs="300"/>
  </destination>
  <drain timeoutMs="10000"/>
</portier>
"""


class Portier:
    """portierd with a configuration of its own in `workdir`."""

    def __init__(self, workdir, sim, tls="", max_body=1048576, max_in_flight=256,
                 retry_ms=50, retry_max_ms=500, max_attempts=20, log_level="info"):
        self.workdir = workdir
        self.port = free_port()
        self.journal = os.path.join(workdir, "journal.db")
        self.config = os.path.join(workdir, "portier.xml")
        self.scheme = "https" if tls else "http"
        with open(self.config, "w") as f:
            f.write(CONFIG_TEMPLATE.format(
                port=self.port, tls=tls, journal=self.journal, sim=sim.url, max_body=max_body,
                max_in_flight=max_in_flight, retry_ms=retry_ms, retry_max_ms=retry_max_ms,
                max_attempts=max_attempts, log_level=log_level))
        self.env = dict(os.environ, PORTIER_PORTAL_SECRET=PORTAL_SECRET)
        self.proc = None
        self.start()

    @property
    def url(self):
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def wsdl(self):
        return self.url + "/soap/v1?wsdl"

    def start(self, wait=True):
        self.log_path = os.path.join(self.workdir, "portierd.log")
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([binary("portierd"), "--config", self.config],
                                     stdout=self.log, stderr=self.log, env=self.env)
        if wait and not self.scheme == "https":
            wait_until(self._ready, what="portierd to be ready")
        elif wait:
            wait_until(self._listening, what="portierd to listen")

    def _listening(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"portierd exited with {self.proc.returncode}:\n{self.logs()}")
        try:
            socket.create_connection(("127.0.0.1", self.port), 0.5).close()
            return True
        except OSError:
            return False

    def _ready(self):
        return self._listening() and http("GET", self.url + "/readyz", timeout=2)[0] == 200

    def logs(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def ctl(self, *args, check=True):
        result = subprocess.run([binary("portierctl"), "--config", self.config, *args],
                                capture_output=True, text=True, env=self.env, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"portierctl {' '.join(args)} failed ({result.returncode}):\n"
                                 f"{result.stdout}{result.stderr}")
        return result

    def post_soap(self, envelope, version="1.1", action=None, timeout=10):
        headers = {"Content-Type": "text/xml; charset=utf-8"}
        if version == "1.2":
            headers = {"Content-Type": "application/soap+xml; charset=utf-8"}
        if action:
            headers["SOAPAction"] = f'"{action}"'
        body = envelope if isinstance(envelope, bytes) else envelope.encode()
        return http("POST", self.url + "/soap/v1", body, headers, timeout=timeout)

    def kill(self, sig=signal.SIGKILL):
        self.proc.send_signal(sig)
        return self.proc.wait(30)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def soap_envelope(operation, fields, version="1.1"):
    env_ns = ("http://schemas.xmlsoap.org/soap/envelope/" if version == "1.1"
              else "http://www.w3.org/2003/05/soap-envelope")
    return (f'<?xml version="1.0" encoding="UTF-8"?>'
            f'<s:Envelope xmlns:s="{env_ns}" xmlns:p="urn:portier:department:1">'
            f'<s:Body><p:{operation}>{fields}</p:{operation}></s:Body></s:Envelope>')


def header_xml(sender, message_id, bpid=None):
    bp = f"<p:businessProcessId>{bpid}</p:businessProcessId>" if bpid else ""
    return (f"<p:header><p:senderId>{sender}</p:senderId><p:messageId>{message_id}</p:messageId>"
            f"{bp}</p:header>")


def open_case_envelope(sender, message_id, owner="owner-1", service=42, title="Steuererklaerung"):
    return soap_envelope("openBusinessCase",
                         header_xml(sender, message_id) + f"<p:serviceId>{service}</p:serviceId>"
                         f"<p:ownerId>{owner}</p:ownerId><p:title>{title}</p:title>")


def report_status_envelope(sender, message_id, bpid, status="IN_PROGRESS", text="in Bearbeitung"):
    return soap_envelope("reportStatus", header_xml(sender, message_id, bpid) +
                         f"<p:status>{status}</p:status><p:statusText>{text}</p:statusText>")


def work_items(journal_path):
    """Rows of the journal's work_items table (read-only; WAL lets us read beside portierd)."""
    import sqlite3
    db = sqlite3.connect(f"file:{journal_path}?mode=ro", uri=True)
    try:
        return db.execute("SELECT id, state, business_process_id FROM work_items").fetchall()
    finally:
        db.close()


def journal_counts(journal_path):
    import sqlite3
    db = sqlite3.connect(f"file:{journal_path}?mode=ro", uri=True)
    try:
        return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("intake", "work_items", "business_cases", "evidence"))
    finally:
        db.close()


class Workspace:
    """A temporary folder with a simulator and a portierd, closed together."""

    def __init__(self, **portier_options):
        self.tmp = tempfile.TemporaryDirectory(prefix="portier-it-")
        self.dir = self.tmp.name
        self.sim = Sim(self.dir)
        self.portier = Portier(self.dir, self.sim, **portier_options)

    def close(self):
        self.portier.stop()
        self.sim.stop()
        self.tmp.cleanup()
