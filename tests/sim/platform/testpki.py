#!/usr/bin/python3
"""Test certificates: a CA and the certificates it issues, as PEM files in a folder.

Used for the loopback TLS of the test mail servers (a server certificate for 127.0.0.1) and for
the simulated platform's seal (a signing certificate). EC P-256 keys: made in milliseconds, so
every test run can have fresh ones.

CLI: testpki.py --dir D   writes D/tls-ca.pem, D/tls-ca.key, D/server.pem, D/server.key
"""
import argparse
import datetime
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

VALIDITY = datetime.timedelta(days=3650)


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Portier Test"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject, issuer, public_key):
    # Valid from a year back: the simulators' clocks may be set into the past.
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=365)).not_valid_after(now + VALIDITY))


def make_ca(common_name):
    """Returns (certificate, key) of a new self-signed CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (_builder(_name(common_name), _name(common_name), key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                           critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA256()))
    return cert, key


def issue(ca_cert, ca_key, common_name, server=False):
    """A certificate signed by the CA: for a loopback TLS server, or for signing documents."""
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (_builder(_name(common_name), ca_cert.subject, key.public_key())
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   ca_key.public_key()), False))
    if server:
        builder = (builder
                   .add_extension(x509.KeyUsage(True, False, True, False, False, False, False,
                                                False, False), critical=True)
                   .add_extension(x509.ExtendedKeyUsage([x509.ExtendedKeyUsageOID.SERVER_AUTH]),
                                  False)
                   .add_extension(x509.SubjectAlternativeName([
                       x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                       x509.DNSName("localhost")]), False))
    else:
        # digitalSignature + nonRepudiation and no extended key usage, which openssl's
        # default S/MIME signing purpose accepts.
        builder = builder.add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True)
    return builder.sign(ca_key, hashes.SHA256()), key


def write_pem(path, cert=None, key=None):
    data = b""
    if cert is not None:
        data += cert.public_bytes(serialization.Encoding.PEM)
    if key is not None:
        data += key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    with open(path, "wb") as f:
        f.write(data)
    if key is not None:
        os.chmod(path, 0o600)
    return path


def load_pair(cert_path, key_path):
    with open(cert_path, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    with open(key_path, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    return cert, key


def make_tls(folder):
    """A TLS CA and a server certificate for 127.0.0.1 in `folder`; returns their paths."""
    os.makedirs(folder, exist_ok=True)
    ca_cert, ca_key = make_ca("Portier Test TLS CA")
    cert, key = issue(ca_cert, ca_key, "127.0.0.1", server=True)
    paths = {"ca": write_pem(os.path.join(folder, "tls-ca.pem"), ca_cert),
             "caKey": write_pem(os.path.join(folder, "tls-ca.key"), key=ca_key),
             "cert": write_pem(os.path.join(folder, "server.pem"), cert),
             "key": write_pem(os.path.join(folder, "server.key"), key=key)}
    return paths


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True)
    for name, path in make_tls(parser.parse_args().dir).items():
        print(f"{name}: {path}")
