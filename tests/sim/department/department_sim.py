#!/usr/bin/python3
"""Simulated department application (a tax account like the eSteuerkonto) answering Portier's
identity checks, in two variants on one HTTP listener:

  POST /identity/v1/checks   REST: JSON {person:{officialName, firstName, dateOfBirth, vn,
                             personIdCategory, personId}, representation:{organisationUid}}
                             -> {result, personRef:{category, id}, matchedOn:[...]}
  POST /soap/identity        SOAP 1.1: <st:pruefePerson> (urn:so:steueramt:esteuerkonto:1) with
                             name, vorname, geburtsdatum, ahvn13, kategorie, personennummer, uid
                             -> <st:pruefePersonResponse> ergebnis (TREFFER, KEIN_TREFFER,
                             MEHRDEUTIG, PRUEFEN, NICHT_BERECHTIGT), kategorie, personennummer,
                             abgeglichen*
Control: POST /_sim/faults {"latencyMs": N} | {"status": 503, "count": N, "retryAfter": S};
DELETE /_sim/faults; GET /_sim/log (what was asked: path and result, no personal data);
GET /_sim/health.

department_sim.py [--port N] [--port-file F] [--register register.json]
Runs in the foreground until SIGTERM/SIGINT. Matching rules: matching.py.
"""
import argparse
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from lxml import etree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from matching import Register  # noqa: E402

NS = "urn:so:steueramt:esteuerkonto:1"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP_RESULTS = {"MATCH": "TREFFER", "NO_MATCH": "KEIN_TREFFER", "AMBIGUOUS": "MEHRDEUTIG",
                "PARTIAL_MATCH": "PRUEFEN", "NOT_AUTHORISED": "NICHT_BERECHTIGT"}
MAX_BODY = 64 * 1024


class State:
    def __init__(self, register):
        self.register = register
        self.lock = threading.Lock()
        self.latency_ms = 0
        self.failures = []  # [{status, count, retryAfter}]
        self.log = []

    def next_failure(self):
        with self.lock:
            for f in self.failures:
                if f["count"] > 0:
                    f["count"] -= 1
                    return f
        return None


def soap_query(body):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    root = etree.fromstring(body, parser)
    if root.getroottree().docinfo.doctype:
        raise ValueError("DTD refused")
    ask = root.find(f"{{{SOAP}}}Body/{{{NS}}}pruefePerson")
    if ask is None:
        raise ValueError("no st:pruefePerson in the Body")

    def text(name):
        node = ask.find(f"{{{NS}}}{name}")
        return (node.text or "").strip() if node is not None else ""
    return {"officialName": text("name"), "firstName": text("vorname"),
            "dateOfBirth": text("geburtsdatum"), "vn": text("ahvn13"),
            "personIdCategory": text("kategorie"), "personId": text("personennummer"),
            "organisationUid": text("uid")}


def soap_answer(result, person, matched):
    env = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soap": SOAP, "st": NS})
    body = etree.SubElement(env, f"{{{SOAP}}}Body")
    answer = etree.SubElement(body, f"{{{NS}}}pruefePersonResponse")
    etree.SubElement(answer, f"{{{NS}}}ergebnis").text = SOAP_RESULTS[result]
    if person:
        etree.SubElement(answer, f"{{{NS}}}kategorie").text = person["category"]
        etree.SubElement(answer, f"{{{NS}}}personennummer").text = person["personId"]
    for field in matched:
        etree.SubElement(answer, f"{{{NS}}}abgeglichen").text = field
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


def rest_query(body):
    data = json.loads(body)
    person = data.get("person") or {}
    rep = data.get("representation") or {}
    return {k: str(person.get(k) or "") for k in
            ("officialName", "firstName", "dateOfBirth", "vn", "personIdCategory", "personId")} | \
        {"organisationUid": str(rep.get("organisationUid") or "")}


def rest_answer(result, person, matched):
    out = {"result": result, "matchedOn": matched}
    if person:
        out["personRef"] = {"category": person["category"], "id": person["personId"]}
    return json.dumps(out).encode()


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # the requests carry personal data: not logged
            pass

        def reply(self, status, body, content_type="application/json", headers=None):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def read_body(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                raise ValueError("body too large")
            return self.rfile.read(length)

        def do_GET(self):
            if self.path == "/_sim/health":
                return self.reply(200, b'{"status":"ok"}')
            if self.path == "/_sim/log":
                with state.lock:
                    return self.reply(200, json.dumps({"entries": state.log}).encode())
            self.reply(404, b'{"error":"not found"}')

        def do_DELETE(self):
            if self.path == "/_sim/faults":
                with state.lock:
                    state.failures.clear()
                    state.latency_ms = 0
                return self.reply(204, b"")
            self.reply(404, b'{"error":"not found"}')

        def do_POST(self):
            try:
                body = self.read_body()
            except ValueError:
                return self.reply(413, b'{"error":"too large"}')
            if self.path == "/_sim/faults":
                plan = json.loads(body or b"{}")
                with state.lock:
                    if "latencyMs" in plan:
                        state.latency_ms = int(plan["latencyMs"])
                    if "status" in plan:
                        state.failures.append({"status": int(plan["status"]),
                                               "count": int(plan.get("count", 1)),
                                               "retryAfter": plan.get("retryAfter")})
                return self.reply(204, b"")
            if self.path not in ("/identity/v1/checks", "/soap/identity"):
                return self.reply(404, b'{"error":"not found"}')
            soap = self.path == "/soap/identity"
            failure = state.next_failure()
            if state.latency_ms:
                time.sleep(state.latency_ms / 1000)
            if failure:
                headers = {"Retry-After": str(failure["retryAfter"])} if failure["retryAfter"] else {}
                with state.lock:
                    state.log.append({"path": self.path, "status": failure["status"]})
                return self.reply(failure["status"], b'{"error":"injected"}', headers=headers)
            try:
                query = soap_query(body) if soap else rest_query(body)
            except (ValueError, etree.XMLSyntaxError, json.JSONDecodeError) as e:
                with state.lock:
                    state.log.append({"path": self.path, "status": 400})
                return self.reply(400, json.dumps({"error": str(e)}).encode())
            result, person, matched = state.register.check(query)
            with state.lock:
                state.log.append({"path": self.path, "status": 200, "result": result})
            if soap:
                return self.reply(200, soap_answer(result, person, matched), "text/xml; charset=utf-8")
            return self.reply(200, rest_answer(result, person, matched))

    return Handler


def main(argv=None):
    parser = argparse.ArgumentParser(description="Simulated department identity check.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--register", default=os.path.join(os.path.dirname(
        os.path.abspath(__file__)), "register.json"))
    args = parser.parse_args(argv)
    with open(args.register, encoding="utf-8") as f:
        data = json.load(f)
    state = State(Register(data["persons"], data["companies"], data["category"],
                           data["companyCategory"]))
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(state))
    server.daemon_threads = True
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{server.server_address[1]}\n")
        os.replace(tmp, args.port_file)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"department-sim listening on 127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    server.server_close()


if __name__ == "__main__":
    main()
