"""The alert rules and the Grafana dashboard (deploy/monitoring) refer only to metrics that
Portier serves: every metric name in an expression is declared in the code (a `describe` of
its family) and the ones every portierd serves are on a running portierd's /metrics. The rules
have the structure Prometheus loads (and pass `promtool check rules` where the prometheus
package is installed: it is large, so setup.sh does not install it); the dashboard is valid
JSON with unique panel ids and a query in every panel."""
import glob
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

SOURCE = os.environ.get("PORTIER_SOURCE_DIR",
                        os.path.join(os.path.dirname(__file__), "../.."))
sys.path.insert(0, os.path.join(SOURCE, "tests/integration"))
MONITORING = os.path.join(SOURCE, "deploy/monitoring")
# Series names Prometheus derives from a histogram family.
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def described_metrics():
    names = set()
    for folder in ("core", "adapters", "connectors"):
        for path in glob.glob(os.path.join(SOURCE, folder, "**/*.cpp"), recursive=True):
            with open(path) as f:
                text = f.read()
            names |= set(re.findall(r'describe\(\s*"(portier_[a-z_]+)"', text))
            # Families described through a named constant.
            for const, name in re.findall(r'(k[A-Za-z]+)\[?\]?\s*=\s*"(portier_[a-z_]+)"', text):
                if re.search(r"describe\(\s*" + const + r"\b", text):
                    names.add(name)
    return names


def family(name):
    for suffix in HISTOGRAM_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def metric_names(expr):
    return {family(n) for n in re.findall(r"\b(portier_[a-z_]+)\b", expr)
            if n != "portier_instance"}


def alert_rules():
    with open(os.path.join(MONITORING, "portier-alerts.yaml")) as f:
        return yaml.safe_load(f)


def dashboard_exprs():
    with open(os.path.join(MONITORING, "portier-dashboard.json")) as f:
        dashboard = json.load(f)
    return dashboard, [t["expr"] for p in dashboard["panels"] for t in p["targets"]]


def test_alert_rules_have_the_structure_prometheus_loads():
    groups = alert_rules()["groups"]
    assert groups
    names = set()
    for group in groups:
        assert group["name"] and group["rules"]
        for rule in group["rules"]:
            assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule
            assert rule["alert"] not in names, f"{rule['alert']} twice"
            names.add(rule["alert"])
            assert rule["labels"]["severity"] in ("warning", "critical")
            assert rule["annotations"]["summary"]
            if "for" in rule:
                assert re.fullmatch(r"\d+[smhd]", rule["for"]), rule["for"]
            assert rule["expr"].count("(") == rule["expr"].count(")"), rule["alert"]


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool (package prometheus) absent")
def test_promtool_checks_the_rules():
    subprocess.run(["promtool", "check", "rules", os.path.join(MONITORING, "portier-alerts.yaml")],
                   check=True)


def test_every_metric_in_rules_and_dashboard_is_declared_in_the_code():
    declared = described_metrics()
    assert "portier_journal_depth" in declared and "portier_journal_healthy" in declared
    _, exprs = dashboard_exprs()
    rules = [r["expr"] for g in alert_rules()["groups"] for r in g["rules"]]
    for expr in rules + exprs:
        unknown = metric_names(expr) - declared
        assert not unknown, f"{expr}: no such metric {unknown}"


def test_dashboard_is_valid_and_every_panel_has_a_query():
    dashboard, _ = dashboard_exprs()
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        assert panel["title"] and panel["targets"]
        for target in panel["targets"]:
            assert target["expr"].count("(") == target["expr"].count(")"), target["expr"]
            assert 'portier_instance=~"$instance"' in target["expr"]


def test_the_metrics_every_portierd_serves_are_on_metrics(ws):
    from harness import http
    status, _, body = http("GET", ws.portier.url + "/metrics")
    assert status == 200
    # Families are declared (# TYPE) from the start, series once there is something to count.
    served = set(re.findall(r"^# TYPE (portier_[a-z_]+) ", body.decode(), re.M))
    for name in ("portier_journal_healthy", "portier_ready", "portier_journal_depth",
                 "portier_parked_items", "portier_http_requests_total",
                 "portier_mapping_set_valid", "portier_mappings_in_force"):
        assert name in served, f"{name} not on /metrics: {sorted(served)}"
    assert re.search(r'^portier_journal_healthy(\{[^}]*\})? 1$', body.decode(), re.M)


@pytest.fixture
def ws():
    from harness import Workspace
    workspace = Workspace()
    yield workspace
    workspace.close()
