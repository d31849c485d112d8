"""A submission server for the securemail tests: STARTTLS required, AUTH PLAIN/LOGIN for one
account, every accepted message written to OUT_DIR as msg-N.eml. Recipients whose local part is
fault451 or fault554 get that reply (451 at RCPT, 554 after the message).

usage: /usr/bin/python3 smtp_sink.py PORT CERT KEY USER PASSWORD OUT_DIR [CLIENT_CA]
With CLIENT_CA, STARTTLS requires a client certificate issued by it (mutual TLS).
Writes OUT_DIR/ready once it listens; stops on SIGTERM.
"""
import asyncio
import os
import signal
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("fault451@"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(r.startswith("fault554@") for r in envelope.rcpt_tos):
            return "554 5.7.1 Recipient refuses registered mail"
        self.count += 1
        path = os.path.join(self.out_dir, "msg-%d.eml" % self.count)
        with open(path + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(path + ".tmp", path)
        with open(path + ".envelope", "w") as f:
            f.write(envelope.mail_from + "\n" + "\n".join(envelope.rcpt_tos) + "\n")
        return "250 2.0.0 OK queued as %d" % self.count


def main():
    port, cert, key, user, password, out_dir = sys.argv[1:7]
    client_ca = sys.argv[7] if len(sys.argv) > 7 else None

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        return AuthResult(success=ok, handled=False)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    if client_ca:
        context.load_verify_locations(client_ca)
        context.verify_mode = ssl.CERT_REQUIRED
    controller = Controller(Sink(out_dir), hostname="127.0.0.1", port=int(port),
                            tls_context=context, require_starttls=True,
                            authenticator=authenticate, auth_require_tls=True,
                            auth_required=True)
    controller.start()
    open(os.path.join(out_dir, "ready"), "w").close()
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    main()
