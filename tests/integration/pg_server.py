"""A real, throw-away PostgreSQL 15 server for tests, like tests/support/postgres_server.h.

initdb in a temporary folder, then `postgres` on 127.0.0.1 and a free port (its unix socket in
the folder too), trust authentication, superuser role `postgres`. Leaving the `with` block (or
stop()) stops it the way `pg_ctl stop -m immediate` does and removes the folder.

PostgreSQL refuses to run as root, and CI runs tests as root: then initdb and the server run as
the `postgres` system user that Debian's package creates, and the folder belongs to it.

    with PostgresServer() as pg:
        pg.create_database("journal")
        dsn = pg.conninfo("journal")   # or: dsn = fresh_database("journal")

Errors are RuntimeError with what failed and, for the server, the tail of its log.
"""
import atexit
import itertools
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

BIN_DIR = "/usr/lib/postgresql/15/bin"  # Debian's PostgreSQL 15


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path, lines=20):
    try:
        with open(path, errors="replace") as f:
            text = f.read().splitlines()[-lines:]
    except OSError:
        text = []
    return "".join("\n  " + line for line in text) or " (empty)"


def _quoted(value):
    """A value in a libpq keyword/value string, quoted so that spaces and quotes survive."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class PostgresServer:
    def __init__(self, fsync=True, max_connections=200, bin_dir=BIN_DIR, ready_timeout=30):
        # fsync is on by default: durability tests rely on commits reaching the disk.
        self.fsync = fsync
        self.max_connections = max_connections
        self.bin_dir = bin_dir
        self.ready_timeout = ready_timeout
        self.port = None
        self.folder = None
        self._proc = None
        self._owner = os.getpid()
        # As root: run as `postgres`, with its group and no supplementary groups of ours.
        self._as = {}
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("PostgresServer: running as root, but there is no `postgres` "
                                   "user to run the server as (install postgresql-15)") from None
            self._as = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        self.folder = tempfile.mkdtemp(prefix="portier-pg-")
        try:
            if self._as:
                os.chown(self.folder, self._as["user"], self._as["group"])
            self._initdb()
            for _ in range(3):  # another process may take the free port before postgres does
                if self._launch():
                    return self
            raise RuntimeError("PostgresServer: postgres exited at start, 3 times; its log:"
                               + self.log_tail())
        except BaseException:
            self.stop()
            raise

    def _run_as_server(self, argv, log):
        # cwd: PostgreSQL's tools fail when the working directory is not readable to them.
        with open(log, "ab") as out:
            try:
                return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                        stderr=subprocess.STDOUT, cwd=self.folder, **self._as)
            except OSError as e:  # a missing binary, or a folder the postgres user cannot reach
                raise RuntimeError(f"PostgresServer: cannot run {argv[0]}: {e}") from e

    def _initdb(self):
        # --no-sync skips initdb's final flush of the new files: the cluster dies with the
        # folder, and the server itself still fsyncs its commits unless fsync is off.
        log = os.path.join(self.folder, "initdb.log")
        proc = self._run_as_server(
            [os.path.join(self.bin_dir, "initdb"), "-D", os.path.join(self.folder, "data"),
             "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync",
             "--no-instructions"], log)
        if proc.wait() != 0:
            raise RuntimeError(f"PostgresServer: initdb failed (exit status {proc.returncode}), "
                               "its output:" + _tail(log))

    def _launch(self):
        """Starts postgres on a new free port; False if it exited at once."""
        self.port = _free_port()
        self._proc = self._run_as_server(
            [os.path.join(self.bin_dir, "postgres"), "-D", os.path.join(self.folder, "data"),
             "-p", str(self.port), "-k", self.folder, "-c", "listen_addresses=127.0.0.1",
             "-c", f"max_connections={self.max_connections}",
             "-c", "fsync=" + ("on" if self.fsync else "off")],
            os.path.join(self.folder, "server.log"))
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._proc = None
                return False
            ready = subprocess.run(
                [os.path.join(self.bin_dir, "pg_isready"), "-q", "-h", "127.0.0.1", "-p",
                 str(self.port), "-U", "postgres", "-d", "postgres", "-t", "2"])
            if ready.returncode == 0:
                return True
            time.sleep(0.02)
        raise RuntimeError(f"PostgresServer: postgres on port {self.port} did not accept "
                           f"connections within {self.ready_timeout} s; its log:"
                           + self.log_tail())

    def stop(self):
        # A forked child of the test that exits must not take the server along.
        if os.getpid() != self._owner:
            return
        if self._proc is not None:
            # SIGQUIT is what `pg_ctl stop -m immediate` sends: no checkpoint, the folder goes
            # anyway.
            self._proc.send_signal(signal.SIGQUIT)
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def conninfo(self, database):
        """libpq keyword/value connection string for `database` as the superuser `postgres`."""
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={_quoted(database)}"

    def create_database(self, name):
        """CREATE DATABASE `name` (an empty copy of template1), with psql."""
        identifier = '"' + name.replace('"', '""') + '"'
        done = subprocess.run(
            [os.path.join(self.bin_dir, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
             "-d", self.conninfo("postgres"), "-c", f"CREATE DATABASE {identifier}"],
            capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"PostgresServer: CREATE DATABASE {identifier} failed: "
                               + done.stderr.strip())

    def sql(self, database, statement):
        """Runs one SQL statement with psql as the superuser; its output (unaligned rows)."""
        done = subprocess.run(
            [os.path.join(self.bin_dir, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
             "-d", self.conninfo(database), "-c", statement],
            capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"PostgresServer: {statement} failed: " + done.stderr.strip())
        return done.stdout

    def log_tail(self):
        """The last lines of the server's log, for failure messages."""
        return _tail(os.path.join(self.folder or "", "server.log"))


_shared = None
_shared_failure = None
_counter = itertools.count(1)


def shared_postgres():
    """One server per test process, started on first use and stopped at exit. Raises (each time
    it is called) if the server could not be started, without trying again."""
    global _shared, _shared_failure
    if _shared is None and _shared_failure is None:
        try:
            _shared = PostgresServer().start()
            atexit.register(_shared.stop)
        except RuntimeError as e:
            _shared_failure = str(e)
    if _shared_failure is not None:
        raise RuntimeError(_shared_failure)
    return _shared


def fresh_database(prefix):
    """Creates an empty database with a unique name starting with `prefix` on shared_postgres()
    and returns its conninfo. Cheap enough to give each test its own database."""
    # Lower case letters, digits and '_' only, within PostgreSQL's 63 bytes.
    name = re.sub(r"[^a-z0-9_]", "_", prefix[:40].lower())
    if not name or name[0].isdigit():
        name = "db_" + name
    name = f"{name}_{next(_counter)}"
    server = shared_postgres()
    server.create_database(name)
    return server.conninfo(name)
