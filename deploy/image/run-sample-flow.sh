#!/usr/bin/env bash
# Builds the image (build-image.sh) and runs the sandbox's sample flow against Portier inside a
# container of it, the simulators on this machine: scripts/sandbox.sh --image TAG --once.
# Needs root, mmdebstrap,
# buildah, podman and the Debian mirror; about 5 minutes, so not part of ./scripts/test.sh.
#   deploy/image/run-sample-flow.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(sed -n 's/^project(portier VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
tag=localhost/portier:$version
started=$(date +%s)
deploy/image/build-image.sh "$tag"
podman --storage-driver vfs image inspect --format 'HEALTHCHECK {{.HealthCheck.Test}}' "$tag"
scripts/sandbox.sh --image "$tag" --once
echo "built the image and ran the sample flow in its container in $(( $(date +%s) - started )) s"
