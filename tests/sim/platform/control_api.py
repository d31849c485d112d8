"""The simulator's HTTP control (contract §5): JSON in and out; a bad call gets 404 or 422 with
{"error": "..."} saying what is wrong. State-changing calls go into the event log."""
import datetime
import http.server
import json
import threading
import urllib.parse

from lifecycle import BadCall, NotFound

MAX_BODY = 1024 * 1024


def _fields(body, allowed, required=()):
    if not isinstance(body, dict):
        raise BadCall("the body must be a JSON object")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise BadCall(f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    missing = [f for f in required if f not in body]
    if missing:
        raise BadCall(f"missing field(s) {', '.join(missing)}")
    return body


def _typed(body, name, kind, default=None):
    value = body.get(name, default)
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
        label = "a number" if int in kinds else "true or false" if bool in kinds else "a string"
        raise BadCall(f"{name} must be {label}")
    return value


class ControlApi:
    def __init__(self, platform, mailer, log):
        self.platform, self.mailer, self.log = platform, mailer, log
        self.routes = {
            ("GET", "/_sim/state"): lambda q, b: self.platform.state(self.mailer.pending()),
            ("GET", "/_sim/log"): lambda q, b: self.log.since(int(q.get("since", ["0"])[0])),
            ("GET", "/_sim/clock"): lambda q, b: self.platform.clock(),
            ("POST", "/_sim/clock"): self.set_clock,
            ("POST", "/_sim/advance"): self.advance,
            ("POST", "/_sim/act"): self.act,
            ("POST", "/_sim/recipients"): self.recipient,
            ("POST", "/_sim/faults"): self.fault,
            ("DELETE", "/_sim/faults"): self.clear_faults,
            ("POST", "/_sim/reset"): self.reset,
        }

    def set_clock(self, query, body):
        _fields(body, ("now", "nowMs"))
        if "nowMs" in body:
            moment = datetime.datetime.fromtimestamp(_typed(body, "nowMs", int) / 1000,
                                                     datetime.timezone.utc)
        else:
            try:
                moment = datetime.datetime.fromisoformat(_typed(body, "now", str))
            except ValueError as error:
                raise BadCall(f"now must be RFC 3339: {error}") from None
            if moment.tzinfo is None:
                raise BadCall("now needs a zone offset or Z")
        return self.platform.set_clock(moment)

    def advance(self, query, body):
        _fields(body, ("days", "hours", "seconds", "ms"))
        return self.platform.advance(datetime.timedelta(
            days=_typed(body, "days", (int, float), 0), hours=_typed(body, "hours", (int, float), 0),
            seconds=_typed(body, "seconds", (int, float), 0),
            milliseconds=_typed(body, "ms", (int, float), 0)))

    def act(self, query, body):
        _fields(body, ("messageId", "action"), required=("messageId", "action"))
        message, receipt = self.platform.act(_typed(body, "messageId", str),
                                             _typed(body, "action", str))
        return {"message": message, "receipt": receipt}

    def recipient(self, query, body):
        _fields(body, ("email", "autoAccept", "blocksRegistered"), required=("email",))
        address = _typed(body, "email", str)
        if "@" not in address:
            raise BadCall("email must be an address")
        return {"recipients": self.platform.set_recipient(
            address, _typed(body, "autoAccept", bool, False),
            _typed(body, "blocksRegistered", bool, False))}

    def fault(self, query, body):
        _fields(body, ("smtp", "count", "text"), required=("smtp",))
        code, count = _typed(body, "smtp", int), _typed(body, "count", int, 1)
        if not 400 <= code <= 599:
            raise BadCall("smtp must be a 4xx or 5xx reply code, e.g. 451 or 554")
        if count < 1:
            raise BadCall("count must be at least 1")
        default = ("4.3.0 Temporary failure (injected), try again later" if code < 500
                   else "5.7.0 Message refused (injected)")
        return {"faults": self.platform.add_fault(code, count,
                                                  _typed(body, "text", str, default))}

    def clear_faults(self, query, body):
        self.platform.clear_faults()
        return {"faults": []}

    def reset(self, query, body):
        self.platform.reset()
        self.mailer.drop_pending()
        self.log.clear()
        return {"reset": True}

    def serve(self, port):
        """Starts a threaded HTTP server on 127.0.0.1; returns it (port in server_address)."""
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self._dispatch()

            def do_POST(self):
                self._dispatch()

            def do_DELETE(self):
                self._dispatch()

            def log_message(self, *args):
                pass  # state-changing calls go to the event log instead

            def _dispatch(self):
                url = urllib.parse.urlsplit(self.path)
                status, answer = api.answer(self.command, url.path,
                                            urllib.parse.parse_qs(url.query), self._body())
                if self.command != "GET":
                    api.log.add("http", "control", method=self.command, path=url.path,
                                status=status)
                if isinstance(answer, bytes):
                    self._send(status, answer, "application/x-pem-file")
                else:
                    self._send(status, json.dumps(answer, indent=1).encode() + b"\n",
                               "application/json")

            def _body(self):
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(min(length, MAX_BODY)) if length else b""

            def _send(self, status, data, content_type):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, name="control-http", daemon=True).start()
        return server

    def answer(self, method, path, query, raw):
        """(status, JSON-able answer or PEM bytes): every error becomes a reply here."""
        if method == "GET" and path == "/_sim/ca.pem":
            return 200, self.platform.seal.ca_pem()
        route = self.routes.get((method, path))
        if route is None:
            if any(p == path for _, p in self.routes):
                return 405, {"error": f"{method} is not allowed on {path}"}
            return 404, {"error": f"no endpoint {method} {path}"}
        try:
            body = {}
            if raw.strip():
                try:
                    body = json.loads(raw)
                except ValueError as error:
                    raise BadCall(f"the body is not JSON: {error}") from None
            return 200, route(query, body)
        except NotFound as error:
            return 404, {"error": str(error)}
        except (BadCall, ValueError, OverflowError) as error:
            return 422, {"error": str(error)}
