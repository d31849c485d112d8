#pragma once
// A request body too large to keep in memory, kept in an unlinked temporary file instead: the
// open descriptor is its only name, so the file disappears with the last reference, also when
// the process dies, and no refused request can leave it behind.
//
// BodyCollector gathers a body as it arrives: in memory up to a threshold, then in a
// SpooledBody. Memory stays at the threshold plus a write buffer, whatever the body's size.
//
// Threads: a BodyCollector belongs to one connection. A finished SpooledBody is immutable and
// may be read from any thread at once (pread); its writing side is for its creator only.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/base/status.h"

namespace portier::http {

class SpooledBody {
 public:
  // An unlinked file in `folder` ("" = $TMPDIR, else /tmp). kUnavailable if it cannot be made.
  static Result<std::unique_ptr<SpooledBody>> create(const std::string& folder);
  ~SpooledBody();
  SpooledBody(const SpooledBody&) = delete;
  SpooledBody& operator=(const SpooledBody&) = delete;

  Status append(std::string_view bytes);
  // Writes what is buffered; call once, after the last append and before any read.
  Status finish();

  uint64_t size() const { return size_; }
  // Up to out.size() bytes from `offset`; 0 at the end. kUnavailable on a read error.
  Result<size_t> read_at(uint64_t offset, char* out, size_t n) const;
  // A second descriptor of the file (dup), for a library that reads through one (GMime's file
  // streams); the caller owns and closes it. It shares the file offset with other duplicates,
  // which read_at never uses, so it may be read while others use read_at.
  Result<int> duplicate_descriptor() const;

 private:
  explicit SpooledBody(int fd);
  Status flush();

  int fd_;
  uint64_t size_ = 0;
  std::string buffer_;  // bytes not yet written
};

class BodyCollector {
 public:
  // Bodies up to `in_memory_max` bytes stay in memory; larger ones go to `folder`.
  BodyCollector(uint64_t in_memory_max, std::string folder)
      : in_memory_max_(in_memory_max), folder_(std::move(folder)) {}

  Status append(std::string_view bytes);
  // Call once, at the end of the body.
  Status finish();

  // The body if it stayed small (moved out), else "".
  std::string take_memory() { return std::move(memory_); }
  // The spooled body if it grew too large, else null.
  std::shared_ptr<const SpooledBody> take_spooled() { return std::move(spooled_); }

 private:
  uint64_t in_memory_max_;
  std::string folder_;
  std::string memory_;
  std::shared_ptr<SpooledBody> spooled_;
};

}  // namespace portier::http
