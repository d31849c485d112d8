"""Writes a deliverDocument request as MTOM/XOP for run_mtom_intake.sh: the envelope (a
WS-Security UsernameToken, the document an xop:Include) and the PDF as a binary part, packed
with Python's `email` package. Debian's Python only.
    make_mtom_request.py PDF BODY_OUT CONTENT_TYPE_OUT USER PASSWORD BPID MESSAGE_ID
The PDF is copied into the body after the package is generated: `email` rewrites line ends in
8-bit payloads, and a PDF of tens of MB need not pass through it."""
import base64
import datetime
import hashlib
import os
import shutil
import sys
from email import encoders, policy
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart

P = "http://docs.oasis-open.org/wss/2004/01/"
XOP = "http://www.w3.org/2004/08/xop/include"


def envelope(user, password, bpid, message_id):
    nonce = os.urandom(16)
    created = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest())
    return (
        '<?xml version="1.0" encoding="UTF-8"?><s:Envelope '
        'xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:p="urn:portier:department:1"><s:Header><wsse:Security '
        f'xmlns:wsse="{P}oasis-200401-wss-wssecurity-secext-1.0.xsd" '
        f'xmlns:wsu="{P}oasis-200401-wss-wssecurity-utility-1.0.xsd"><wsse:UsernameToken>'
        f'<wsse:Username>{user}</wsse:Username><wsse:Password Type="{P}oasis-200401-wss-'
        f'username-token-profile-1.0#PasswordDigest">{digest.decode()}</wsse:Password>'
        f'<wsse:Nonce>{base64.b64encode(nonce).decode()}</wsse:Nonce>'
        f'<wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security>'
        '</s:Header><s:Body><p:deliverDocument><p:header>'
        f'<p:senderId>{user}</p:senderId><p:messageId>{message_id}</p:messageId>'
        f'<p:businessProcessId>{bpid}</p:businessProcessId></p:header>'
        '<p:documentKind>Verfuegung</p:documentKind><p:title>Benchmark</p:title>'
        '<p:date>2026-11-29</p:date><p:document>'
        f'<xop:Include xmlns:xop="{XOP}" href="cid:document@bench"/>'
        '</p:document><p:channel>inbox</p:channel></p:deliverDocument></s:Body></s:Envelope>')


def main(pdf_path, body_out, type_out, user, password, bpid, message_id):
    package = MIMEMultipart("related")
    package.set_param("type", "application/xop+xml")
    package.set_param("start", "<root@bench>")
    package.set_param("start-info", "text/xml")
    root = MIMEApplication(envelope(user, password, bpid, message_id).encode(), "xop+xml",
                           _encoder=encoders.encode_noop)
    root.set_param("charset", "UTF-8")
    root.set_param("type", "text/xml")
    root["Content-ID"] = "<root@bench>"
    package.attach(root)
    marker = b"@@pdf@@"
    pdf = MIMEApplication(marker, "pdf", _encoder=encoders.encode_noop)
    pdf["Content-Transfer-Encoding"] = "binary"
    pdf["Content-ID"] = "<document@bench>"
    package.attach(pdf)
    body = package.as_bytes(policy=policy.HTTP).split(b"\r\n\r\n", 1)[1]
    head, tail = body.split(marker)
    with open(body_out, "wb") as out, open(pdf_path, "rb") as source:
        out.write(head)
        shutil.copyfileobj(source, out, 1 << 20)
        out.write(tail)
    with open(type_out, "w") as out:
        out.write(package["Content-Type"])


if __name__ == "__main__":
    main(*sys.argv[1:8])
