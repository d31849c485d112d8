# Sourced by the document benchmarks once `root` and `size_mb` are set: starts portier-sim
# and a portierd sized for a document of size_mb MB on free loopback ports, with a benchmark
# department (UsernameToken bench / bench-secret). Sets `work` (a scratch folder), `pids`,
# `portier_pid` and `url`; everything is stopped and removed on exit.
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
