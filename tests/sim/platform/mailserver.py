#!/usr/bin/python3
"""A real Dovecot (IMAP only) for tests and the sandbox, in a folder of its own.

Fresh configuration in the folder, listening on 127.0.0.1 only, STARTTLS on the IMAP port
(imaps off), users from a passwd file, maildir, the mailboxes `Archive` and `Unmatched` created
on first login. Runs as root (mail owned by nobody) or as an ordinary user (everything runs as
that user).

Module:  server = MailServer(folder, cert, key, {"portier": "secret"}); server.start();
         server.port; server.stop()
CLI:     mailserver.py --dir D --cert C --key K --user portier:secret [--user ...]
                       [--port N] [--port-file F]      (foreground until SIGTERM/SIGINT)
"""
import argparse
import grp
import os
import pwd
import signal
import socket
import subprocess
import sys
import time

DOVECOT = "/usr/sbin/dovecot"
DOVEADM = "/usr/bin/doveadm"
MAILBOXES = ("Archive", "Unmatched")

CONFIG = """# Written by mailserver.py for one test run; all its state and logs stay in {dir}.
instance_name = portier-test-{port}
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/log/dovecot.log
info_log_path = {dir}/log/dovecot.log
protocols = imap
listen = 127.0.0.1
{identity}
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
# Dovecot counts a loopback connection as secure, so on 127.0.0.1 neither setting makes it
# refuse a LOGIN before STARTTLS: clients have to insist on STARTTLS themselves.
disable_plaintext_auth = yes
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={dir}/home/%u
}}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
{mailboxes}
}}
service imap-login {{
{login_chroot}
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
service submission-login {{
  inet_listener submission {{
    port = 0
  }}
}}
service lmtp {{
  unix_listener lmtp {{
    mode = 0600
  }}
}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailServer:
    """One Dovecot master process; `users` maps name -> password."""

    def __init__(self, folder, cert, key, users, port=None):
        self.dir = os.path.abspath(folder)
        self.cert = os.path.abspath(cert)
        self.key = os.path.abspath(key)
        self.users = dict(users)
        self.fixed_port = port
        self.port = None
        self.proc = None
        self.config = os.path.join(self.dir, "dovecot.conf")
        self.log_path = os.path.join(self.dir, "log", "dovecot.log")

    def _identity(self):
        """(uid, gid, extra config): who owns the mail and runs Dovecot's helper processes."""
        if os.geteuid() == 0:
            return (pwd.getpwnam("nobody").pw_uid, grp.getgrnam("nogroup").gr_gid, "")
        # Without root Dovecot cannot change users, so every process runs as this one.
        name = pwd.getpwuid(os.geteuid()).pw_name
        # Nor chroot: the login and anvil processes stay in the ordinary file system.
        return (os.geteuid(), os.getegid(),
                f"default_internal_user = {name}\ndefault_login_user = {name}\n"
                f"default_internal_group = {grp.getgrgid(os.getegid()).gr_name}\n"
                "service anvil {\n  chroot =\n}\n")

    def _check_reachable(self):
        # As root, Dovecot's auth process (user dovecot) and the mail processes (nobody) must
        # pass through every folder above ours; a 0700 temporary folder would stop them with a
        # mere "temporary authentication failure".
        if os.geteuid() != 0:
            return
        path = os.path.dirname(self.dir)
        while True:
            if not os.stat(path).st_mode & 0o001:
                raise RuntimeError(f"{path} must be searchable by others (chmod o+x) for "
                                   "Dovecot's unprivileged processes")
            if path == os.path.dirname(path):
                return
            path = os.path.dirname(path)

    def _write_config(self):
        uid, gid, identity = self._identity()
        for sub in ("run", "state", "log", "home"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        # Dovecot's auth and mail processes (not root) read the passwd file and the homes.
        os.chmod(self.dir, 0o755)
        passwd = os.path.join(self.dir, "passwd")
        with open(passwd, "w") as f:
            for name, password in self.users.items():
                f.write(f"{name}:{{PLAIN}}{password}::::::\n")
        os.chmod(passwd, 0o644)
        for name in self.users:
            home = os.path.join(self.dir, "home", name)
            os.makedirs(home, exist_ok=True)
            os.chown(home, uid, gid)
        mailboxes = "\n".join(f"  mailbox {m} {{\n    auto = create\n  }}" for m in MAILBOXES)
        with open(self.config, "w") as f:
            f.write(CONFIG.format(dir=self.dir, port=self.port, cert=self.cert, key=self.key,
                                  uid=uid, gid=gid, identity=identity, mailboxes=mailboxes,
                                  login_chroot="" if os.geteuid() == 0 else "  chroot ="))

    def start(self, timeout=15):
        self._check_reachable()
        # A free port can be taken between our probe and Dovecot's bind: try a few.
        for attempt in range(5):
            self.port = self.fixed_port or free_port()
            self._write_config()
            self.proc = subprocess.Popen([DOVECOT, "-F", "-c", self.config],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            outcome = self._wait_ready(timeout)
            if outcome == "ready":
                return self
            self.stop()
            # Only a master that exited (most likely: the port was taken) is worth a retry.
            if self.fixed_port or outcome != "exited":
                break
        raise RuntimeError(f"dovecot did not start on 127.0.0.1:{self.port}:\n{self.logs()}")

    def _wait_ready(self, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                self.startup_error = self.proc.stderr.read().decode(errors="replace")
                return "exited"
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.5) as s:
                    s.settimeout(2)
                    if s.recv(256).startswith(b"* OK"):
                        return "ready"
            except OSError:
                pass
            time.sleep(0.05)
        return "timeout"

    def logs(self):
        text = getattr(self, "startup_error", "")
        try:
            with open(self.log_path, errors="replace") as f:
                text += f.read()
        except OSError:
            pass
        return text

    def maildir(self, user, mailbox="INBOX"):
        base = os.path.join(self.dir, "home", user, "Maildir")
        return base if mailbox == "INBOX" else os.path.join(base, "." + mailbox)

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main():
    parser = argparse.ArgumentParser(description="Run a test Dovecot (IMAP, STARTTLS) on 127.0.0.1.")
    parser.add_argument("--dir", required=True, help="folder for config, mail and logs")
    parser.add_argument("--cert", required=True, help="server certificate (PEM)")
    parser.add_argument("--key", required=True, help="server key (PEM)")
    parser.add_argument("--user", action="append", required=True, metavar="NAME:PASSWORD")
    parser.add_argument("--port", type=int, help="IMAP port (default: a free one)")
    parser.add_argument("--port-file", help="write the IMAP port here once it answers")
    args = parser.parse_args()
    users = dict(u.split(":", 1) for u in args.user)
    server = MailServer(args.dir, args.cert, args.key, users, args.port).start()
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{server.port}\n")
        os.replace(tmp, args.port_file)
    print(f"mailserver: dovecot listening on 127.0.0.1:{server.port}", flush=True)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
    while not stopping and server.proc.poll() is None:
        time.sleep(0.2)
    code = 0 if stopping else 1
    if not stopping:
        print(f"mailserver: dovecot exited:\n{server.logs()}", file=sys.stderr)
    server.stop()
    return code


if __name__ == "__main__":
    sys.exit(main())
