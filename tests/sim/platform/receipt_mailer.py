"""Puts receipts into the sender account's mailbox by IMAP APPEND (STARTTLS), in the order they
happened, and keeps a copy of each as an .eml file in the work folder.

One thread. While the mailbox is unreachable it retries with backoff, so a receipt arrives late
but is not lost, as with a platform's outbound mail. Without an IMAP server configured the
files are the only copy.
"""
import collections
import imaplib
import os
import ssl
import threading
import time


class ReceiptMailer:
    def __init__(self, folder, log, imap=None):
        """`imap`: dict with host, port, user, password, ca (PEM path), mailbox; or None."""
        self._folder = folder
        self._log = log
        self._imap = imap
        self._queue = collections.deque()
        self._cond = threading.Condition()
        self._stopping = False
        self._busy = False
        os.makedirs(folder, exist_ok=True)
        self._thread = threading.Thread(target=self._run, name="receipt-mailer", daemon=True)
        if imap:
            self._thread.start()

    def deliver(self, receipt, raw):
        name = f"{receipt.message_id.strip('<>').split('@')[0]}.eml"
        with open(os.path.join(self._folder, name), "wb") as f:
            f.write(raw)
        if self._imap:
            with self._cond:
                self._queue.append((receipt, raw))
                self._cond.notify()

    def pending(self):
        with self._cond:
            return len(self._queue) + (1 if self._busy else 0)

    def drop_pending(self):
        with self._cond:
            self._queue.clear()

    def stop(self, drain_seconds=3):
        """Gives queued receipts a moment to go out, then stops the thread."""
        deadline = time.time() + drain_seconds
        while self.pending() and time.time() < deadline:
            time.sleep(0.05)
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(5)

    def _connect(self):
        conf = self._imap
        connection = imaplib.IMAP4(conf["host"], conf["port"], timeout=10)
        context = ssl.create_default_context(cafile=conf.get("ca"))
        connection.starttls(context)
        connection.login(conf["user"], conf["password"])
        return connection

    def _run(self):
        connection, backoff = None, 0.1
        while True:
            with self._cond:
                while not self._queue and not self._stopping:
                    if connection:  # idle: log out rather than hold a session open
                        break
                    self._cond.wait()
                if self._stopping:
                    break
                if not self._queue:
                    item = None
                else:
                    item, self._busy = self._queue[0], True
            if item is None:
                connection = self._logout(connection)
                continue
            receipt, raw = item
            try:
                connection = connection or self._connect()
                status, detail = connection.append(self._imap.get("mailbox", "INBOX"), None,
                                                   imaplib.Time2Internaldate(receipt.at), raw)
                if status != "OK":
                    raise imaplib.IMAP4.error(f"APPEND answered {status} {detail}")
                receipt.delivered, receipt.error, backoff = True, None, 0.1
                with self._cond:
                    if self._queue and self._queue[0] is item:
                        self._queue.popleft()
                    self._busy = False
                self._log.add("imap", "append", receipt=receipt.message_id, kind=receipt.kind,
                              ok=True)
            except (OSError, imaplib.IMAP4.error) as error:
                receipt.error = str(error)
                self._log.add("imap", "append", receipt=receipt.message_id, kind=receipt.kind,
                              ok=False, error=str(error))
                connection = self._logout(connection)
                with self._cond:
                    self._busy = False
                    self._cond.wait(backoff)
                backoff = min(backoff * 2, 2.0)
        self._logout(connection)

    @staticmethod
    def _logout(connection):
        if connection:
            try:
                connection.logout()
            except (OSError, imaplib.IMAP4.error):
                pass
        return None
