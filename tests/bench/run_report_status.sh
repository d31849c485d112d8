#!/usr/bin/env bash
# Benchmark: reportStatus throughput, p50/p99 latency and RSS of portierd (durable
# acknowledgements: synchronous=FULL, group commit) over SOAP (WS-Security UsernameToken) and
# over Thrift (compact protocol, bearer token), against nginx returning a fixed reply to the
# same POST, in the same run, rotating the order per round. Loopback only; every run is bounded.
#   tests/bench/run_report_status.sh [ROUNDS] [SECONDS] [CONNECTIONS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-3}; seconds=${2:-10}; conns=${3:-50}
build=${PORTIER_BUILD_DIR:-$root/build}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
nginx_port=$(free_port); sim_port=$(free_port); portier_port=$(free_port)

# nginx: the floor for "receive a 2 KB POST, answer a fixed SOAP reply".
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 2; pid $work/nginx/nginx.pid; error_log $work/nginx/error.log;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $work/nginx;
  server { listen 127.0.0.1:$nginx_port;
    location / { default_type text/xml; client_body_buffer_size 64k;
      return 200 '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><p:reportStatusResponse xmlns:p="urn:portier:department:1"><p:businessProcessId>bp-bench</p:businessProcessId><p:acceptedAt>2026-11-29T10:00:00Z</p:acceptedAt></p:reportStatusResponse></s:Body></s:Envelope>'; } } }
CONF
nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' & pids+=($!)

export PORTIER_PORTAL_SECRET=bench PORTIER_BENCH_SECRET=bench-secret
export PORTIER_BENCH_TOKEN=bench-thrift-token-0123456789
export PORTIER_BENCH_DIR="$root/tests/bench"
mkdir -p "$work/mappings"
cat > "$work/mappings/bench.xml" <<'CONF'
<mapping xmlns="urn:portier:mapping:1" name="bench" displayName="Benchmark department">
  <authentication><usernameToken user="bench" password="env:PORTIER_BENCH_SECRET"/>
    <apiToken token="env:PORTIER_BENCH_TOKEN"/></authentication>
  <services><service id="1"/></services>
  <limits maxRequestsPerMinute="100000000"/>
</mapping>
CONF
"$build/tests/sim/portier-sim" --listen 127.0.0.1:$sim_port --portal-client-id bench \
  --portal-client-secret-env PORTIER_PORTAL_SECRET >/dev/null 2>&1 & pids+=($!)
cat > "$work/portier.xml" <<CONF
<portier xmlns="urn:portier:config:1">
  <log level="warn"/>
  <listener name="bench" address="127.0.0.1" port="$portier_port"/>
  <limits maxInFlight="1024"/>
  <journal><sqlite path="$work/journal.db"/></journal>
  <workers io="2" dispatch="4"/>
  <portal baseUrl="http://127.0.0.1:$sim_port/api/v9" tokenUrl="http://127.0.0.1:$sim_port/oauth2/token"
          clientId="bench" clientSecret="env:PORTIER_PORTAL_SECRET"/>
  <mappings folder="$work/mappings"/>
</portier>
CONF
"$build/core/app/portierd" --config "$work/portier.xml" 2>"$work/portierd.log" & portier_pid=$!; pids+=($portier_pid)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$portier_port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done

# The business cases the status reports belong to (report_status.lua spreads over 32).
PORTIER_URL="http://127.0.0.1:$portier_port/soap/v1" /usr/bin/python3 - <<'PY'
import base64, datetime, hashlib, os, urllib.request
P = "http://docs.oasis-open.org/wss/2004/01/"
for i in range(32):
    nonce = os.urandom(16)
    created = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = base64.b64encode(hashlib.sha1(nonce + created.encode() + b"bench-secret").digest())
    header = (f'<s:Header><wsse:Security xmlns:wsse="{P}oasis-200401-wss-wssecurity-secext-1.0.xsd"'
              f' xmlns:wsu="{P}oasis-200401-wss-wssecurity-utility-1.0.xsd"><wsse:UsernameToken>'
              f'<wsse:Username>bench</wsse:Username><wsse:Password Type="{P}oasis-200401-wss-'
              f'username-token-profile-1.0#PasswordDigest">{digest.decode()}</wsse:Password>'
              f'<wsse:Nonce>{base64.b64encode(nonce).decode()}</wsse:Nonce>'
              f'<wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security></s:Header>')
    body = (f'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
            f'xmlns:p="urn:portier:department:1">{header}<s:Body><p:openBusinessCase><p:header>'
            f'<p:senderId>bench</p:senderId><p:messageId>open-{i}</p:messageId>'
            f'<p:businessProcessId>bp-bench-{i}</p:businessProcessId></p:header>'
            f'<p:serviceId>1</p:serviceId><p:ownerId>o</p:ownerId><p:title>Benchmark</p:title>'
            f'</p:openBusinessCase></s:Body></s:Envelope>')
    req = urllib.request.Request(os.environ["PORTIER_URL"], body.encode(),
                                 {"Content-Type": "text/xml"})
    urllib.request.urlopen(req).read()
PY

rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' /proc/"$1"/status; }
peak_rss=0
sample_rss() { while kill -0 "$1" 2>/dev/null; do r=$(rss_mb "$portier_pid"); echo "$r"; sleep 0.2; done; }

run() {  # script url prefix -> "rps p50 p99 non2xx"
  # A messageId prefix of its own per round and target: a repeated messageId would be answered
  # from the journal as a duplicate instead of being a new durable intake.
  out=$(PORTIER_BENCH_PREFIX="$3" wrk -t2 -c"$conns" -d"${seconds}s" --latency \
        -s "$root/tests/bench/$1" "$2")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out"); p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  bad=$(awk '/Non-2xx/ {print $5}' <<<"$out"); echo "$rps $p50 $p99 ${bad:-0}"
}

echo "rounds=$rounds seconds=$seconds connections=$conns (wrk -t2)"
printf "%-6s %-8s %12s %10s %10s %8s\n" round target req/s p50 p99 non2xx
ratios=(); thrift_ratios=(); thrift_soap=()
for r in $(seq "$rounds"); do
  case $((r % 3)) in
    1) targets=(nginx portier thrift) ;; 2) targets=(portier thrift nginx) ;; *) targets=(thrift nginx portier) ;;
  esac
  for t in "${targets[@]}"; do
    case "$t" in
      nginx) url="http://127.0.0.1:$nginx_port/soap/v1"; script=report_status.lua ;;
      portier) url="http://127.0.0.1:$portier_port/soap/v1"; script=report_status.lua ;;
      thrift) url="http://127.0.0.1:$portier_port/thrift/v1"; script=report_status_thrift.lua ;;
    esac
    sampler_out="$work/rss.$r.$t"; (sample_rss $$ >"$sampler_out") & sp=$!
    read -r rps p50 p99 bad < <(run "$script" "$url" "r$r$t-")
    kill "$sp" 2>/dev/null || true
    printf "%-6s %-8s %12s %10s %10s %8s\n" "$r" "$t" "$rps" "$p50" "$p99" "$bad"
    eval "rps_$t=$rps"
    if [ "$t" != nginx ]; then
      m=$(sort -n "$sampler_out" | tail -1); peak_rss=$(awk -v a="$peak_rss" -v b="${m:-0}" 'BEGIN{print (b>a)?b:a}')
    fi
  done
  ratios+=("$(awk -v p="$rps_portier" -v n="$rps_nginx" 'BEGIN{printf "%.2f", p/n}')")
  thrift_ratios+=("$(awk -v p="$rps_thrift" -v n="$rps_nginx" 'BEGIN{printf "%.2f", p/n}')")
  thrift_soap+=("$(awk -v p="$rps_thrift" -v n="$rps_portier" 'BEGIN{printf "%.2f", p/n}')")
done
echo "portier (SOAP)/nginx throughput ratio per round: ${ratios[*]}"
echo "portier (Thrift)/nginx throughput ratio per round: ${thrift_ratios[*]}"
echo "Thrift/SOAP throughput ratio per round: ${thrift_soap[*]}"
echo "portierd peak RSS under load: ${peak_rss} MB; after: $(rss_mb "$portier_pid") MB"
depth=$(curl -fs "http://127.0.0.1:$portier_port/metrics" | grep '^portier_journal_depth' || true)
echo "journal depth at the end:"; echo "$depth"
# A Thrift refusal is an HTTP 200 too: the outcomes say whether the calls were accepted.
echo "outcomes (accepted = new durable intakes):"
curl -fs "http://127.0.0.1:$portier_port/metrics" |
  grep -E '^portier_(soap|thrift)_requests_total\{operation="reportStatus"' || true
