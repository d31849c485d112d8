"""The identity-check setting of the integration tests: the department simulator, two
departments that check identities (one over REST that links at once, one over SOAP whose links
wait for its decision), and a portal client that signs its calls (HMAC or JWT) and records every
answer so that test_identity.py checks them all against adapters/rest/openapi.yaml."""
import base64
import hashlib
import hmac
import json
import os
import subprocess
import time
import uuid

from harness import Portier, Sim, free_port, http, wait_until, wsse_header

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SIM_SCRIPT = os.path.join(ROOT, "tests", "sim", "department", "department_sim.py")
OPENAPI = os.path.join(ROOT, "adapters", "rest", "openapi.yaml")
NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")
HMAC_KEY = "portal-hmac-test-key"
DEPARTMENT_SECRETS = {"esteuer": "esteuer-geheim", "grundbuch": "grundbuch-geheim"}
REST_SERVICE, SOAP_SERVICE = 301, 302

REST_TEMPLATE = ('{"requestId":"${requestId}","person":{"officialName":"${officialName}",'
                 '"firstName":"${firstName}","dateOfBirth":"${dateOfBirth}","vn":"${vn}",'
                 '"personIdCategory":"${personIdCategory}","personId":"${personId}"},'
                 '"representation":{"organisationUid":"${organisationUid}"}}')
SOAP_TEMPLATE = ('<st:pruefePerson xmlns:st="urn:so:steueramt:esteuerkonto:1">'
                 '<st:name>${officialName}</st:name><st:vorname>${firstName}</st:vorname>'
                 '<st:geburtsdatum>${dateOfBirth}</st:geburtsdatum><st:ahvn13>${vn}</st:ahvn13>'
                 '<st:kategorie>${personIdCategory}</st:kategorie>'
                 '<st:personennummer>${personId}</st:personennummer><st:uid>${organisationUid}</st:uid>'
                 '</st:pruefePerson>')


def mapping(name, service, endpoint, identity_check):
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<mapping xmlns="urn:portier:mapping:1" '
            f'name="{name}" displayName="{name}"><authentication><usernameToken user="{name}" '
            f'password="env:PORTIER_TEST_{name.upper()}_SECRET"/></authentication>'
            f'<services><service id="{service}"/></services>{endpoint}{identity_check}'
            '<personalData><field name="officialName"/><field name="firstName"/>'
            '<field name="dateOfBirth"/><field name="vn"/></personalData></mapping>\n')


def identity_mappings(sim_url):
    rest = mapping(
        "esteuer", REST_SERVICE,
        f'<endpoint name="identity" kind="rest" url="{sim_url}/identity/v1/checks" timeoutMs="5000">'
        f'<template name="check"><![CDATA[{REST_TEMPLATE}]]></template></endpoint>',
        '<identityCheck endpoint="identity" template="check" link="auto" minimumLevel="2">'
        '<answer result="/result" personId="/personRef/id" personIdCategory="/personRef/category" '
        'matchedOn="/matchedOn"/></identityCheck>')
    soap = mapping(
        "grundbuch", SOAP_SERVICE,
        f'<endpoint name="identity" kind="soap" url="{sim_url}/soap/identity" timeoutMs="5000">'
        f'<template name="pruefePerson"><![CDATA[{SOAP_TEMPLATE}]]></template></endpoint>',
        '<identityCheck endpoint="identity" template="pruefePerson" link="review" minimumLevel="1">'
        '<require parameter="sex"/>'
        '<answer result="//st:ergebnis" personId="//st:personennummer" '
        'personIdCategory="//st:kategorie" matchedOn="//st:abgeglichen">'
        '<namespace prefix="st" uri="urn:so:steueramt:esteuerkonto:1"/>'
        '<value department="TREFFER" result="MATCH"/><value department="KEIN_TREFFER" result="NO_MATCH"/>'
        '<value department="MEHRDEUTIG" result="AMBIGUOUS"/><value department="PRUEFEN" result="PARTIAL_MATCH"/>'
        '<value department="NICHT_BERECHTIGT" result="NOT_AUTHORISED"/></answer></identityCheck>')
    return {"esteuer": rest, "grundbuch": soap}


def make_keys(folder):
    """An RSA and a P-256 key pair for the portal's tokens (PEM files, private keys returned)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    keys = {"rsa": rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "ec": ec.generate_private_key(ec.SECP256R1())}
    for name, key in keys.items():
        with open(os.path.join(folder, f"jwt-{name}.pub.pem"), "wb") as f:
            f.write(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo))
    return keys


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(key, alg, claims):
    """A compact JWS signed with `key` (cryptography's), RS256 or ES256."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    signing_input = (b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode()) + "." +
                     b64url(json.dumps(claims).encode())).encode()
    if alg == "RS256":
        signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    else:
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return signing_input.decode() + "." + b64url(signature)


def portal_config(folder, deadline_ms=1500):
    return (f'  <portalApi deadlineMs="{deadline_ms}" retryAfterMs="20000">\n'
            f'    <bearerToken issuer="https://portal.test" audience="portier" '
            f'publicKey="{folder}/jwt-rsa.pub.pem"/>\n'
            f'    <bearerToken issuer="https://portal-ec.test" audience="portier" '
            f'publicKey="{folder}/jwt-ec.pub.pem"/>\n'
            f'    <hmac keyId="portal-1" secret="env:PORTIER_TEST_PORTAL_HMAC"/>\n'
            f'  </portalApi>\n')


class DepartmentSim:
    def __init__(self, workdir, port=0):
        self.port_file = os.path.join(workdir, "department-sim.port")
        if os.path.exists(self.port_file):
            os.remove(self.port_file)
        self.log = open(os.path.join(workdir, "department-sim.log"), "ab")
        self.proc = subprocess.Popen(["/usr/bin/python3", SIM_SCRIPT, "--port-file", self.port_file,
                                      "--port", str(port)], stdout=self.log, stderr=self.log)
        self.port = int(wait_until(lambda: os.path.exists(self.port_file) and
                                   open(self.port_file).read().strip(), what="department sim"))

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def faults(self, **plan):
        assert http("POST", self.url + "/_sim/faults", json.dumps(plan).encode())[0] == 204

    def clear_faults(self):
        http("DELETE", self.url + "/_sim/faults")

    def asked(self):
        return json.loads(http("GET", self.url + "/_sim/log")[2])["entries"]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


class Portal:
    """The portal's side: signed calls, every answer recorded for the OpenAPI check."""

    def __init__(self, portier, keys):
        self.portier = portier
        self.keys = keys
        self.recorded = []

    def call(self, method, target, body=None, spec_path=None, auth="hmac", headers=None):
        data = json.dumps(body).encode() if isinstance(body, (dict, list)) else (body or b"")
        if isinstance(data, str):
            data = data.encode()
        h = {"Content-Type": "application/json"} if data else {}
        if auth == "hmac":
            h.update(sign(method, target, data))
        elif auth in ("RS256", "ES256"):
            h["Authorization"] = "Bearer " + self.token(auth)
        h.update(headers or {})
        status, response_headers, raw = http(method, self.portier.url + target, data or None, h)
        content_type = response_headers.get("Content-Type", "")
        parsed = json.loads(raw) if raw and "json" in content_type else raw
        if spec_path:
            self.recorded.append({"method": method, "path": spec_path, "status": status,
                                  "contentType": content_type, "body": parsed})
        return status, response_headers, parsed

    def token(self, alg, **overrides):
        now = int(time.time())
        claims = {"iss": "https://portal.test" if alg == "RS256" else "https://portal-ec.test",
                  "aud": "portier", "sub": "portal", "iat": now, "exp": now + 300}
        claims.update(overrides)
        return jwt(self.keys["rsa" if alg == "RS256" else "ec"], alg, claims)

    def check(self, body, **kwargs):
        return self.call("POST", "/portal/v1/identity-checks", body, "/identity-checks", **kwargs)

    def check_openapi(self, folder):
        path = os.path.join(folder, "exchanges.json")
        with open(path, "w") as f:
            json.dump(self.recorded, f)
        result = subprocess.run(["node", os.path.join(NODE_DIR, "openapi_check.js"), OPENAPI, path],
                                capture_output=True, text=True, timeout=120)
        return result.returncode, result.stdout + result.stderr


def sign(method, target, body, key=HMAC_KEY, timestamp=None, nonce=None):
    timestamp = str(timestamp if timestamp is not None else int(time.time()))
    nonce = nonce or uuid.uuid4().hex
    text = "\n".join([method, target, timestamp, nonce, hashlib.sha256(body).hexdigest()])
    signature = base64.b64encode(hmac.new(key.encode(), text.encode(), hashlib.sha256).digest())
    return {"X-Portier-Key-Id": "portal-1", "X-Portier-Timestamp": timestamp,
            "X-Portier-Nonce": nonce, "X-Portier-Signature": signature.decode()}


def decide_envelope(department, link_id, decision, decided_by="sachbearbeiterin.keller"):
    return ('<?xml version="1.0" encoding="UTF-8"?><s:Envelope '
            'xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:p="urn:portier:department:1">'
            + wsse_header(department, DEPARTMENT_SECRETS[department]) +
            f'<s:Body><p:decideIdentityLink><p:header><p:senderId>{department}</p:senderId>'
            f'<p:messageId>{uuid.uuid4()}</p:messageId></p:header><p:linkId>{link_id}</p:linkId>'
            f'<p:decision>{decision}</p:decision><p:decidedBy>{decided_by}</p:decidedBy>'
            '</p:decideIdentityLink></s:Body></s:Envelope>')


def list_events_envelope(department):
    return ('<?xml version="1.0" encoding="UTF-8"?><s:Envelope '
            'xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:p="urn:portier:department:1">'
            + wsse_header(department, DEPARTMENT_SECRETS[department]) +
            f'<s:Body><p:listEvents><p:header><p:senderId>{department}</p:senderId>'
            f'<p:messageId>{uuid.uuid4()}</p:messageId></p:header></p:listEvents></s:Body>'
            '</s:Envelope>')


class IdentityWorkspace:
    def __init__(self, folder, deadline_ms=1500):
        self.dir = folder
        self.keys = make_keys(folder)
        self.department = DepartmentSim(folder)
        self.sim = Sim(folder)
        env = {f"PORTIER_TEST_{n.upper()}_SECRET": s for n, s in DEPARTMENT_SECRETS.items()}
        env["PORTIER_TEST_PORTAL_HMAC"] = HMAC_KEY
        self.portier = Portier(folder, self.sim, extra_config=portal_config(folder, deadline_ms),
                               extra_env=env, extra_mappings=identity_mappings(self.department.url))
        self.portal = Portal(self.portier, self.keys)

    def close(self):
        self.portier.stop()
        self.sim.stop()
        self.department.stop()
