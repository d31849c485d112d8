#pragma once
// Bytes read in order from their start, whatever holds them: a spooled request body, or a part
// of an MTOM package. The streaming envelope reader and the document store read through it, so
// neither needs to know where a request's bytes are kept.
// Threads: an object belongs to one thread at a time.
#include <cstddef>

#include "core/base/status.h"

namespace portier::soap_adapter {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Up to `n` bytes into `out`; 0 at the end. kUnavailable if they cannot be read.
  virtual Result<size_t> read(char* out, size_t n) = 0;
};

}  // namespace portier::soap_adapter
