"""The two platforms' dialects: which subject tag means which message type, and what each
receipt kind is called (contract §1 and §3)."""
import dataclasses

REGISTERED_TYPES = ("registered", "egov")
KINDS = ("SUBMISSION", "ACCEPTANCE", "REFUSAL", "EXPIRY", "UNDELIVERABLE")


@dataclasses.dataclass(frozen=True)
class Dialect:
    key: str
    name: str          # how the platform signs its receipts
    domain: str        # of the platform's own addresses and Message-IDs
    id_prefix: str     # of platform message ids
    tags: dict         # lower-case subject tag -> message type
    receipt_names: dict  # kind -> the receipt's published name

    def classify(self, subject):
        """(type, title): the type from a leading tag; no or unknown tag is confidential.

        The title is the subject without a known tag; an unknown tag stays in it because the
        platform would not recognise it either.
        """
        text = (subject or "").strip()
        if text.startswith("<") and ">" in text:
            tag, rest = text[:text.index(">") + 1], text[text.index(">") + 1:]
            message_type = self.tags.get(tag.lower())
            if message_type:
                return message_type, rest.strip()
        return "confidential", text


INCAMAIL = Dialect(
    key="incamail", name="IncaMail", domain="incamail.sim", id_prefix="IM",
    tags={"<r>": "registered", "<c>": "confidential", "<p>": "personal"},
    receipt_names={"SUBMISSION": "Abgabequittung", "ACCEPTANCE": "Abholquittung",
                   "REFUSAL": "Annahmeverweigerungsquittung", "EXPIRY": "Verfallquittung",
                   "UNDELIVERABLE": "Unzustellbarkeitsmeldung"})

PRIVASPHERE = Dialect(
    key="privasphere", name="PrivaSphere", domain="privasphere.sim", id_prefix="PSP",
    tags={"<pspregistered/>": "registered", "<r>": "registered",
          "<pspegov/>": "egov", "<pspegov3161/>": "egov", "<egov>": "egov"},
    receipt_names={"SUBMISSION": "Belegexemplar", "ACCEPTANCE": "Lesebestaetigung",
                   "REFUSAL": "Annahmeverweigerung", "EXPIRY": "Verfallsmeldung",
                   "UNDELIVERABLE": "Unzustellbarkeitsmeldung"})

DIALECTS = {d.key: d for d in (INCAMAIL, PRIVASPHERE)}
