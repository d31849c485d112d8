"""What happened, in order: SMTP sessions, control calls and receipt deliveries, for tests to
read at /_sim/log. Bounded, so a long sandbox run cannot grow it without end."""
import collections
import datetime
import threading

MAX_ENTRIES = 10000


def rfc3339(moment):
    return (moment.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"))


class EventLog:
    """Thread-safe; entries get a sequence number that keeps counting across clear()."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = collections.deque(maxlen=MAX_ENTRIES)
        self._seq = 0

    def add(self, channel, event, **fields):
        with self._lock:
            self._seq += 1
            self._entries.append({"seq": self._seq, "channel": channel, "event": event,
                                  "at": rfc3339(datetime.datetime.now(datetime.timezone.utc)),
                                  **fields})

    def since(self, seq=0):
        with self._lock:
            return {"entries": [e for e in self._entries if e["seq"] > seq],
                    "nextSeq": self._seq + 1}

    def clear(self):
        with self._lock:
            self._entries.clear()
