"""The sandbox's sample flow: the three example department applications act through their
mapping files (mappings/*.xml), with SOAP clients built from Portier's served WSDL (zeep):

- the Steueramt (tax account) signs in with a WS-Security UsernameToken, opens a business case,
  reports its own status codes (translated by its status table), adds an activity and sends
  an important message to the citizen's inbox;
- the MFK (vehicle inspection) signs in with its TLS client certificate, opens a case for an
  appointment and reports it;
- the Betreibungsamt (register extracts) signs in with a UsernameToken and reports an order;
- the portal checks an account's identity with both (identity_flow.py): linked at once by the
  Betreibungsamt, reviewed and approved by the Steueramt.

Then it shows what the simulated portal received and one case's evidence record; last, a web
form whose intake carries the person reference of the account's link."""
import argparse
import base64
import datetime
import json
import os
import subprocess
import time
import urllib.request
import uuid

import requests
import zeep
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from identity_flow import identity

RUN = uuid.uuid4().hex[:6]


def client(wsdl, wsse=None, session=None):
    kwargs = {"wsse": wsse} if wsse else {}
    if session:
        kwargs["transport"] = Transport(session=session)
    return zeep.Client(wsdl, **kwargs).bind("PortierDepartmentService", "DepartmentSoap11")


def header(sender, step, bpid=None):
    h = {"senderId": sender, "messageId": f"{RUN}-{sender}-{step}"}
    if bpid:
        h["businessProcessId"] = bpid
    return h


def portal_state(sim):
    with urllib.request.urlopen(sim + "/_sim/state") as r:
        return json.load(r)["portal"]


def steueramt_client(portier):
    return client(portier + "/soap/v1?wsdl", wsse=UsernameToken(
        "steueramt", os.environ["PORTIER_STEUERAMT_SECRET"], use_digest=True))


def steueramt(portier):
    service = steueramt_client(portier)
    print("Steueramt (eSteuerkonto), signed in with a WS-Security UsernameToken:")
    case = service.openBusinessCase(header=header("steueramt", "open"), serviceId=101,
                                    ownerId="profile-4711", title="Steuererklaerung 2026")
    print(f"  openBusinessCase -> Business Process ID {case.businessProcessId}")
    for code in ("EINGEGANGEN", "VERANLAGT"):
        service.reportStatus(header=header("steueramt", code, case.businessProcessId),
                             departmentStatusCode=code)
        print(f"  reportStatus departmentStatusCode={code} (the status table translates it)")
    service.addActivity(header=header("steueramt", "activity", case.businessProcessId),
                        title="Veranlagung 2026", body="Ihre Veranlagung liegt vor.",
                        type="info", event="assessment", module="eSteuerkonto")
    print("  addActivity: 'Veranlagung 2026'")
    service.sendMessage(header=header("steueramt", "message", case.businessProcessId),
                        subject="Ihre Veranlagung 2026", body="Die Veranlagung ist erstellt.",
                        important=True)
    print("  sendMessage important=true (must be read at the next login)")
    return service, case


def mfk(portier_tls, pki):
    session = requests.Session()
    session.trust_env = False
    session.verify = os.path.join(pki, "ca.pem")
    session.cert = (os.path.join(pki, "mfk.pem"), os.path.join(pki, "mfk.key"))
    service = client(portier_tls + "/soap/v1?wsdl", session=session)
    print("MFK (vehicle inspection), signed in with its TLS client certificate:")
    case = service.openBusinessCase(header=header("mfk", "open"), serviceId=201,
                                    ownerId="profile-0815", title="Periodische Fahrzeugpruefung")
    print(f"  openBusinessCase -> Business Process ID {case.businessProcessId}")
    service.reportStatus(header=header("mfk", "termin", case.businessProcessId),
                         departmentStatusCode="TERMIN_VEREINBART")
    service.sendNotification(header=header("mfk", "notify", case.businessProcessId),
                             subject="Ihr Prueftermin", body="Montag, 7. Dezember, 08:30",
                             important=False)
    print("  reportStatus TERMIN_VEREINBART, sendNotification 'Ihr Prueftermin'")
    return case


def betreibungsamt(portier):
    service = client(portier + "/soap/v1?wsdl", wsse=UsernameToken(
        "betreibungsamt", os.environ["PORTIER_BETREIBUNGSAMT_SECRET"], use_digest=True))
    print("Betreibungsamt (Betreibungsregister-Auszug), signed in with a UsernameToken:")
    case = service.openBusinessCase(header=header("betreibungsamt", "open"), serviceId=301,
                                    ownerId="profile-2323", title="Betreibungsregister-Auszug")
    for code in ("BESTELLT", "VERSANDT"):
        service.reportStatus(header=header("betreibungsamt", code, case.businessProcessId),
                             departmentStatusCode=code)
    print(f"  openBusinessCase, reportStatus BESTELLT and VERSANDT ({case.businessProcessId})")
    with open(os.path.join(os.path.dirname(__file__), "sample-extract.pdf"), "rb") as f:
        pdf = f.read()
    doc = service.deliverDocument(header=header("betreibungsamt", "document",
                                                case.businessProcessId),
                                  documentKind="Betreibungsregisterauszug",
                                  title="Betreibungsregister-Auszug für Muster",
                                  date=datetime.date.today().isoformat(), document=pdf,
                                  important=True, channel="inbox")
    print(f"  deliverDocument -> {doc.fileName} ('{doc.title}'), delivery {doc.deliveryId}")
    events = service.listEvents(header=header("betreibungsamt", "events"))
    print(f"  listEvents -> {len(events.event or []) if hasattr(events, 'event') else 0} open events")
    return service, case


def sim_call(url, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, method="POST" if data else "GET",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as r:
        return json.load(r)


def wait_for_status(service, delivery_id, wanted):
    for _ in range(200):
        d = service.getDelivery(header=header("betreibungsamt", f"get-{wanted}"),
                                deliveryId=delivery_id)
        if d.status == wanted:
            return d
        time.sleep(0.1)
    raise SystemExit(f"delivery {delivery_id} did not reach {wanted} (it is {d.status}); "
                     "see var/sandbox/portierd.log")


def registered_decision(service, case, incamail):
    """A payment order: the mapping says registered, so it goes through (simulated) IncaMail;
    the citizen accepts it there and the receipts come back."""
    print("\nBetreibungsamt: a Zahlungsbefehl as registered mail (the mapping's delivery policy):")
    with open(os.path.join(os.path.dirname(__file__), "sample-extract.pdf"), "rb") as f:
        pdf = f.read()
    doc = service.deliverDocument(header=header("betreibungsamt", "registered",
                                                case.businessProcessId),
                                  documentKind="Zahlungsbefehl", title="Zahlungsbefehl Nr. 2026-17",
                                  date=datetime.date.today().isoformat(), document=pdf,
                                  channel="auto", recipient="max.muster@example.ch")
    print(f"  deliverDocument channel=auto -> {doc.fileName}, delivery {doc.deliveryId}")
    available = wait_for_status(service, doc.deliveryId, "AVAILABLE")
    message_id = f"<{doc.deliveryId}@portier.sandbox>"
    subject = next(m["subject"] for m in sim_call(incamail, "/_sim/state")["messages"]
                   if m["messageId"] == message_id)
    print(f"  IncaMail took '{subject}'; receipt {available.receipt[0].kind} collected "
          f"(seal valid: {available.receipt[0].signatureValid})")
    sim_call(incamail, "/_sim/act", {"messageId": message_id, "action": "accept"})
    print("  the citizen accepts it on IncaMail...")
    accepted = wait_for_status(service, doc.deliveryId, "ACCEPTED")
    print(f"  getDelivery -> {accepted.status}, legal delivery date {accepted.legalDeliveryDate}, "
          f"receipts {[r.kind for r in accepted.receipt]}")
    receipt = service.getReceipt(header=header("betreibungsamt", "receipt"),
                                 receiptId=accepted.receipt[-1].receiptId)
    print(f"  getReceipt -> {receipt.kind}: signed PDF of {len(receipt.pdf)} bytes, "
          f"signer {receipt.signatureDetail}")


# Hans Müller orders his own extract: the account whose identity identity_flow.py links.
FORM = ('<antrag xmlns="urn:example:afs:betreibungsregisterauszug:1"><person><name>Müller</name>'
        '<vorname>Hans</vorname><geburtsdatum>1980-04-12</geburtsdatum></person>'
        '<adresse><plz>4500</plz><ort>Solothurn</ort></adresse><zweck>2</zweck></antrag>')


def web_form(sim):
    """A citizen orders a Betreibungsregister-Auszug with the AFS form: it lands in the APF
    mailbox, Portier takes it to the Betreibungsamt's intake with a new business case."""
    print("AFS web form 'Betreibungsregister-Auszug bestellen' submitted to the mailbox "
          "betreibungsamt:")
    with open(os.path.join(os.path.dirname(__file__), "sample-extract.pdf"), "rb") as f:
        pdf = base64.b64encode(f.read()).decode()
    [app_id] = sim_call(sim, "/_sim/afs/applications", {
        "mailbox": "betreibungsamt", "formId": "BRA-AUSZUG", "formData": FORM, "pdf": pdf,
        "ownerId": "profile-4711"})["applicationIds"]
    print(f"  application {app_id}")
    intake, app, case = None, None, None
    for _ in range(300):
        state = sim_call(sim, "/_sim/state")
        intake = next((i for i in state["department"]["intakes"]
                       if i["body"].get("applicationId") == app_id), None)
        app = next(a for a in state["afs"]["applications"] if a["applicationId"] == app_id)
        if intake:
            case = next((c for c in state["portal"]["businessCases"]
                         if c["businessCaseId"] == intake["body"].get("businessCaseId")), None)
        if intake and case and app["status"] == "IN_PROGRESS":
            break
        time.sleep(0.1)
    ok = bool(intake and case and app["status"] == "IN_PROGRESS"
              and app["externalReference"] == intake["businessProcessId"]
              and intake["body"].get("businessProcessId") == intake["businessProcessId"])
    if intake:
        body = intake["body"]
        print(f"  the Betreibungsamt's intake got it as {intake['businessProcessId']} "
              f"(name {body.get('name')}, zweck {body.get('zweck')})")
        if body.get("personId"):
            print(f"  with the person reference of the account's identity link: "
                  f"{body.get('personIdCategory')} {body.get('personId')}")
    if case:
        print(f"  the portal shows business case {case['businessCaseId']} '{case['title']}'")
    print(f"  the APF shows it {app['status']}, taken over as '{app['externalReference']}'; "
          f"access log: {[e['action'] for e in app['accessLog']]}")
    return ok


def main():
    args = argparse.ArgumentParser()
    for name in ("--portier", "--portier-tls", "--pki", "--sim", "--incamail", "--config",
                 "--portierctl"):
        args.add_argument(name, required=name == "--sim")
    args.add_argument("--portal-key-id", default="portal-sandbox",
                      help="the <portalApi> HMAC key id; its secret: PORTIER_PORTAL_HMAC_SECRET")
    args.add_argument("--forms-only", action="store_true",
                      help="only the web form (tests run it against a sandbox on free ports)")
    args.add_argument("--identity-only", action="store_true",
                      help="only the identity checks, then the web form (as --forms-only)")
    a = args.parse_args()
    if a.forms_only:
        if not web_form(a.sim):
            raise SystemExit("the web form did not go through; see var/sandbox/portierd.log")
        return
    if a.identity_only:
        if not identity(a.portier, steueramt_client(a.portier), a.portal_key_id):
            raise SystemExit("the identity checks did not go as expected; see portierd's log")
        print()
        if not web_form(a.sim):
            raise SystemExit("the web form did not go through; see var/sandbox/portierd.log")
        return

    steuer_service, steuer_case = steueramt(a.portier)
    mfk_case = mfk(a.portier_tls, a.pki)
    betreibung_service, betreibung_case = betreibungsamt(a.portier)
    registered_decision(betreibung_service, betreibung_case, a.incamail)

    print("\nPortier delivers to the portal; waiting for the simulator to show everything...")
    wanted = {steuer_case.businessCaseId: "DECIDED", mfk_case.businessCaseId: "IN_PROGRESS",
              betreibung_case.businessCaseId: "DECIDED"}
    state = {}
    for _ in range(100):
        state = portal_state(a.sim)
        cases = {c["businessCaseId"]: c for c in state["businessCases"]}
        if all(cases.get(k, {}).get("status") == v for k, v in wanted.items()) and \
                state.get("messages") and state.get("activities") and state.get("notifications"):
            break
        time.sleep(0.1)
    cases = {c["businessCaseId"]: c for c in state["businessCases"]}
    print("The portal (simulated) shows:")
    for case_id in wanted:
        c = cases.get(case_id, {})
        print(f"  case {case_id}: {c.get('title')} -> {c.get('status')}: {c.get('statusText')}")
    for m in state.get("messages", []):
        print(f"  inbox message '{m.get('subject')}' important={m.get('important')}")
    for n in state.get("notifications", []):
        print(f"  notification '{n.get('subject')}'")
    for act in state.get("activities", []):
        print(f"  activity '{act.get('title')}' on case {act.get('businessCaseId')}")
    with urllib.request.urlopen(a.sim + "/_sim/state") as r:
        for d in json.load(r).get("rc-adapter", {}).get("deliveries", []):
            print(f"  inbox document '{d.get('fileName')}' ({d.get('status')}, "
                  f"sha256 {d.get('sha256', '')[:12]}...)")

    seen = steuer_service.getBusinessCase(header=header("steueramt", "get",
                                                        steuer_case.businessProcessId))
    print(f"\ngetBusinessCase (Steueramt): {seen.status}, history: "
          f"{[h.status for h in seen.history.historyEntry] if seen.history else []}")

    print("\nThe Betreibungsamt's case as evidence (portierctl evidence export): its two "
          "documents, how they went, and the receipts")
    out = subprocess.run([a.portierctl, "--config", a.config, "evidence", "export",
                          betreibung_case.businessProcessId], capture_output=True, text=True)
    if out.returncode == 0:
        export = json.loads(out.stdout)
        print(f"  {len(export['records'])} hash-chained records; deliveries:")
        print(json.dumps(export["deliveries"], indent=2))
    else:
        print(out.stderr)
    if any(cases.get(k, {}).get("status") != v for k, v in wanted.items()):
        raise SystemExit("not everything reached the portal; see var/sandbox/portierd.log")
    print()
    if not identity(a.portier, steuer_service, a.portal_key_id):
        raise SystemExit("the identity checks did not go as expected; see var/sandbox/portierd.log")
    print()
    if not web_form(a.sim):
        raise SystemExit("the web form did not go through; see var/sandbox/portierd.log")


if __name__ == "__main__":
    main()
