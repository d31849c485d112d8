#!/usr/bin/python3
"""Simulated delivery platform (IncaMail-like or PrivaSphere-like): SMTP submission with subject
tags, receipts as signed PDFs mailed into a real IMAP mailbox, and HTTP control.
See README.md and the delivery-platform contract.

platform_sim.py --platform incamail|privasphere --dir D --cert C --key K
                --account sender@addr:password [--account ...]
                [--smtp-port N] [--http-port N] [--port-file F]
                [--imap-port N --imap-user U --imap-password P --imap-ca CA [--imap-mailbox M]]
                [--ca-cert C --ca-key K]
Runs in the foreground until SIGTERM/SIGINT.
"""
import argparse
import asyncio
import json
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from control_api import ControlApi  # noqa: E402
from dialects import DIALECTS  # noqa: E402
from event_log import EventLog  # noqa: E402
from lifecycle import Platform  # noqa: E402
from receipt_document import Seal  # noqa: E402
from receipt_mailer import ReceiptMailer  # noqa: E402
from smtp_submission import Submission, smtp_factory  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Simulated IncaMail/PrivaSphere platform.")
    parser.add_argument("--platform", required=True, choices=sorted(DIALECTS))
    parser.add_argument("--dir", required=True, help="work folder: seal CA, receipts (.eml)")
    parser.add_argument("--cert", required=True, help="SMTP STARTTLS certificate (PEM)")
    parser.add_argument("--key", required=True, help="SMTP STARTTLS key (PEM)")
    parser.add_argument("--account", action="append", required=True,
                        metavar="ADDRESS:PASSWORD", help="a sender account (login = address)")
    parser.add_argument("--smtp-port", type=int, default=0, help="default: a free port")
    parser.add_argument("--http-port", type=int, default=0, help="default: a free port")
    parser.add_argument("--port-file", help="JSON {smtp, http, pid, platform} once listening")
    parser.add_argument("--imap-port", type=int, help="where receipts go (127.0.0.1)")
    parser.add_argument("--imap-user")
    parser.add_argument("--imap-password")
    parser.add_argument("--imap-ca", help="CA of the IMAP server's certificate (PEM)")
    parser.add_argument("--imap-mailbox", default="INBOX")
    parser.add_argument("--ca-cert", help="seal CA certificate (default: made in --dir)")
    parser.add_argument("--ca-key", help="seal CA key")
    args = parser.parse_args(argv)
    if args.imap_port and not (args.imap_user and args.imap_password):
        parser.error("--imap-port needs --imap-user and --imap-password")
    if bool(args.ca_cert) != bool(args.ca_key):
        parser.error("--ca-cert and --ca-key go together")
    try:
        args.accounts = dict(a.split(":", 1) for a in args.account)
    except ValueError:
        parser.error("--account is ADDRESS:PASSWORD")
    return args


def write_port_file(path, ports):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(ports, f)
    os.replace(tmp, path)  # readers never see half a file


async def serve(args):
    dialect = DIALECTS[args.platform]
    os.makedirs(args.dir, exist_ok=True)
    log = EventLog()
    imap = None
    if args.imap_port:
        imap = {"host": "127.0.0.1", "port": args.imap_port, "user": args.imap_user,
                "password": args.imap_password, "ca": args.imap_ca,
                "mailbox": args.imap_mailbox}
    mailer = ReceiptMailer(os.path.join(args.dir, "receipts"), log, imap)
    seal = Seal(args.dir, dialect.name, args.ca_cert, args.ca_key)
    platform = Platform(dialect, seal, mailer.deliver)
    http_server = ControlApi(platform, mailer, log).serve(args.http_port)
    loop = asyncio.get_running_loop()
    smtp_server = await loop.create_server(
        smtp_factory(Submission(platform, args.accounts, log), f"smtp.{dialect.domain}",
                     args.cert, args.key),
        "127.0.0.1", args.smtp_port)
    ports = {"smtp": smtp_server.sockets[0].getsockname()[1],
             "http": http_server.server_address[1], "pid": os.getpid(),
             "platform": dialect.key}
    if args.port_file:
        write_port_file(args.port_file, ports)
    print(f"platform-sim {dialect.key}: smtp 127.0.0.1:{ports['smtp']} "
          f"http 127.0.0.1:{ports['http']}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    smtp_server.close()
    http_server.shutdown()
    mailer.stop()


def main(argv=None):
    asyncio.run(serve(parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
