#pragma once
// Runs the qpdf command-line tool on a file as a child process under the limits of PdfLimits:
// RLIMIT_AS, RLIMIT_CPU and a wall-clock timeout, so that the child pays for a hostile
// document and the gateway does not. qpdf decodes object streams even when asked not to decode
// content, and a 200 KB flate bomb made it use 623 MB (reference/reliability.md §2.5).
//
// Errors: kUnavailable if qpdf is not installed or cannot be started. Threads: any thread,
// concurrently; blocks for up to `wall_timeout_ms`, so it belongs on a worker thread. Safe in a
// multi-threaded process (fork + exec with only async-signal-safe calls in between).
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/status.h"
#include "core/documents/pdf_check.h"

namespace portier::documents {

struct QpdfRun {
  bool timed_out = false;  // killed at the wall-clock limit (or when the reader asked)
  int wait_status = 0;     // as waitpid() gives it, unless timed out
};

enum class QpdfStderr { kWithStdout, kDiscarded };

// Runs `qpdf <options> <path>`. `on_output` gets its output as it comes; returning false stops
// the run (the child is killed, and the run counts as timed out).
Result<QpdfRun> run_qpdf(const std::vector<std::string>& options, const std::string& path,
                         const PdfLimits& limits, QpdfStderr stderr_goes,
                         const std::function<bool(std::string_view)>& on_output);

// What limit a run hit, for a message ("did not finish within 10000 ms", "exceeded its CPU
// limit of 5 s"); nothing if it ended on its own.
std::optional<std::string> limit_exceeded(const QpdfRun& run, const PdfLimits& limits);

// qpdf's name for `path` on its command line: a leading "./" keeps a file named "-x" or "@x"
// from being read as an option or argument file.
std::string qpdf_file_argument(const std::string& path);

}  // namespace portier::documents
