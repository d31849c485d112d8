"""portierctl backup and restore: a backup taken while department applications keep reporting
status and delivering documents restores into a fresh folder, where the evidence chain verifies
and every call answered before the backup began is in the journal, with its documents. A
journal that holds data is not overwritten without --force."""
import hashlib
import http.client
import os
import re
import sqlite3
import subprocess
import threading

from harness import binary, open_case_envelope, report_status_envelope, wait_until, zeep_client
from test_documents import make_pdf

SENDERS = 4
CASES = 8


def open_cases(portier):
    bpids = []
    for i in range(CASES):
        status, _, body = portier.post_soap(open_case_envelope("steueramt", f"open-{i}"))
        assert status == 200, body
        bpids.append(re.search(rb"<p:businessProcessId>([^<]+)<", body).group(1).decode())
    return bpids


def report_statuses(port, index, bpids, answered, stop):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    n = 0
    while not stop.is_set():
        message_id = f"s{index}-{n}"
        body = report_status_envelope("steueramt", message_id, bpids[(index + n) % len(bpids)],
                                      text=f"step {n}")
        conn.request("POST", "/soap/v1", body.encode(), {"Content-Type": "text/xml"})
        reply = conn.getresponse()
        if reply.status == 200 and b"reportStatusResponse" in reply.read():
            answered.append(message_id)
        n += 1


def deliver_documents(portier, bpid, delivered, stop):
    service = zeep_client(portier, "steueramt")
    n = 0
    while not stop.is_set():
        pdf = make_pdf(f"Verfuegung {n}")
        answer = service.deliverDocument(
            header={"senderId": "steueramt", "messageId": f"doc-{n}", "businessProcessId": bpid},
            documentKind="Veranlagungsverfuegung", title="Verfuegung", date="2026-11-29",
            document=pdf, important=False, channel="inbox")
        assert answer.sha256 == hashlib.sha256(pdf).hexdigest()
        delivered.append(answer.sha256)
        n += 1


def run_ctl(portier, config, *args, check=True):
    """portierctl against another configuration, with the workspace's secrets."""
    result = subprocess.run([binary("portierctl"), "--config", config, *args],
                            capture_output=True, text=True, env=portier.env, timeout=120)
    if check:
        assert result.returncode == 0, f"portierctl {args}: {result.stdout}{result.stderr}"
    return result


def restored_config(ws, folder):
    """The workspace's configuration with the journal and documents in `folder`."""
    with open(ws.portier.config) as f:
        config = f.read()
    config = config.replace(ws.portier.journal, os.path.join(folder, "journal.db"))
    config = config.replace(os.path.join(ws.dir, "documents"), os.path.join(folder, "documents"))
    path = os.path.join(folder, "portier.xml")
    with open(path, "w") as f:
        f.write(config)
    return path


def test_backup_under_load_restores_everything_that_was_answered(ws):
    portier = ws.portier
    bpids = open_cases(portier)
    answered, delivered, stop = [], [], threading.Event()
    threads = [threading.Thread(target=report_statuses,
                                args=(portier.port, i, bpids, answered, stop))
               for i in range(SENDERS)]
    threads.append(threading.Thread(target=deliver_documents,
                                    args=(portier, bpids[0], delivered, stop)))
    for t in threads:
        t.start()
    try:
        wait_until(lambda: len(answered) >= 500 and len(delivered) >= 10, timeout=120,
                   what="500 answered calls and 10 documents")
        answered_before, delivered_before = set(answered), set(delivered)
        backup = os.path.join(ws.dir, "backup")
        result = portier.ctl("backup", backup)
        print(result.stdout.strip())
        answered_during = len(answered) - len(answered_before)
        wait_until(lambda: len(answered) > len(answered_before) + 100, what="more calls after")
    finally:
        stop.set()
        for t in threads:
            t.join()
    print(f"{len(answered_before)} calls and {len(delivered_before)} documents answered before "
          f"the backup, {answered_during} during it")

    folder = os.path.join(ws.dir, "restored")
    os.makedirs(folder)
    config = restored_config(ws, folder)
    ctl = lambda *args, check=True: run_ctl(portier, config, *args, check=check)  # noqa: E731
    restore = ctl("restore", backup)
    assert "restored" in restore.stdout
    ctl("evidence", "verify")

    db = sqlite3.connect(f"file:{os.path.join(folder, 'journal.db')}?mode=ro", uri=True)
    keys = {k for (k,) in db.execute("SELECT idempotency_key FROM work_items")}
    db.close()
    missing = [m for m in answered_before if f"steueramt/{m}/portal/1" not in keys]
    assert not missing, f"{len(missing)} answered calls are not in the restored journal"
    for sha in delivered_before:
        path = os.path.join(folder, "documents", sha[:2], sha)
        with open(path, "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == sha

    # The restored journal now holds data: restoring again needs --force.
    again = ctl("restore", backup, check=False)
    assert again.returncode == 1 and "--force" in again.stderr
    ctl("restore", backup, "--force")
    ctl("evidence", "verify")


def test_backup_refuses_a_folder_that_is_not_empty(ws):
    folder = os.path.join(ws.dir, "occupied")
    os.makedirs(folder)
    open(os.path.join(folder, "something"), "w").close()
    result = ws.portier.ctl("backup", folder, check=False)
    assert result.returncode == 1 and "not empty" in result.stderr


def test_restore_refuses_a_folder_that_is_no_backup(ws):
    folder = os.path.join(ws.dir, "nothing")
    os.makedirs(folder)
    result = ws.portier.ctl("restore", folder, check=False)
    assert result.returncode == 1 and "not a complete backup" in result.stderr
