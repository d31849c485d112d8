#include "core/documents/document_store.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>
#include <vector>

#include "core/base/base64.h"
#include "core/base/digest.h"

namespace portier::documents {
namespace {

namespace fs = std::filesystem;

constexpr size_t kWriteBuffer = 64 * 1024;
constexpr size_t kBase64Slice = 48 * 1024;  // base64 characters decoded in one step
constexpr std::string_view kIncomingPrefix = ".incoming-";
constexpr auto kStaleIncoming = std::chrono::hours(1);

std::string errno_text(int e) { return std::error_code(e, std::generic_category()).message(); }

Status fsync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | flags);
  if (fd < 0) return unavailable("cannot open " + path + " to fsync it: " + errno_text(errno));
  int rc = ::fsync(fd);
  int error = errno;
  ::close(fd);
  if (rc != 0) return unavailable("fsync of " + path + " failed: " + errno_text(error));
  return Status::ok();
}

Status fsync_directory(const std::string& dir) { return fsync_path(dir, O_DIRECTORY); }

bool is_sha256_hex(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    ok_ = ctx_ != nullptr && EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) == 1;
  }
  void update(std::string_view bytes) {
    ok_ = ok_ && EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()) == 1;
  }
  Result<std::string> final_hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!ok_ || EVP_DigestFinal_ex(ctx_.get(), digest, &len) != 1) {
      return internal_error("SHA-256 failed (OpenSSL)");
    }
    return to_hex(std::string_view(reinterpret_cast<const char*>(digest), len));
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
  bool ok_ = false;
};

// A temporary file in the store's folder, written through a fixed buffer. It is removed when
// it goes out of scope unless publish() gave it its final name.
class IncomingFile {
 public:
  static Result<std::unique_ptr<IncomingFile>> create(const std::string& folder) {
    std::string name = folder + "/" + std::string(kIncomingPrefix) + "XXXXXX";
    int fd = ::mkostemp(name.data(), O_CLOEXEC);  // mode 0600
    if (fd < 0) return unavailable("cannot create a file in " + folder + ": " + errno_text(errno));
    return std::unique_ptr<IncomingFile>(new IncomingFile(fd, std::move(name)));
  }
  ~IncomingFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  IncomingFile(const IncomingFile&) = delete;
  IncomingFile& operator=(const IncomingFile&) = delete;

  Status write(std::string_view bytes) {
    while (!bytes.empty()) {
      size_t n = std::min(bytes.size(), kWriteBuffer - used_);
      std::copy_n(bytes.data(), n, buffer_.get() + used_);
      used_ += n;
      bytes.remove_prefix(n);
      if (used_ == kWriteBuffer) {
        if (Status s = flush(); !s.is_ok()) return s;
      }
    }
    return Status::ok();
  }

  // Writes what is buffered, fsyncs and closes the file.
  Status finish() {
    if (Status s = flush(); !s.is_ok()) return s;
    if (::fsync(fd_) != 0)
      return unavailable("fsync of a new document failed: " + errno_text(errno));
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return unavailable("close of a new document failed: " + errno_text(errno));
    return Status::ok();
  }

  Status publish(const std::string& final_path) {
    if (::rename(path_.c_str(), final_path.c_str()) != 0) {
      return unavailable("cannot rename a new document to " + final_path + ": " +
                         errno_text(errno));
    }
    path_.clear();
    return Status::ok();
  }

 private:
  IncomingFile(int fd, std::string path)
      : fd_(fd), path_(std::move(path)), buffer_(new char[kWriteBuffer]) {}

  Status flush() {
    const char* p = buffer_.get();
    size_t left = used_;
    while (left > 0) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return unavailable("cannot write a new document: " + errno_text(errno));
      p += n;
      left -= static_cast<size_t>(n);
    }
    used_ = 0;
    return Status::ok();
  }

  int fd_;
  std::string path_;
  std::unique_ptr<char[]> buffer_;
  size_t used_ = 0;
};

// Turns a ChunkSource of base64 text into one of decoded bytes, a bounded slice at a time.
class Base64Decoder {
 public:
  explicit Base64Decoder(const ChunkSource& text)
      : text_(text), ctx_(EVP_ENCODE_CTX_new(), EVP_ENCODE_CTX_free) {
    if (ctx_ != nullptr) EVP_DecodeInit(ctx_.get());
    clean_.reserve(kBase64Slice);
    decoded_.resize(kBase64Slice / 4 * 3 + 96);  // EVP keeps at most 64 characters back
  }

  Result<std::string_view> next() {
    if (ctx_ == nullptr) return internal_error("base64 decoder (OpenSSL) unavailable");
    while (!done_) {
      if (pending_.empty()) {
        auto piece = text_();
        if (!piece.is_ok()) return piece.status();
        if (piece->empty()) return finish();
        pending_ = *piece;
      }
      // EVP_DecodeUpdate skips only some whitespace and stops quietly at '-': filter first.
      std::string_view slice = pending_.substr(0, kBase64Slice);
      clean_.clear();
      for (size_t i = 0; i < slice.size(); ++i) {
        char c = slice[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
        if (!is_base64(c)) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(c));
          return invalid_argument("invalid base64: character " + std::string(hex) + " at offset " +
                                  std::to_string(offset_ + i));
        }
        if (padded_ && c != '=') {
          return invalid_argument("invalid base64: data after the padding at offset " +
                                  std::to_string(offset_ + i));
        }
        clean_.push_back(static_cast<unsigned char>(c));
      }
      offset_ += slice.size();
      pending_.remove_prefix(slice.size());
      if (clean_.empty()) continue;
      int n = 0;
      int rc = EVP_DecodeUpdate(ctx_.get(), decoded_.data(), &n, clean_.data(),
                                static_cast<int>(clean_.size()));
      if (rc < 0) {
        return invalid_argument("invalid base64: misplaced padding before offset " +
                                std::to_string(offset_));
      }
      if (rc == 0) padded_ = true;  // a group with '=' completed: nothing may follow
      if (n > 0) return view(n);
    }
    return std::string_view();
  }

 private:
  static bool is_base64(char c) {
    return c == '=' || is_base64_char(static_cast<unsigned char>(c));
  }

  Result<std::string_view> finish() {
    done_ = true;
    int n = 0;
    if (EVP_DecodeFinal(ctx_.get(), decoded_.data(), &n) != 1) {
      return invalid_argument("invalid base64: the text ends inside a group of four characters");
    }
    return view(n);
  }

  std::string_view view(int n) const {
    return {reinterpret_cast<const char*>(decoded_.data()), static_cast<size_t>(n)};
  }

  const ChunkSource& text_;
  std::unique_ptr<EVP_ENCODE_CTX, decltype(&EVP_ENCODE_CTX_free)> ctx_;
  std::string_view pending_;  // the rest of the text's current piece
  std::vector<unsigned char> clean_;
  std::vector<unsigned char> decoded_;
  uint64_t offset_ = 0;  // characters of text consumed
  bool padded_ = false;
  bool done_ = false;
};

// Crashed stores leave `.incoming-*` files; an hour is far beyond any store in progress.
void remove_stale_incoming(const std::string& folder) {
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (!entry.path().filename().string().starts_with(kIncomingPrefix)) continue;
    std::error_code ignored;
    auto written = entry.last_write_time(ignored);
    if (!ignored && now - written > kStaleIncoming) fs::remove(entry.path(), ignored);
  }
}

}  // namespace

Result<DocumentStore> DocumentStore::open(const std::string& folder) {
  if (folder.empty()) return invalid_argument("the document store needs a folder");
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) return unavailable("cannot create document folder " + folder + ": " + ec.message());
  if (!fs::is_directory(folder, ec)) {
    return failed_precondition("document folder " + folder + " is not a directory");
  }
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    return failed_precondition("document folder " + folder +
                               " is not writable: " + errno_text(errno));
  }
  remove_stale_incoming(folder);
  return DocumentStore(folder);
}

Result<StoredDocument> DocumentStore::store_bytes(std::string_view bytes,
                                                  uint64_t max_bytes) const {
  bool given = false;
  return store_stream(
      [&]() -> Result<std::string_view> {
        if (given) return std::string_view();
        given = true;
        return bytes;
      },
      max_bytes);
}

Result<StoredDocument> DocumentStore::store_stream(const ChunkSource& read,
                                                   uint64_t max_bytes) const {
  auto incoming = IncomingFile::create(folder_);
  if (!incoming.is_ok()) return incoming.status();
  Sha256 hash;
  uint64_t size = 0;
  while (true) {
    Result<std::string_view> chunk = read();
    if (!chunk.is_ok()) return chunk.status();
    if (chunk->empty()) break;
    if (chunk->size() > max_bytes - size) {
      return invalid_argument("document over the size limit of " + std::to_string(max_bytes) +
                              " bytes");
    }
    size += chunk->size();
    hash.update(*chunk);
    if (Status s = (*incoming)->write(*chunk); !s.is_ok()) return s;
  }
  if (Status s = (*incoming)->finish(); !s.is_ok()) return s;
  auto hex = hash.final_hex();
  if (!hex.is_ok()) return hex.status();

  const std::string dir = folder_ + "/" + hex->substr(0, 2);
  StoredDocument stored{*hex, size, dir + "/" + *hex};
  if (::mkdir(dir.c_str(), 0700) == 0) {
    if (Status s = fsync_directory(folder_); !s.is_ok()) {
      ::rmdir(dir.c_str());  // so that the next store makes it again, and fsyncs it
      return s;
    }
  } else if (errno != EEXIST) {
    return unavailable("cannot create " + dir + ": " + errno_text(errno));
  }
  struct stat existing;
  if (::stat(stored.path.c_str(), &existing) == 0 && S_ISREG(existing.st_mode) &&
      static_cast<uint64_t>(existing.st_size) == size) {
    // The same content is stored already; ours is dropped. An earlier store may have failed
    // at its directory fsync, so both are made durable again before the answer. Its time is
    // renewed: a purge that found it unused a moment ago leaves it alone (remove()).
    ::utimensat(AT_FDCWD, stored.path.c_str(), nullptr, 0);
    if (Status s = fsync_path(stored.path, 0); !s.is_ok()) return s;
    if (Status s = fsync_directory(dir); !s.is_ok()) return s;
    stored.was_stored = true;
    return stored;
  }
  if (Status s = (*incoming)->publish(stored.path); !s.is_ok()) return s;
  if (Status s = fsync_directory(dir); !s.is_ok()) return s;
  return stored;
}

Result<StoredDocument> DocumentStore::store_base64_stream(const ChunkSource& base64,
                                                          uint64_t max_decoded_bytes) const {
  Base64Decoder decoder(base64);
  return store_stream([&decoder] { return decoder.next(); }, max_decoded_bytes);
}

Result<bool> DocumentStore::remove(const std::string& sha256_hex,
                                   int64_t unless_stored_since_ms) const {
  Result<std::string> path = path_of(sha256_hex);
  if (!path.is_ok()) {
    return path.status().code() == StatusCode::kNotFound ? Result<bool>(false) : path.status();
  }
  struct stat st;
  if (::stat(path->c_str(), &st) != 0) return false;
  const int64_t stored_ms =
      int64_t{st.st_mtim.tv_sec} * 1000 + int64_t{st.st_mtim.tv_nsec} / 1'000'000;
  if (stored_ms >= unless_stored_since_ms) return false;
  if (::unlink(path->c_str()) != 0) {
    if (errno == ENOENT) return false;
    return unavailable("cannot delete " + *path + ": " + errno_text(errno));
  }
  if (Status s = fsync_directory(folder_ + "/" + sha256_hex.substr(0, 2)); !s.is_ok()) return s;
  return true;
}

Result<std::string> DocumentStore::path_of(const std::string& sha256_hex) const {
  if (!is_sha256_hex(sha256_hex)) {
    return invalid_argument("not a SHA-256 digest (64 lowercase hex digits)");
  }
  std::string path = folder_ + "/" + sha256_hex.substr(0, 2) + "/" + sha256_hex;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return not_found("no document " + sha256_hex);
  }
  return path;
}

bool DocumentStore::contains(const std::string& sha256_hex) const {
  return path_of(sha256_hex).is_ok();
}

}  // namespace portier::documents
