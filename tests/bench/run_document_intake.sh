#!/usr/bin/env bash
# Benchmark: a large PDF through deliverDocument, end to end (HTTP, spooling, the streaming XML
# pass, authentication, base64 decoding into the store with fsync, qpdf --check, the durable
# intake). Reports portierd's peak RSS growth (VmHWM before and after) and throughput, against
# `sha256sum` and `cp` of the same envelope in the same run. Loopback only; bounded.
#   tests/bench/run_document_intake.sh [SIZE_MB] [ROUNDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
size_mb=${1:-50}; rounds=${2:-3}
source "$root/tests/bench/start_document_bench.sh"

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
