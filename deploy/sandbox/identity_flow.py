"""The sandbox's identity checks, from the portal's side: the portal asks Portier's REST interface
(/portal/v1, adapters/rest/README.md) whether one of its accounts is a person in a department's
system, signing every call with HMAC-SHA256 (the key of config/sandbox.xml's <portalApi>);
Portier asks the department simulator (tests/sim/department/) as the mappings say.

- the Betreibungsamt (mappings/betreibungsamt.xml, link="auto"): a match links the account at
  once;
- the Steueramt (mappings/steueramt.xml, link="review"): a match waits for the Steueramt's
  decision (PENDING_REVIEW), the Steueramt approves it with decideIdentityLink over SOAP, and
  the portal's next check is answered MATCH from the link without asking the department.

Only the standard library signs and sends the REST calls, so a portal developer can copy it."""
import base64
import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.request
import uuid

# Hans Müller of the simulator's register (tests/sim/department/register.json).
MUELLER = {"officialName": "Müller", "firstName": "Hans",
           "dateOfBirth": {"yearMonthDay": "1980-04-12"}, "vn": "7561234567897"}
ACCOUNT = "profile-4711"
BETREIBUNGSAMT_SERVICE, STEUERAMT_SERVICE = 301, 101


def signed_headers(key_id, secret, method, target, body):
    """X-Portier-* headers: Base64(HMAC-SHA256(secret, METHOD\\nTARGET\\nTIMESTAMP\\nNONCE\\n
    hex(SHA-256(body)))), a fresh nonce per call (Portier accepts each nonce once)."""
    timestamp, nonce = str(int(time.time())), uuid.uuid4().hex
    text = "\n".join([method, target, timestamp, nonce, hashlib.sha256(body).hexdigest()])
    signature = hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()
    return {"X-Portier-Key-Id": key_id, "X-Portier-Timestamp": timestamp,
            "X-Portier-Nonce": nonce, "X-Portier-Signature": base64.b64encode(signature).decode()}


class Portal:
    def __init__(self, portier, key_id, secret):
        self.portier, self.key_id, self.secret = portier, key_id, secret

    def call(self, method, target, body=None):
        data = json.dumps(body).encode() if body is not None else b""
        headers = signed_headers(self.key_id, self.secret, method, target, data)
        if body is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.portier + target, data=data or None, method=method,
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as e:  # a problem+json answer is still an answer
            return e.code, json.loads(e.read() or b"{}")

    def check(self, service, level=2):
        return self.call("POST", "/portal/v1/identity-checks", {
            "requestId": str(uuid.uuid4()),
            "portal": {"accountId": ACCOUNT, "identificationLevel": level,
                       "identityProvider": "SwissID"},
            "serviceId": service, "person": MUELLER})


def describe(answer):
    ref = answer.get("departmentPersonRef")
    link = answer.get("link") or {}
    out = f"{answer.get('result')} (answered from the {answer.get('answeredFrom')})"
    if link:
        out += f", link {link.get('linkId')} {link.get('state')}"
    if ref:
        out += f", person reference {ref['personIdCategory']} {ref['personId']}"
    return out


def identity(portier, steueramt_service, key_id):
    """Returns True if both checks went as they should; prints what happened."""
    portal = Portal(portier, key_id, os.environ["PORTIER_PORTAL_HMAC_SECRET"])
    ok = True
    print(f"Identity checks: the portal asks for account {ACCOUNT} (Hans Müller, SwissID level 2), "
          "signed with HMAC-SHA256:")

    status, auto = portal.check(BETREIBUNGSAMT_SERVICE)
    print(f"  Betreibungsamt (link=\"auto\"): HTTP {status}, {describe(auto)}")
    ok &= status == 200 and auto.get("result") == "MATCH" and \
        (auto.get("link") or {}).get("state") == "active"

    status, pending = portal.check(STEUERAMT_SERVICE)
    print(f"  Steueramt (link=\"review\"): HTTP {status}, {describe(pending)}")
    link_id = (pending.get("link") or {}).get("linkId")
    ok &= status == 200 and pending.get("result") == "PENDING_REVIEW" and bool(link_id)
    if not link_id:
        return False
    decided = steueramt_service.decideIdentityLink(
        header={"senderId": "steueramt", "messageId": f"decide-{uuid.uuid4().hex[:8]}"},
        linkId=link_id, decision="approve", decidedBy="sachbearbeiterin.keller")
    print(f"  the Steueramt approves it (decideIdentityLink over SOAP) -> {decided.state}, "
          f"person {decided.personIdCategory} {decided.personId}")
    status, again = portal.check(STEUERAMT_SERVICE)
    print(f"  Steueramt, the portal asks again: HTTP {status}, {describe(again)}")
    ok &= status == 200 and again.get("result") == "MATCH" and again.get("answeredFrom") == "link"

    status, listed = portal.call("GET", f"/portal/v1/identity-links?accountId={ACCOUNT}")
    items = listed.get("items", []) if status == 200 else []
    print(f"  GET /portal/v1/identity-links?accountId={ACCOUNT}: "
          f"{[(i['department'], i['serviceId'], i['state']) for i in items]}")
    ok &= sorted(i["state"] for i in items) == ["active", "active"]
    return ok
