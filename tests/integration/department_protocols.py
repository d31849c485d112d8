"""One department client interface over both of Portier's department protocols, so that one table
of behaviour cases runs over each:

- SOAP: python3-zeep from the served WSDL, signed in with the department's UsernameToken;
- Thrift: python3-thrift, its client generated at test time (`thrift --gen py`) from the IDL the
  running portierd serves at /thrift/v1?idl, signed in with the department's token (compact or
  binary protocol).

`call(op, args)` takes the SOAP operation's arguments (the table is written once) and returns
the answer as a dict of the fields both protocols share; a refusal raises `Refused` with who is
to blame ("caller" or "gateway") and the reason text.
"""
import datetime
import importlib
import os
import subprocess
import sys
import tempfile

import zeep
from zeep.helpers import serialize_object
from zeep.wsse.username import UsernameToken

from harness import http, password_of, token_of

_generated = {}  # served IDL text -> imported modules


class Refused(Exception):
    def __init__(self, blame, reason, code=None):
        super().__init__(f"{blame}: {reason}")
        self.blame = blame
        self.reason = reason
        self.code = code


def served_idl(portier):
    status, headers, body = http("GET", portier.url + "/thrift/v1?idl")
    assert status == 200, (status, body)
    return body.decode()


def generated_client(portier, idl=None):
    """The Python modules generated from the served IDL (once per distinct IDL text)."""
    idl = idl or served_idl(portier)
    if idl not in _generated:
        out = tempfile.mkdtemp(prefix="portier-thrift-py-")
        path = os.path.join(out, "department.thrift")
        with open(path, "w") as f:
            f.write(idl)
        subprocess.run(["thrift", "--gen", "py", "-out", out, path], check=True,
                       capture_output=True, timeout=60)
        sys.path.insert(0, out)
        for name in [m for m in sys.modules if m.startswith("portier_department")]:
            del sys.modules[name]
        service = importlib.import_module("portier_department.DepartmentService")
        ttypes = importlib.import_module("portier_department.ttypes")
        _generated[idl] = (service, ttypes)
    return _generated[idl]


def as_plain(value):
    """A generated Thrift struct (or list of them) as plain dicts and lists."""
    if isinstance(value, list):
        return [as_plain(v) for v in value]
    if hasattr(value, "thrift_spec"):
        return {k: as_plain(v) for k, v in vars(value).items()}
    return value


class SoapDepartment:
    name = "soap"

    def __init__(self, portier, department="steueramt", password=None):
        wsse = UsernameToken(department, password or password_of(department), use_digest=True)
        self.service = zeep.Client(portier.wsdl, wsse=wsse).bind("PortierDepartmentService",
                                                                  "DepartmentSoap11")

    def call(self, op, args):
        try:
            answer = getattr(self.service, op)(**args)
        except zeep.exceptions.Fault as fault:
            code = str(fault.code or "")
            blame = "caller" if ("Client" in code or "Sender" in code) else "gateway"
            raise Refused(blame, fault.message) from None
        answer = serialize_object(answer, dict)
        if op == "listEvents":
            return {"events": [dict(e) for e in (answer or [])]}
        if op == "ackEvents":
            return {"acknowledged": int(answer)}
        return dict(answer)


class ThriftDepartment:
    def __init__(self, portier, department="steueramt", token=None, protocol="compact"):
        from thrift.protocol import TBinaryProtocol, TCompactProtocol
        from thrift.transport import THttpClient
        self.name = f"thrift-{protocol}"
        service, self.ttypes = generated_client(portier)
        transport = THttpClient.THttpClient(portier.url + "/thrift/v1")
        transport.setCustomHeaders({"Authorization": f"Bearer {token or token_of(department)}"})
        factory = (TCompactProtocol.TCompactProtocol if protocol == "compact"
                   else TBinaryProtocol.TBinaryProtocol)
        self.client = service.Client(factory(transport))
        self.transport = transport

    def request(self, op, args):
        t = self.ttypes
        fields = {}
        for key, value in args.items():
            if key == "header":
                fields["header"] = t.MessageHeader(**value)
            elif key == "module":
                fields["moduleName"] = value
            elif key == "displayStamp":
                fields["displayStampMs"] = int(value.timestamp() * 1000)
            elif key == "decision":
                fields["approve"] = value == "approve"
            elif key == "seq":
                fields["seqs"] = list(value)
            elif key == "status":
                fields["status"] = t.CaseStatus._NAMES_TO_VALUES[value]
            elif key == "channel":
                fields["channel"] = t.DeliveryChannel._NAMES_TO_VALUES[value.upper()]
            else:
                fields[key] = value
        return getattr(t, op[0].upper() + op[1:] + "Request")(**fields)

    def call(self, op, args):
        t = self.ttypes
        try:
            answer = getattr(self.client, op)(self.request(op, args))
        except t.RequestRefused as e:
            raise Refused("caller", e.reason, t.ErrorCode._VALUES_TO_NAMES[e.code]) from None
        except (t.TryLater, t.InternalError) as e:
            raise Refused("gateway", e.reason) from None
        return as_plain(answer)


def clients(portier):
    """Factories by protocol name: (portier, department, wrong_credentials) -> client."""
    return {
        "soap": lambda department="steueramt", wrong=False: SoapDepartment(
            portier, department, password="wrong" if wrong else None),
        "thrift-compact": lambda department="steueramt", wrong=False: ThriftDepartment(
            portier, department, token="wrong" if wrong else None, protocol="compact"),
        "thrift-binary": lambda department="steueramt", wrong=False: ThriftDepartment(
            portier, department, token="wrong" if wrong else None, protocol="binary"),
    }


def epoch_ms(value):
    """acceptedMs (Thrift) or acceptedAt (SOAP, a datetime) in milliseconds."""
    if isinstance(value, datetime.datetime):
        return int(value.timestamp() * 1000)
    return int(value)
