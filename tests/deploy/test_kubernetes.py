"""The Kubernetes manifests (deploy/kubernetes) render and pass a schema check.

Rendering: a small kustomize (this file's `render`) that applies what kustomization.yaml uses:
its resources, its ConfigMap generators, its namespace and common labels. Where `kubectl` is
installed (it is not a Debian 12 package), `kubectl kustomize` must render the same objects.
The schema check (kubernetes_schema.py) covers the fields these manifests use, closed against
misspelt or misplaced fields; then what matters to Portier: replicas, probes on /readyz and
/healthz, the grace period against the configuration's drain, the PodDisruptionBudget, the
configuration and mappings valid against their XSDs, the alert rules the same as
deploy/monitoring's."""
import os
import re
import shutil
import subprocess

import jsonschema
import pytest
import yaml

from kubernetes_schema import SCHEMAS

SOURCE = os.environ.get("PORTIER_SOURCE_DIR",
                        os.path.join(os.path.dirname(__file__), "../.."))
KUSTOMIZE = os.path.join(SOURCE, "deploy/kubernetes")
CLUSTER_WIDE = {"Namespace"}


def render(folder):
    with open(os.path.join(folder, "kustomization.yaml")) as f:
        k = yaml.safe_load(f)
    objects = []
    for resource in k.get("resources", []):
        with open(os.path.join(folder, resource)) as f:
            objects += [o for o in yaml.safe_load_all(f) if o]
    for generator in k.get("configMapGenerator", []):
        data = {}
        for entry in generator.get("files", []):
            key, _, path = entry.rpartition("=") if "=" in entry else (
                os.path.basename(entry), None, entry)
            with open(os.path.join(folder, path)) as f:
                data[key] = f.read()
        objects.append({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": generator["name"]}, "data": data})
    labels = {}
    for entry in k.get("labels", []):
        labels.update(entry.get("pairs", {}))
    for o in objects:
        if o["kind"] not in CLUSTER_WIDE and "namespace" in k:
            o["metadata"]["namespace"] = k["namespace"]
        o["metadata"].setdefault("labels", {}).update(labels)
    return objects


@pytest.fixture(scope="module")
def objects():
    return render(KUSTOMIZE)


def one(objects, kind):
    found = [o for o in objects if o["kind"] == kind]
    assert len(found) == 1, kind
    return found[0]


def test_every_object_passes_the_schema_of_its_kind(objects):
    assert {o["kind"] for o in objects} >= {"Deployment", "Service", "PodDisruptionBudget",
                                            "ConfigMap", "Secret", "NetworkPolicy",
                                            "ServiceMonitor"}
    for o in objects:
        assert o["kind"] in SCHEMAS, f"no schema for {o['kind']}"
        jsonschema.validate(o, SCHEMAS[o["kind"]])


def test_a_misspelt_field_fails_the_schema(objects):
    deployment = yaml.safe_load(yaml.safe_dump(one(objects, "Deployment")))
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["readinesProbe"] = container.pop("readinessProbe")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(deployment, SCHEMAS["Deployment"])


@pytest.mark.skipif(not shutil.which("kubectl"), reason="kubectl is not installed")
def test_kubectl_kustomize_renders_the_same_objects(objects):
    out = subprocess.run(["kubectl", "kustomize", KUSTOMIZE], check=True, capture_output=True,
                         text=True).stdout
    rendered = [o for o in yaml.safe_load_all(out) if o]
    # kustomize appends a content hash to generated names unless told not to.
    names = lambda objs: sorted((o["kind"], re.sub(r"-[a-z0-9]{10}$", "", o["metadata"]["name"]))  # noqa: E731
                                for o in objs)
    assert names(rendered) == names(objects)
    for o in rendered:
        jsonschema.validate(o, SCHEMAS[o["kind"]])


def drain_seconds(config_xml):
    match = re.search(r'<drain timeoutMs="(\d+)"', config_xml)
    return int(match.group(1)) / 1000 if match else 15


def test_replicas_probes_and_grace_period_fit_portier(objects):
    deployment = one(objects, "Deployment")
    assert deployment["spec"]["replicas"] >= 2
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["resources"]["requests"]["cpu"] and container["resources"]["requests"]["memory"]
    config = next(
        o for o in objects if o["kind"] == "ConfigMap" and "portier.xml" in o.get("data", {}))
    drain = drain_seconds(config["data"]["portier.xml"])
    pre_stop = int(container["lifecycle"]["preStop"]["exec"]["command"][-1])
    # SIGTERM comes after preStop; the drain must end before the kubelet's SIGKILL.
    assert pod["terminationGracePeriodSeconds"] >= pre_stop + drain + 1
    assert "<postgresql" in config["data"]["portier.xml"]
    budget = one(objects, "PodDisruptionBudget")
    assert budget["spec"]["selector"] == deployment["spec"]["selector"]
    assert budget["spec"]["minAvailable"] < deployment["spec"]["replicas"]


def test_configuration_and_mappings_are_valid_against_their_schemas(objects, tmp_path):
    schemas = {"portier.xml": os.path.join(SOURCE, "config/portier.xsd")}
    for o in objects:
        if o["kind"] != "ConfigMap":
            continue
        for key, text in o["data"].items():
            schema = schemas.get(key, os.path.join(SOURCE, "mappings/mapping.xsd"))
            path = tmp_path / key
            path.write_text(text)
            result = subprocess.run(["xmllint", "--noout", "--schema", schema, str(path)],
                                    capture_output=True, text=True)
            assert result.returncode == 0, result.stderr


def test_prometheus_rule_is_the_monitoring_alert_rules(objects):
    with open(os.path.join(SOURCE, "deploy/monitoring/portier-alerts.yaml")) as f:
        rules = yaml.safe_load(f)
    assert one(objects, "PrometheusRule")["spec"] == rules
