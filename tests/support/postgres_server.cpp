#include "tests/support/postgres_server.h"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <deque>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace portier::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Who runs initdb and postgres: ourselves, or the `postgres` user when we are root.
struct Account {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

Account server_account() {
  Account account;
  if (geteuid() != 0) return account;
  const passwd* pw = getpwnam("postgres");
  if (pw == nullptr) {
    throw std::runtime_error(
        "PostgresServer: running as root, but there is no `postgres` user to run the server as "
        "(install postgresql-15)");
  }
  return {true, pw->pw_uid, pw->pw_gid};
}

// Forks and execs argv[0] in `cwd` as `account`, output appended to `log`. Everything the child
// needs is prepared before fork(): the test process may have other threads, so the child only
// makes system calls.
pid_t spawn(const std::vector<std::string>& argv, const Account& account, const std::string& cwd,
            const std::string& log) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("PostgresServer: fork failed");
  if (pid > 0) return pid;

  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  int null = open("/dev/null", O_RDONLY);
  if (fd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0) _exit(125);
  close_range(3, ~0U, 0);  // the server must not keep the test's sockets open
  if (account.switch_user &&
      (setgroups(0, nullptr) != 0 || setgid(account.gid) != 0 || setuid(account.uid) != 0)) {
    _exit(126);
  }
  // In the folder: PostgreSQL's tools fail when the working directory is not readable to them.
  if (chdir(cwd.c_str()) != 0) _exit(124);
  execv(args[0], args.data());
  _exit(127);
}

std::string tail(const std::string& path, size_t lines = 20) {
  std::ifstream in(path);
  std::deque<std::string> last;
  for (std::string line; std::getline(in, line);) {
    last.push_back(line);
    if (last.size() > lines) last.pop_front();
  }
  std::string text;
  for (const std::string& line : last) text += "\n  " + line;
  return text.empty() ? " (empty)" : text;
}

// What a child's wait status means, including the exit codes spawn() uses for its own failures.
std::string describe(int status, const std::string& folder) {
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  switch (WEXITSTATUS(status)) {
    case 124:
      return "could not enter " + folder +
             " (as root it runs as the postgres user, who must be able to reach the folder: "
             "check TMPDIR)";
    case 125:
      return "could not open its log";
    case 126:
      return "could not switch to the postgres user";
    case 127:
      return "could not be executed";
    default:
      return "exit status " + std::to_string(WEXITSTATUS(status));
  }
}

int free_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  bool ok = fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
            getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  if (fd >= 0) close(fd);
  if (!ok) throw std::runtime_error("PostgresServer: no free loopback port");
  return ntohs(addr.sin_port);
}

// A value in a libpq keyword/value string, quoted so that spaces and quotes survive.
std::string quoted(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

std::unique_ptr<PostgresServer> PostgresServer::start(Options options) {
  Account account = server_account();
  // The constructor is private so that every server is owned; from here on the destructor
  // cleans up whatever a failed start left behind.
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  std::string pattern = (std::filesystem::temp_directory_path() / "portier-pg-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("PostgresServer: cannot create a folder like " + pattern);
  }
  server->folder_ = pattern;
  if (account.switch_user && chown(pattern.c_str(), account.uid, account.gid) != 0) {
    throw std::runtime_error("PostgresServer: cannot give " + pattern + " to the postgres user");
  }

  // --no-sync skips initdb's final flush of the new files: the cluster dies with the folder,
  // and the server itself still fsyncs its commits unless options.fsync is off.
  std::string initdb_log = server->folder_ + "/initdb.log";
  pid_t pid = spawn({options.bin_dir + "/initdb", "-D", server->folder_ + "/data", "-U", "postgres",
                     "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"},
                    account, server->folder_, initdb_log);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("PostgresServer: " + options.bin_dir + "/initdb failed (" +
                             describe(status, server->folder_) +
                             "), its output:" + tail(initdb_log));
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (server->launch(options)) return server;
  }
  throw std::runtime_error("PostgresServer: postgres exited at start, 3 times; its log:" +
                           server->log_tail());
}

bool PostgresServer::launch(const Options& options) {
  port_ = free_loopback_port();
  postmaster_ = spawn({options.bin_dir + "/postgres", "-D", folder_ + "/data", "-p",
                       std::to_string(port_), "-k", folder_, "-c", "listen_addresses=127.0.0.1",
                       "-c", "max_connections=" + std::to_string(options.max_connections), "-c",
                       std::string("fsync=") + (options.fsync ? "on" : "off")},
                      server_account(), folder_, folder_ + "/server.log");
  std::string ping = conninfo("postgres") + " connect_timeout=2";
  for (auto deadline = Clock::now() + options.ready_timeout; Clock::now() < deadline;) {
    int status = 0;
    if (waitpid(postmaster_, &status, WNOHANG) != 0) {
      postmaster_ = -1;
      if (WIFEXITED(status) && WEXITSTATUS(status) >= 124) {  // spawn() failed: no retry helps
        throw std::runtime_error("PostgresServer: " + options.bin_dir + "/postgres " +
                                 describe(status, folder_));
      }
      return false;
    }
    if (PQping(ping.c_str()) == PQPING_OK) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("PostgresServer: postgres on port " + std::to_string(port_) +
                           " did not accept connections within " +
                           std::to_string(options.ready_timeout.count()) +
                           " s; its log:" + log_tail());
}

PostgresServer::~PostgresServer() { stop(); }

void PostgresServer::stop() {
  // A forked child of the test (a death test, say) that exits must not take the server along.
  if (getpid() != owner_) return;
  if (postmaster_ > 0) {
    // SIGQUIT is what `pg_ctl stop -m immediate` sends: no checkpoint, the folder goes anyway.
    kill(postmaster_, SIGQUIT);
    bool gone = false;
    for (auto deadline = Clock::now() + std::chrono::seconds(10); !gone;) {
      gone = waitpid(postmaster_, nullptr, WNOHANG) != 0;
      if (!gone && Clock::now() >= deadline) {
        kill(postmaster_, SIGKILL);
        gone = waitpid(postmaster_, nullptr, 0) != 0;
      }
      if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    postmaster_ = -1;
  }
  if (!folder_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }
}

std::string PostgresServer::conninfo(const std::string& database) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) +
         " user=postgres dbname=" + quoted(database);
}

void PostgresServer::create_database(const std::string& name) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo("postgres").c_str()),
                                                    &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    throw std::runtime_error("PostgresServer: cannot connect to create " + name + ": " +
                             PQerrorMessage(conn.get()));
  }
  char* identifier = PQescapeIdentifier(conn.get(), name.c_str(), name.size());
  std::string sql = "CREATE DATABASE " + std::string(identifier ? identifier : "");
  PQfreemem(identifier);
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), &PQclear);
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    throw std::runtime_error("PostgresServer: " + sql + " failed: " + PQerrorMessage(conn.get()));
  }
}

std::string PostgresServer::log_tail() const { return tail(folder_ + "/server.log"); }

PostgresServer& shared_postgres() {
  // A failed start is remembered, so later tests fail at once with the same message instead of
  // each waiting for its own timeout.
  static std::string failure;
  static std::unique_ptr<PostgresServer> server = [] {
    try {
      return PostgresServer::start();
    } catch (const std::exception& e) {
      failure = e.what();
      return std::unique_ptr<PostgresServer>();
    }
  }();
  if (!server) throw std::runtime_error(failure);
  return *server;
}

std::string fresh_database(const std::string& prefix) {
  // Lower case letters, digits and '_' only, so the name needs no quoting in psql either, and
  // short enough to stay within PostgreSQL's 63 bytes.
  static std::atomic<int> counter{0};
  std::string name;
  for (char c : prefix.substr(0, 40)) {
    name += std::isalnum(static_cast<unsigned char>(c))
                ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                : '_';
  }
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) name = "db_" + name;
  name += "_" + std::to_string(++counter);
  PostgresServer& server = shared_postgres();
  server.create_database(name);
  return server.conninfo(name);
}

}  // namespace portier::testing
