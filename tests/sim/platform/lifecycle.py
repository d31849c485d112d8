"""The platform's memory: submitted messages and their registered-delivery lifecycle
(contract §2), the controllable clock, recipients' settings and the SMTP fault plan.

    SUBMITTED -> AVAILABLE -> ACCEPTED | REFUSED | EXPIRED | UNDELIVERABLE
              -> UNDELIVERABLE            (recipient blocks registered mail)

Confidential and personal mail has no lifecycle: it is DELIVERED and gets no receipts.
Every transition of a registered message makes one receipt, handed to `deliver`.

Thread-safe: the SMTP loop and the HTTP threads call it; one lock guards everything. Receipts
are composed under the lock (milliseconds), so their order is the order of events.
"""
import collections
import dataclasses
import datetime
import email
import email.policy
import hashlib
import threading
import uuid
import zoneinfo

from dialects import REGISTERED_TYPES
from event_log import rfc3339
import receipt_mail

EXPIRY = datetime.timedelta(days=7)
ZURICH = zoneinfo.ZoneInfo("Europe/Zurich")
ACTIONS = {"accept": ("ACCEPTED", "ACCEPTANCE"), "refuse": ("REFUSED", "REFUSAL"),
           "undeliverable": ("UNDELIVERABLE", "UNDELIVERABLE")}


class BadCall(Exception):
    """A control call that cannot be done; `status` is its HTTP answer."""
    status = 422


class NotFound(BadCall):
    status = 404


@dataclasses.dataclass
class Receipt:
    kind: str
    name: str
    message_id: str
    subject: str
    at: datetime.datetime
    delivered: bool = False
    error: str = None

    def view(self):
        return {"kind": self.kind, "name": self.name, "messageId": self.message_id,
                "subject": self.subject, "at": rfc3339(self.at), "delivered": self.delivered,
                "error": self.error}


@dataclasses.dataclass
class Message:
    message_id: str
    platform_id: str
    type: str
    sender: str
    recipient: str
    subject: str
    title: str
    documents: list
    submitted_at: datetime.datetime
    state: str = "SUBMITTED"
    available_at: datetime.datetime = None
    receipts: list = dataclasses.field(default_factory=list)

    @property
    def registered(self):
        return self.type in REGISTERED_TYPES

    def view(self, submissions):
        return {"messageId": self.message_id, "platformMessageId": self.platform_id,
                "type": self.type, "registered": self.registered, "state": self.state,
                "sender": self.sender, "recipient": self.recipient, "subject": self.subject,
                "title": self.title, "documents": self.documents,
                "submittedAt": rfc3339(self.submitted_at),
                "availableAt": rfc3339(self.available_at) if self.available_at else None,
                "submissions": submissions, "receipts": [r.view() for r in self.receipts]}


def documents_of(mail):
    """Each PDF part: name, content type, size, SHA-256 of the decoded bytes. Senders often
    label PDFs application/octet-stream, so a .pdf file name counts too."""
    found = []
    for part in mail.walk():
        if part.is_multipart():
            continue
        name = part.get_filename() or ""
        if part.get_content_type() != "application/pdf" and not name.lower().endswith(".pdf"):
            continue
        data = part.get_payload(decode=True) or b""
        found.append({"name": name, "contentType": part.get_content_type(), "size": len(data),
                      "sha256": hashlib.sha256(data).hexdigest()})
    return found


class Platform:
    def __init__(self, dialect, seal, deliver):
        self.dialect = dialect
        self.seal = seal
        self._deliver = deliver
        self._lock = threading.Lock()
        # Ids keep counting across reset: receipts already in the mailbox keep unique ids.
        self._next_id = 1
        self._forget()

    def _forget(self):
        self._offset = datetime.timedelta()
        self._messages = {}
        self._submissions = collections.Counter()
        self._recipients = {}
        self._faults = []

    def reset(self):
        with self._lock:
            self._forget()

    # --- clock -------------------------------------------------------------------------

    def _now(self):
        return datetime.datetime.now(datetime.timezone.utc) + self._offset

    def clock(self):
        with self._lock:
            now = self._now()
            return {"now": rfc3339(now), "nowMs": int(now.timestamp() * 1000),
                    "offsetMs": int(self._offset / datetime.timedelta(milliseconds=1))}

    def advance(self, delta):
        if delta < datetime.timedelta():
            raise BadCall("advance moves the clock forward only; use /_sim/clock to set it")
        with self._lock:
            self._offset += delta
            self._expire_due()
        return self.clock()

    def set_clock(self, moment):
        with self._lock:
            self._offset = moment - datetime.datetime.now(datetime.timezone.utc)
            self._expire_due()
        return self.clock()

    @staticmethod
    def _expires_at(message):
        # Seven calendar days on the platform's local clock: the same wall-clock time a week
        # later, even when summer time starts or ends in between.
        local = message.available_at.astimezone(ZURICH) + EXPIRY
        return local.astimezone(datetime.timezone.utc)

    def _expire_due(self):
        now = self._now()
        due = sorted((m for m in self._messages.values()
                      if m.state == "AVAILABLE" and self._expires_at(m) <= now),
                     key=lambda m: m.available_at)
        for message in due:
            message.state = "EXPIRED"
            self._receipt(message, "EXPIRY", self._expires_at(message))

    # --- recipients and faults -------------------------------------------------------

    def set_recipient(self, address, auto_accept, blocks_registered):
        with self._lock:
            self._recipients[address.lower()] = {"email": address, "autoAccept": auto_accept,
                                                 "blocksRegistered": blocks_registered}
            return list(self._recipients.values())

    def add_fault(self, code, count, text):
        with self._lock:
            self._faults.append({"smtp": code, "count": count, "text": text})
            return [dict(f) for f in self._faults]

    def clear_faults(self):
        with self._lock:
            self._faults = []

    def take_fault(self):
        """The SMTP reply the next submission gets instead of being taken, or None."""
        with self._lock:
            if not self._faults:
                return None
            fault = self._faults[0]
            fault["count"] -= 1
            if fault["count"] <= 0:
                self._faults.pop(0)
            return f"{fault['smtp']} {fault['text']}"

    # --- submission and actions ------------------------------------------------------

    def submit(self, sender, recipient, raw):
        """Takes one submitted message; returns (platform id, duplicate?)."""
        mail = email.message_from_bytes(raw, policy=email.policy.default)
        message_id = str(mail.get("Message-ID", "")).strip()
        if not message_id:
            # Real platforms take mail without one; it just cannot be deduplicated.
            message_id = f"<{uuid.uuid4()}@generated.{self.dialect.domain}>"
        subject = str(mail.get("Subject", ""))
        message_type, title = self.dialect.classify(subject)
        documents = documents_of(mail)
        with self._lock:
            self._submissions[message_id] += 1
            existing = self._messages.get(message_id)
            if existing:
                return existing.platform_id, True
            message = Message(message_id, f"{self.dialect.id_prefix}{self._next_id:08d}",
                              message_type, sender, recipient, subject, title, documents,
                              self._now())
            self._next_id += 1
            self._messages[message_id] = message
            if message.registered:
                self._start_lifecycle(message)
            else:
                message.state = "DELIVERED"
            return message.platform_id, False

    def _start_lifecycle(self, message):
        now = message.submitted_at
        self._receipt(message, "SUBMISSION", now)
        settings = self._recipients.get(message.recipient.lower(), {})
        if settings.get("blocksRegistered"):
            message.state = "UNDELIVERABLE"
            self._receipt(message, "UNDELIVERABLE", now)
            return
        message.state, message.available_at = "AVAILABLE", now
        if settings.get("autoAccept"):
            message.state = "ACCEPTED"
            self._receipt(message, "ACCEPTANCE", now)

    def act(self, message_id, action):
        if action not in ACTIONS:
            raise BadCall(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
        with self._lock:
            self._expire_due()
            message = self._messages.get(message_id)
            if message is None:
                raise NotFound(f"no message with Message-ID {message_id}")
            if not message.registered:
                raise BadCall(f"{message_id} is {message.type} mail: it has no lifecycle")
            if message.state != "AVAILABLE":
                raise BadCall(f"{message_id} is {message.state}; only an AVAILABLE message "
                              f"can take {action!r}")
            message.state, kind = ACTIONS[action]
            receipt = self._receipt(message, kind, self._now())
            return message.view(self._submissions[message_id]), receipt.view()

    def _receipt(self, message, kind, at):
        name = self.dialect.receipt_names[kind]
        receipt = Receipt(kind, name, f"<R{self._next_id:08d}.{kind.lower()}@{self.dialect.domain}>",
                          f"{name}: {message.title}", at)
        self._next_id += 1
        message.receipts.append(receipt)
        self._deliver(receipt, receipt_mail.compose(self.dialect, self.seal, message, receipt))
        return receipt

    # --- inspection ------------------------------------------------------------------

    def state(self, pending_receipts):
        with self._lock:
            self._expire_due()
            now = self._now()
            return {"platform": self.dialect.key, "now": rfc3339(now),
                    "messages": [m.view(self._submissions[m.message_id])
                                 for m in self._messages.values()],
                    "submissions": dict(self._submissions),
                    "recipients": list(self._recipients.values()),
                    "faults": [dict(f) for f in self._faults],
                    "pendingReceipts": pending_receipts}
