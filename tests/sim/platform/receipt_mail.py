"""A receipt as the platform mails it (contract §3): In-Reply-To/References point at the
submitted message, Date is the event time, and the parts are receipt.pdf and its detached
signature receipt.pdf.p7s."""
import email.message
import email.policy
import email.utils
import zoneinfo

from receipt_document import receipt_pdf

# Swiss platforms write local time; Portier has to convert it for the legal delivery date.
ZURICH = zoneinfo.ZoneInfo("Europe/Zurich")


def pdf_lines(dialect, message, receipt):
    at = receipt.at.astimezone(ZURICH)
    lines = [f"{dialect.name} - {receipt.name}", "",
             f"Platform: {dialect.name}",
             f"Kind: {receipt.kind}",
             f"Event time: {at.isoformat(timespec='seconds')} (Europe/Zurich)",
             f"Platform message id: {message.platform_id}",
             f"Message-ID: {message.message_id}",
             f"Sender: {message.sender}",
             f"Recipient: {message.recipient}",
             f"Subject: {message.title}",
             f"Type: {message.type}",
             f"Documents: {len(message.documents)}"]
    for number, document in enumerate(message.documents, start=1):
        lines += [f"  {number}. {document['name']}",
                  f"     SHA-256: {document['sha256']}",
                  f"     Size: {document['size']} bytes"]
    return lines


def compose(dialect, seal, message, receipt):
    """The receipt's raw bytes (CRLF line ends, as IMAP APPEND wants them)."""
    pdf = receipt_pdf(pdf_lines(dialect, message, receipt))
    mail = email.message.EmailMessage(policy=email.policy.SMTP)
    mail["From"] = f"{dialect.name} <receipts@{dialect.domain}>"
    mail["To"] = message.sender
    mail["Subject"] = receipt.subject
    mail["Date"] = email.utils.format_datetime(receipt.at.astimezone(ZURICH))
    mail["Message-ID"] = receipt.message_id
    mail["In-Reply-To"] = message.message_id
    mail["References"] = message.message_id
    mail.set_content(f"{receipt.name} ({receipt.kind})\n"
                     f"{dialect.name} message {message.platform_id}\n"
                     f"Recipient: {message.recipient}\n"
                     "The receipt is receipt.pdf; receipt.pdf.p7s is its signature.\n")
    mail.add_attachment(pdf, maintype="application", subtype="pdf", filename="receipt.pdf")
    mail.add_attachment(seal.sign(pdf), maintype="application", subtype="pkcs7-signature",
                        filename="receipt.pdf.p7s")
    return mail.as_bytes()
