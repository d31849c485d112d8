"""The forms flow in integration tests: a department mapping that takes an AFS form, the
<antragspostfach> configuration, and helpers for the simulator's APF and department modules."""
import base64
import json

from harness import Workspace, http, wait_until

FORM_ID = "BRA-AUSZUG"
MAILBOX = "betreibungsamt"
FORM_NS = "urn:example:afs:betreibungsregisterauszug:1"
APF_SECRET = "apf-secret"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def form_mapping(sim_url, name="amt", service=301, delivery="push"):
    """A department that takes FORM_ID through a REST intake on the simulator, or (delivery
    "pull") by events and getSubmission, with the person's names marked personal."""
    if delivery == "pull":
        forms = '<forms delivery="pull">'
        personal = ('<personalData><field name="lastName"/><field name="firstName"/>'
                    '</personalData>')
    else:
        forms = '<forms endpoint="formIntake" template="order">'
        personal = ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<mapping xmlns="urn:portier:mapping:1" name="{name}" displayName="{name}">
  <authentication><usernameToken user="{name}" password="env:PORTIER_TEST_AMT_SECRET"/></authentication>
  <services><service id="{service}"/></services>
  <endpoint name="formIntake" kind="rest" url="{sim_url}/department/{name}/intake" timeoutMs="3000">
    <template name="order"><![CDATA[{{"businessProcessId":"${{businessProcessId}}","businessCaseId":"${{businessCaseId}}","applicationId":"${{applicationId}}","formId":"${{formId}}","ownerId":"${{ownerId}}","name":"${{field.lastName}}","vorname":"${{field.firstName}}","zweck":"${{field.purpose}}","pdfSha256":"${{pdfSha256}}"}}]]></template>
  </endpoint>
  {personal}
  {forms}
    <valueTable name="zweck"><value from="1" to="PRIVAT"/><value from="2" to="MIETE"/></valueTable>
    <form id="{FORM_ID}" service="{service}" title="Betreibungsregister-Auszug">
      <namespace prefix="a" uri="{FORM_NS}"/>
      <field name="lastName" select="/a:antrag/a:person/a:name" required="true"/>
      <field name="firstName" select="/a:antrag/a:person/a:vorname" required="true"/>
      <field name="purpose" select="/a:antrag/a:zweck" required="true" table="zweck"/>
      <field name="businessProcessId" select="/a:antrag/a:geschaeftsfall"/>
    </form>
  </forms>
</mapping>
"""


def apf_config(sim_url, mailboxes=(MAILBOX,), poll_ms=100, page_size=100, lease_ms=2000):
    boxes = "".join(f'<mailbox name="{m}" pollMs="{poll_ms}" pageSize="{page_size}"/>'
                    for m in mailboxes)
    return (f'  <antragspostfach url="{sim_url}/afs/apf/v1" user="portier" '
            f'password="env:PORTIER_TEST_APF_SECRET" timeoutMs="5000" leaseMs="{lease_ms}">'
            f"{boxes}</antragspostfach>\n"
            '  <destination name="department" concurrency="8">'
            '<retry initialDelayMs="50" maxDelayMs="500" maxAttempts="20" attemptTimeoutMs="3000"/>'
            '<circuitBreaker failureThreshold="50" openMs="300"/></destination>\n'
            '  <destination name="afs" concurrency="8">'
            '<retry initialDelayMs="50" maxDelayMs="500" maxAttempts="20" attemptTimeoutMs="3000"/>'
            '<circuitBreaker failureThreshold="50" openMs="300"/></destination>\n')


def form_xml(name="Muster", vorname="Hans", zweck="1", extra=""):
    return (f'<antrag xmlns="{FORM_NS}"><person><name>{name}</name><vorname>{vorname}</vorname>'
            f"</person><zweck>{zweck}</zweck>{extra}</antrag>")


def forms_workspace(mailboxes=(MAILBOX,), poll_ms=100, page_size=100, start_portier=True,
                    delivery="push", **options):
    """Workspace with the forms flow configured. With start_portier=False, the caller starts
    portierd (after submitting applications, e.g.)."""
    import harness
    import tempfile
    ws = Workspace.__new__(Workspace)
    ws.tmp = tempfile.TemporaryDirectory(prefix="portier-forms-")
    ws.dir = ws.tmp.name
    ws.sim = harness.Sim(ws.dir)
    extra_env = dict(options.pop("extra_env", {}) or {}, PORTIER_TEST_APF_SECRET=APF_SECRET,
                     PORTIER_TEST_AMT_SECRET="amt-geheim")
    config = apf_config(ws.sim.url, mailboxes, poll_ms, page_size)
    ws.portier = None
    ws.make_portier = lambda: harness.Portier(
        ws.dir, ws.sim, extra_config=config, extra_env=extra_env,
        extra_mappings={"amt": form_mapping(ws.sim.url, delivery=delivery)}, **options)
    if start_portier:
        ws.portier = ws.make_portier()

    def close():
        if ws.portier:
            ws.portier.stop()
        ws.sim.stop()
        ws.tmp.cleanup()
    ws.close = close
    return ws


def submit(sim, count=1, mailbox=MAILBOX, form=None, owner="owner-7", attachments=None,
           corrupt=None, form_id=FORM_ID, pdf=PDF):
    body = {"mailbox": mailbox, "formId": form_id, "formData": form or form_xml(),
            "ownerId": owner, "count": count}
    if pdf is not None:
        body["pdf"] = base64.b64encode(pdf).decode()
    if attachments:
        body["attachments"] = [{"name": n, "mimeType": "application/octet-stream",
                                "content": base64.b64encode(c).decode()} for n, c in attachments]
    if corrupt:
        body["corrupt"] = corrupt
    status, _, answer = http("POST", sim.url + "/_sim/afs/applications",
                             json.dumps(body).encode(), {"Content-Type": "application/json"},
                             timeout=60)
    assert status == 201, answer
    return json.loads(answer)["applicationIds"]


def apf_options(sim, **options):
    status, _, answer = http("POST", sim.url + "/_sim/afs/options", json.dumps(options).encode(),
                             {"Content-Type": "application/json"})
    assert status == 200, answer


def afs_state(sim):
    return sim.state()["afs"]


def department_state(sim):
    return sim.state()["department"]


def wait_taken(sim, count, timeout=60):
    def done():
        counts = afs_state(sim)["counts"]
        return counts["IN_PROGRESS"] >= count
    wait_until(done, timeout=timeout, interval=0.2, what=f"{count} applications taken over")
