#!/bin/sh
# Runs inside a root where the Portier package was just installed (test-install.sh): does what
# systemd would do with portierd.service, without systemd. The unit's own ExecStartPre and
# ExecStart run as its User with its EnvironmentFile; then /healthz and /readyz must answer 200,
# a reload (SIGHUP) must keep it serving, and SIGTERM must drain and end it with status 0.
# $1: the TCP port to listen on instead of the packaged 8080 (the root shares the host's network).
set -eu
port=$1
unit=/lib/systemd/system/portierd.service
value() { sed -n "s/^$1=//p" "$unit" | head -n 1; }

sed -i "s/port=\"8080\"/port=\"$port\"/" /etc/portier/portier.xml
set -a; . /etc/portier/secrets.env; set +a
user=$(value User)
echo "ExecStartPre: $(value ExecStartPre)"
runuser -u "$user" -- $(value ExecStartPre)
echo "ExecStart: $(value ExecStart)"
runuser -u "$user" -- $(value ExecStart) 2>/tmp/portierd.log &
pid=$!
ready=0
for _ in $(seq 100); do
  if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.1
done
if [ "$ready" != 1 ]; then echo "portierd did not turn ready; its log:"; cat /tmp/portierd.log; exit 1; fi
curl -fsS "http://127.0.0.1:$port/healthz"; echo
# The process the unit's $MAINPID would name: portierd under runuser.
main=$(pgrep -u "$user" -x portierd)
kill -HUP "$main"
sleep 0.5
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null
metrics=$(curl -fsS "http://127.0.0.1:$port/metrics")
echo "$metrics" | grep -q '^portier_journal_healthy' || { echo "no metrics"; exit 1; }
kill -TERM "$main"
wait "$pid"
echo "portierd drained and stopped with status $?"
ls -l /var/lib/portier
