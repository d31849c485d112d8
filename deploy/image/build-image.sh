#!/usr/bin/env bash
# Builds Portier's OCI image from Debian packages and this repository only: a Debian 12 root
# (mmdebstrap, minbase, without documentation) with the Portier .deb installed by apt, which
# brings exactly the runtime libraries it depends on; then buildah makes it an image
# (docker format, for its HEALTHCHECK), run as the non-root user portier (uid 10001).
#   deploy/image/build-image.sh [TAG]          default localhost/portier:<version>
# Needs root, mmdebstrap, buildah and the Debian mirror; about 2-3 minutes. Not part of
# ./scripts/test.sh: deploy/image/run-sample-flow.sh builds it and runs the sandbox against it.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(sed -n 's/^project(portier VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
tag=${1:-localhost/portier:$version}
mirror=${PORTIER_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# As root in a container or VM without systemd: file storage (vfs), the same for buildah and
# podman (podman refuses a driver other than the one its storage was first used with).
export STORAGE_DRIVER=${STORAGE_DRIVER:-vfs}
export BUILDAH_ISOLATION=${BUILDAH_ISOLATION:-chroot}

scripts/build.sh --target portierd portierctl >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/portier-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
cpack --config build/CPackConfig.cmake -B "$work" >/dev/null
deb=$(ls "$work"/portier_*.deb)

# The user first, with the uid the Kubernetes manifests run as; the package's postinst then
# finds it. Documentation, manuals and locales are never unpacked; apt's lists and caches go.
mmdebstrap --variant=minbase --include=ca-certificates,curl \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --customize-hook='chroot "$1" groupadd --system --gid 10001 portier' \
  --customize-hook='chroot "$1" useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /var/lib/portier --shell /usr/sbin/nologin portier' \
  --customize-hook="copy-in $deb /tmp" \
  --customize-hook='chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /tmp/'"$(basename "$deb")" \
  --customize-hook='rm -f "$1"/tmp/*.deb "$1"/etc/portier/secrets.env' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*' \
  bookworm "$work/rootfs.tar" "$mirror" "deb ${mirror%/debian}/debian-security bookworm-security main"

buildah() { command buildah --storage-driver "$STORAGE_DRIVER" "$@"; }
container=$(buildah from scratch)
buildah add --quiet "$container" "$work/rootfs.tar" /
buildah config \
  --user 10001:10001 \
  --workingdir /var/lib/portier \
  --entrypoint '["/usr/sbin/portierd"]' \
  --cmd '--config /etc/portier/portier.xml' \
  --port 8080 --port 8443 --port 8444 \
  --volume /var/lib/portier \
  --stop-signal SIGTERM \
  --healthcheck 'CMD curl -fsS -o /dev/null http://127.0.0.1:8080/healthz' \
  --healthcheck-interval 10s --healthcheck-timeout 3s --healthcheck-retries 3 \
  --healthcheck-start-period 30s \
  --label org.opencontainers.image.title=portier \
  --label org.opencontainers.image.version="$version" \
  --label org.opencontainers.image.licenses=GPL-3.0-or-later \
  "$container"
buildah commit --quiet --format docker --rm "$container" "$tag" >/dev/null
echo "image $tag: \\
$(podman --storage-driver "$STORAGE_DRIVER" image inspect --format '{{.Size}}' "$tag" | awk '{printf "%.1f MB", $1/1e6}')"
