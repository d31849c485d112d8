#!/usr/bin/python3
"""Benchmark: durable reportStatus accepts on the two journal stores, in one run. SQLite with
one portierd (the baseline) against PostgreSQL with 1, 2 and 3 portierd instances sharing one
database; each instance gets its own wrk (report_status.lua, a fresh messageId and nonce per
request) with an equal share of the connections, and their rates are summed. Deliveries to the
simulated portal run at the same time. Loopback only; every run is bounded.

    tests/bench/run_journal_stores.py [SECONDS] [CONNECTIONS]
"""
import os
import re
import subprocess
import sys
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
os.environ.setdefault("PORTIER_BIN_DIR", os.path.join(HERE, "..", "..", "build"))
import harness  # noqa: E402
from pg_server import PostgresServer  # noqa: E402

SECRET = "bench-secret"
CASES = 32  # report_status.lua spreads its reports over bp-bench-0 .. bp-bench-31
MAPPING = """<mapping xmlns="urn:portier:mapping:1" name="bench" displayName="Benchmark department">
  <authentication><usernameToken user="bench" password="env:PORTIER_BENCH_SECRET"/></authentication>
  <services><service id="901"/></services>
  <limits maxRequestsPerMinute="100000000"/>
</mapping>
"""


def open_cases(url):
    for i in range(CASES):
        header = harness.wsse_header("bench", SECRET)
        body = (f'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
                f'xmlns:p="urn:portier:department:1">{header}<s:Body><p:openBusinessCase>'
                f"<p:header><p:senderId>bench</p:senderId><p:messageId>open-{i}</p:messageId>"
                f"<p:businessProcessId>bp-bench-{i}</p:businessProcessId></p:header>"
                f"<p:serviceId>901</p:serviceId><p:ownerId>o</p:ownerId><p:title>Benchmark"
                f"</p:title></p:openBusinessCase></s:Body></s:Envelope>")
        request = urllib.request.Request(url + "/soap/v1", body.encode(),
                                         {"Content-Type": "text/xml"})
        urllib.request.urlopen(request).read()


def millis(text):
    value = float(re.match(r"[\d.]+", text).group())
    return value * {"us": 0.001, "ms": 1, "s": 1000}[re.search(r"[a-z]+", text).group()]


def load(nodes, seconds, connections):
    """Runs one wrk per instance at once; (summed req/s, worst p99 ms, non-2xx)."""
    share = max(1, connections // len(nodes))
    runs = [subprocess.Popen(
        ["wrk", "-t1", f"-c{share}", f"-d{seconds}s", "--latency", "-s",
         os.path.join(HERE, "report_status.lua"), node.url + "/soap/v1"],
        stdout=subprocess.PIPE, text=True,
        env=dict(os.environ, PORTIER_BENCH_DIR=HERE, PORTIER_BENCH_SECRET=SECRET,
                 PORTIER_BENCH_PREFIX=f"n{i}-")) for i, node in enumerate(nodes)]
    rps, p99, bad = 0.0, 0.0, 0
    for run in runs:
        out = run.communicate()[0]
        rps += float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        p99 = max(p99, millis(re.search(r"99%\s+(\S+)", out).group(1)))
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        bad += int(non2xx.group(1)) if non2xx else 0
    return rps, p99, bad


def measure(name, count, journal_xml, env, seconds, connections):
    with tempfile.TemporaryDirectory(prefix="portier-bench-") as folder:
        sim = harness.Sim(folder)
        documents = os.path.join(folder, "documents")
        nodes = []
        try:
            for i in range(count):
                workdir = os.path.join(folder, f"node-{i}")
                os.makedirs(workdir)
                nodes.append(harness.Portier(
                    workdir, sim, journal_xml=journal_xml(i, workdir), documents=documents,
                    log_level="warn", max_in_flight=1024,
                    extra_env=dict(env, PORTIER_BENCH_SECRET=SECRET),
                    extra_mappings={"bench": MAPPING}))
            open_cases(nodes[0].url)
            rps, p99, bad = load(nodes, seconds, connections)
        finally:
            for node in nodes:
                node.stop()
            sim.stop()
    print(f"{name:<22} {rps:>10.0f} {p99:>10.1f} {bad:>8}", flush=True)
    return rps


def main():
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    connections = int(sys.argv[2]) if len(sys.argv) > 2 else 48
    print(f"seconds={seconds} connections={connections} (split over the instances)")
    print(f"{'store':<22} {'req/s':>10} {'p99 ms':>10} {'non2xx':>8}")
    sqlite = measure("sqlite x1", 1,
                     lambda i, d: f'<journal><sqlite path="{d}/journal.db"/></journal>', {},
                     seconds, connections)
    ratios = []
    with PostgresServer(fsync=True) as pg:
        for count in (1, 2, 3):
            database = f"bench{count}"
            pg.create_database(database)
            rps = measure(f"postgresql x{count}", count,
                          lambda i, d: (f'<journal instance="node-{i}"><postgresql '
                                        'conninfo="env:PORTIER_PG" pool="2"/></journal>'),
                          {"PORTIER_PG": pg.conninfo(database)}, seconds, connections)
            ratios.append(f"x{count} {rps / sqlite:.2f}")
    print("postgresql / sqlite x1 throughput: " + ", ".join(ratios))


if __name__ == "__main__":
    main()
