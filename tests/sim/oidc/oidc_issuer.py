#!/usr/bin/python3
"""Simulated OpenID Connect issuer for the operators' console: the authorisation code flow with
PKCE (RFC 7636, S256 only), ID tokens signed RS256 with OpenSSL (python3-cryptography).

  GET  /oidc/.well-known/openid-configuration   the discovery document
  GET  /oidc/authorize?response_type=code&client_id&redirect_uri&state&nonce&code_challenge
       &code_challenge_method=S256                a sign-in form (the user's name; no password:
                                                  this is a simulator)
  POST /oidc/authorize                            the form: redirects to redirect_uri?code&state
  POST /oidc/token   grant_type=authorization_code&code&redirect_uri&client_id&code_verifier
                     -> {"id_token", "access_token", "token_type": "Bearer", "expires_in"}
Each code serves once, for 60 seconds, and only with the verifier whose S256 challenge came with
the authorisation request, for the same client and redirect_uri.
Control: GET /_sim/log (what was asked: endpoint and outcome); GET /_sim/health.

oidc_issuer.py --key PEM [--port N] [--port-file F] [--issuer URL] [--client-id ID]
               [--redirect-uri-prefix P] [--users a,b,c]
Runs in the foreground until SIGTERM/SIGINT.
"""
import argparse
import base64
import hashlib
import html
import json
import os
import secrets
import signal
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

CODE_TTL = 60
MAX_BODY = 16 * 1024


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Issuer:
    def __init__(self, key_file, issuer, client_id, redirect_prefix, users):
        with open(key_file, "rb") as f:
            self.key = serialization.load_pem_private_key(f.read(), password=None)
        self.issuer, self.client_id = issuer, client_id
        self.redirect_prefix, self.users = redirect_prefix, users
        self.codes = {}
        self.log = []
        self.lock = threading.Lock()

    def note(self, endpoint, outcome):
        with self.lock:
            self.log.append({"endpoint": endpoint, "outcome": outcome})

    def check_authorize(self, q):
        """None if the authorisation request is acceptable, else why not."""
        if q.get("response_type") != "code":
            return "response_type must be code"
        if q.get("client_id") != self.client_id:
            return "unknown client_id"
        if not q.get("redirect_uri", "").startswith(self.redirect_prefix):
            return "redirect_uri is not registered"
        if q.get("code_challenge_method") != "S256" or len(q.get("code_challenge", "")) < 43:
            return "PKCE with code_challenge_method=S256 is required"
        if not q.get("state"):
            return "state is required"
        return None

    def issue_code(self, q, user):
        code = secrets.token_urlsafe(32)
        with self.lock:
            self.codes[code] = {"client_id": q["client_id"], "redirect_uri": q["redirect_uri"],
                                "challenge": q["code_challenge"], "nonce": q.get("nonce", ""),
                                "user": user, "expires": time.time() + CODE_TTL}
        return code

    def redeem(self, form):
        """(status, body) for a token request."""
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)  # a code serves once
        if not grant or grant["expires"] < time.time():
            return 400, {"error": "invalid_grant", "error_description": "unknown or used code"}
        if form.get("client_id") != grant["client_id"] or \
                form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "client or redirect_uri"}
        verifier = form.get("code_verifier", "")
        if b64url(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verifier"}
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": grant["user"], "aud": grant["client_id"],
                  "iat": now, "exp": now + 300, "nonce": grant["nonce"],
                  "name": grant["user"]}
        header = {"alg": "RS256", "typ": "JWT", "kid": "sim"}
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(claims).encode()))
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return 200, {"id_token": signing_input + "." + b64url(signature),
                     "access_token": secrets.token_urlsafe(24), "token_type": "Bearer",
                     "expires_in": 300}


FORM = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Anmeldung (simulierter Identitätsdienst)</title>
<style>body{{font-family:sans-serif;margin:2rem;color:#1a1a1a}}button{{padding:.3rem 1rem}}</style></head>
<body><main><h1>Anmeldung beim simulierten Identitätsdienst</h1>
<p>Nur für die Sandbox: Name genügt (bekannt: {known}).</p>
<form method="post" action="/oidc/authorize">
{hidden}
<p><label for="username">Benutzername</label> <input id="username" name="username" autofocus></p>
<p><button type="submit" id="sign-in">Anmelden</button></p>
</form></main></body></html>
"""


def make_handler(issuer):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, status, body, content_type="application/json", headers=()):
            data = body if isinstance(body, bytes) else (
                json.dumps(body) if content_type == "application/json" else body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def form(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return None
            return dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            q = dict(urllib.parse.parse_qsl(url.query))
            if url.path == "/_sim/health":
                return self.reply(200, {"status": "ok"})
            if url.path == "/_sim/log":
                with issuer.lock:
                    return self.reply(200, {"entries": list(issuer.log)})
            if url.path == "/oidc/.well-known/openid-configuration":
                base = issuer.issuer
                return self.reply(200, {"issuer": base,
                                        "authorization_endpoint": base + "/authorize",
                                        "token_endpoint": base + "/token",
                                        "response_types_supported": ["code"],
                                        "code_challenge_methods_supported": ["S256"],
                                        "id_token_signing_alg_values_supported": ["RS256"]})
            if url.path == "/oidc/authorize":
                problem = issuer.check_authorize(q)
                issuer.note("authorize", problem or "form")
                if problem:
                    return self.reply(400, {"error": "invalid_request",
                                            "error_description": problem})
                hidden = "\n".join(
                    f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                    for k, v in q.items())
                return self.reply(200, FORM.format(hidden=hidden,
                                                   known=html.escape(", ".join(issuer.users))),
                                  "text/html; charset=utf-8")
            return self.reply(404, {"error": "not_found"})

        def do_POST(self):
            url = urllib.parse.urlsplit(self.path)
            form = self.form()
            if form is None:
                return self.reply(413, {"error": "too_large"})
            if url.path == "/oidc/authorize":
                problem = issuer.check_authorize(form)
                user = form.get("username", "").strip()
                if not problem and user not in issuer.users:
                    problem = "unknown user"
                issuer.note("authorize", problem or "code issued")
                if problem:
                    return self.reply(400, {"error": "access_denied",
                                            "error_description": problem})
                code = issuer.issue_code(form, user)
                location = form["redirect_uri"] + ("&" if "?" in form["redirect_uri"] else "?") + \
                    urllib.parse.urlencode({"code": code, "state": form["state"]})
                return self.reply(302, b"", "text/plain", [("Location", location)])
            if url.path == "/oidc/token":
                status, body = issuer.redeem(form)
                issuer.note("token", "issued" if status == 200 else body["error_description"]
                            if "error_description" in body else body["error"])
                return self.reply(status, body)
            return self.reply(404, {"error": "not_found"})

    return Handler


def main():
    parser = argparse.ArgumentParser(description="Simulated OpenID Connect issuer.")
    parser.add_argument("--key", required=True, help="PEM RSA private key the tokens are signed with")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--issuer", help="iss (default http://127.0.0.1:PORT/oidc)")
    parser.add_argument("--client-id", default="portier-console")
    parser.add_argument("--redirect-uri-prefix", default="https://127.0.0.1:")
    parser.add_argument("--users", default="anna,rita,bruno")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), None)
    port = server.server_address[1]
    issuer = Issuer(args.key, args.issuer or f"http://127.0.0.1:{port}/oidc", args.client_id,
                    args.redirect_uri_prefix, [u for u in args.users.split(",") if u])
    server.RequestHandlerClass = make_handler(issuer)
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(port))
        os.replace(args.port_file + ".tmp", args.port_file)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
