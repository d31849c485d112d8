#include "core/documents/pdf_check.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/documents/qpdf_child.h"

namespace portier::documents {
namespace {

constexpr std::string_view kMagic = "%PDF-";
constexpr std::string_view kEof = "%%EOF";
constexpr size_t kHeadBytes = 1024;   // where a misplaced %PDF- header is looked for
constexpr size_t kTailBytes = 4096;   // where the last %%EOF must be
constexpr size_t kOutputHead = 3072;  // qpdf output kept for the reason (the rest is drained)
constexpr size_t kOutputTail = 1024;
constexpr size_t kReasonMax = 200;

std::string errno_text(int e) { return std::error_code(e, std::generic_category()).message(); }

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
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return not_found("no document at " + path);
    return unavailable("cannot open the document: " + errno_text(errno));
  }
  Status bytes = [&] {
    struct stat st;
    if (::fstat(fd, &st) != 0) return unavailable("cannot stat the document: " + errno_text(errno));
    if (!S_ISREG(st.st_mode)) return invalid_argument("not a PDF: not a regular file");
    return check_bytes(fd, static_cast<uint64_t>(st.st_size), limits);
  }();
  ::close(fd);
  if (!bytes.is_ok()) return bytes;

  OutputCollector output;
  auto run = run_qpdf({"--check"}, path, limits, QpdfStderr::kWithStdout,
                      [&output](std::string_view chunk) {
                        output.add(chunk);
                        return true;
                      });
  if (!run.is_ok()) return run.status();
  const std::string too_complex = "too complex to check: qpdf --check ";
  if (auto exceeded = limit_exceeded(*run, limits))
    return invalid_argument(too_complex + *exceeded);
  if (output.bad_alloc()) {
    return invalid_argument(too_complex + "ran out of its memory limit of " +
                            std::to_string(limits.memory_bytes >> 20) + " MiB");
  }
  const int status = run->wait_status;
  if (WIFSIGNALED(status)) {
    return invalid_argument("damaged structure: qpdf --check crashed (signal " +
                            std::to_string(WTERMSIG(status)) + ")");
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  const std::string reason = summarise(output.text(), qpdf_file_argument(path));
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
