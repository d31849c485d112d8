#!/usr/bin/env bash
# Benchmark: deliverDocument sent as MTOM/XOP (the PDF a binary part; GMime parses the spooled
# package from its file, the part is decoded into the store) against the same PDF size sent as
# base64 text in the envelope, in the same run, alternating. Reports per request the document's
# MB/s (PDF bytes over the request's wall time: spooling, parsing, authentication, storing with
# fsync, qpdf --check, the durable intake), the ratio MTOM / base64, and portierd's peak RSS
# growth during the request (VmHWM reset through clear_refs before it, minus VmRSS before).
# Loopback only; bounded.
#   tests/bench/run_mtom_intake.sh [SIZE_MB] [ROUNDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
size_mb=${1:-20}; rounds=${2:-3}
source "$root/tests/bench/start_document_bench.sh"

# The business case the documents belong to (also warms up).
/usr/bin/python3 "$root/tests/bench/make_document_request.py" 0.01 "$work/warm.pdf" \
  "$work/warm.xml" bench bench-secret bp-bench warm
/usr/bin/python3 - "$url" "$work/warm.xml" <<'PY'
import sys, urllib.request
envelope = open(sys.argv[2], "rb").read()
head = envelope.split(b"<p:deliverDocument>")[0]
body = head + (b"<p:openBusinessCase><p:header><p:senderId>bench</p:senderId><p:messageId>open-1"
               b"</p:messageId><p:businessProcessId>bp-bench</p:businessProcessId></p:header>"
               b"<p:serviceId>1</p:serviceId><p:ownerId>o</p:ownerId><p:title>Benchmark</p:title>"
               b"</p:openBusinessCase></s:Body></s:Envelope>")
urllib.request.urlopen(urllib.request.Request(sys.argv[1], body, {"Content-Type": "text/xml"})).read()
PY

hwm_kib() { awk '/VmHWM/ {print $2}' /proc/"$portier_pid"/status; }
rss_kib() { awk '/VmRSS/ {print $2}' /proc/"$portier_pid"/status; }
reset_hwm() { echo 5 > /proc/"$portier_pid"/clear_refs 2>/dev/null || true; }
seconds() { /usr/bin/python3 -c 'import time; print(time.monotonic())'; }

# post NAME CONTENT_TYPE FILE: prints "MB/s RSS-growth-MB status" for the PDF of this round.
post() {
  local ct=$2 file=$3 before t0 t1 status after
  sync; reset_hwm; before=$(rss_kib)
  t0=$(seconds)
  status=$(curl -s -o "$work/answer-$1.xml" -w '%{http_code}' -H "Content-Type: $ct" \
    --data-binary @"$file" "$url")
  t1=$(seconds)
  after=$(hwm_kib)
  [ "$status" = 200 ] || { echo "portierd answered $status to $1:" >&2; head -c 600 "$work/answer-$1.xml" >&2; echo >&2; }
  awk -v b="$pdf_bytes" -v a="$t0" -v c="$t1" -v h="$after" -v r="$before" -v s="$status" \
    'BEGIN{printf "%.1f %.1f %s", b/1e6/(c-a), (h-r)/1024, s}'
}

echo "document ${size_mb} MB, ${rounds} rounds; portierd io=2 workers, loopback"
printf "%-6s %13s %13s %13s %15s %15s\n" round "base64 MB/s" "MTOM MB/s" "ratio(MTOM)" \
  "base64 RSS+ MB" "MTOM RSS+ MB"
for r in $(seq "$rounds"); do
  # A new document for every request: the store keeps one copy per content.
  /usr/bin/python3 "$root/tests/bench/make_document_request.py" "$size_mb" "$work/b64.pdf" \
    "$work/b64.xml" bench bench-secret bp-bench "b64-$r-$RANDOM"
  /usr/bin/python3 "$root/tests/bench/make_document_request.py" "$size_mb" "$work/mtom.pdf" \
    "$work/unused.xml" bench bench-secret bp-bench "mtom-$r-$RANDOM"
  /usr/bin/python3 "$root/tests/bench/make_mtom_request.py" "$work/mtom.pdf" "$work/mtom.body" \
    "$work/mtom.type" bench bench-secret bp-bench "mtom-$r-$RANDOM"
  pdf_bytes=$(stat -c %s "$work/b64.pdf")
  read -r b64_mbps b64_rss b64_status <<<"$(post b64 'text/xml; charset=utf-8' "$work/b64.xml")"
  read -r mtom_mbps mtom_rss mtom_status <<<"$(post mtom "$(cat "$work/mtom.type")" "$work/mtom.body")"
  printf "%-6s %13s %13s %13s %15s %15s\n" "$r" "$b64_mbps" "$mtom_mbps" \
    "$(awk -v m="$mtom_mbps" -v b="$b64_mbps" 'BEGIN{printf "%.2f", m/b}')" "$b64_rss" "$mtom_rss"
  [ "$b64_status" = 200 ] && [ "$mtom_status" = 200 ] || echo "round $r: base64 $b64_status, MTOM $mtom_status"
done
echo "MB/s count PDF bytes; ratio = MTOM MB/s / base64 MB/s; RSS+ = peak during the request"
echo "minus resident before it (the peak is reset before each request)"
echo "portierd VmRSS at the end: $(( $(rss_kib) / 1024 )) MB"
