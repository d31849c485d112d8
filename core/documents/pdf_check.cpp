#include "core/documents/pdf_check.h"

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
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace portier::documents {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kMagic = "%PDF-";
constexpr std::string_view kEof = "%%EOF";
constexpr size_t kHeadBytes = 1024;   // where a misplaced %PDF- header is looked for
constexpr size_t kTailBytes = 4096;   // where the last %%EOF must be
constexpr size_t kOutputHead = 3072;  // qpdf output kept for the reason (the rest is drained)
constexpr size_t kOutputTail = 1024;
constexpr size_t kReasonMax = 200;

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

// Reads up to `len` bytes at `offset`; fewer only at the end of the file.
Result<std::string> read_at(int fd, uint64_t offset, size_t len) {
  std::string out(len, '\0');
  size_t done = 0;
  while (done < len) {
    ssize_t n = ::pread(fd, out.data() + done, len - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return unavailable("cannot read the document: " + errno_text(errno));
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

bool is_pdf_whitespace(char c) {
  return c == '\0' || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

bool ends_in_zip(std::string_view tail) {
  using namespace std::string_view_literals;
  return tail.find("PK\x03\x04"sv) != std::string_view::npos ||
         tail.find("PK\x05\x06"sv) != std::string_view::npos;
}

// Rules 1-4: size, header, trailer. Reads the first and the last few KB only.
Status check_bytes(int fd, uint64_t size, const PdfLimits& limits) {
  if (size > limits.max_bytes) {
    return invalid_argument("over the size limit: " + std::to_string(size) + " bytes, at most " +
                            std::to_string(limits.max_bytes));
  }
  auto head = read_at(fd, 0, static_cast<size_t>(std::min<uint64_t>(size, kHeadBytes)));
  if (!head.is_ok()) return head.status();
  if (!head->starts_with(kMagic)) {
    size_t at = head->find(kMagic);
    if (at != std::string::npos) {
      return invalid_argument("content before %PDF-: the header must be at byte 0, it is at byte " +
                              std::to_string(at) + " (an HTML/PDF polyglot)");
    }
    return invalid_argument("not a PDF: the file does not start with %PDF- at byte 0");
  }
  uint64_t tail_len = std::min<uint64_t>(size, kTailBytes);
  auto tail = read_at(fd, size - tail_len, static_cast<size_t>(tail_len));
  if (!tail.is_ok()) return tail.status();
  size_t eof = tail->rfind(kEof);
  if (eof == std::string::npos) {
    return invalid_argument("no %%EOF in the last " + std::to_string(kTailBytes) +
                            " bytes: the file is truncated or has data appended" +
                            (ends_in_zip(*tail) ? " (a ZIP archive)" : ""));
  }
  std::string_view after = std::string_view(*tail).substr(eof + kEof.size());
  if (!std::all_of(after.begin(), after.end(), is_pdf_whitespace)) {
    return invalid_argument("data after the last %%EOF: " + std::to_string(after.size()) +
                            " bytes" + (ends_in_zip(after) ? " (a ZIP archive appended)" : ""));
  }
  return Status::ok();
}

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

struct ChildRun {
  bool timed_out = false;
  int wait_status = 0;
  bool out_of_memory = false;  // qpdf reported std::bad_alloc (RLIMIT_AS)
  std::string output;          // head and tail of its stdout and stderr
};

// Keeps a bounded head and tail of the child's output and notices "bad_alloc" anywhere in it.
class OutputCollector {
 public:
  void add(std::string_view chunk) {
    size_t room = kOutputHead - std::min(head_.size(), kOutputHead);
    head_.append(chunk.substr(0, room));
    if (chunk.size() > room) {
      tail_.append(chunk.substr(room));
      if (tail_.size() > kOutputTail) tail_.erase(0, tail_.size() - kOutputTail);
    }
    // The needle may be split across two reads: look at the end of the last one as well.
    std::string joined = carry_ + std::string(chunk);
    if (joined.find(kNeedle) != std::string::npos) bad_alloc_ = true;
    carry_ = joined.substr(joined.size() - std::min(joined.size(), kNeedle.size() - 1));
  }
  bool bad_alloc() const { return bad_alloc_; }
  std::string text() const { return tail_.empty() ? head_ : head_ + "\n" + tail_; }

 private:
  static constexpr std::string_view kNeedle = "bad_alloc";
  std::string head_;
  std::string tail_;
  std::string carry_;
  bool bad_alloc_ = false;
};

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<int64_t>(left, 0));
}

void kill_child(pid_t pid) {
  ::kill(-pid, SIGKILL);  // its process group, should it have started anything
  ::kill(pid, SIGKILL);   // in case it had not yet made its group
}

Result<ChildRun> run_qpdf_check(const std::string& program, const std::string& path,
                                const PdfLimits& limits) {
  // Everything the child needs is prepared here: between fork and exec only async-signal-safe
  // calls are allowed (another thread may hold the allocator's lock at the fork).
  // A leading "./" keeps a file named "-x" or "@x" from being read as an option or argument file.
  std::string file_arg = path.starts_with("/") ? path : "./" + path;
  std::string check_arg = "--check";
  std::vector<char*> argv = {const_cast<char*>(program.c_str()), check_arg.data(), file_arg.data(),
                             nullptr};
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
    return unavailable("cannot check PDF: pipe: " + errno_text(errno));
  Fd out_read(fds[0]);
  Fd out_write(fds[1]);
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return unavailable("cannot check PDF: pipe: " + errno_text(errno));
  Fd failure_read(fds[0]);
  Fd failure_write(fds[1]);
  Fd dev_null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
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
        ::dup2(out_write.get(), STDERR_FILENO) < 0) {
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
  if (pid < 0) return unavailable("cannot check PDF: fork: " + errno_text(fork_errno));
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

  ChildRun run;
  OutputCollector output;
  char buffer[4096];
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
      return unavailable("cannot check PDF: poll: " + errno_text(error));
    }
    if (ready <= 0) continue;
    ssize_t n = ::read(out_read.get(), buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;  // end of output (or an error reading it): the exit status decides
    output.add(std::string_view(buffer, static_cast<size_t>(n)));
  }
  while (!run.timed_out) {
    auto [r, status] = reap(WNOHANG);
    if (r == pid) {
      run.wait_status = status;
      break;
    }
    if (r < 0) return internal_error("cannot check PDF: waitpid: " + errno_text(errno));
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
  run.out_of_memory = output.bad_alloc();
  run.output = output.text();
  return run;
}

// One line of qpdf's output that says what is wrong, without our path, in printable ASCII.
std::string summarise(const std::string& output, const std::string& file_arg) {
  std::vector<std::string_view> lines;
  std::string_view rest = output;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (!line.empty()) lines.push_back(line);
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  auto first = [&](auto&& pred) -> std::string_view {
    for (auto line : lines)
      if (pred(line)) return line;
    return {};
  };
  // qpdf frames the interesting line with generic ones.
  auto generic = [](std::string_view l) {
    return l.ends_with("errors detected") || l.ends_with("succeeded with warnings") ||
           l.ends_with("file is damaged") ||
           l.ends_with("Attempting to reconstruct cross-reference table");
  };
  auto starting = [&](std::string_view prefix) {
    return first([&](std::string_view l) { return l.starts_with(prefix) && !generic(l); });
  };
  std::string_view chosen = starting("qpdf: ");
  if (chosen.empty()) chosen = starting("ERROR: ");
  if (chosen.empty()) chosen = starting("WARNING: ");
  if (chosen.empty() && !lines.empty()) chosen = lines.front();
  std::string text(chosen);
  for (size_t at; !file_arg.empty() && (at = text.find(file_arg)) != std::string::npos;) {
    text.replace(at, file_arg.size(), "file");
  }
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  }
  if (text.size() > kReasonMax) text = text.substr(0, kReasonMax) + "...";
  return text.empty() ? "no output" : text;
}

}  // namespace

Status check_pdf(const std::string& path, const PdfLimits& limits) {
  // O_NONBLOCK: a FIFO in place of the file must not block the open.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) {
    if (errno == ENOENT) return not_found("no document at " + path);
    return unavailable("cannot open the document: " + errno_text(errno));
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0)
    return unavailable("cannot stat the document: " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) return invalid_argument("not a PDF: not a regular file");
  if (Status s = check_bytes(fd.get(), static_cast<uint64_t>(st.st_size), limits); !s.is_ok()) {
    return s;
  }
  fd.reset();

  auto program = resolve_program(limits.qpdf_program);
  if (!program.is_ok()) return program.status();
  auto run = run_qpdf_check(*program, path, limits);
  if (!run.is_ok()) return run.status();
  const std::string file_arg = path.starts_with("/") ? path : "./" + path;
  const std::string too_complex = "too complex to check: qpdf --check ";
  if (run->timed_out) {
    return invalid_argument(too_complex + "did not finish within " +
                            std::to_string(limits.wall_timeout_ms) + " ms");
  }
  if (run->out_of_memory) {
    return invalid_argument(too_complex + "ran out of its memory limit of " +
                            std::to_string(limits.memory_bytes >> 20) + " MiB");
  }
  const int status = run->wait_status;
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGXCPU || sig == SIGKILL) {
      return invalid_argument(too_complex + "exceeded its CPU limit of " +
                              std::to_string(limits.cpu_seconds) + " s");
    }
    return invalid_argument("damaged structure: qpdf --check crashed (signal " +
                            std::to_string(sig) + ")");
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  const std::string reason = summarise(run->output, file_arg);
  switch (code) {
    case 0:
      return Status::ok();
    case 2:
      return invalid_argument("damaged structure: qpdf --check found errors: " + reason);
    case 3:
      return invalid_argument("damaged structure: qpdf --check had to repair the file: " + reason);
    default:
      return invalid_argument("damaged structure: qpdf --check failed with exit code " +
                              std::to_string(code) + ": " + reason);
  }
}

}  // namespace portier::documents
