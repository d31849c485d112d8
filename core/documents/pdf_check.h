#pragma once
// The PDF intake check: decides whether a file that a department sent may be stored and
// delivered as a PDF. It refuses, in this order:
//
//   1. over the size limit                     ("over the size limit")
//   2. not `%PDF-` at byte 0                   ("not a PDF", "content before %PDF-")
//   3. no `%%EOF` near the end of the file     ("no %%EOF")
//   4. anything but whitespace after the last `%%EOF`  ("data after the last %%EOF")
//   5. `qpdf --check` failing                  ("damaged structure", "too complex to check")
//
// Rules 2 and 4 exist because an HTML-prefixed PDF and a PDF with a ZIP appended both pass
// libmagic and `qpdf --check` (reference/reliability.md §2.5). Rules 2-4 read only the first
// and the last few KB of the file, so memory does not grow with its size.
//
// `qpdf --check` decodes content streams, and a 200 KB flate bomb made it use 623 MB. It
// therefore runs as a child process under RLIMIT_AS and RLIMIT_CPU and a wall-clock timeout,
// so that the child pays for a hostile document and the gateway does not; hitting any of these
// limits refuses the document as "too complex to check".
//
// Errors: kInvalidArgument with the rule in the message for a refused document; kNotFound if
// `path` does not exist; kUnavailable if the file cannot be read or qpdf cannot be started.
// Threads: any thread, concurrently; blocks for up to `wall_timeout_ms`, so it belongs on a
// worker thread, never on an I/O thread. Safe in a multi-threaded process (fork + exec with
// only async-signal-safe calls in between).
#include <cstdint>
#include <string>

#include "core/base/status.h"

namespace portier::documents {

struct PdfLimits {
  uint64_t max_bytes = 50ull << 20;
  int cpu_seconds = 5;                   // qpdf's CPU time; SIGXCPU at this, SIGKILL a second later
  uint64_t memory_bytes = 256ull << 20;  // qpdf's address space (RLIMIT_AS)
  int wall_timeout_ms = 10000;           // then qpdf is killed
  // The checker to run: a name looked up in PATH, or a path. Tests substitute misbehaving ones.
  std::string qpdf_program = "qpdf";
};

Status check_pdf(const std::string& path, const PdfLimits& limits);

}  // namespace portier::documents
