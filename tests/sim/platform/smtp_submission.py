"""The platform's SMTP submission (contract §1), an aiosmtpd handler: STARTTLS before AUTH,
AUTH PLAIN/LOGIN with a sender account, MAIL FROM must be that account, one recipient per
submission, and the fault plan answers before a message is taken."""
import logging
import ssl

from aiosmtpd.smtp import SMTP, AuthResult

MAX_MESSAGE_BYTES = 25 * 1024 * 1024

# aiosmtpd 1.4 itself sets its deprecated Session.login_data on every AUTH and logs about it.
logging.getLogger("mail.log").addFilter(
    lambda record: "login_data is deprecated" not in record.getMessage())


class Submission:
    def __init__(self, platform, accounts, log):
        """`accounts`: address -> password; the address is also the login name."""
        self.platform = platform
        self.accounts = {a.lower(): p for a, p in accounts.items()}
        self.log = log

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        login = auth_data.login.decode(errors="replace")
        ok = self.accounts.get(login.lower()) == auth_data.password.decode(errors="replace")
        self.log.add("smtp", "auth", login=login, mechanism=mechanism, ok=ok)
        # handled=False makes aiosmtpd answer 535 itself; with handled=True it would answer
        # nothing and the client would wait for its timeout.
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        login = session.auth_data.login.decode(errors="replace")
        if address.lower() != login.lower():
            return self._refuse("MAIL", f"553 5.7.1 Sender {address} is not the authenticated "
                                        f"account {login}")
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if envelope.rcpt_tos:
            return self._refuse("RCPT", "554 5.5.3 One recipient per registered submission")
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        fault = self.platform.take_fault()
        if fault:
            return self._refuse("DATA", fault, injected=True)
        raw = envelope.original_content or envelope.content
        try:
            platform_id, duplicate = self.platform.submit(envelope.mail_from,
                                                          envelope.rcpt_tos[0], raw)
        except Exception as error:  # noqa: BLE001 - any unparsable message is refused
            return self._refuse("DATA", f"554 5.6.0 Message not understood: {error}")
        reply = f"250 2.0.0 OK {platform_id}"
        self.log.add("smtp", "submission", sender=envelope.mail_from,
                     recipient=envelope.rcpt_tos[0], platformMessageId=platform_id,
                     duplicate=duplicate, reply=reply)
        return reply

    def _refuse(self, stage, reply, injected=False):
        self.log.add("smtp", "refused", stage=stage, reply=reply, injected=injected)
        return reply


def smtp_factory(submission, hostname, cert, key):
    """A protocol factory for loop.create_server."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return lambda: SMTP(submission, hostname=hostname, ident="platform-sim",
                        tls_context=context, require_starttls=True, auth_required=True,
                        auth_require_tls=True, authenticator=submission.authenticate,
                        data_size_limit=MAX_MESSAGE_BYTES, timeout=60)
