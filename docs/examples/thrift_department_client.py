#!/usr/bin/python3
"""An example department application that calls Portier over Thrift (Debian: python3-thrift,
thrift-compiler).

It downloads the IDL from the running Portier (GET /thrift/v1?idl), generates its Python client
with `thrift --gen py` into a temporary folder, and then, as the Steueramt of the sandbox, opens a
business case, reports a status in the department's own code (Portier's mapping translates it)
and delivers a PDF to the citizen's e-account inbox.

In the sandbox (scripts/sandbox.sh), signed in by the Steueramt's TLS client certificate:

    docs/examples/thrift_department_client.py --url https://127.0.0.1:8443 \\
        --ca var/sandbox/pki/ca.pem --cert var/sandbox/pki/steueramt.pem \\
        --key var/sandbox/pki/steueramt.key --pdf deploy/sandbox/sample-extract.pdf

or, where the department's mapping gives it a token (<apiToken token="env:NAME"/>), with
`--token` over plain HTTP or HTTPS. `--protocol binary` uses Thrift's binary protocol instead of
the compact one; Portier answers in the protocol it was called in.
"""
import argparse
import importlib
import os
import ssl
import subprocess
import sys
import tempfile
import urllib.request
import uuid


def generate_client(url, context):
    """Generates the Python client from the IDL Portier serves and imports it."""
    with urllib.request.urlopen(url + "/thrift/v1?idl", context=context, timeout=10) as r:
        idl = r.read().decode()
    out = tempfile.mkdtemp(prefix="portier-thrift-")
    path = os.path.join(out, "department.thrift")
    with open(path, "w") as f:
        f.write(idl)
    subprocess.run(["thrift", "--gen", "py", "-out", out, path], check=True)
    sys.path.insert(0, out)
    return (importlib.import_module("portier_department.DepartmentService"),
            importlib.import_module("portier_department.ttypes"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="https://127.0.0.1:8443")
    parser.add_argument("--ca", help="CA that signed Portier's server certificate")
    parser.add_argument("--cert", help="the department's client certificate (PEM)")
    parser.add_argument("--key", help="its private key (PEM)")
    parser.add_argument("--token", help="the department's token from its mapping")
    parser.add_argument("--department", default="steueramt")
    parser.add_argument("--service", type=int, default=101)
    parser.add_argument("--pdf", required=True, help="the PDF to deliver")
    parser.add_argument("--protocol", choices=["compact", "binary"], default="compact")
    args = parser.parse_args()

    from thrift.protocol import TBinaryProtocol, TCompactProtocol
    from thrift.transport import THttpClient

    context = None
    if args.url.startswith("https:"):
        context = ssl.create_default_context(cafile=args.ca)
        if args.cert:
            context.load_cert_chain(args.cert, args.key)
    service, t = generate_client(args.url, context)
    transport = THttpClient.THttpClient(args.url + "/thrift/v1", ssl_context=context)
    if args.token:
        transport.setCustomHeaders({"Authorization": "Bearer " + args.token})
    protocol = (TCompactProtocol.TCompactProtocol if args.protocol == "compact"
                else TBinaryProtocol.TBinaryProtocol)(transport)
    portier = service.Client(protocol)

    run = uuid.uuid4().hex[:8]

    def header(step, bpid=None):
        # messageId is the idempotency key: the same call repeated (e.g. after a timeout)
        # answers the first answer and changes nothing.
        return t.MessageHeader(senderId=args.department, messageId=f"{run}-{step}",
                               businessProcessId=bpid)

    try:
        case = portier.openBusinessCase(t.OpenBusinessCaseRequest(
            header=header("open"), serviceId=args.service, ownerId="profile-4711",
            title="Steuererklaerung 2026"))
        print(f"openBusinessCase -> Business Process ID {case.businessProcessId}")
        bpid = case.businessProcessId
        portier.reportStatus(t.ReportStatusRequest(
            header=header("status", bpid), departmentStatusCode="EINGEGANGEN"))
        print("reportStatus departmentStatusCode=EINGEGANGEN")
        with open(args.pdf, "rb") as f:
            pdf = f.read()
        document = portier.deliverDocument(t.DeliverDocumentRequest(
            header=header("document", bpid), documentKind="Steuerausweis",
            title="Steuerausweis 2026", date="2026-11-29", document=pdf,
            channel=t.DeliveryChannel.INBOX))
        print(f"deliverDocument -> {document.fileName} (delivery {document.deliveryId})")
        delivery = portier.getDelivery(t.GetDeliveryRequest(
            header=header("follow"), deliveryId=document.deliveryId))
        print(f"getDelivery -> {delivery.status}")
    except t.RequestRefused as e:
        # Fix the request (the reason names the field); repeating it unchanged fails again.
        print(f"refused ({t.ErrorCode._VALUES_TO_NAMES[e.code]}): {e.reason}", file=sys.stderr)
        return 1
    except t.TryLater as e:
        # Repeat the same call (same messageId) after retryAfterSeconds.
        print(f"try again in {e.retryAfterSeconds} s: {e.reason}", file=sys.stderr)
        return 75
    return 0


if __name__ == "__main__":
    sys.exit(main())
