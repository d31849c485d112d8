"""A department opens a business case and reports its status over SOAP (zeep, 1.1 and 1.2);
Portier commits the work, answers, and delivers it to the simulated portal."""
import json
import subprocess

import pytest
import zeep

from harness import audit_entries, http, journal_counts, wait_until, zeep_client


def client(portier, binding, department="steueramt"):
    return zeep_client(portier, department, binding)


@pytest.mark.parametrize("binding", ["DepartmentSoap11", "DepartmentSoap12"])
def test_open_case_and_report_status_reach_the_portal(ws, binding):
    service = client(ws.portier, binding)
    opened = service.openBusinessCase(
        header={"senderId": "steueramt", "messageId": "m-1", "ourBusinessReferenceId": "ST-2026-17"},
        serviceId=7, ownerId="profile-4711", title="Steuererklaerung 2026")
    bpid, case_id = opened.businessProcessId, opened.businessCaseId
    assert bpid and len(bpid) <= 128 and len(case_id) == 36

    answer = service.reportStatus(
        header={"senderId": "steueramt", "messageId": "m-2", "businessProcessId": bpid},
        status="DECIDED", statusText="Veranlagung erstellt")
    assert answer.businessProcessId == bpid

    def portal_case():
        cases = {c["businessCaseId"]: c for c in ws.sim.portal()["businessCases"]}
        case = cases.get(case_id)
        return case if case and case["status"] == "DECIDED" else None

    case = wait_until(portal_case, what="the case to reach the portal with status DECIDED")
    assert case["businessProcessId"] == bpid
    assert case["ownerId"] == "profile-4711"
    assert case["serviceId"] == 7
    assert case["statusText"] == "Veranlagung erstellt"

    export = json.loads(ws.portier.ctl("evidence", "export", bpid).stdout)
    hops = [(r["hop"], r.get("operation")) for r in export["records"]]
    assert ("accepted", "openBusinessCase") in hops and ("accepted", "reportStatus") in hops
    wait_until(lambda: len([r for r in json.loads(ws.portier.ctl("evidence", "export", bpid).stdout)
                            ["records"] if r["hop"] == "delivered"]) == 2,
               what="two delivered hops in the evidence")
    verify = ws.portier.ctl("evidence", "verify")
    assert verify.stdout.startswith("intact") or "intact" in verify.stdout


def test_same_message_id_returns_the_first_answer_and_stores_nothing(ws):
    service = client(ws.portier, "DepartmentSoap11", "mfk")
    header = {"senderId": "mfk", "messageId": "same-id"}
    first = service.openBusinessCase(header=header, serviceId=3, ownerId="o-1", title="MFK Termin")
    # intake, work items, business cases (evidence grows as the first one is delivered)
    counts = journal_counts(ws.portier.journal)[:3]
    second = service.openBusinessCase(header=header, serviceId=3, ownerId="o-1", title="MFK Termin")
    assert (second.businessProcessId, second.businessCaseId) == (first.businessProcessId,
                                                                 first.businessCaseId)
    assert journal_counts(ws.portier.journal)[:3] == counts
    # The same messageId from another department is another message.
    other = client(ws.portier, "DepartmentSoap11").openBusinessCase(
        header={"senderId": "steueramt", "messageId": "same-id"}, serviceId=7, ownerId="o-1",
        title="Steuererklaerung")
    assert other.businessProcessId != first.businessProcessId


def test_status_for_an_unknown_case_is_a_fault_and_stores_nothing(ws):
    service = client(ws.portier, "DepartmentSoap11", "mfk")
    counts = journal_counts(ws.portier.journal)
    with pytest.raises(zeep.exceptions.Fault) as fault:
        service.reportStatus(header={"senderId": "mfk", "messageId": "x-1",
                                     "businessProcessId": "bp-unknown"}, status="OPEN")
    assert "businessProcessId" in fault.value.message
    assert journal_counts(ws.portier.journal) == counts


def test_another_departments_case_is_refused(ws):
    opened = client(ws.portier, "DepartmentSoap11").openBusinessCase(
        header={"senderId": "steueramt", "messageId": "a-1"}, serviceId=7, ownerId="o", title="t")
    counts = journal_counts(ws.portier.journal)[:3]
    with pytest.raises(zeep.exceptions.Fault) as fault:
        client(ws.portier, "DepartmentSoap11", "mfk").reportStatus(
            header={"senderId": "mfk", "messageId": "a-2",
                    "businessProcessId": opened.businessProcessId}, status="CLOSED")
    assert "another department" in fault.value.message
    assert journal_counts(ws.portier.journal)[:3] == counts
    assert ("mfk", "reportStatus") in [(d, o) for d, o, _ in audit_entries(ws.portier.journal)]


def test_operational_endpoints(ws):
    status, _, body = http("GET", ws.portier.url + "/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"
    assert http("GET", ws.portier.url + "/readyz")[0] == 200
    client(ws.portier, "DepartmentSoap11", "d").openBusinessCase(
        header={"senderId": "d", "messageId": "metrics-1"}, serviceId=1, ownerId="o", title="t")
    wait_until(lambda: ws.sim.portal()["businessCases"], what="delivery")

    def metrics():
        text = http("GET", ws.portier.url + "/metrics")[2].decode()
        return text if 'portier_journal_depth{destination="portal",state="done"} 1' in text else None

    text = wait_until(metrics, what="journal depth gauge to show the delivered item")
    assert 'portier_http_requests_total{route="/soap/v1",status="200"}' in text
    assert "portier_http_request_duration_seconds_bucket" in text
    assert 'portier_parked_items{destination="portal"} 0' in text
    assert 'portier_dispatch_attempts_total{destination="portal",outcome="delivered"} 1' in text
    status, headers, wsdl = http("GET", ws.portier.wsdl)
    assert status == 200 and f"127.0.0.1:{ws.portier.port}/soap/v1".encode() in wsdl


def test_logs_are_json_lines_without_bodies_or_secrets(ws):
    client(ws.portier, "DepartmentSoap11", "d").openBusinessCase(
        header={"senderId": "d", "messageId": "log-1"}, serviceId=1, ownerId="Muster Hans",
        title="Geheimer Titel")
    wait_until(lambda: ws.sim.portal()["businessCases"], what="delivery")
    logs = ws.portier.logs()
    for line in logs.splitlines():
        json.loads(line)
    assert "Muster Hans" not in logs and "Geheimer Titel" not in logs
    assert "integration-secret" not in logs and "d-geheim" not in logs
    assert '"correlation_id"' in logs and '"business_process_id"' in logs
