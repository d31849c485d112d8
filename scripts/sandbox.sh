#!/usr/bin/env bash
# The sandbox: Portier on its embedded SQLite journal with the simulated portal, all on this
# machine. Runs a sample flow, prints what happened, then leaves Portier running until Ctrl-C.
#   scripts/sandbox.sh                 one portierd on SQLite
#   scripts/sandbox.sh --postgresql    two portierd instances sharing a PostgreSQL 15 (started
#                                      here on 127.0.0.1:9432), on ports 8080 and 8090
#   scripts/sandbox.sh --image IMAGE   portierd in a container of IMAGE (deploy/image/), the
#                                      simulators on this machine (with podman)
#   scripts/sandbox.sh ... --once      stop after the sample flow instead of running on
set -euo pipefail
cd "$(dirname "$0")/.."
store=sqlite
image=""
once=0
while [ $# -gt 0 ]; do
  case "$1" in
    --postgresql) store=postgresql ;;
    --image) image=$2; shift ;;
    --once) once=1 ;;
    *) echo "usage: scripts/sandbox.sh [--postgresql | --image IMAGE] [--once]" >&2; exit 2 ;;
  esac
  shift
done
scripts/build.sh --target portierd portierctl portier-sim

export PORTIER_PORTAL_SECRET=${PORTIER_PORTAL_SECRET:-sandbox-secret}
# The example departments' UsernameToken passwords (mappings/*.xml name these variables).
export PORTIER_STEUERAMT_SECRET=${PORTIER_STEUERAMT_SECRET:-steueramt-sandbox}
export PORTIER_BETREIBUNGSAMT_SECRET=${PORTIER_BETREIBUNGSAMT_SECRET:-betreibungsamt-sandbox}
# The simulated IncaMail account and the mailbox its receipts go to.
export PORTIER_INCAMAIL_SECRET=${PORTIER_INCAMAIL_SECRET:-incamail-sandbox}
export PORTIER_RECEIPTS_SECRET=${PORTIER_RECEIPTS_SECRET:-receipts-sandbox}
# The simulated AFS Antragspostfach's password for Portier (config/sandbox.xml).
export PORTIER_APF_SECRET=${PORTIER_APF_SECRET:-apf-sandbox}
# The key the portal signs its identity checks with (config/sandbox.xml's <portalApi>).
export PORTIER_PORTAL_HMAC_SECRET=${PORTIER_PORTAL_HMAC_SECRET:-portal-hmac-sandbox}
var=var/sandbox
mkdir -p "$var"
rm -rf "$var"/journal.db* "$var/incamail" "$var"/documents
deploy/sandbox/make-pki.sh "$var/pki"
# Dovecot's unprivileged processes must pass through every folder above its own, so it lives
# in a fresh folder of its own rather than under the checkout.
mail=$(mktemp -d "${TMPDIR:-/tmp}/portier-sandbox-mail.XXXXXX")
chmod 711 "$mail"
pids=()
stop() {
  echo
  echo "Stopping Portier and the simulators..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$mail"
}
trap stop EXIT
trap 'exit 0' INT TERM

config=config/sandbox.xml
if [ "$store" = postgresql ]; then
  # PostgreSQL refuses to run as root: then it runs as Debian's postgres user, in a folder of
  # its own outside the checkout.
  pgbin=/usr/lib/postgresql/15/bin
  pgdir=$(mktemp -d "${TMPDIR:-/tmp}/portier-sandbox-pg.XXXXXX")
  as_pg=()
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$pgdir"; as_pg=(runuser -u postgres --); fi
  "${as_pg[@]}" "$pgbin/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 --locale=C \
    >"$var/postgresql-initdb.log"
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w \
    -o "-p 9432 -k $pgdir -c listen_addresses=127.0.0.1" start >/dev/null
  stop_postgresql() { "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null || true
    rm -rf "$pgdir"; }
  trap 'stop; stop_postgresql' EXIT
  "$pgbin/psql" -X -q -h 127.0.0.1 -p 9432 -U postgres -c "CREATE DATABASE portier"
  export PORTIER_PG="host=127.0.0.1 port=9432 user=postgres dbname=portier"
  # Two configurations from the sandbox's: absolute paths, the PostgreSQL journal, and the second
  # instance's listeners 10 ports up, its console's OpenID Connect redirect with them (the
  # issuer sends the browser back to the instance that started the sign-in). The document store
  # is shared, as a volume would be.
  for node in 1 2; do
    shift_by=$(( (node - 1) * 10 ))
    sed -e "s|\.\./|$PWD/|g" \
        -e "s|<sqlite path=\"[^\"]*\"/>|<postgresql conninfo=\"env:PORTIER_PG\"/>|" \
        -e "s|<journal>|<journal instance=\"node-$node\">|" \
        -e "s|port=\"8080\"|port=\"$((8080 + shift_by))\"|" \
        -e "s|port=\"8443\"|port=\"$((8443 + shift_by))\"|" \
        -e "s|port=\"8444\"|port=\"$((8444 + shift_by))\"|" \
        -e "s|https://127.0.0.1:8444/console/|https://127.0.0.1:$((8444 + shift_by))/console/|g" \
        config/sandbox.xml >"$var/node-$node.xml"
  done
  config=$var/node-1.xml
fi

build/tests/sim/portier-sim --listen 127.0.0.1:9000 --portal-client-id portier-sandbox \
  --portal-client-secret-env PORTIER_PORTAL_SECRET --afs-password "$PORTIER_APF_SECRET" \
  >"$var/sim.log" 2>&1 &
pids+=($!)
platform=tests/sim/platform
/usr/bin/python3 $platform/mailserver.py --dir "$mail/dovecot" --cert "$var/pki/server.pem" \
  --key "$var/pki/server.key" --user "receipts:$PORTIER_RECEIPTS_SECRET" --port 9143 \
  --port-file "$mail/imap.port" >"$var/dovecot.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$mail/imap.port" ] && break; sleep 0.1; done
/usr/bin/python3 $platform/platform_sim.py --platform incamail --dir "$var/incamail" \
  --cert "$var/pki/server.pem" --key "$var/pki/server.key" \
  --account "betreibungsamt@kanton.sandbox:$PORTIER_INCAMAIL_SECRET" \
  --smtp-port 9025 --http-port 9026 --port-file "$var/incamail.json" \
  --imap-port 9143 --imap-user receipts --imap-password "$PORTIER_RECEIPTS_SECRET" \
  --imap-ca "$var/pki/ca.pem" --ca-cert "$var/pki/incamail-seal-ca.pem" \
  --ca-key "$var/pki/incamail-seal-ca.key" >"$var/incamail.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$var/incamail.json" ] && break; sleep 0.1; done
[ -s "$var/incamail.json" ] || { echo "the IncaMail simulator did not start; its log:"
  cat "$var/incamail.log" "$var/dovecot.log"; exit 1; }

# The department applications' identity checks (the Steueramt's SOAP and the Betreibungsamt's
# REST variant), where mappings/*.xml expect them.
rm -f "$var/department.port"
/usr/bin/python3 tests/sim/department/department_sim.py --port 9100 \
  --port-file "$var/department.port" >"$var/department.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$var/department.port" ] && break; sleep 0.1; done
[ -s "$var/department.port" ] || { echo "the department simulator did not start; its log:"
  cat "$var/department.log"; exit 1; }

# The OpenID Connect issuer the console's users may sign in at (config/sandbox.xml's <console>).
rm -f "$var/oidc.port"
/usr/bin/python3 tests/sim/oidc/oidc_issuer.py --port 9200 --key "$var/pki/oidc-issuer.key" \
  --port-file "$var/oidc.port" >"$var/oidc.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$var/oidc.port" ] && break; sleep 0.1; done
[ -s "$var/oidc.port" ] || { echo "the OpenID Connect issuer did not start; its log:"
  cat "$var/oidc.log"; exit 1; }

start_portierd() {  # config port log
  if [ -n "$image" ]; then
    deploy/image/run-container.sh "$image" "$var" 2>"$3" &
  else
    build/core/app/portierd --config "$1" 2>"$3" &
  fi
  pids+=($!)
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$2/readyz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fs "http://127.0.0.1:$2/readyz" >/dev/null || {
    echo "portierd did not start; its log:"; cat "$3"; exit 1; }
}
if [ "$store" = postgresql ]; then
  start_portierd "$var/node-1.xml" 8080 "$var/portierd.log"
  start_portierd "$var/node-2.xml" 8090 "$var/portierd-2.log"
else
  start_portierd config/sandbox.xml 8080 "$var/portierd.log"
fi

/usr/bin/python3 deploy/sandbox/sample_flow.py --portier http://127.0.0.1:8080 \
  --portier-tls https://127.0.0.1:8443 --pki "$var/pki" \
  --sim http://127.0.0.1:9000 --incamail http://127.0.0.1:9026 \
  --config "$config" --portierctl build/core/app/portierctl
[ "$once" -eq 0 ] || exit 0

cat <<MSG

Portier is running:   http://127.0.0.1:8080/soap/v1?wsdl   (health: /healthz, metrics: /metrics)
                      https://127.0.0.1:8443/soap/v1 (client certificates from $var/pki)
Thrift RPC:           https://127.0.0.1:8443/thrift/v1 (IDL: /thrift/v1?idl); the example client:
                      docs/examples/thrift_department_client.py --ca $var/pki/ca.pem \
                        --cert $var/pki/steueramt.pem --key $var/pki/steueramt.key \
                        --pdf deploy/sandbox/sample-extract.pdf
Simulated portal:     http://127.0.0.1:9000/_sim/state   (also the APF and the department intake)
Submit a web form:    curl -X POST http://127.0.0.1:9000/_sim/afs/applications -d '{"mailbox":"betreibungsamt",...}'
                      (tests/sim/README.md; deploy/sandbox/sample_flow.py shows one)
Department simulator: http://127.0.0.1:9100/_sim/log   (identity checks asked; tests/sim/department/)
Identity checks:      POST http://127.0.0.1:8080/portal/v1/identity-checks, HMAC-signed
                      (adapters/rest/README.md; deploy/sandbox/identity_flow.py shows how)
Simulated IncaMail:   smtp://127.0.0.1:9025, http://127.0.0.1:9026/_sim/state (receipts: IMAP 9143)
Operator console:     https://127.0.0.1:8444/console/   (German; French in the language menu)
                      sign in with a client certificate: import one of
                      $var/pki/console-anna.p12 (operator), console-rita.p12 (reviewer,
                      Steueramt) or console-bruno.p12 (reviewer, Betreibungsamt), no password,
                      into the browser and trust $var/pki/ca.pem;
                      or with OpenID Connect (simulated issuer http://127.0.0.1:9200/oidc):
                      type anna, rita or bruno
Operator tool:        build/core/app/portierctl --config $config work list
Logs:                 $var/portierd.log, $var/sim.log, $var/incamail.log, $var/dovecot.log,
                      $var/department.log, $var/oidc.log
Press Ctrl-C to stop.
MSG
if [ "$store" = postgresql ]; then
  cat <<MSG
Two instances share the journal on PostgreSQL (127.0.0.1:9432, database portier): node-1 on
8080/8443 and node-2 on 8090/8453 (log $var/portierd-2.log); node-2's console is
https://127.0.0.1:8454/console/ (same users). Who works what:
  build/core/app/portierctl --config $config instances list
MSG
fi
wait
