"""Starts the real portierd and portier-sim on free loopback ports in temporary folders.

Binaries come from PORTIER_BIN_DIR (set by CTest). Every process is stopped when its owner is
closed, so a failing test leaves nothing running.
"""
import base64
import datetime
import hashlib
import json
import os
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.request

BIN_DIR = os.environ.get("PORTIER_BIN_DIR", os.path.join(os.path.dirname(__file__), "../../build"))
PORTAL_SECRET = "integration-secret"

# The departments of the integration tests: name -> (UsernameToken password, service ids,
# status table). Each gets a mapping file in the test's folder.
DEPARTMENTS = {
    "steueramt": ("steuer-geheim", (7, 101), {"VERANLAGT": ("DECIDED", "Die Veranlagung ist erstellt")}),
    "mfk": ("mfk-geheim", (3, 201), {}),
    "d": ("d-geheim", (1, 42), {}),
}
# A department that authenticates by client certificate only (see make_pki in the TLS tests).
CERTIFICATE_DEPARTMENT = ("zertifikat", "CN=portier-client,O=Kanton Test", (5,))

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
TOKEN_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"


def password_of(department):
    return DEPARTMENTS[department][0]


def token_of(department):
    """The department's Thrift token (its mapping's <apiToken>)."""
    return f"{department}-thrift-token-{DEPARTMENTS[department][0]}"


def mapping_xml(name, auth, services, statuses=None):
    rows = "".join(f'<status code="{code}" portal="{portal}" text="{text}"/>'
                   for code, (portal, text) in (statuses or {}).items())
    table = f"<statusTable>{rows}</statusTable>" if rows else ""
    table += ('<documents prefix="KantonSolothurn"><kind name="Veranlagungsverfuegung" '
              'fileName="${prefix}-${kind}-${date}.pdf" title="${kind} - ${date}"/>'
              '<kind name="Verfuegung" deadlineDays="20" allowActiveContent="embeddedFile"/>'
              '</documents>')
    service_xml = "".join(f'<service id="{s}"/>' for s in services)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<mapping xmlns="urn:portier:mapping:1" '
            f'name="{name}" displayName="{name}"><authentication>{auth}</authentication>'
            f"<services>{service_xml}</services>{table}"
            '<personalData><field name="ownerId"/><field name="title"/></personalData>'
            "</mapping>\n")


def write_mappings(folder):
    os.makedirs(folder, exist_ok=True)
    env = {}
    for name, (password, services, statuses) in DEPARTMENTS.items():
        var = f"PORTIER_TEST_{name.upper()}_SECRET"
        env[var] = password
        token_var = f"PORTIER_TEST_{name.upper()}_TOKEN"
        env[token_var] = token_of(name)
        auth = (f'<usernameToken user="{name}" password="env:{var}"/>'
                f'<apiToken token="env:{token_var}"/>')
        with open(os.path.join(folder, f"{name}.xml"), "w") as f:
            f.write(mapping_xml(name, auth, services, statuses))
    name, subject, services = CERTIFICATE_DEPARTMENT
    with open(os.path.join(folder, f"{name}.xml"), "w") as f:
        f.write(mapping_xml(name, f'<clientCertificate subject="{subject}"/>', services))
    return env


def wsse_header(user, password, created=None, nonce=None):
    """A WS-Security UsernameToken header with PasswordDigest, as zeep and npm soap send it."""
    nonce = nonce or os.urandom(16)
    created = created or datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    digest = base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode())
                              .digest()).decode()
    return (f'<s:Header><wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}">'
            f"<wsse:UsernameToken><wsse:Username>{user}</wsse:Username>"
            f'<wsse:Password Type="{TOKEN_PROFILE}#PasswordDigest">{digest}</wsse:Password>'
            f"<wsse:Nonce>{base64.b64encode(nonce).decode()}</wsse:Nonce>"
            f"<wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security>"
            f"</s:Header>")


def binary(name):
    for sub in ("", "core/app", "tests/sim"):
        path = os.path.join(BIN_DIR, sub, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"{name} not built in {BIN_DIR}")


def stop_process(proc, grace):
    """SIGTERM, `grace` seconds to finish, then SIGKILL."""
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None, headers=None, timeout=10, context=None):
    """Returns (status, headers, body bytes); never raises for HTTP error statuses. `context`:
    the ssl.SSLContext for an https URL (trust and client certificate)."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=context) as r:
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
    """portier-sim: the simulated portal.

    `tls`: serve HTTPS with mutual TLS, a dict of PEM files: "certificate" and "key" (the
    listener's), "client_ca" (client certificates must be issued by it), and what the harness
    itself uses to reach the control endpoints: "ca" (trusted for the listener) and
    "client_certificate" with "client_key"."""

    def __init__(self, workdir, port=None, tls=None):
        self.workdir = workdir
        self.port = port or free_port()
        self.proc = None
        self.tls = tls
        self.context = None
        if tls:
            self.context = ssl.create_default_context(cafile=tls["ca"])
            self.context.load_cert_chain(tls["client_certificate"], tls["client_key"])
        self.start()

    @property
    def url(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self):
        env = dict(os.environ, PORTIER_PORTAL_SECRET=PORTAL_SECRET)
        self.log = open(os.path.join(self.workdir, "sim.log"), "ab")
        self.proc = subprocess.Popen(
            [binary("portier-sim"), "--listen", f"127.0.0.1:{self.port}",
             "--portal-client-id", "portier-test",
             "--portal-client-secret-env", "PORTIER_PORTAL_SECRET",
             # Documents are in the inbox at the adapter's next read (tests wait for that).
             "--rc-store-delay-seconds", "0", *self._tls_options()],
            stdout=self.log, stderr=self.log, env=env)
        wait_until(lambda: self._alive(), what="portier-sim to listen")

    def _tls_options(self):
        if not self.tls:
            return []
        return ["--tls-certificate", self.tls["certificate"], "--tls-key", self.tls["key"],
                "--tls-client-ca", self.tls["client_ca"]]

    def _alive(self):
        try:
            return http("GET", self.url + "/_sim/state", timeout=1, context=self.context)[0] == 200
        except OSError:
            return False

    def state(self):
        return json.loads(http("GET", self.url + "/_sim/state", context=self.context)[2])

    def portal(self):
        return self.state()["portal"]

    def requests(self):
        return json.loads(http("GET", self.url + "/_sim/log", context=self.context)[2])["entries"]

    def faults(self, **plan):
        status, _, body = http("POST", self.url + "/_sim/faults", json.dumps(plan).encode(),
                               {"Content-Type": "application/json"}, context=self.context)
        assert status in (200, 201, 204), body

    def clear_faults(self):
        http("DELETE", self.url + "/_sim/faults", context=self.context)

    def stop(self):
        stop_process(self.proc, 10)
        self.proc = None


CONFIG_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<portier xmlns="urn:portier:config:1">
  <log level="{log_level}"/>
  <listener name="main" address="127.0.0.1" port="{port}">{tls}</listener>
  <limits maxBodyBytes="{max_body}" maxInFlight="{max_in_flight}"/>
  {journal_xml}
  <workers io="2" dispatch="4"/>
  <portal baseUrl="{sim}/api/v9" tokenUrl="{sim}/oauth2/token" clientId="portier-test"
          clientSecret="env:PORTIER_PORTAL_SECRET" timeoutMs="5000"
          scope="businesscases.write activities.write messages.write"{portal_ca}>{portal_client}</portal>
  <rcAdapter baseUrl="{sim}/rc-adapter/v1" statusPollMs="100"/>
  <documents folder="{documents}" maxBytes="{max_document}"/>
{extra_config}  <destination name="portal" concurrency="4"{portal_destination}>
    <retry initialDelayMs="{retry_ms}" maxDelayMs="{retry_max_ms}" maxAttempts="{max_attempts}" attemptTimeoutMs="3000"/>
    <circuitBreaker failureThreshold="5" openMs="300"/>
  </destination>
  <mappings folder="{mappings}"/>
  <drain timeoutMs="10000"/>
</portier>
"""


class Portier:
    """portierd with a configuration of its own in `workdir`."""

    def __init__(self, workdir, sim, tls="", max_body=1048576, max_in_flight=256,
                 retry_ms=50, retry_max_ms=500, max_attempts=20, log_level="info",
                 max_document=4000000, extra_config="", extra_env=None, extra_mappings=None,
                 journal_xml=None, documents=None, portal_destination="", portal_tls=None):
        """`extra_config`: elements placed after <documents> (e.g. <registeredMail>), with
        the secrets they reference in `extra_env`. `extra_mappings`: {name: mapping XML}
        written beside the test departments' mappings. `journal_xml`: the <journal> element
        (default: SQLite in `workdir`). `documents`: the document store's folder (default in
        `workdir`; instances sharing a journal share it too). `portal_destination`: more
        attributes of the portal's <destination> (e.g. ' maxBacklog="20"'). `portal_tls`:
        (caFile, client certificate XML or "") of the portal, which the RC adapter shares."""
        self.workdir = workdir
        self.port = free_port()
        self.journal = os.path.join(workdir, "journal.db")
        self.config = os.path.join(workdir, "portier.xml")
        self.mappings = os.path.join(workdir, "mappings")
        mapping_env = write_mappings(self.mappings)
        for name, xml in (extra_mappings or {}).items():
            with open(os.path.join(self.mappings, f"{name}.xml"), "w") as f:
                f.write(xml)
        self.scheme = "https" if tls else "http"
        with open(self.config, "w") as f:
            f.write(CONFIG_TEMPLATE.format(
                port=self.port, tls=tls, mappings=self.mappings,
                journal_xml=journal_xml or f'<journal><sqlite path="{self.journal}"/></journal>',
                documents=documents or os.path.join(workdir, "documents"),
                sim=sim.url, max_body=max_body, max_document=max_document,
                max_in_flight=max_in_flight, retry_ms=retry_ms, retry_max_ms=retry_max_ms,
                max_attempts=max_attempts, log_level=log_level, extra_config=extra_config,
                portal_destination=portal_destination,
                portal_ca=f' caFile="{portal_tls[0]}"' if portal_tls else "",
                portal_client=portal_tls[1] if portal_tls else ""))
        self.env = dict(os.environ, PORTIER_PORTAL_SECRET=PORTAL_SECRET, **mapping_env,
                        **(extra_env or {}))
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
        stop_process(self.proc, 20)


def soap_envelope(operation, fields, version="1.1", sender=None):
    """An envelope; with `sender`, signed in by that test department's UsernameToken."""
    env_ns = ("http://schemas.xmlsoap.org/soap/envelope/" if version == "1.1"
              else "http://www.w3.org/2003/05/soap-envelope")
    header = wsse_header(sender, password_of(sender)) if sender in DEPARTMENTS else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>'
            f'<s:Envelope xmlns:s="{env_ns}" xmlns:p="urn:portier:department:1">{header}'
            f'<s:Body><p:{operation}>{fields}</p:{operation}></s:Body></s:Envelope>')


def header_xml(sender, message_id, bpid=None):
    bp = f"<p:businessProcessId>{bpid}</p:businessProcessId>" if bpid else ""
    return (f"<p:header><p:senderId>{sender}</p:senderId><p:messageId>{message_id}</p:messageId>"
            f"{bp}</p:header>")


def open_case_envelope(sender, message_id, owner="owner-1", service=None, title="Steuererklaerung"):
    service = service or DEPARTMENTS.get(sender, (None, (1,)))[1][0]
    return soap_envelope("openBusinessCase",
                         header_xml(sender, message_id) + f"<p:serviceId>{service}</p:serviceId>"
                         f"<p:ownerId>{owner}</p:ownerId><p:title>{title}</p:title>",
                         sender=sender)


def report_status_envelope(sender, message_id, bpid, status="IN_PROGRESS", text="in Bearbeitung"):
    return soap_envelope("reportStatus", header_xml(sender, message_id, bpid) +
                         f"<p:status>{status}</p:status><p:statusText>{text}</p:statusText>",
                         sender=sender)


def work_items(journal_path):
    """Rows of the journal's work_items table (read-only; WAL lets us read beside portierd)."""
    import sqlite3
    db = sqlite3.connect(f"file:{journal_path}?mode=ro", uri=True)
    try:
        return db.execute("SELECT id, state, business_process_id FROM work_items").fetchall()
    finally:
        db.close()


def journal_counts(journal_path):
    """Rows in what an intake stores: intake, work items, business cases, evidence."""
    import sqlite3
    db = sqlite3.connect(f"file:{journal_path}?mode=ro", uri=True)
    try:
        return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("intake", "work_items", "business_cases", "evidence"))
    finally:
        db.close()


def audit_entries(journal_path):
    import sqlite3
    db = sqlite3.connect(f"file:{journal_path}?mode=ro", uri=True)
    try:
        return db.execute("SELECT department, operation, reason FROM audit ORDER BY seq").fetchall()
    finally:
        db.close()


def zeep_client(portier, department, binding="DepartmentSoap11", session=None):
    """A zeep client from the served WSDL, signed in with the department's UsernameToken."""
    import zeep
    from zeep.transports import Transport
    from zeep.wsse.username import UsernameToken
    wsse = UsernameToken(department, password_of(department), use_digest=True)
    transport = Transport(session=session) if session else None
    kwargs = {"wsse": wsse}
    if transport:
        kwargs["transport"] = transport
    return zeep.Client(portier.wsdl, **kwargs).bind("PortierDepartmentService", binding)


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
