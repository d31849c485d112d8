#!/usr/bin/python3
"""End-to-end benchmark: does delivery keep pace with intake?

A client of its own sends signed reportStatus calls at a constant offered rate (each call
scheduled on a fixed timetable, so a slow answer does not lower the rate: the wrk2 way) for a
while, spread over 1, 32 or 10,000 business cases. Portier acknowledges each call (durable
intake) and delivers it to the portal simulator. The script reports per case count and store:
- the intake rate (acknowledged calls per second) and the delivery rate (calls the simulator
  applied per second, over the same window);
- the backlog (open items of the portal destination) each second and at the end;
- the end-to-end latency from sending the call to the simulator applying it (p50, p99), from
  the simulator's own timestamps.
- the floor: the same client at the same rate straight to the simulator's REST API (a token,
  then one PATCH per status report, as Portier's portal connector sends it), in the same run,
  the same number of cases.

    tests/bench/run_delivery_pace.py [--rate N] [--seconds S] [--cases 1,32,10000]
                                     [--stores sqlite,postgresql] [--drain]
--drain: instead of an offered rate, load a backlog of `rate * seconds` calls first and time
how fast Portier delivers it (deliveries per second with nothing else going on).
"""
import argparse
import asyncio
import datetime
import json
import os
import re
import sys
import tempfile
import time
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
os.environ.setdefault("PORTIER_BIN_DIR", os.path.join(HERE, "..", "..", "build"))
import harness  # noqa: E402

CONNECTIONS = 32
SECRET = harness.password_of("steueramt")


def envelope(operation, fields):
    header = harness.wsse_header("steueramt", SECRET)
    return (f'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
            f'xmlns:p="urn:portier:department:1">{header}<s:Body><p:{operation}>{fields}'
            f"</p:{operation}></s:Body></s:Envelope>").encode()


def report(message_id, bpid, sent_ms):
    return envelope("reportStatus",
                    f"<p:header><p:senderId>steueramt</p:senderId><p:messageId>{message_id}"
                    f"</p:messageId><p:businessProcessId>{bpid}</p:businessProcessId></p:header>"
                    f"<p:status>IN_PROGRESS</p:status><p:statusText>sent {sent_ms}"
                    "</p:statusText>")


async def post(pool, path, body, content_type="text/xml", method="POST", headers=""):
    reader, writer = await pool.get()
    try:
        writer.write(f"{method} {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: {content_type}"
                     f"\r\n{headers}Content-Length: {len(body)}\r\n\r\n".encode() + body)
        status_line = await reader.readline()
        length = 0
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        data = await reader.readexactly(length)
        return int(status_line.split()[1]), data
    finally:
        pool.put_nowait((reader, writer))


async def connections(port, count):
    pool = asyncio.Queue()
    for _ in range(count):
        pool.put_nowait(await asyncio.open_connection("127.0.0.1", port))
    return pool


async def offered_load(port, path, make_body, rate, seconds, content_type="text/xml",
                       method="POST", make_headers=lambda i: ""):
    """Sends rate*seconds requests on a fixed timetable; (acknowledged count, elapsed s).
    `path` may be a function of the request's number."""
    pool = await connections(port, CONNECTIONS)
    total = int(rate * seconds)
    acked = 0
    start = time.monotonic()

    async def one(i):
        nonlocal acked
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        target = path(i) if callable(path) else path
        status, _ = await post(pool, target, make_body(i), content_type, method, make_headers(i))
        if status in (200, 201):
            acked += 1

    await asyncio.gather(*(one(i) for i in range(total)))
    return acked, time.monotonic() - start


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def history_latencies(sim):
    """Milliseconds from a status report's sending to the simulator applying it."""
    out = []
    for case in sim.portal()["businessCases"]:
        for h in case["history"]:
            text = h.get("statusText") or ""
            if text.startswith("sent "):
                at = datetime.datetime.strptime(h["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                    tzinfo=datetime.timezone.utc).timestamp() * 1000
                out.append(at - int(text.split()[1]))
    return out


def applied(sim):
    return sum(1 for k, v in sim.portal()["keys"].items()
               if v["applied"] and "/b" in k and k.endswith("/portal/1"))


def backlog(portier):
    metrics = harness.http("GET", portier.url + "/metrics")[2].decode()
    total = 0
    for state in ("pending", "inflight"):
        m = re.search(r'portier_journal_depth\{[^}]*destination="portal"[^}]*state="' + state +
                      r'"[^}]*\} (\d+)', metrics)
        total += int(m.group(1)) if m else 0
    return total


def open_cases(portier, count):
    """Opens `count` cases (through Portier, so it knows them); their Business Process IDs."""
    async def run():
        pool = await connections(portier.port, CONNECTIONS)
        bpids = [None] * count

        async def one(i):
            body = envelope("openBusinessCase",
                            f"<p:header><p:senderId>steueramt</p:senderId><p:messageId>open-{i}"
                            "</p:messageId></p:header><p:serviceId>7</p:serviceId><p:ownerId>"
                            "owner-1</p:ownerId><p:title>Bench</p:title>")
            _, data = await post(pool, "/soap/v1", body)
            bpids[i] = re.search(rb"<p:businessProcessId>([^<]+)<", data).group(1).decode()
        await asyncio.gather(*(one(i) for i in range(count)))
        return bpids
    return asyncio.run(run())


def wait_quiet(portier, timeout=600):
    """Waits until Portier has nothing open for the portal; the seconds it took. (Portier's
    metrics, not the simulator's state: reading that often would slow the simulator down.)"""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if backlog(portier) == 0:
            break
        time.sleep(0.1)
    return time.monotonic() - start


def floor(cases, rate, seconds):
    """The same client at the same rate straight to the simulated portal: what Portier's
    delivery can at best approach on this machine. (offered, applied/s, p50, p99)."""
    with tempfile.TemporaryDirectory(prefix="portier-floor-") as folder:
        sim = harness.Sim(folder)
        try:
            form = urllib.parse.urlencode({
                "grant_type": "client_credentials", "client_id": "portier-test",
                "client_secret": harness.PORTAL_SECRET,
                "scope": "businesscases.write"}).encode()
            token = json.loads(harness.http(
                "POST", sim.url + "/oauth2/token", form,
                {"Content-Type": "application/x-www-form-urlencoded"})[2])["access_token"]
            auth = f"Authorization: Bearer {token}\r\n"
            ids = [str(uuid.uuid4()) for _ in range(cases)]
            asyncio.run(offered_load(
                sim.port, "/api/v9/businesscases",
                lambda i: json.dumps({"businessCaseId": ids[i], "ownerId": "owner-1",
                                      "serviceId": 7, "title": "Bench"}).encode(),
                10**6, cases / 10**6, "application/json",
                make_headers=lambda i: f"{auth}Idempotency-Key: open-{i}\r\n"))
            acked, took = asyncio.run(offered_load(
                sim.port, lambda i: f"/api/v9/businesscases/{ids[i % cases]}",
                lambda i: json.dumps({"status": "IN_PROGRESS",
                                      "statusText": f"sent {int(time.time() * 1000)}"}).encode(),
                rate, seconds, "application/json", "PATCH",
                lambda i: f"{auth}Idempotency-Key: floor-{i}\r\n"))
            latencies = history_latencies(sim)
            return acked / took, percentile(latencies, 50), percentile(latencies, 99)
        finally:
            sim.stop()


def journal_xml(store, folder, pg):
    if store == "sqlite":
        return f'<journal><sqlite path="{folder}/journal.db"/></journal>', {}
    database = "pace" + str(int(time.time() * 1000) % 10**9)
    pg.create_database(database)
    return ('<journal instance="bench"><postgresql conninfo="env:PORTIER_PG" pool="4"/>'
            "</journal>", {"PORTIER_PG": pg.conninfo(database)})


def measure(store, cases, rate, seconds, drain, pg):
    with tempfile.TemporaryDirectory(prefix="portier-pace-") as folder:
        sim = harness.Sim(folder)
        journal, env = journal_xml(store, folder, pg)
        portier = harness.Portier(folder, sim, journal_xml=journal, extra_env=env,
                                  log_level="warn", max_in_flight=1024)
        try:
            bpids = open_cases(portier, cases)
            wait_quiet(portier)
            samples = []
            if drain:
                total = int(rate * seconds)
                acked, took = asyncio.run(offered_load(
                    portier.port, "/soap/v1",
                    lambda i: report(f"b{i}", bpids[i % cases], int(time.time() * 1000)),
                    10**6, total / 10**6))
                # The depth gauge refreshes once a second, so count at the simulator here.
                begin = time.monotonic()
                while applied(sim) < acked and time.monotonic() - begin < 600:
                    time.sleep(0.5)
                drained = time.monotonic() - begin
                delivered = applied(sim)
                assert delivered == acked, f"{delivered} applied of {acked} acknowledged"
                rate_out = delivered / max(took + drained, 1e-9)
                print(f"{store:<10} {cases:>6} drain: {acked} loaded in {took:.1f} s, delivered "
                      f"{rate_out:.0f}/s", flush=True)
                return
            async def run_with_samples():
                task = asyncio.create_task(offered_load(
                    portier.port, "/soap/v1",
                    lambda i: report(f"b{i}", bpids[i % cases], int(time.time() * 1000)),
                    rate, seconds))
                while not task.done():
                    await asyncio.sleep(1)
                    samples.append(await asyncio.to_thread(backlog, portier))
                return await task
            acked, took = asyncio.run(run_with_samples())
            end_backlog = backlog(portier)
            delivered_in_window = acked - end_backlog
            wait_quiet(portier)
            latencies = history_latencies(sim)
            print(f"{store:<10} {cases:>6} {rate:>7} {acked / took:>8.0f} "
                  f"{delivered_in_window / took:>9.0f} {end_backlog:>8} "
                  f"{percentile(latencies, 50):>8.0f} {percentile(latencies, 99):>8.0f}   "
                  f"backlog/s: {samples}", flush=True)

        finally:
            portier.stop()
            sim.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=400)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--cases", default="1,32,10000")
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--drain", action="store_true")
    a = parser.parse_args()
    print(f"offered rate {a.rate}/s for {a.seconds} s, {CONNECTIONS} connections")
    print(f"{'store':<10} {'cases':>6} {'offered':>7} {'intake':>8} {'delivery':>9} "
          f"{'backlog':>8} {'p50 ms':>8} {'p99 ms':>8}")
    stores = a.stores.split(",")
    pg = None
    if "postgresql" in stores:
        from pg_server import PostgresServer
        pg = PostgresServer(fsync=True).start()
    try:
        for cases in map(int, a.cases.split(",")):
            if not a.drain:
                applied_rate, p50, p99 = floor(cases, a.rate, a.seconds)
                print(f"{'floor':<10} {cases:>6} {a.rate:>7} {applied_rate:>8.0f} "
                      f"{applied_rate:>9.0f} {0:>8} {p50:>8.0f} {p99:>8.0f}   (the same client "
                      "straight to the simulator)", flush=True)
            for store in stores:
                measure(store, cases, a.rate, a.seconds, a.drain, pg)
    finally:
        if pg:
            pg.stop()


if __name__ == "__main__":
    main()
