#!/usr/bin/env bash
# Runs portierd from IMAGE as the sandbox's Portier (scripts/sandbox.sh --image IMAGE): the
# sandbox configuration rewritten for the container's paths, on the host's network (the
# simulators listen on its loopback), with a read-only root file system. Mounted: the
# configuration, the repository's mappings and the sandbox PKI read-only; the sandbox folder
# as /var/lib/portier, so that the journal and documents are where config/sandbox.xml says and
# the host's portierctl reads them. Secrets: the portal's from a file (file:), the others from
# the environment (env:), as an operator would pass them.
#   deploy/image/run-container.sh IMAGE SANDBOX_FOLDER
set -euo pipefail
cd "$(dirname "$0")/../.."
image=$1
var=$(cd "$2" && pwd)
uid=10001  # the image's user portier

sed -e 's|\.\./var/sandbox/pki/|/etc/portier/pki/|g' \
    -e 's|\.\./var/sandbox/|/var/lib/portier/|g' \
    -e 's|"\.\./mappings"|"/etc/portier/mappings"|' \
    -e 's|clientSecret="env:PORTIER_PORTAL_SECRET"|clientSecret="file:/run/secrets/portal-client-secret"|' \
    config/sandbox.xml >"$var/container.xml"
(umask 077; printf '%s' "$PORTIER_PORTAL_SECRET" >"$var/portal-client-secret")
chown "$uid:$uid" "$var" "$var/portal-client-secret"
chown -R "$uid:$uid" "$var/pki"

env_args=()
for name in PORTIER_STEUERAMT_SECRET PORTIER_BETREIBUNGSAMT_SECRET PORTIER_INCAMAIL_SECRET \
            PORTIER_RECEIPTS_SECRET PORTIER_APF_SECRET PORTIER_PORTAL_HMAC_SECRET; do
  env_args+=(--env "$name")
done
# podman as root on a machine without systemd (a VM or container): file storage (vfs), cgroupfs,
# a file for podman's events, runc (crun refuses hybrid cgroup hierarchies), limits no higher
# than the machine grants, and no healthcheck timer (it needs systemd; build-image.sh's caller
# runs the image's HEALTHCHECK by hand).
exec podman --runtime runc --storage-driver vfs --cgroup-manager cgroupfs --events-backend file \
  run --rm --name portier-sandbox --network host --read-only --tmpfs /tmp \
  --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 --no-healthcheck \
  "${env_args[@]}" \
  -v "$var/container.xml:/etc/portier/portier.xml:ro" \
  -v "$PWD/mappings:/etc/portier/mappings:ro" \
  -v "$var/pki:/etc/portier/pki:ro" \
  -v "$var/portal-client-secret:/run/secrets/portal-client-secret:ro" \
  -v "$var:/var/lib/portier" \
  "$image"
