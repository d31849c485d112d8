#include "core/documents/pdf_check.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tests/core/documents/test_documents.h"

namespace portier::documents {
namespace {

using ::testing::HasSubstr;
using namespace std::string_literals;
namespace t = testing;

class PdfCheckTest : public ::testing::Test {
 protected:
  PdfCheckTest() : pdf_(t::test_pdf(3)) {}

  // Writes `bytes` to a file and checks it.
  Status check(const std::string& bytes, const PdfLimits& limits = {}) {
    std::string path = dir_.file("doc.pdf");
    t::write_file(path, bytes);
    return check_pdf(path, limits);
  }

  std::string script(const std::string& name, const std::string& body) {
    std::string path = dir_.file(name);
    t::write_file(path, "#!/bin/sh\n" + body + "\n");
    ::chmod(path.c_str(), 0700);
    return path;
  }

  t::TempDir dir_;
  std::string pdf_;
};

void expect_refused(const Status& s, const std::string& rule) {
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.to_string();
  EXPECT_THAT(s.message(), HasSubstr(rule));
}

TEST_F(PdfCheckTest, ValidPdfPasses) {
  Status s = check(pdf_);
  EXPECT_TRUE(s.is_ok()) << s.to_string();
}

TEST_F(PdfCheckTest, TrailingWhitespaceAfterEofIsAllowed) {
  Status s = check(pdf_ + "\r\n  \n");
  EXPECT_TRUE(s.is_ok()) << s.to_string();
}

TEST_F(PdfCheckTest, PlainTextIsNotAPdf) {
  expect_refused(check("Dear citizen,\nthis is not a PDF.\n"), "not a PDF");
  expect_refused(check(""), "not a PDF");
}

TEST_F(PdfCheckTest, HtmlBeforeTheHeaderIsRefused) {
  // qpdf --check and libmagic both accept this polyglot.
  Status s = check("<html><body><script>alert(1)</script></body></html>\n" + pdf_);
  expect_refused(s, "content before %PDF-");
  EXPECT_THAT(s.message(), HasSubstr("byte 0"));
}

TEST_F(PdfCheckTest, ZipAppendedAfterEofIsRefused) {
  // qpdf --check and libmagic both accept this polyglot.
  std::string zip = "PK\x03\x04\x14\x00\x00\x00\x08\x00"s + std::string(200, 'z') + "PK\x05\x06"s +
                    std::string(18, '\0');
  Status s = check(pdf_ + zip);
  expect_refused(s, "data after the last %%EOF");
  EXPECT_THAT(s.message(), HasSubstr("ZIP"));
}

TEST_F(PdfCheckTest, LargeDataAppendedIsRefused) {
  expect_refused(check(pdf_ + std::string(10000, 'x')), "no %%EOF");
}

TEST_F(PdfCheckTest, TruncatedFilesAreRefused) {
  expect_refused(check(pdf_.substr(0, pdf_.size() / 2)), "no %%EOF");
  expect_refused(check(pdf_.substr(0, pdf_.size() - 30)), "no %%EOF");
}

TEST_F(PdfCheckTest, OverTheSizeLimitIsRefused) {
  PdfLimits limits;
  limits.max_bytes = pdf_.size() - 1;
  expect_refused(check(pdf_, limits), "over the size limit");
  limits.max_bytes = pdf_.size();
  EXPECT_TRUE(check(pdf_, limits).is_ok());
}

TEST_F(PdfCheckTest, StructuralErrorsFoundByQpdfAreRefused) {
  // Header and trailer in place, nothing in between: qpdf exits 2.
  Status s = check("%PDF-1.7\nthis is not a PDF body\n%%EOF\n");
  expect_refused(s, "damaged structure: qpdf --check found errors");
  EXPECT_THAT(s.message(), HasSubstr("trailer"));
  EXPECT_THAT(s.message(), ::testing::Not(HasSubstr(dir_.path())));  // no server paths
}

TEST_F(PdfCheckTest, FilesQpdfHadToRepairAreRefused) {
  // A wrong startxref offset: qpdf reconstructs the xref table and exits 3.
  std::string damaged = pdf_;
  size_t at = damaged.rfind("startxref\n") + 10;
  damaged.replace(at, damaged.find('\n', at) - at, "5");
  Status s = check(damaged);
  expect_refused(s, "damaged structure: qpdf --check had to repair the file");
  EXPECT_THAT(s.message(), HasSubstr("xref not found"));
}

TEST_F(PdfCheckTest, FlateBombIsTooComplexAndTheChildPaysForIt) {
  if (!t::have_zlib()) GTEST_SKIP() << "built without zlib";
  // About 200 KB that inflate to 200 MB of content stream; qpdf alone peaks at about 620 MB.
  std::string path = dir_.file("bomb.pdf");
  uint64_t size = t::write_test_pdf(path, t::TestPdf{1, 0, 200ull << 20});
  EXPECT_LT(size, 1u << 20);
  PdfLimits limits;  // 256 MiB, 5 s CPU, 10 s wall
  const bool peak_reset = t::reset_peak_memory();
  const auto before = t::process_memory();
  const auto start = std::chrono::steady_clock::now();
  Status s = check_pdf(path, limits);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  const auto after = t::process_memory();
  expect_refused(s, "too complex to check");
  EXPECT_LT(elapsed, std::chrono::milliseconds(limits.wall_timeout_ms + 1000));
  if (peak_reset) {
    EXPECT_LT(after.peak_kib - before.rss_kib, 8 * 1024);
  }
  EXPECT_LT(after.rss_kib - before.rss_kib, 8 * 1024);
}

TEST_F(PdfCheckTest, WallClockTimeoutKillsTheChecker) {
  PdfLimits limits;
  limits.qpdf_program = script("sleepy-qpdf", "exec sleep 30");
  limits.wall_timeout_ms = 300;
  const auto start = std::chrono::steady_clock::now();
  Status s = check(pdf_, limits);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  expect_refused(s, "too complex to check: qpdf --check did not finish within 300 ms");
}

TEST_F(PdfCheckTest, CpuLimitStopsTheChecker) {
  PdfLimits limits;
  limits.qpdf_program = script("busy-qpdf", "while :; do :; done");
  limits.cpu_seconds = 1;
  Status s = check(pdf_, limits);
  expect_refused(s, "too complex to check: qpdf --check exceeded its CPU limit of 1 s");
}

TEST_F(PdfCheckTest, CheckerOutputIsDrainedAndBounded) {
  // 8 MB of output, then exit 2: the parent keeps reading (the child never blocks) and keeps
  // only a bounded part of it.
  PdfLimits limits;
  limits.qpdf_program = script(
      "chatty-qpdf", "head -c 8000000 /dev/zero | tr '\\0' 'w'\necho\necho 'qpdf: broken'\nexit 2");
  Status s = check(pdf_, limits);
  expect_refused(s, "damaged structure: qpdf --check found errors: qpdf: broken");
}

TEST_F(PdfCheckTest, CheckerInheritsNoDescriptorsButItsOutput) {
  // Another thread's descriptor opened without O_CLOEXEC must not reach the checker.
  int leaked = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(leaked, 3);
  PdfLimits limits;
  limits.qpdf_program =
      script("fd-qpdf", "if [ -e /proc/$$/fd/" + std::to_string(leaked) +
                            " ]; then echo 'qpdf: descriptor leaked'; exit 2; fi\nexit 0");
  Status s = check(pdf_, limits);
  ::close(leaked);
  EXPECT_TRUE(s.is_ok()) << s.to_string();
}

TEST_F(PdfCheckTest, ConcurrentChecksFromWorkerThreads) {
  const std::string good = dir_.file("good.pdf");
  const std::string bad = dir_.file("bad.pdf");
  t::write_file(good, pdf_);
  t::write_file(bad, "%PDF-1.7\nbroken\n%%EOF\n");
  std::atomic<int> right{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        std::vector<std::string> noise(1000, std::string(100, 'n'));  // the allocator is busy
        if (check_pdf(good, {}).is_ok()) ++right;
        if (check_pdf(bad, {}).code() == StatusCode::kInvalidArgument) ++right;
      }
    });
  }
  for (auto& worker : workers) worker.join();
  EXPECT_EQ(right.load(), 40);
}

TEST_F(PdfCheckTest, MissingCheckerIsUnavailableNotARefusal) {
  PdfLimits limits;
  limits.qpdf_program = "portier-no-such-qpdf";
  EXPECT_EQ(check(pdf_, limits).code(), StatusCode::kUnavailable);
  limits.qpdf_program = dir_.file("no-such-qpdf");
  EXPECT_EQ(check(pdf_, limits).code(), StatusCode::kUnavailable);
}

TEST_F(PdfCheckTest, MissingFileIsNotFound) {
  EXPECT_EQ(check_pdf(dir_.file("absent.pdf"), {}).code(), StatusCode::kNotFound);
}

TEST_F(PdfCheckTest, RelativeNamesThatLookLikeOptionsAreChecked) {
  // qpdf reads "@name" as a file of arguments and "--name" as an option.
  const std::string cwd = std::filesystem::current_path().string();
  std::filesystem::current_path(dir_.path());
  for (const std::string name : {"@args.pdf", "--version"}) {
    t::write_file(name, pdf_);
    Status s = check_pdf(name, {});
    EXPECT_TRUE(s.is_ok()) << name << ": " << s.to_string();
    t::write_file(name, "%PDF-1.7\nbroken\n%%EOF\n");
    expect_refused(check_pdf(name, {}), "damaged structure");
  }
  std::filesystem::current_path(cwd);
}

TEST_F(PdfCheckTest, LargePdfPasses) {
  std::string path = dir_.file("large.pdf");
  uint64_t size = t::write_test_pdf(path, t::TestPdf{10, 1 << 20, 0});
  EXPECT_GT(size, 10000000u);
  Status s = check_pdf(path, {});
  EXPECT_TRUE(s.is_ok()) << s.to_string();
}

}  // namespace
}  // namespace portier::documents
