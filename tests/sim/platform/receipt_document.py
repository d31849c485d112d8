"""The receipt's proof: a one-page PDF listing the facts, and a detached CMS signature over its
bytes by the platform's seal key, whose certificate a test CA issued (contract §3)."""
import os

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7

import testpki

LINE_CHARS = 90  # Courier 9 pt on A4 with 40 pt margins


def _pdf_text(value):
    # WinAnsi text in a PDF literal string; what the font cannot show becomes '?'.
    raw = value.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _wrapped(lines):
    for line in lines:
        while len(line) > LINE_CHARS:
            yield line[:LINE_CHARS]
            line = "  " + line[LINE_CHARS:]
        yield line


def receipt_pdf(lines):
    """A minimal valid PDF 1.4: one A4 page of text, content uncompressed so the text (and the
    documents' SHA-256) can be found in the bytes."""
    content = b"BT /F1 9 Tf 11 TL 40 800 Td\n"
    for line in _wrapped(lines):
        content += b"(" + _pdf_text(line) + b") Tj T*\n"
    content += b"ET\n"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += (b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, xref))
    return bytes(out)


class Seal:
    """The platform's seal: a CA (kept in `folder` so a restarted simulator stays trusted, or
    given) and a signing certificate issued by it at start."""

    def __init__(self, folder, platform_name, ca_cert=None, ca_key=None):
        os.makedirs(folder, exist_ok=True)
        self.ca_path = os.path.join(folder, "ca.pem")
        key_path = os.path.join(folder, "ca.key")
        if ca_cert and ca_key:
            self.ca_cert, self.ca_key = testpki.load_pair(ca_cert, ca_key)
            testpki.write_pem(self.ca_path, self.ca_cert)
        elif os.path.exists(self.ca_path) and os.path.exists(key_path):
            self.ca_cert, self.ca_key = testpki.load_pair(self.ca_path, key_path)
        else:
            self.ca_cert, self.ca_key = testpki.make_ca(f"{platform_name} Test Root CA")
            testpki.write_pem(self.ca_path, self.ca_cert)
            testpki.write_pem(key_path, key=self.ca_key)
        self.cert, self.key = testpki.issue(self.ca_cert, self.ca_key, f"{platform_name} Seal")
        testpki.write_pem(os.path.join(folder, "seal.pem"), self.cert)

    def ca_pem(self):
        return self.ca_cert.public_bytes(serialization.Encoding.PEM)

    def sign(self, data):
        """Detached DER CMS SignedData over `data` exactly as given (binary, no MIME
        canonicalisation), with the seal certificate included."""
        return (pkcs7.PKCS7SignatureBuilder().set_data(data)
                .add_signer(self.cert, self.key, hashes.SHA256())
                .sign(serialization.Encoding.DER,
                      [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]))
