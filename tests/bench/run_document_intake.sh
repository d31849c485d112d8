#!/usr/bin/env bash
# Benchmark: a large PDF through deliverDocument, end to end (HTTP, spooling, the streaming XML
# pass, authentication, base64 decoding into the store with fsync, qpdf --check, the durable
# intake). Reports portierd's peak RSS growth (VmHWM before and after) and throughput, against
# `sha256sum` and `cp` of the same envelope in the same run. Loopback only; bounded.
#   tests/bench/run_document_intake.sh [SIZE_MB] [ROUNDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
size_mb=${1:-50}; rounds=${2:-3}
build=${PORTIER_BUILD_DIR:-$root/build}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
sim_port=$(free_port); portier_port=$(free_port)
export PORTIER_PORTAL_SECRET=bench PORTIER_BENCH_SECRET=bench-secret

mkdir -p "$work/mappings"
cat > "$work/mappings/bench.xml" <<'CONF'
<mapping xmlns="urn:portier:mapping:1" name="bench" displayName="Benchmark department">
  <authentication><usernameToken user="bench" password="env:PORTIER_BENCH_SECRET"/></authentication>
  <services><service id="1"/></services>
  <documents prefix="Bench"><kind name="Verfuegung" fileName="${prefix}-${kind}-${date}.pdf"/></documents>
  <limits maxRequestsPerMinute="100000"/>
</mapping>
CONF
"$build/tests/sim/portier-sim" --listen 127.0.0.1:$sim_port --portal-client-id bench \
  --portal-client-secret-env PORTIER_PORTAL_SECRET >"$work/sim.log" 2>&1 & pids+=($!)
cat > "$work/portier.xml" <<CONF
<portier xmlns="urn:portier:config:1">
  <log level="warn"/>
  <listener name="bench" address="127.0.0.1" port="$portier_port"/>
  <limits maxBodyBytes="$(( (size_mb * 1000000 * 4 / 3) + (8 << 20) ))"/>
  <journal><sqlite path="$work/journal.db"/></journal>
  <workers io="2" dispatch="4"/>
  <portal baseUrl="http://127.0.0.1:$sim_port/api/v9" tokenUrl="http://127.0.0.1:$sim_port/oauth2/token"
          clientId="bench" clientSecret="env:PORTIER_PORTAL_SECRET"/>
  <rcAdapter baseUrl="http://127.0.0.1:$sim_port/rc-adapter/v1"/>
  <documents folder="$work/documents" maxBytes="$(( size_mb * 1000000 + (1 << 20) ))"/>
  <mappings folder="$work/mappings"/>
</portier>
CONF
"$build/core/app/portierd" --config "$work/portier.xml" 2>"$work/portierd.log" & portier_pid=$!; pids+=($portier_pid)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$portier_port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
url="http://127.0.0.1:$portier_port/soap/v1"

# The business case the documents belong to, opened with a small request (also warms up).
/usr/bin/python3 - "$url" <<'PY'
import base64, datetime, hashlib, os, sys, urllib.request
P = "http://docs.oasis-open.org/wss/2004/01/"
nonce = os.urandom(16)
created = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
digest = base64.b64encode(hashlib.sha1(nonce + created.encode() + b"bench-secret").digest()).decode()
body = (f'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:p="urn:portier:department:1">'
        f'<s:Header><wsse:Security xmlns:wsse="{P}oasis-200401-wss-wssecurity-secext-1.0.xsd" '
        f'xmlns:wsu="{P}oasis-200401-wss-wssecurity-utility-1.0.xsd"><wsse:UsernameToken>'
        f'<wsse:Username>bench</wsse:Username><wsse:Password Type="{P}oasis-200401-wss-username-'
        f'token-profile-1.0#PasswordDigest">{digest}</wsse:Password><wsse:Nonce>'
        f'{base64.b64encode(nonce).decode()}</wsse:Nonce><wsu:Created>{created}</wsu:Created>'
        f'</wsse:UsernameToken></wsse:Security></s:Header><s:Body><p:openBusinessCase><p:header>'
        f'<p:senderId>bench</p:senderId><p:messageId>open-1</p:messageId><p:businessProcessId>'
        f'bp-bench</p:businessProcessId></p:header><p:serviceId>1</p:serviceId><p:ownerId>o</p:ownerId>'
        f'<p:title>Benchmark</p:title></p:openBusinessCase></s:Body></s:Envelope>')
urllib.request.urlopen(urllib.request.Request(sys.argv[1], body.encode(), {"Content-Type": "text/xml"})).read()
PY

hwm_kib() { awk '/VmHWM/ {print $2}' /proc/"$portier_pid"/status; }
rss_kib() { awk '/VmRSS/ {print $2}' /proc/"$portier_pid"/status; }
seconds() { /usr/bin/python3 -c 'import time; print(time.monotonic())'; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN{printf "%.1f", b/1e6/s}'; }

echo "document ${size_mb} MB, ${rounds} rounds; portierd io=2 workers, loopback"
printf "%-6s %12s %12s %12s %14s %14s %10s\n" round "portier MB/s" "sha256 MB/s" "cp MB/s" "ratio(sha256)" "RSS growth MB" status
for r in $(seq "$rounds"); do
  # A new document every round: the store keeps one copy per content.
  /usr/bin/python3 "$root/tests/bench/make_document_request.py" "$size_mb" "$work/doc.pdf" \
    "$work/envelope.xml" bench bench-secret bp-bench "doc-$r-$RANDOM"
  bytes=$(stat -c %s "$work/envelope.xml")
  sync
  t0=$(seconds); sha256sum "$work/envelope.xml" >/dev/null; t1=$(seconds)
  cp "$work/envelope.xml" "$work/copy.xml"; sync "$work/copy.xml"; t2=$(seconds); rm -f "$work/copy.xml"
  before=$(hwm_kib)
  t3=$(seconds)
  status=$(curl -s -o "$work/answer.xml" -w '%{http_code}' -H 'Content-Type: text/xml; charset=utf-8' \
    --data-binary @"$work/envelope.xml" "$url")
  t4=$(seconds)
  after=$(hwm_kib)
  p=$(awk -v a="$t3" -v b="$t4" 'BEGIN{print b-a}')
  s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')
  c=$(awk -v a="$t1" -v b="$t2" 'BEGIN{print b-a}')
  printf "%-6s %12s %12s %12s %14s %14s %10s\n" "$r" "$(mbps "$bytes" "$p")" "$(mbps "$bytes" "$s")" \
    "$(mbps "$bytes" "$c")" "$(awk -v p="$p" -v s="$s" 'BEGIN{printf "%.3f", s/p}')" \
    "$(awk -v a="$after" -v b="$before" 'BEGIN{printf "%.1f", (a-b)/1024}')" "$status"
  [ "$status" = 200 ] || { echo "portierd answered $status:"; head -c 600 "$work/answer.xml"; echo; }
done
echo "envelope $(( bytes / 1000000 )) MB (PDF $(( $(stat -c %s "$work/doc.pdf") / 1000000 )) MB in base64);" \
  "MB/s count envelope bytes; ratio = portier MB/s / sha256sum MB/s"
echo "portierd VmHWM at the end: $(( $(hwm_kib) / 1024 )) MB, VmRSS: $(( $(rss_kib) / 1024 )) MB"
