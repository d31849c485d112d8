#!/usr/bin/env bash
# Makes the sandbox's throw-away PKI in FOLDER (once): a test CA, a server certificate for
# 127.0.0.1, and client certificates for the example departments that sign in by certificate
# (their subjects are the ones in mappings/*.xml), the console's users (config/sandbox.xml's
# <console>; each also as a PKCS#12 file without password, to import into a browser), the key
# the simulated OpenID Connect issuer signs ID tokens with, and the seal CA of the simulated IncaMail
# (its receipts are signed under it). Never use these outside the sandbox.
set -euo pipefail
out=${1:?usage: make-pki.sh FOLDER}
mkdir -p "$out"
cd "$out"
exec 9>.lock  # tests that run at the same time make it once, not twice over each other
flock 9
[ -f ca.pem ] && [ -f server.pem ] && [ -f mfk.pem ] && [ -f incamail-seal-ca.pem ] &&
  [ -f console-anna.p12 ] && [ -f oidc-issuer.key ] && exit 0
quiet() { "$@" >/dev/null 2>&1; }
quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 \
  -subj "/C=CH/O=Portier Sandbox/CN=Portier Sandbox CA"
quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout incamail-seal-ca.key \
  -out incamail-seal-ca.pem -days 3650 -subj "/C=CH/O=Portier Sandbox/CN=IncaMail Sandbox Seal CA"
issue() {  # name subject extension
  quiet openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2"
  printf '%s\n' "$3" >"$1.ext"
  quiet openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" \
    -days 3650 -extfile "$1.ext"
  rm -f "$1.csr" "$1.ext"
}
issue server "/C=CH/O=Portier Sandbox/CN=127.0.0.1" "subjectAltName=IP:127.0.0.1"
issue mfk "/C=CH/O=Kanton Solothurn/CN=mfk" "extendedKeyUsage=clientAuth"
issue steueramt "/C=CH/O=Kanton Solothurn/CN=steueramt" "extendedKeyUsage=clientAuth"
# The console's users: Anna operates, Rita reviews the Steueramt's identity links, Bruno the
# Betreibungsamt's.
for user in anna rita bruno; do
  issue "console-$user" "/C=CH/O=Kanton Solothurn/OU=Betrieb/CN=$user" "extendedKeyUsage=clientAuth"
  quiet openssl pkcs12 -export -in "console-$user.pem" -inkey "console-$user.key" \
    -out "console-$user.p12" -passout pass: -name "Portier console $user"
done
quiet openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out oidc-issuer.key
quiet openssl pkey -in oidc-issuer.key -pubout -out oidc-issuer-pub.pem
