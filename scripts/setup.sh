#!/usr/bin/env bash
# Installs every Debian package that Portier's build, tests, benchmarks and sandbox need.
# Idempotent: packages already present are left as they are.
set -euo pipefail

sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"

packages=(
  build-essential cmake pkg-config clang-format clang-tidy clang-15 libfuzzer-15-dev
  libboost1.81-dev libboost-system1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libboost-program-options1.81-dev
  libthrift-dev thrift-compiler gsoap libgsoap-dev
  libxml2-dev libxml2-utils libssl-dev libcurl4-openssl-dev libsqlite3-dev sqlite3 libpq-dev
  postgresql-15
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-zeep python3-lxml python3-requests python3-pytest python3-thrift openssl curl
  wrk nginx-light nodejs qpdf zlib1g-dev
  libgmime-3.0-dev dovecot-imapd python3-aiosmtpd python3-cryptography
  dpkg-dev mandoc python3-yaml python3-jsonschema mmdebstrap
)

install_node_packages() {
  # The npm `soap` package (a second SOAP client nobody here wrote) and the OpenAPI validators,
  # for the integration tests; installed again whenever the lockfile changes.
  local node
  node=$(cd "$(dirname "$0")/.." && pwd)/tests/integration/node
  if ! command -v npm >/dev/null; then  # some Node.js builds ship npm, Debian's does not
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends npm
  fi
  local lock
  lock=$(sha256sum "$node/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$node/node_modules/.installed-lock" 2>/dev/null)" != "$lock" ]; then
    (cd "$node" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock" >"$node/node_modules/.installed-lock"
  fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  install_node_packages
  exit 0
fi

# Packages such as nginx would otherwise start system services listening on public ports
# (postgresql-15 its own cluster on 5432: tests start their own servers, tests/support).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee "$policy" >/dev/null
  $sudo_cmd chmod +x "$policy"
  created_policy=1
fi
$sudo_cmd apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
[ "$created_policy" -eq 0 ] || $sudo_cmd rm -f "$policy"
install_node_packages
