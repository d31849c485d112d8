"""JSON schemas of the Kubernetes fields deploy/kubernetes uses (apps/v1 Deployment, v1 Service,
policy/v1 PodDisruptionBudget, networking.k8s.io/v1 NetworkPolicy, monitoring.coreos.com/v1
ServiceMonitor and PrometheusRule, and the small v1 kinds). Not the full OpenAPI of
Kubernetes: objects that Portier's manifests fill are closed (additionalProperties false), so a
misspelt or misplaced field, a wrong type or a missing required field fails; fields these
manifests do not use are refused rather than checked, and must be added here when used."""


def obj(properties, required=(), closed=True):
    return {"type": "object", "properties": properties, "required": list(required),
            "additionalProperties": not closed}


STRING = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
LABELS = {"type": "object", "additionalProperties": STRING}
PORT = {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 65535}, STRING]}
SELECTOR = obj({"matchLabels": LABELS}, ["matchLabels"])
METADATA = obj({"name": STRING, "namespace": STRING, "labels": LABELS,
                "annotations": LABELS}, ["name"])
QUANTITY = {"anyOf": [STRING, INT]}
COUNT_OR_PERCENT = {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": "^[0-9]+%$"}]}
RESOURCES = obj({"requests": {"type": "object", "additionalProperties": QUANTITY},
                 "limits": {"type": "object", "additionalProperties": QUANTITY}}, ["requests"])
HTTP_PROBE = obj({
    "httpGet": obj({"path": STRING, "port": PORT, "scheme": STRING}, ["path", "port"]),
    "initialDelaySeconds": INT, "periodSeconds": INT, "timeoutSeconds": INT,
    "failureThreshold": INT, "successThreshold": INT}, ["httpGet"])
CONTAINER = obj({
    "name": STRING, "image": STRING, "imagePullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]},
    "args": {"type": "array", "items": STRING},
    "ports": {"type": "array", "items": obj({"name": STRING, "containerPort": INT,
                                              "protocol": STRING}, ["containerPort"])},
    "envFrom": {"type": "array", "items": obj({"secretRef": obj({"name": STRING}, ["name"]),
                                                "configMapRef": obj({"name": STRING}, ["name"])})},
    "resources": RESOURCES,
    "startupProbe": HTTP_PROBE, "readinessProbe": HTTP_PROBE, "livenessProbe": HTTP_PROBE,
    "lifecycle": obj({"preStop": obj({"exec": obj({"command": {"type": "array", "items": STRING}},
                                                  ["command"])})}),
    "securityContext": obj({"allowPrivilegeEscalation": BOOL, "readOnlyRootFilesystem": BOOL,
                            "runAsNonRoot": BOOL,
                            "capabilities": obj({"drop": {"type": "array", "items": STRING}})}),
    "volumeMounts": {"type": "array", "items": obj({"name": STRING, "mountPath": STRING,
                                                     "subPath": STRING, "readOnly": BOOL},
                                                    ["name", "mountPath"])},
}, ["name", "image"])
VOLUME = obj({
    "name": STRING,
    "configMap": obj({"name": STRING, "defaultMode": INT}, ["name"]),
    "secret": obj({"secretName": STRING, "defaultMode": INT}, ["secretName"]),
    "persistentVolumeClaim": obj({"claimName": STRING, "readOnly": BOOL}, ["claimName"]),
    "emptyDir": obj({"sizeLimit": QUANTITY, "medium": STRING}),
}, ["name"])
POD_SPEC = obj({
    "serviceAccountName": STRING, "automountServiceAccountToken": BOOL,
    "terminationGracePeriodSeconds": INT,
    "securityContext": obj({"runAsNonRoot": BOOL, "runAsUser": INT, "runAsGroup": INT,
                            "fsGroup": INT,
                            "seccompProfile": obj({"type": STRING}, ["type"])}),
    "topologySpreadConstraints": {"type": "array", "items": obj({
        "maxSkew": INT, "topologyKey": STRING,
        "whenUnsatisfiable": {"enum": ["DoNotSchedule", "ScheduleAnyway"]},
        "labelSelector": SELECTOR}, ["maxSkew", "topologyKey", "whenUnsatisfiable"])},
    "containers": {"type": "array", "minItems": 1, "items": CONTAINER},
    "volumes": {"type": "array", "items": VOLUME},
}, ["containers"])
NETWORK_PORT = obj({"protocol": {"enum": ["TCP", "UDP", "SCTP"]}, "port": PORT}, ["port"])
PEER = obj({"namespaceSelector": SELECTOR, "podSelector": SELECTOR, "ipBlock": obj(
    {"cidr": STRING, "except": {"type": "array", "items": STRING}}, ["cidr"])})
RULE = obj({"from": {"type": "array", "items": PEER}, "to": {"type": "array", "items": PEER},
            "ports": {"type": "array", "items": NETWORK_PORT}})


def kind(api_version, kind_name, spec=None, extra=None, spec_required=True):
    properties = {"apiVersion": {"const": api_version}, "kind": {"const": kind_name},
                  "metadata": METADATA}
    required = ["apiVersion", "kind", "metadata"]
    if spec:
        properties["spec"] = spec
        if spec_required:
            required.append("spec")
    properties.update(extra or {})
    return obj(properties, required)


ALERT_RULE = obj({"alert": STRING, "expr": STRING, "for": STRING, "labels": LABELS,
                  "annotations": LABELS}, ["alert", "expr", "labels", "annotations"])

SCHEMAS = {
    "Namespace": kind("v1", "Namespace"),
    "ServiceAccount": kind("v1", "ServiceAccount",
                           extra={"automountServiceAccountToken": BOOL}),
    "ConfigMap": kind("v1", "ConfigMap", extra={"data": LABELS}),
    "Secret": kind("v1", "Secret", extra={"type": STRING, "stringData": LABELS, "data": LABELS}),
    "PersistentVolumeClaim": kind("v1", "PersistentVolumeClaim", obj({
        "accessModes": {"type": "array", "items": {"enum": [
            "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]}},
        "storageClassName": STRING,
        "resources": obj({"requests": obj({"storage": QUANTITY}, ["storage"])}, ["requests"])},
        ["accessModes", "resources"])),
    "Deployment": kind("apps/v1", "Deployment", obj({
        "replicas": {"type": "integer", "minimum": 2},
        "selector": SELECTOR,
        "strategy": obj({"type": {"enum": ["RollingUpdate", "Recreate"]}, "rollingUpdate": obj(
            {"maxUnavailable": COUNT_OR_PERCENT, "maxSurge": COUNT_OR_PERCENT})}),
        "template": obj({"metadata": obj({"labels": LABELS, "annotations": LABELS}),
                         "spec": POD_SPEC}, ["metadata", "spec"])},
        ["selector", "template"])),
    "Service": kind("v1", "Service", obj({
        "selector": LABELS, "type": STRING,
        "ports": {"type": "array", "items": obj({"name": STRING, "port": INT, "targetPort": PORT,
                                                  "protocol": STRING}, ["port"])}},
        ["selector", "ports"])),
    "PodDisruptionBudget": kind("policy/v1", "PodDisruptionBudget", obj({
        "minAvailable": COUNT_OR_PERCENT, "maxUnavailable": COUNT_OR_PERCENT, "selector": SELECTOR}, ["selector"])),
    "NetworkPolicy": kind("networking.k8s.io/v1", "NetworkPolicy", obj({
        "podSelector": SELECTOR,
        "policyTypes": {"type": "array", "items": {"enum": ["Ingress", "Egress"]}},
        "ingress": {"type": "array", "items": RULE}, "egress": {"type": "array", "items": RULE}},
        ["podSelector"])),
    "ServiceMonitor": kind("monitoring.coreos.com/v1", "ServiceMonitor", obj({
        "selector": SELECTOR,
        "endpoints": {"type": "array", "minItems": 1, "items": obj({
            "port": STRING, "path": STRING, "interval": STRING, "scheme": STRING},
            ["port"])}}, ["selector", "endpoints"])),
    "PrometheusRule": kind("monitoring.coreos.com/v1", "PrometheusRule", obj({
        "groups": {"type": "array", "items": obj({
            "name": STRING, "rules": {"type": "array", "items": ALERT_RULE}},
            ["name", "rules"])}}, ["groups"])),
}
