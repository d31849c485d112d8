#include "adapters/http/spooled_body.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>

namespace portier::http {
namespace {

constexpr size_t kWriteBuffer = 64 * 1024;

std::string errno_text(int e) { return std::error_code(e, std::generic_category()).message(); }

std::string spool_folder(const std::string& folder) {
  if (!folder.empty()) return folder;
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

}  // namespace

Result<std::unique_ptr<SpooledBody>> SpooledBody::create(const std::string& folder) {
  const std::string dir = spool_folder(folder);
  // O_TMPFILE: the file never has a name. Where the file system cannot do that, a named file
  // is unlinked at once.
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
    std::string name = dir + "/.spool-XXXXXX";
    fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd >= 0) ::unlink(name.c_str());
  }
  if (fd < 0) return unavailable("cannot spool a request body in " + dir + ": " + errno_text(errno));
  return std::unique_ptr<SpooledBody>(new SpooledBody(fd));
}

SpooledBody::SpooledBody(int fd) : fd_(fd) { buffer_.reserve(kWriteBuffer); }

SpooledBody::~SpooledBody() { ::close(fd_); }

Result<int> SpooledBody::duplicate_descriptor() const {
  int fd = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) {
    return unavailable("cannot duplicate a spooled body's descriptor: " + errno_text(errno));
  }
  return fd;
}

Status SpooledBody::append(std::string_view bytes) {
  size_ += bytes.size();
  while (!bytes.empty()) {
    size_t n = std::min(bytes.size(), kWriteBuffer - buffer_.size());
    buffer_.append(bytes.substr(0, n));
    bytes.remove_prefix(n);
    if (buffer_.size() == kWriteBuffer) {
      if (Status s = flush(); !s.is_ok()) return s;
    }
  }
  return Status::ok();
}

Status SpooledBody::finish() {
  Status s = flush();
  buffer_.shrink_to_fit();
  return s;
}

Status SpooledBody::flush() {
  std::string_view left = buffer_;
  while (!left.empty()) {
    ssize_t n = ::write(fd_, left.data(), left.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return unavailable("cannot spool a request body: " + errno_text(errno));
    left.remove_prefix(static_cast<size_t>(n));
  }
  buffer_.clear();
  return Status::ok();
}

Result<size_t> SpooledBody::read_at(uint64_t offset, char* out, size_t n) const {
  while (true) {
    ssize_t got = ::pread(fd_, out, n, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return unavailable("cannot read a spooled request body: " + errno_text(errno));
    return static_cast<size_t>(got);
  }
}

Status BodyCollector::append(std::string_view bytes) {
  if (!spooled_ && memory_.size() + bytes.size() <= in_memory_max_) {
    memory_.append(bytes);
    return Status::ok();
  }
  if (!spooled_) {
    auto made = SpooledBody::create(folder_);
    if (!made.is_ok()) return made.status();
    spooled_ = std::move(*made);
    if (Status s = spooled_->append(memory_); !s.is_ok()) return s;
    std::string().swap(memory_);
  }
  return spooled_->append(bytes);
}

Status BodyCollector::finish() { return spooled_ ? spooled_->finish() : Status::ok(); }

}  // namespace portier::http
