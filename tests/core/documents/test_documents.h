#pragma once
// Test documents and memory probes for the document intake tests and its benchmark.
// Threads: any; not thread-safe across calls that write the same file.
#include <cstdint>
#include <string>
#include <vector>

namespace portier::documents::testing {

struct TestPdf {
  int pages = 1;
  // An uncompressed 8-bit grey image of about this many pseudo-random bytes on each page (0: text
  // only), for large documents that qpdf checks quickly.
  uint64_t image_bytes_per_page = 0;
  // If not 0, page 1's content is a FlateDecode stream that inflates to this many spaces
  // (a flate bomb: 200 MB compress to about 200 KB). Needs zlib.
  uint64_t bomb_bytes = 0;
};

// Writes a valid PDF (correct xref table) to `path`, streaming: memory does not grow with its
// size. Returns its size in bytes. Throws std::runtime_error on I/O errors.
uint64_t write_test_pdf(const std::string& path, const TestPdf& spec);
// A small valid PDF in memory with `pages` pages of text.
std::string test_pdf(int pages);
bool have_zlib();
// A PDF of these object bodies (object 1 the catalog) with a correct cross-reference table.
std::string pdf_of(const std::vector<std::string>& objects);

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& bytes);

// The current and the peak resident set size of this process, in KiB (/proc/self/status).
struct ProcessMemory {
  int64_t rss_kib = 0;
  int64_t peak_kib = 0;
};
ProcessMemory process_memory();
// Resets the peak (VmHWM) to the current RSS; false where the kernel does not allow it.
bool reset_peak_memory();

// A fresh directory under the system's temporary folder, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace portier::documents::testing
