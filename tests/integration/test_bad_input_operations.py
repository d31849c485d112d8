"""Bad input to each department operation (a missing required field, a value too long, a wrong
enumeration value, an invalid date, an unknown department status code, ...) gets a SOAP Fault
that names the field, over SOAP 1.1 and 1.2, and stores nothing. The requests are correctly
signed in (steueramt's UsernameToken) and name a case steueramt opened, so the field under test
is the only thing wrong with them."""
import re

import pytest

from harness import (Workspace, header_xml, journal_counts, open_case_envelope, soap_envelope,
                     wait_until, work_items)

SENDER = "steueramt"
ACTIVITY = "<p:title>t</p:title><p:body>b</p:body><p:type>INFO</p:type>"


def x(n, char="x"):
    return char * n


# id -> (operation, the field the Fault must name, the operation's fields after the header).
# "{H}" is a header with the case's businessProcessId, "{h}" one without.
CASES = {
    # addActivity
    "addActivity missing title": ("addActivity", "title",
                                  "{H}<p:body>b</p:body><p:type>INFO</p:type>"),
    "addActivity missing body": ("addActivity", "body",
                                 "{H}<p:title>t</p:title><p:type>INFO</p:type>"),
    "addActivity missing type": ("addActivity", "type",
                                 "{H}<p:title>t</p:title><p:body>b</p:body>"),
    "addActivity empty title": ("addActivity", "title",
                                "{H}<p:title></p:title><p:body>b</p:body><p:type>INFO</p:type>"),
    "addActivity title too long": ("addActivity", "title", "{H}<p:title>" + x(201) +
                                   "</p:title><p:body>b</p:body><p:type>INFO</p:type>"),
    "addActivity body too long": ("addActivity", "body", "{H}<p:title>t</p:title><p:body>" +
                                  x(4001) + "</p:body><p:type>INFO</p:type>"),
    "addActivity type too long": ("addActivity", "type", "{H}<p:title>t</p:title><p:body>b"
                                  "</p:body><p:type>" + x(51) + "</p:type>"),
    **{f"addActivity {field} too long": ("addActivity", field, "{H}" + ACTIVITY +
                                         f"<p:{field}>{x(101)}</p:{field}>")
       for field in ("target", "event", "module", "objectId")},
    "addActivity displayStamp month 13": ("addActivity", "displayStamp", "{H}" + ACTIVITY +
                                          "<p:displayStamp>2026-13-01T00:00:00Z</p:displayStamp>"),
    "addActivity displayStamp February 30": ("addActivity", "displayStamp", "{H}" + ACTIVITY +
                                             "<p:displayStamp>2026-02-30T12:00:00Z"
                                             "</p:displayStamp>"),
    "addActivity displayStamp without zone": ("addActivity", "displayStamp", "{H}" + ACTIVITY +
                                              "<p:displayStamp>2026-03-01T10:00:00"
                                              "</p:displayStamp>"),
    "addActivity displayStamp not a date": ("addActivity", "displayStamp", "{H}" + ACTIVITY +
                                            "<p:displayStamp>morgen</p:displayStamp>"),
    "addActivity missing businessProcessId": ("addActivity", "businessProcessId",
                                              "{h}" + ACTIVITY),
    # sendNotification
    "sendNotification missing subject": ("sendNotification", "subject", "{H}<p:body>b</p:body>"),
    "sendNotification missing body": ("sendNotification", "body", "{H}<p:subject>s</p:subject>"),
    "sendNotification empty body": ("sendNotification", "body",
                                    "{H}<p:subject>s</p:subject><p:body></p:body>"),
    "sendNotification subject too long": ("sendNotification", "subject", "{H}<p:subject>" +
                                          x(201) + "</p:subject><p:body>b</p:body>"),
    "sendNotification body too long": ("sendNotification", "body", "{H}<p:subject>s</p:subject>"
                                       "<p:body>" + x(4001) + "</p:body>"),
    "sendNotification important not a boolean": ("sendNotification", "important",
                                                 "{H}<p:subject>s</p:subject><p:body>b</p:body>"
                                                 "<p:important>maybe</p:important>"),
    # sendMessage
    "sendMessage missing subject": ("sendMessage", "subject", "{H}<p:body>b</p:body>"),
    "sendMessage missing body": ("sendMessage", "body", "{H}<p:subject>s</p:subject>"),
    "sendMessage empty body": ("sendMessage", "body",
                               "{H}<p:subject>s</p:subject><p:body></p:body>"),
    "sendMessage subject too long": ("sendMessage", "subject", "{H}<p:subject>" + x(201) +
                                     "</p:subject><p:body>b</p:body>"),
    # 20,000 in the WSDL; the department's maxTextLength (default 4000) is the tighter limit.
    "sendMessage body over the department's limit": ("sendMessage", "body",
                                                     "{H}<p:subject>s</p:subject><p:body>" +
                                                     x(4001) + "</p:body>"),
    "sendMessage body over the WSDL's limit": ("sendMessage", "body", "{H}<p:subject>s"
                                               "</p:subject><p:body>" + x(20001) + "</p:body>"),
    "sendMessage important not a boolean": ("sendMessage", "important", "{H}<p:subject>s"
                                            "</p:subject><p:body>b</p:body>"
                                            "<p:important>yes</p:important>"),
    # reportStatus
    "reportStatus wrong enumeration value": ("reportStatus", "status",
                                             "{H}<p:status>FINISHED</p:status>"),
    "reportStatus enumeration in lower case": ("reportStatus", "status",
                                               "{H}<p:status>decided</p:status>"),
    "reportStatus unknown departmentStatusCode": ("reportStatus", "departmentStatusCode",
                                                  "{H}<p:departmentStatusCode>UNBEKANNT"
                                                  "</p:departmentStatusCode>"),
    "reportStatus empty departmentStatusCode": ("reportStatus", "departmentStatusCode",
                                                "{H}<p:departmentStatusCode/>"),
    "reportStatus departmentStatusCode too long": ("reportStatus", "departmentStatusCode",
                                                   "{H}<p:departmentStatusCode>" + x(51) +
                                                   "</p:departmentStatusCode>"),
    "reportStatus neither status nor code": ("reportStatus", "status",
                                             "{H}<p:statusText>t</p:statusText>"),
    "reportStatus both status and code": ("reportStatus", "departmentStatusCode",
                                          "{H}<p:status>OPEN</p:status><p:departmentStatusCode>"
                                          "VERANLAGT</p:departmentStatusCode>"),
    "reportStatus statusText too long": ("reportStatus", "statusText", "{H}<p:status>OPEN"
                                         "</p:status><p:statusText>" + x(501) + "</p:statusText>"),
    "reportStatus missing businessProcessId": ("reportStatus", "businessProcessId",
                                               "{h}<p:status>OPEN</p:status>"),
    # getBusinessCase
    "getBusinessCase missing header": ("getBusinessCase", "header", ""),
    "getBusinessCase missing businessProcessId": ("getBusinessCase", "businessProcessId", "{h}"),
    "getBusinessCase businessProcessId too long": ("getBusinessCase", "businessProcessId",
                                                   header_xml(SENDER, "g-long", x(129, "b"))),
    "getBusinessCase missing senderId": ("getBusinessCase", "senderId",
                                         "<p:header><p:messageId>g-1</p:messageId></p:header>"),
    "getBusinessCase messageId too long": ("getBusinessCase", "messageId",
                                           header_xml(SENDER, x(37))),
    "getBusinessCase ourBusinessReferenceId too long": (
        "getBusinessCase", "ourBusinessReferenceId",
        f"<p:header><p:senderId>{SENDER}</p:senderId><p:messageId>g-2</p:messageId>"
        f"<p:businessProcessId>bp-1</p:businessProcessId><p:ourBusinessReferenceId>{x(51)}"
        "</p:ourBusinessReferenceId></p:header>"),
    # listEvents
    "listEvents maxEvents 0": ("listEvents", "maxEvents", "{h}<p:maxEvents>0</p:maxEvents>"),
    "listEvents maxEvents 501": ("listEvents", "maxEvents", "{h}<p:maxEvents>501</p:maxEvents>"),
    "listEvents maxEvents not a number": ("listEvents", "maxEvents",
                                          "{h}<p:maxEvents>ten</p:maxEvents>"),
    "listEvents afterSeq negative": ("listEvents", "afterSeq", "{h}<p:afterSeq>-1</p:afterSeq>"),
    "listEvents afterSeq not a number": ("listEvents", "afterSeq",
                                         "{h}<p:afterSeq>abc</p:afterSeq>"),
    "listEvents missing messageId": ("listEvents", "messageId",
                                     f"<p:header><p:senderId>{SENDER}</p:senderId></p:header>"),
    # ackEvents
    "ackEvents missing seq": ("ackEvents", "seq", "{h}"),
    "ackEvents 501 seqs": ("ackEvents", "seq", "{h}" + "<p:seq>1</p:seq>" * 501),
    "ackEvents seq negative": ("ackEvents", "seq", "{h}<p:seq>-5</p:seq>"),
    "ackEvents seq not a number": ("ackEvents", "seq", "{h}<p:seq>x</p:seq>"),
}


def open_case(ws):
    """A case steueramt opened and the portal has (so the journal stands still after it)."""
    status, _, body = ws.portier.post_soap(open_case_envelope(SENDER, "open-1", service=7))
    assert status == 200, body
    bpid = re.search(rb"<p:businessProcessId>([^<]+)<", body).group(1).decode()
    wait_until(lambda: all(w[1] == "done" for w in work_items(ws.portier.journal)),
               what="the case delivered")
    return bpid


@pytest.fixture(scope="module")
def case():
    """One workspace for the parametrized refusals, which store nothing."""
    ws = Workspace()
    try:
        yield ws, open_case(ws)
    finally:
        ws.close()


def fault_of(body, version):
    """(code, reason) of a SOAP 1.1 or 1.2 Fault."""
    text = body.decode(errors="replace")
    if version == "1.1":
        code = re.search(r"<faultcode>(.*?)</faultcode>", text, re.S)
        reason = re.search(r"<faultstring>(.*?)</faultstring>", text, re.S)
    else:
        code = re.search(r"<SOAP-ENV:Code>\s*<SOAP-ENV:Value>(.*?)</SOAP-ENV:Value>", text, re.S)
        reason = re.search(r"<SOAP-ENV:Text[^>]*>(.*?)</SOAP-ENV:Text>", text, re.S)
    assert code and reason, text
    return code.group(1), reason.group(1)


@pytest.mark.parametrize("version", ["1.1", "1.2"])
@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_gets_a_fault_naming_the_field_and_stores_nothing(case, name, version):
    ws, bpid = case
    operation, field, template = CASES[name]
    message_id = f"bad-{list(CASES).index(name)}-{version}"
    fields = (template.replace("{H}", header_xml(SENDER, message_id, bpid))
              .replace("{h}", header_xml(SENDER, message_id)))
    before = journal_counts(ws.portier.journal)
    status, _, body = ws.portier.post_soap(soap_envelope(operation, fields, version, sender=SENDER),
                                           version=version)
    code, reason = fault_of(body, version)
    assert (status, code) == ((500, "SOAP-ENV:Client") if version == "1.1"
                              else (400, "SOAP-ENV:Sender")), (status, code, reason)
    assert re.search(rf"\b{field}\b", reason), reason
    assert journal_counts(ws.portier.journal) == before


def test_limits_count_characters_not_bytes(ws):
    """At its limit a field is accepted even when every character takes two bytes in UTF-8."""
    bpid = open_case(ws)
    accepted = {
        "addActivity": f"<p:title>{x(200, 'ä')}</p:title><p:body>{x(4000, 'ä')}</p:body>"
                       f"<p:type>{x(50, 'ä')}</p:type><p:target>{x(100, 'ä')}</p:target>",
        "sendNotification": f"<p:subject>{x(200, 'ö')}</p:subject>"
                            f"<p:body>{x(4000, 'ö')}</p:body>",
        "sendMessage": f"<p:subject>{x(200, 'ü')}</p:subject><p:body>{x(4000, 'ü')}</p:body>",
        "reportStatus": f"<p:status>IN_PROGRESS</p:status><p:statusText>{x(500, 'é')}"
                        "</p:statusText>",
    }
    for operation, fields in accepted.items():
        status, _, body = ws.portier.post_soap(soap_envelope(
            operation, header_xml(SENDER, f"chars-{operation}", bpid) + fields, sender=SENDER))
        assert status == 200, body.decode()[:500]

    def delivered():
        portal = ws.sim.portal()
        case_at_portal = portal["businessCases"][0]
        if (portal["activities"] and portal["notifications"] and portal["messages"]
                and case_at_portal["status"] == "IN_PROGRESS"):
            return portal
        return None

    portal = wait_until(delivered, what="the four requests at the portal")
    assert portal["activities"][0]["body"] == x(4000, "ä")
    assert portal["messages"][0]["subject"] == x(200, "ü")
    assert portal["businessCases"][0]["statusText"] == x(500, "é")


# gSOAP skips minLength for an empty-element tag (<p:x/>), so the codec checks it itself.
# The same required fields as empty-element tags: "<p:body/>" instead of "<p:body></p:body>".
EMPTY_ELEMENT_CASES = {
    "addActivity title": ("addActivity", "title", "<p:title/><p:body>b</p:body><p:type>T</p:type>"),
    "addActivity type": ("addActivity", "type", "<p:title>t</p:title><p:body>b</p:body><p:type/>"),
    "sendNotification subject": ("sendNotification", "subject",
                                 "<p:subject/><p:body>b</p:body>"),
    "sendNotification body": ("sendNotification", "body", "<p:subject>s</p:subject><p:body/>"),
    "sendMessage subject": ("sendMessage", "subject", "<p:subject/><p:body>b</p:body>"),
    "sendMessage body": ("sendMessage", "body", "<p:subject>s</p:subject><p:body/>"),
}


@pytest.mark.parametrize("name", list(EMPTY_ELEMENT_CASES))
def test_an_empty_element_tag_for_a_required_field_gets_a_fault(ws, name):
    bpid = open_case(ws)
    operation, field, fields = EMPTY_ELEMENT_CASES[name]
    before = journal_counts(ws.portier.journal)
    status, _, body = ws.portier.post_soap(soap_envelope(
        operation, header_xml(SENDER, "empty-1", bpid) + fields, sender=SENDER))
    assert status == 500, body.decode()[:300]
    code, reason = fault_of(body, "1.1")
    assert code == "SOAP-ENV:Client" and re.search(rf"\b{field}\b", reason), reason
    assert journal_counts(ws.portier.journal) == before


def test_an_empty_message_id_is_refused_rather_than_taken_as_a_duplicate(ws):
    bpid = open_case(ws)
    header = (f"<p:header><p:senderId>{SENDER}</p:senderId><p:messageId/>"
              f"<p:businessProcessId>{bpid}</p:businessProcessId></p:header>")
    requests = [("sendMessage", "<p:subject>s</p:subject><p:body>Erste</p:body>"),
                ("reportStatus", "<p:status>CLOSED</p:status>")]
    for operation, fields in requests:
        intakes = journal_counts(ws.portier.journal)[0]
        status, _, body = ws.portier.post_soap(soap_envelope(operation, header + fields,
                                                             sender=SENDER))
        if status == 200:  # then it must have been stored, not swallowed as a duplicate
            assert journal_counts(ws.portier.journal)[0] == intakes + 1, operation
        else:
            assert "messageId" in fault_of(body, "1.1")[1]
