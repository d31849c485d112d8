#pragma once
// A real, throw-away PostgreSQL 15 server for tests, in its own temporary folder: initdb, then
// `postgres` on 127.0.0.1 and a free port (its unix socket in the folder too), trust
// authentication, superuser role `postgres`. The destructor stops it the way
// `pg_ctl stop -m immediate` does and removes the folder.
//
// PostgreSQL refuses to run as root, and CI runs tests as root: then initdb and the server run
// as the `postgres` system user that Debian's package creates, and the folder belongs to it.
//
// Threads: start() and the destructor on one test thread; conninfo(), port() and
// create_database() from any thread (each call opens its own libpq connection). Errors are
// std::runtime_error with what failed and, for the server, the tail of its log.
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>

namespace portier::testing {

// Outside the class only because a nested struct with member initializers cannot be the default
// argument of start(); use it as PostgresServer::Options.
struct PostgresServerOptions {
  // On by default: durability tests rely on commits reaching the disk. Off is faster.
  bool fsync = true;
  int max_connections = 200;
  std::string bin_dir = "/usr/lib/postgresql/15/bin";  // Debian's PostgreSQL 15
  std::chrono::seconds ready_timeout{30};
};

class PostgresServer {
 public:
  using Options = PostgresServerOptions;

  static std::unique_ptr<PostgresServer> start(Options options = {});
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  // libpq keyword/value connection string for `database` as the superuser `postgres`.
  std::string conninfo(const std::string& database) const;
  // CREATE DATABASE `name` (an empty copy of template1).
  void create_database(const std::string& name);
  // The last lines of the server's log, for failure messages.
  std::string log_tail() const;

 private:
  PostgresServer() = default;
  // Starts postgres on a new free port and waits until it accepts connections; false if it
  // exited at once (another process may have taken the port in between).
  bool launch(const Options& options);
  void stop();

  pid_t owner_ = getpid();
  std::string folder_;  // holds data/, the unix socket and server.log
  pid_t postmaster_ = -1;
  int port_ = 0;
};

// One server per test process, started on first use and stopped at exit. Throws (each time it
// is called) if the server could not be started.
PostgresServer& shared_postgres();

// Creates an empty database with a unique name starting with `prefix` on shared_postgres() and
// returns its conninfo. Cheap enough to give each test its own database.
std::string fresh_database(const std::string& prefix);

}  // namespace portier::testing
