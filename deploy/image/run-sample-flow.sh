#!/usr/bin/env bash
# Builds the image (build-image.sh) and runs the sandbox's sample flow against Portier inside a
# container of it, the simulators on this machine: scripts/sandbox.sh --image TAG --once.
# Then starts the image as it comes (its packaged configuration, read-only root file system)
# and runs its HEALTHCHECK. Needs root, mmdebstrap, buildah, podman, runc and the Debian
# mirror; about 5 minutes, so not part of ./scripts/test.sh.
#   deploy/image/run-sample-flow.sh [--no-build]     --no-build: the image is there already
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(sed -n 's/^project(portier VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
tag=localhost/portier:$version
started=$(date +%s)
[ "${1:-}" = --no-build ] || deploy/image/build-image.sh "$tag"
podman --storage-driver vfs image inspect --format 'HEALTHCHECK {{.HealthCheck.Test}}' "$tag"
scripts/sandbox.sh --image "$tag" --once

podman=(podman --runtime runc --storage-driver vfs --cgroup-manager cgroupfs --events-backend file)
# The packaged configuration listens on 8080: it must be free on this machine.
"${podman[@]}" run -d --name portier-health --network host --read-only --tmpfs /tmp \
  --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 --health-interval disable \
  --env PORTIER_PORTAL_SECRET=not-used "$tag" >/dev/null
trap '"${podman[@]}" rm -f portier-health >/dev/null 2>&1' EXIT
for _ in $(seq 50); do
  "${podman[@]}" healthcheck run portier-health >/dev/null 2>&1 && break
  sleep 0.2
done
"${podman[@]}" healthcheck run portier-health 2>/dev/null && echo "HEALTHCHECK: healthy"
echo "built the image and ran the sample flow in its container in $(( $(date +%s) - started )) s"
