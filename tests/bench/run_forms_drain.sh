#!/usr/bin/env bash
# Benchmark: COUNT web-form submissions drained end to end through the simulators: portierd
# lists and fetches them from the simulated APF, checks and maps each, records it durably (one
# intake with its work items), opens the business case in the simulated portal, hands it to the
# simulated department intake and takes it over in the APF (TakeOver + SetStatus). The time is
# from portierd's start until the APF shows every one IN_PROGRESS (polled each 200 ms). Baseline
# in the same run: apf_drain_baseline listing and fetching the same COUNT applications from the
# same simulator with nothing else done. Loopback only; bounded.
#   tests/bench/run_forms_drain.sh [COUNT] [PAGE_SIZE]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
count=${1:-10000}; page=${2:-100}
build=${PORTIER_BUILD_DIR:-$root/build}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; [ -n "${PORTIER_BENCH_KEEP:-}" ] && echo "kept $work" || rm -rf "$work"; }
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
sim_port=$(free_port); portier_port=$(free_port)
sim="http://127.0.0.1:$sim_port"
export PORTIER_PORTAL_SECRET=bench PORTIER_BENCH_SECRET=bench-secret PORTIER_APF_SECRET=apf-bench

mkdir -p "$work/mappings"
cat > "$work/mappings/bench.xml" <<CONF
<mapping xmlns="urn:portier:mapping:1" name="bench" displayName="Benchmark department">
  <authentication><usernameToken user="bench" password="env:PORTIER_BENCH_SECRET"/></authentication>
  <services><service id="1"/></services>
  <endpoint name="formIntake" kind="rest" url="$sim/department/bench/intake">
    <template name="order"><![CDATA[{"businessProcessId":"\${businessProcessId}","applicationId":"\${applicationId}","name":"\${field.name}","zweck":"\${field.zweck}"}]]></template>
  </endpoint>
  <forms endpoint="formIntake" template="order">
    <valueTable name="zweck"><value from="1" to="PRIVAT"/></valueTable>
    <form id="BENCH" service="1" title="Benchmark">
      <namespace prefix="a" uri="urn:bench"/>
      <field name="name" select="/a:antrag/a:name" required="true"/>
      <field name="zweck" select="/a:antrag/a:zweck" required="true" table="zweck"/>
    </form>
  </forms>
</mapping>
CONF
"$build/tests/sim/portier-sim" --listen 127.0.0.1:$sim_port --portal-client-id bench \
  --portal-client-secret-env PORTIER_PORTAL_SECRET --afs-password apf-bench \
  >"$work/sim.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do curl -fs "$sim/_sim/clock" >/dev/null 2>&1 && break; sleep 0.1; done

/usr/bin/python3 - "$sim" "$count" <<'PY'
import base64, json, sys, urllib.request
sim, count = sys.argv[1], int(sys.argv[2])
body = {"mailbox": "bench", "formId": "BENCH", "count": count, "ownerId": "owner-1",
        "formData": '<antrag xmlns="urn:bench"><name>Muster ${n}</name><zweck>1</zweck></antrag>',
        "pdf": base64.b64encode(b"%PDF-1.4\n" + b"x" * 2000 + b"\n%%EOF\n").decode()}
req = urllib.request.Request(sim + "/_sim/afs/applications", json.dumps(body).encode(),
                             {"Content-Type": "application/json"})
urllib.request.urlopen(req, timeout=120).read()
PY

read -r got base_s < <("$build/tests/bench/apf_drain_baseline" "$sim/afs/apf/v1" portier apf-bench bench "$page")
[ "$got" = "$count" ] || { echo "baseline fetched $got of $count"; exit 1; }

cat > "$work/portier.xml" <<CONF
<portier xmlns="urn:portier:config:1">
  <log level="warn"/>
  <listener name="bench" address="127.0.0.1" port="$portier_port"/>
  <journal><sqlite path="$work/journal.db"/></journal>
  <workers io="2" dispatch="8"/>
  <portal baseUrl="$sim/api/v9" tokenUrl="$sim/oauth2/token" clientId="bench"
          clientSecret="env:PORTIER_PORTAL_SECRET"/>
  <documents folder="$work/documents"/>
  <antragspostfach url="$sim/afs/apf/v1" user="portier" password="env:PORTIER_APF_SECRET">
    <mailbox name="bench" pollMs="100" pageSize="$page"/>
  </antragspostfach>
  <destination name="portal" concurrency="8"/>
  <destination name="department" concurrency="8"/>
  <destination name="afs" concurrency="8"/>
  <mappings folder="$work/mappings"/>
</portier>
CONF
start=$(date +%s.%N)
"$build/core/app/portierd" --config "$work/portier.xml" 2>"$work/portierd.log" & pids+=($!)
while :; do
  done_count=$(curl -fs "$sim/_sim/afs/counts" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["IN_PROGRESS"])')
  [ "$done_count" -ge "$count" ] && break
  if ! kill -0 "${pids[-1]}" 2>/dev/null; then echo "portierd exited:"; tail "$work/portierd.log"; exit 1; fi
  sleep 0.2
done
end=$(date +%s.%N)
effects=$(curl -fs "$sim/_sim/state" | /usr/bin/python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["department"]["effects"], len(s["portal"]["businessCases"]))')
/usr/bin/python3 - "$count" "$start" "$end" "$base_s" "$effects" <<'PY'
import sys
count, start, end, base = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
dept, cases = map(int, sys.argv[5].split())
t = end - start
print(f"submissions:               {count}")
print(f"portierd end to end:       {t:.1f} s  = {count / t:,.0f} submissions/s")
print(f"baseline list+get only:    {base:.1f} s  = {count / base:,.0f} applications/s")
print(f"ratio (end to end / base): {(count / t) / (count / base):.2f}")
print(f"department intakes: {dept}, business cases: {cases} (each must equal {count})")
if dept != count or cases != count:
    sys.exit(1)
PY
