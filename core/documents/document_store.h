#pragma once
// The document store: documents on disk, content-addressed, durable before anyone is told "yes".
//
// A document lives at `<folder>/<first 2 hex digits>/<sha256 hex>` (lowercase), so the same
// bytes are stored once and the name proves the content. A document is streamed in: chunks go
// through a 64 KiB buffer into a temporary file in the folder while SHA-256 is computed; the
// file is fsync'd, renamed to its final name and the directory fsync'd. Memory does not grow
// with the document's size, and no partial file ever carries a final name: refused or failed
// documents leave nothing behind (a crash may leave a `.incoming-*` file, which open() removes
// once it is an hour old).
//
// Files are created 0600: documents carry personal data.
//
// Errors: kInvalidArgument for the document (over its size limit, invalid base64),
// kUnavailable for the disk (a failed write, fsync or rename: retry later; the failed file is
// never fsync'd again), and whatever status the ChunkSource returns, unchanged.
// Threads: any thread, concurrently (storing the same content twice at once stores it once);
// every method except the accessors does file I/O and blocks, so call them on worker threads.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/base/status.h"

namespace portier::documents {

// Successive chunks of a document; an empty view ends it. A view needs to stay valid only until
// the next call. An error status aborts the store and is returned as it is.
using ChunkSource = std::function<Result<std::string_view>()>;

struct StoredDocument {
  std::string sha256_hex;   // lowercase, 64 digits
  uint64_t size = 0;        // bytes
  std::string path;         // <folder>/<2 hex>/<sha256 hex>
  bool was_stored = false;  // the same content was in the store before this call
};

class DocumentStore {
 public:
  // Creates `folder` if it is missing.
  static Result<DocumentStore> open(const std::string& folder);

  // Stores the bytes `read` yields; more than `max_bytes` of them refuse the document.
  Result<StoredDocument> store_stream(const ChunkSource& read, uint64_t max_bytes) const;
  // The same for bytes already in memory (e.g. a receipt's parts).
  Result<StoredDocument> store_bytes(std::string_view bytes, uint64_t max_bytes) const;
  // The same for base64 text (e.g. an XML element's content, in pieces of any size): XML
  // whitespace is skipped; other characters outside the base64 alphabet, data after the
  // padding and a final group that is not complete refuse the document. `max_decoded_bytes`
  // limits the decoded size.
  Result<StoredDocument> store_base64_stream(const ChunkSource& base64,
                                             uint64_t max_decoded_bytes) const;

  // kInvalidArgument unless `sha256_hex` is 64 lowercase hex digits; kNotFound if not stored.
  Result<std::string> path_of(const std::string& sha256_hex) const;
  bool contains(const std::string& sha256_hex) const;

  // Deletes a document (the purge, core/retention, once nothing kept refers to it), unless it
  // was stored, or stored again, at or after `unless_stored_since_ms` (wall clock): an intake
  // that is storing the same bytes now keeps them. true if deleted; false if absent or kept.
  // kUnavailable if the file or its directory's fsync fails.
  Result<bool> remove(const std::string& sha256_hex, int64_t unless_stored_since_ms) const;

  const std::string& folder() const { return folder_; }

 private:
  explicit DocumentStore(std::string folder) : folder_(std::move(folder)) {}

  std::string folder_;
};

}  // namespace portier::documents
