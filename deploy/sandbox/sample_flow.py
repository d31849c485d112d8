"""The sandbox's sample flow: a department application (the cantonal tax office) opens a
business case over SOAP, reports its progress, and we watch it arrive at the simulated portal.
Uses zeep, a SOAP client built from Portier's served WSDL."""
import argparse
import json
import subprocess
import time
import urllib.request
import uuid

import zeep


def portal_case(sim, case_id):
    with urllib.request.urlopen(sim + "/_sim/state") as r:
        cases = json.load(r)["portal"]["businessCases"]
    return next((c for c in cases if c["businessCaseId"] == case_id), None)


def main():
    args = argparse.ArgumentParser()
    for name in ("--portier", "--sim", "--config", "--portierctl"):
        args.add_argument(name, required=True)
    a = args.parse_args()

    service = zeep.Client(a.portier + "/soap/v1?wsdl").bind("PortierDepartmentService",
                                                            "DepartmentSoap11")
    run = uuid.uuid4().hex[:8]
    print("1. The tax office opens a business case (SOAP openBusinessCase)")
    opened = service.openBusinessCase(
        header={"senderId": "steueramt-so", "messageId": f"{run}-open",
                "ourBusinessReferenceId": "ST-2026-0815"},
        serviceId=101, ownerId="profile-4711", title="Steuererklaerung 2026")
    print(f"   Business Process ID: {opened.businessProcessId}")
    print(f"   portal business case: {opened.businessCaseId}")
    for i, (status, text) in enumerate([("IN_PROGRESS", "Die Steuererklaerung wird geprueft"),
                                        ("DECIDED", "Die Veranlagung ist erstellt")]):
        print(f"{i + 2}. The tax office reports status {status} (SOAP reportStatus)")
        service.reportStatus(header={"senderId": "steueramt-so", "messageId": f"{run}-s{i}",
                                     "businessProcessId": opened.businessProcessId},
                             status=status, statusText=text)

    print("4. Portier delivers to the portal; waiting for the simulator to show it...")
    case = None
    for _ in range(100):
        case = portal_case(a.sim, opened.businessCaseId)
        if case and case["status"] == "DECIDED":
            break
        time.sleep(0.1)
    print("   The portal (simulated) now shows:")
    print(json.dumps(case, indent=2, ensure_ascii=False))
    print("5. The evidence record of this case (portierctl evidence export):")
    out = subprocess.run([a.portierctl, "--config", a.config, "evidence", "export",
                          opened.businessProcessId], capture_output=True, text=True)
    print(json.dumps(json.loads(out.stdout), indent=2) if out.returncode == 0 else out.stderr)
    if not case or case["status"] != "DECIDED":
        raise SystemExit("the case did not reach the portal; see var/sandbox/portierd.log")


if __name__ == "__main__":
    main()
