#!/usr/bin/env bash
# The sandbox: Portier on its embedded SQLite journal with the simulated portal, all on this
# machine. Runs a sample flow, prints what happened, then leaves Portier running until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh --target portierd portierctl portier-sim

export PORTIER_PORTAL_SECRET=${PORTIER_PORTAL_SECRET:-sandbox-secret}
# The example departments' UsernameToken passwords (mappings/*.xml name these variables).
export PORTIER_STEUERAMT_SECRET=${PORTIER_STEUERAMT_SECRET:-steueramt-sandbox}
export PORTIER_BETREIBUNGSAMT_SECRET=${PORTIER_BETREIBUNGSAMT_SECRET:-betreibungsamt-sandbox}
# The simulated AFS Antragspostfach's password for Portier (config/sandbox.xml).
export PORTIER_APF_SECRET=${PORTIER_APF_SECRET:-apf-sandbox}
var=var/sandbox
mkdir -p "$var"
rm -rf "$var"/journal.db* "$var"/documents
deploy/sandbox/make-pki.sh "$var/pki"
pids=()
stop() {
  echo
  echo "Stopping Portier and the simulator..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 0' INT TERM

build/tests/sim/portier-sim --listen 127.0.0.1:9000 --portal-client-id portier-sandbox \
  --portal-client-secret-env PORTIER_PORTAL_SECRET --afs-password "$PORTIER_APF_SECRET" \
  >"$var/sim.log" 2>&1 &
pids+=($!)
build/core/app/portierd --config config/sandbox.xml 2>"$var/portierd.log" &
pids+=($!)

for _ in $(seq 100); do
  curl -fs http://127.0.0.1:8080/readyz >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs http://127.0.0.1:8080/readyz >/dev/null || {
  echo "portierd did not start; its log:"; cat "$var/portierd.log"; exit 1; }

/usr/bin/python3 deploy/sandbox/sample_flow.py --portier http://127.0.0.1:8080 \
  --portier-tls https://127.0.0.1:8443 --pki "$var/pki" \
  --sim http://127.0.0.1:9000 --config config/sandbox.xml --portierctl build/core/app/portierctl

cat <<MSG

Portier is running:   http://127.0.0.1:8080/soap/v1?wsdl   (health: /healthz, metrics: /metrics)
                      https://127.0.0.1:8443/soap/v1 (client certificates from $var/pki)
Simulated portal:     http://127.0.0.1:9000/_sim/state   (also the APF and the department intake)
Submit a web form:    curl -X POST http://127.0.0.1:9000/_sim/afs/applications -d '{"mailbox":"betreibungsamt",...}'
                      (tests/sim/README.md; deploy/sandbox/sample_flow.py shows one)
Operator tool:        build/core/app/portierctl --config config/sandbox.xml work list
Logs:                 $var/portierd.log, $var/sim.log
Press Ctrl-C to stop.
MSG
wait
