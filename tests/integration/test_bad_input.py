"""Bad and hostile input gets a SOAP Fault naming the problem, quickly, and changes nothing."""
import time

import pytest

from harness import header_xml, journal_counts, open_case_envelope, soap_envelope

GOOD_FIELDS = "<p:serviceId>1</p:serviceId><p:ownerId>o</p:ownerId><p:title>t</p:title>"


def without_declaration(xml):
    return xml.split("?>", 1)[1]


def nested(depth):
    return soap_envelope("openBusinessCase", header_xml("d", "n") + "<p:x>" * depth +
                         "</p:x>" * depth + GOOD_FIELDS)


CASES = {
    "malformed XML": (open_case_envelope("d", "m1").replace("</p:title>", ""), ""),
    "DOCTYPE": ('<?xml version="1.0"?><!DOCTYPE e [<!ENTITY a "aaaa">]>' +
                without_declaration(open_case_envelope("d", "m2")), "doctype"),
    "external entity": ('<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                        + without_declaration(open_case_envelope("d", "m3").replace("<p:title>t", "<p:title>&x;")),
                        "doctype"),
    "10,000 nested elements": (nested(10_000), "depth"),
    "50,000 attributes": (soap_envelope("openBusinessCase", header_xml("d", "m4") + GOOD_FIELDS)
                          .replace("<p:openBusinessCase>", "<p:openBusinessCase " +
                                   " ".join(f'a{i}="1"' for i in range(50_000)) + ">"),
                          "attributes"),
    "missing field": (soap_envelope("openBusinessCase", header_xml("d", "m5") +
                                    "<p:serviceId>1</p:serviceId><p:ownerId>o</p:ownerId>"),
                      "title"),
    "wrong type": (soap_envelope("openBusinessCase", header_xml("d", "m6") +
                                 "<p:serviceId>many</p:serviceId><p:ownerId>o</p:ownerId>"
                                 "<p:title>t</p:title>"), "serviceId"),
    "too long businessProcessId": (soap_envelope("reportStatus", header_xml("d", "m7", "b" * 129) +
                                                 "<p:status>OPEN</p:status>"), "businessProcessId"),
    "wrong enumeration value": (soap_envelope("reportStatus", header_xml("d", "m8", "bp-1") +
                                              "<p:status>FINISHED</p:status>"), "status"),
    "unknown operation": (soap_envelope("closeEverything", header_xml("d", "m9")),
                          "closeEverything"),
    "oversized body": (open_case_envelope("d", "m10", title="x" * 2_000_000), "limit"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_gets_a_fault_and_changes_nothing(ws, name):
    envelope, names = CASES[name]
    before = journal_counts(ws.portier.journal)
    started = time.monotonic()
    status, headers, body = ws.portier.post_soap(envelope)
    elapsed = time.monotonic() - started
    text = body.decode(errors="replace")
    assert status in (400, 413, 500), (status, text)
    assert "Fault" in text and "faultstring" in text, text
    assert names.lower() in text.lower(), text
    # A generous bound: the quadratic parser paths this guards against take tens of seconds.
    assert elapsed < 5, f"{name} took {elapsed:.2f}s"
    assert journal_counts(ws.portier.journal) == before


def test_soap12_fault_uses_the_12_envelope(ws):
    envelope = soap_envelope("openBusinessCase", header_xml("d", "v12"), version="1.2")
    status, headers, body = ws.portier.post_soap(envelope, version="1.2")
    assert status == 400
    assert headers["Content-Type"].startswith("application/soap+xml")
    assert b"http://www.w3.org/2003/05/soap-envelope" in body and b"Sender" in body


def test_soapaction_naming_another_operation_is_refused(ws):
    before = journal_counts(ws.portier.journal)
    status, _, body = ws.portier.post_soap(open_case_envelope("d", "sa-1"),
                                           action="urn:portier:department:1#reportStatus")
    assert status == 500 and b"SOAPAction" in body
    assert journal_counts(ws.portier.journal) == before
