"""Writes a PDF of about SIZE_MB and a deliverDocument envelope carrying it (base64 in lines of
76 characters, a WS-Security UsernameToken) for run_document_intake.sh. Debian's Python only.
    make_document_request.py SIZE_MB PDF_OUT ENVELOPE_OUT USER PASSWORD BPID MESSAGE_ID
The image's pixels derive from MESSAGE_ID, so every request carries a new document."""
import base64
import datetime
import hashlib
import os
import sys

P = "http://docs.oasis-open.org/wss/2004/01/"


def write_pdf(path, image_bytes, seed):
    """One page around an uncompressed greyscale image: a scan's shape, which qpdf checks
    without decoding it."""
    width = 4096
    height = max(1, image_bytes // width)
    block = hashlib.sha256(seed.encode()).digest() * 2048  # 64 KiB
    content = b"q 612 0 0 792 0 0 cm /Im1 Do Q"
    with open(path, "wb") as f:
        offsets = []

        def obj(number, head, stream=None, length=0):
            offsets.append(f.tell())
            f.write(f"{number} 0 obj\n".encode() + head)
            if stream is not None:
                f.write(b"\nstream\n")
                stream(f)
                f.write(b"\nendstream")
            f.write(b"\nendobj\n")

        def pixels(out):
            left = width * height
            while left:
                n = min(left, len(block))
                out.write(block[:n])
                left -= n

        f.write(b"%PDF-1.4\n")
        obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /XObject << /Im1 5 0 R >> >> >>")
        obj(4, f"<< /Length {len(content)} >>".encode(), lambda out: out.write(content))
        obj(5, (f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} "
                f"/ColorSpace /DeviceGray /BitsPerComponent 8 /Length {width * height} >>")
            .encode(), pixels)
        xref = f.tell()
        f.write(f"xref\n0 6\n0000000000 65535 f \n".encode())
        for off in offsets:
            f.write(f"{off:010d} 00000 n \n".encode())
        f.write(f"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())


def write_envelope(path, pdf_path, user, password, bpid, message_id):
    nonce = os.urandom(16)
    created = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest())
    with open(path, "wb") as out, open(pdf_path, "rb") as pdf:
        out.write((
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
            '<p:date>2026-11-29</p:date><p:document>').encode())
        while True:
            raw = pdf.read(57 * 1024)  # a multiple of 57 bytes: whole lines of 76 characters
            if not raw:
                break
            text = base64.b64encode(raw)
            out.write(b"\r\n".join(text[i:i + 76] for i in range(0, len(text), 76)) + b"\r\n")
        out.write(b"</p:document><p:channel>inbox</p:channel></p:deliverDocument></s:Body>"
                  b"</s:Envelope>")


if __name__ == "__main__":
    size_mb, pdf_out, envelope_out, user, password, bpid, message_id = sys.argv[1:8]
    write_pdf(pdf_out, int(float(size_mb) * 1e6) - 1024, message_id)
    write_envelope(envelope_out, pdf_out, user, password, bpid, message_id)
