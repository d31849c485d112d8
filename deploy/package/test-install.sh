#!/usr/bin/env bash
# Installs Portier's Debian package into a fresh Debian 12 root made by mmdebstrap, and starts
# portierd there as the systemd unit would (start-in-root.sh): the configuration check first,
# then the daemon as the `portier` user, healthy, ready, reloaded and drained.
#
# Needs root, mmdebstrap and the Debian mirror (dependencies are resolved by apt in the root).
# Builds portierd and portierctl in build/ first, unless PORTIER_BUILD_DIR names a build
# folder where they are built (CTest does: the test deploy_install_debian12, about 100 s, most
# of it the download of the base system and the runtime libraries).
#   deploy/package/test-install.sh [MIRROR]
set -euo pipefail
cd "$(dirname "$0")/../.."
mirror=${1:-http://deb.debian.org/debian}
started=$(date +%s)

build=${PORTIER_BUILD_DIR:-}
if [ -z "$build" ]; then
  scripts/build.sh --target portierd portierctl >/dev/null
  build=build
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/portier-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
cpack --config "$build/CPackConfig.cmake" -B "$work" >/dev/null
deb=$(ls "$work"/portier_*.deb)
echo "package: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# The hooks run with /proc and /dev mounted in the root, and mmdebstrap removes them after.
mmdebstrap --variant=minbase --include=ca-certificates,curl,procps \
  --customize-hook="copy-in $deb /tmp" \
  --customize-hook='chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /tmp/'"$(basename "$deb")" \
  --customize-hook="copy-in deploy/package/start-in-root.sh /tmp" \
  --customize-hook='chroot "$1" /tmp/start-in-root.sh '"$port" \
  bookworm "$work/root" "$mirror" "deb ${mirror%/debian}/debian-security bookworm-security main"

echo "installed and started in a fresh Debian 12 root in $(( $(date +%s) - started )) s"
