#include "core/documents/qpdf_child.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <system_error>
#include <thread>
#include <utility>

namespace portier::documents {
namespace {

using Clock = std::chrono::steady_clock;

std::string errno_text(int e) { return std::error_code(e, std::generic_category()).message(); }

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

// The program to exec, resolved before fork (the child must not search PATH: execvp may
// allocate).
Result<std::string> resolve_program(const std::string& program) {
  auto executable = [](const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
  };
  if (program.find('/') != std::string::npos) {
    if (executable(program)) return program;
    return unavailable("cannot check PDFs: " + program + " is not an executable file");
  }
  const char* env = std::getenv("PATH");
  std::string_view dirs = env != nullptr ? env : "/usr/bin:/bin";
  while (true) {
    size_t colon = dirs.find(':');
    std::string dir(dirs.substr(0, colon));
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + program;
    if (executable(candidate)) return candidate;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return unavailable("cannot check PDFs: " + program + " is not installed (not found in PATH)");
}

// What the child reports through its close-on-exec pipe when it fails before running qpdf.
struct ChildFailure {
  int stage = 0;  // kStage*
  int error = 0;  // errno
};
constexpr int kStageRedirect = 1;
constexpr int kStageLimits = 2;
constexpr int kStageExec = 3;

const char* stage_name(int stage) {
  switch (stage) {
    case kStageRedirect:
      return "redirecting its output";
    case kStageLimits:
      return "setting its resource limits";
    default:
      return "exec";
  }
}

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<int64_t>(left, 0));
}

void kill_child(pid_t pid) {
  ::kill(-pid, SIGKILL);  // its process group, should it have started anything
  ::kill(pid, SIGKILL);   // in case it had not yet made its group
}

}  // namespace

std::optional<std::string> limit_exceeded(const QpdfRun& run, const PdfLimits& limits) {
  if (run.timed_out) {
    return "did not finish within " + std::to_string(limits.wall_timeout_ms) + " ms";
  }
  if (WIFSIGNALED(run.wait_status) &&
      (WTERMSIG(run.wait_status) == SIGXCPU || WTERMSIG(run.wait_status) == SIGKILL)) {
    return "exceeded its CPU limit of " + std::to_string(limits.cpu_seconds) + " s";
  }
  return std::nullopt;
}

std::string qpdf_file_argument(const std::string& path) {
  return path.starts_with("/") ? path : "./" + path;
}

Result<QpdfRun> run_qpdf(const std::vector<std::string>& options, const std::string& path,
                         const PdfLimits& limits, QpdfStderr stderr_goes,
                         const std::function<bool(std::string_view)>& on_output) {
  auto resolved = resolve_program(limits.qpdf_program);
  if (!resolved.is_ok()) return resolved.status();
  const std::string& program = *resolved;
  // Everything the child needs is prepared here: between fork and exec only async-signal-safe
  // calls are allowed (another thread may hold the allocator's lock at the fork).
  std::vector<std::string> args = options;
  args.push_back(qpdf_file_argument(path));
  std::vector<char*> argv = {const_cast<char*>(program.c_str())};
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const bool merge_stderr = stderr_goes == QpdfStderr::kWithStdout;
  std::string env_locale = "LC_ALL=C";
  std::vector<char*> envp = {env_locale.data(), nullptr};
  const rlim_t memory = static_cast<rlim_t>(limits.memory_bytes);
  const rlim_t cpu = static_cast<rlim_t>(std::max(limits.cpu_seconds, 1));
  const struct rlimit as_limit = {memory, memory};
  const struct rlimit cpu_limit = {cpu, cpu + 1};  // soft < hard: SIGXCPU first, then SIGKILL
  const struct rlimit none = {0, 0};
  struct sigaction default_action = {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  sigset_t all_signals;
  sigset_t no_signals;
  sigfillset(&all_signals);
  sigemptyset(&no_signals);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return unavailable("cannot run qpdf: pipe: " + errno_text(errno));
  Fd out_read(fds[0]);
  Fd out_write(fds[1]);
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return unavailable("cannot run qpdf: pipe: " + errno_text(errno));
  Fd failure_read(fds[0]);
  Fd failure_write(fds[1]);
  Fd dev_null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (dev_null.get() < 0) return unavailable("cannot open /dev/null: " + errno_text(errno));

  // Signals stay blocked across fork so that no handler of ours runs in the child.
  sigset_t saved_mask;
  pthread_sigmask(SIG_SETMASK, &all_signals, &saved_mask);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // The child: async-signal-safe calls only, then exec or _exit.
    const int report_fd = failure_write.get();
    auto fail = [report_fd](int stage) {
      ChildFailure failure{stage, errno};
      ssize_t ignored = ::write(report_fd, &failure, sizeof failure);
      (void)ignored;
      ::_exit(127);
    };
    for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &default_action, nullptr);
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    if (::dup2(dev_null.get(), STDIN_FILENO) < 0 || ::dup2(out_write.get(), STDOUT_FILENO) < 0 ||
        ::dup2(merge_stderr ? out_write.get() : dev_null.get(), STDERR_FILENO) < 0) {
      fail(kStageRedirect);
    }
    // Descriptors other threads opened without O_CLOEXEC must not reach qpdf.
    ::close_range(3, ~0u, CLOSE_RANGE_CLOEXEC);
    if (::setrlimit(RLIMIT_AS, &as_limit) != 0 || ::setrlimit(RLIMIT_CPU, &cpu_limit) != 0 ||
        ::setrlimit(RLIMIT_CORE, &none) != 0 || ::setrlimit(RLIMIT_FSIZE, &none) != 0) {
      fail(kStageLimits);
    }
    ::sigprocmask(SIG_SETMASK, &no_signals, nullptr);
    ::execve(argv[0], argv.data(), envp.data());
    fail(kStageExec);
  }
  const int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &saved_mask, nullptr);
  if (pid < 0) return unavailable("cannot run qpdf: fork: " + errno_text(fork_errno));
  const auto deadline = Clock::now() + std::chrono::milliseconds(limits.wall_timeout_ms);
  out_write.reset();
  failure_write.reset();
  dev_null.reset();

  auto reap = [pid](int options) {
    int status = 0;
    pid_t r;
    do {
      r = ::waitpid(pid, &status, options);
    } while (r < 0 && errno == EINTR);
    return std::make_pair(r, status);
  };

  // Closed by the exec (success), or carrying why the child could not get there.
  ChildFailure failure;
  ssize_t got;
  do {
    got = ::read(failure_read.get(), &failure, sizeof failure);
  } while (got < 0 && errno == EINTR);
  if (got == static_cast<ssize_t>(sizeof failure)) {
    reap(0);
    return unavailable("cannot start " + program + " (" + stage_name(failure.stage) +
                       "): " + errno_text(failure.error));
  }

  QpdfRun run;
  char buffer[16384];
  while (true) {
    int wait_ms = remaining_ms(deadline);
    if (wait_ms == 0) {
      run.timed_out = true;
      break;
    }
    struct pollfd p = {out_read.get(), POLLIN, 0};
    int ready = ::poll(&p, 1, wait_ms);
    if (ready < 0 && errno != EINTR) {
      const int error = errno;
      kill_child(pid);
      reap(0);
      return unavailable("cannot run qpdf: poll: " + errno_text(error));
    }
    if (ready <= 0) continue;
    ssize_t n = ::read(out_read.get(), buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;  // end of output (or an error reading it): the exit status decides
    if (!on_output(std::string_view(buffer, static_cast<size_t>(n)))) {
      run.timed_out = true;
      break;
    }
  }
  while (!run.timed_out) {
    auto [r, status] = reap(WNOHANG);
    if (r == pid) {
      run.wait_status = status;
      break;
    }
    if (r < 0) return internal_error("cannot run qpdf: waitpid: " + errno_text(errno));
    if (remaining_ms(deadline) == 0) {
      run.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (run.timed_out) {
    kill_child(pid);
    reap(0);
  }
  return run;
}

}  // namespace portier::documents
