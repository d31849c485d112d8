"""Mapping files change while portierd runs. An invalid edit is refused with file:line in the
log, counted in portier_mapping_reload_failures_total, and the mappings in force stay; a valid
edit takes effect without a restart, on SIGHUP or because the daemon polls the folder once a
second, and work in flight meanwhile is neither refused nor lost."""
import json
import os
import re
import signal
import threading

from harness import http, open_case_envelope, report_status_envelope, wait_until, wsse_header

STEUERAMT_AUTH = ('<usernameToken user="steueramt" '
                  'password="env:PORTIER_TEST_STEUERAMT_SECRET"/>')
D_AUTH = '<usernameToken user="d" password="env:PORTIER_TEST_D_SECRET"/>'


def mapping_lines(name, auth, services, extra_service_xml=""):
    """A mapping file with one element per line, so that problems have a line to point at."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<mapping xmlns="urn:portier:mapping:1" name="{name}" displayName="{name}">',
             f"  <authentication>{auth}</authentication>",
             "  <services>",
             *[f'    <service id="{s}"/>' for s in services],
             *([extra_service_xml] if extra_service_xml else []),
             "  </services>",
             "</mapping>"]
    return "\n".join(lines) + "\n"


def write(path, text, mtime_ns=None):
    """Saves a file the way editors and deployment tools do: written beside it under a hidden
    name (which the daemon ignores) and renamed into place, so no poll sees it half written."""
    hidden = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".new")
    with open(hidden, "w") as f:
        f.write(text)
    if mtime_ns is not None:
        os.utime(hidden, ns=(mtime_ns, mtime_ns))
    os.replace(hidden, path)


def replace_unnoticed(path, text):
    """Replaces a file by one of the same size and modification time (renamed into place in
    one step), so that the folder poll sees no change and only SIGHUP can reload it."""
    before = os.stat(path)
    assert len(text.encode()) == before.st_size
    write(path, text, mtime_ns=before.st_mtime_ns)


def metric(portier, name):
    text = http("GET", portier.url + "/metrics")[2].decode()
    match = re.search(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, re.M)
    return float(match.group(1)) if match else 0.0


def log_problems(portier):
    problems = []
    for line in portier.logs().splitlines():
        entry = json.loads(line)
        if "problem" in entry:
            problems.append(entry["problem"])
    return problems


def opens(portier, sender, service, message_id, password=None):
    """(True, bpid) if `sender` may open a case for `service`, else (False, fault text).
    A department the harness does not know signs in with `password`."""
    envelope = open_case_envelope(sender, message_id, service=service)
    if password:
        envelope = envelope.replace("<s:Body>", wsse_header(sender, password) + "<s:Body>")
    status, _, body = portier.post_soap(envelope)
    if status == 200:
        return True, re.search(rb"<p:businessProcessId>([^<]+)<", body).group(1).decode()
    return False, body.decode(errors="replace")


class Counter:
    def __init__(self, prefix):
        self.prefix, self.n = prefix, 0

    def __call__(self):
        self.n += 1
        return f"{self.prefix}-{self.n}"


def test_an_invalid_edit_is_refused_with_file_and_line_and_the_old_mappings_stay(ws):
    portier = ws.portier
    path = os.path.join(portier.mappings, "steueramt.xml")
    ids = Counter("invalid")
    assert opens(portier, "steueramt", 7, ids())[0]
    assert metric(portier, "portier_mapping_set_valid") == 1
    failures = metric(portier, "portier_mapping_reload_failures_total")

    # Service 999 added, and on line 8 a service id that is not a number.
    write(path, mapping_lines("steueramt", STEUERAMT_AUTH, (7, 101, 999),
                              '    <service id="sieben"/>'))
    wait_until(lambda: metric(portier, "portier_mapping_reload_failures_total") > failures,
               what="the folder poll to try the edit and refuse it")
    assert metric(portier, "portier_mapping_reload_failures_total") == failures + 1
    assert metric(portier, "portier_mapping_set_valid") == 0
    problems = log_problems(portier)
    assert any(p.startswith(f"{path}:8:") for p in problems), problems
    assert "previous mappings stay in force" in portier.logs()

    # Still serving, with the old set: 7 works, 999 is not steueramt's yet.
    ok, answer = opens(portier, "steueramt", 7, ids())
    assert ok, answer
    ok, answer = opens(portier, "steueramt", 999, ids())
    assert not ok and "serviceId 999 is not a service of steueramt" in answer
    assert opens(portier, "mfk", 3, ids())[0]

    # SIGHUP tries again, and refuses again.
    portier.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: metric(portier, "portier_mapping_reload_failures_total") == failures + 2,
               what="the reload on SIGHUP to be refused too")
    assert opens(portier, "steueramt", 7, ids())[0]

    # A problem across files (a serviceId of mfk's) is refused the same way.
    write(path, mapping_lines("steueramt", STEUERAMT_AUTH, (7, 101, 3)))
    wait_until(lambda: metric(portier, "portier_mapping_reload_failures_total") == failures + 3,
               what="the duplicate serviceId to be refused")
    assert not opens(portier, "steueramt", 3, ids())[0]
    assert opens(portier, "mfk", 3, ids())[0]

    # Repaired: the edit takes effect.
    write(path, mapping_lines("steueramt", STEUERAMT_AUTH, (7, 101, 999)))
    wait_until(lambda: opens(portier, "steueramt", 999, ids())[0],
               what="the repaired edit to take effect")
    assert metric(portier, "portier_mapping_set_valid") == 1
    assert portier.proc.poll() is None
    wait_until(lambda: len(ws.sim.portal()["businessCases"]) == 6,
               what="the six accepted cases at the portal")


def test_a_valid_edit_takes_effect_on_sighup(ws):
    portier = ws.portier
    path = os.path.join(portier.mappings, "d.xml")
    ids = Counter("hup")
    write(path, mapping_lines("d", D_AUTH, (1, 42)))
    wait_until(lambda: "mapping files reloaded" in portier.logs(), what="the rewrite loaded")
    assert opens(portier, "d", 42, ids())[0]
    reloads = portier.logs().count("mapping files reloaded")

    # 42 becomes 99; same size and time, so only SIGHUP notices.
    replace_unnoticed(path, mapping_lines("d", D_AUTH, (1, 99)))
    ok, answer = opens(portier, "d", 99, ids())
    assert not ok and "serviceId 99 is not a service of d" in answer
    portier.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: portier.logs().count("mapping files reloaded") == reloads + 1,
               what="the reload on SIGHUP")
    assert "SIGHUP: reloading the mapping files" in portier.logs()
    ok, answer = opens(portier, "d", 99, ids())
    assert ok, answer
    ok, answer = opens(portier, "d", 42, ids())
    assert not ok and "serviceId 42 is not a service of d" in answer
    assert portier.proc.poll() is None


def test_a_valid_edit_takes_effect_when_the_file_changes(ws):
    portier = ws.portier
    folder = portier.mappings
    ids = Counter("poll")
    in_force = metric(portier, "portier_mappings_in_force")
    ok, answer = opens(portier, "d", 999, ids())
    assert not ok and "serviceId 999 is not a service of d" in answer

    write(os.path.join(folder, "d.xml"), mapping_lines("d", D_AUTH, (1, 42, 999)))
    wait_until(lambda: opens(portier, "d", 999, ids())[0], what="serviceId 999 to become d's")

    # A new department: its own file, its password in a file of its own.
    secret = os.path.join(ws.dir, "bauamt.secret")
    write(secret, "bau-geheim\n")
    auth = f'<usernameToken user="bauamt" password="file:{secret}"/>'
    write(os.path.join(folder, "bauamt.xml"), mapping_lines("bauamt", auth, (301,)))
    wait_until(lambda: opens(portier, "bauamt", 301, ids(), "bau-geheim")[0],
               what="the new department to be able to open a case")
    assert metric(portier, "portier_mappings_in_force") == in_force + 1
    os.remove(os.path.join(folder, "bauamt.xml"))
    wait_until(lambda: metric(portier, "portier_mappings_in_force") == in_force,
               what="the removed department to be gone")
    ok, answer = opens(portier, "bauamt", 301, ids(), "bau-geheim")
    assert not ok and "wrong user or password" in answer
    assert portier.proc.poll() is None
    wait_until(lambda: len(ws.sim.portal()["businessCases"]) == 2,
               what="both accepted cases at the portal")


def test_work_in_flight_during_reloads_is_neither_refused_nor_lost(ws):
    portier = ws.portier
    stop = threading.Event()
    answered, refused = [], []

    def stream(worker):
        i = 0
        while not stop.is_set() or i < 5:
            i += 1
            stop.wait(0.05)  # a steady stream, well below the department's requests per minute
            status, _, body = portier.post_soap(open_case_envelope("d", f"w{worker}-{i}",
                                                                   service=1))
            if status != 200:
                refused.append(body)
                continue
            bpid = re.search(rb"<p:businessProcessId>([^<]+)<", body).group(1).decode()
            status, _, body = portier.post_soap(report_status_envelope(
                "d", f"w{worker}-{i}-s", bpid, "DECIDED", "erledigt"))
            if status != 200:
                refused.append(body)
                continue
            answered.append(bpid)

    workers = [threading.Thread(target=stream, args=(w,)) for w in range(3)]
    for w in workers:
        w.start()
    try:
        d = os.path.join(portier.mappings, "d.xml")
        mfk = os.path.join(portier.mappings, "mfk.xml")
        failures = metric(portier, "portier_mapping_reload_failures_total")
        for round_ in range(3):
            # A valid edit of the streaming department's own file, noticed by the poll ...
            count = portier.logs().count("mapping files reloaded")
            write(d, mapping_lines("d", D_AUTH, (1, 42, *range(900, 901 + round_))))
            wait_until(lambda: portier.logs().count("mapping files reloaded") > count,
                       what="the poll to reload")
            # ... an invalid edit of another file, refused ...
            write(mfk, "<mapping xmlns='urn:portier:mapping:1'>\n<oops>\n")
            wait_until(lambda: metric(portier, "portier_mapping_reload_failures_total") >
                       failures, what="the broken file to be refused")
            failures = metric(portier, "portier_mapping_reload_failures_total")
            # ... repaired, and SIGHUP on top.
            write(mfk, mapping_lines("mfk", '<usernameToken user="mfk" '
                                     'password="env:PORTIER_TEST_MFK_SECRET"/>', (3, 201)))
            count = portier.logs().count("mapping files reloaded")
            portier.proc.send_signal(signal.SIGHUP)
            wait_until(lambda: portier.logs().count("mapping files reloaded") > count,
                       what="the reload after the repair")
    finally:
        stop.set()
        for w in workers:
            w.join(60)
    assert refused == []
    assert len(answered) >= 15
    assert opens(portier, "d", 902, "after-1")[0]

    def decided():
        cases = {c["businessProcessId"]: c["status"] for c in ws.sim.portal()["businessCases"]}
        return all(cases.get(bpid) == "DECIDED" for bpid in answered)

    wait_until(decided, timeout=60, what="every answered request at the portal")


def test_work_queued_for_a_department_whose_mapping_is_removed_is_still_delivered(ws):
    portier = ws.portier
    ws.sim.faults(latencyMs=200)  # deliveries are still queued when the mapping goes
    bpids = []
    for i in range(5):
        ok, bpid = opens(portier, "d", 1, f"gone-{i}")
        assert ok, bpid
        bpids.append(bpid)
    in_force = metric(portier, "portier_mappings_in_force")
    os.remove(os.path.join(portier.mappings, "d.xml"))
    wait_until(lambda: metric(portier, "portier_mappings_in_force") == in_force - 1,
               what="d's mapping to be gone")
    ok, answer = opens(portier, "d", 1, "gone-late")
    assert not ok and "wrong user or password" in answer
    ws.sim.faults(latencyMs=0)
    wait_until(lambda: set(bpids) <= {c["businessProcessId"]
                                      for c in ws.sim.portal()["businessCases"]},
               what="d's accepted work delivered after its mapping was removed")
