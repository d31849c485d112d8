// Document intake: a 50 MB document stored from a base64 stream, and a 50 MB PDF checked.
// Reports throughput and how much this process's peak RSS grows (the issue asks < 16 MB).
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "core/documents/document_store.h"
#include "core/documents/pdf_check.h"
#include "tests/core/documents/test_documents.h"

namespace {

using portier::Result;
using namespace portier::documents;
namespace t = portier::documents::testing;

constexpr size_t kRawChunk = 48 * 1024;  // a multiple of 3: no padding inside the text

std::string base64_lines(const std::string& raw) {
  std::string flat(4 * ((raw.size() + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(flat.data()),
                  reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()));
  std::string out;
  for (size_t i = 0; i < flat.size(); i += 76) out += flat.substr(i, 76) + "\r\n";
  return out;
}

// Peak RSS growth of this process while `work` runs, in MiB.
template <class F>
double peak_growth_mib(F&& work) {
  t::reset_peak_memory();
  const auto before = t::process_memory();
  work();
  const auto after = t::process_memory();
  return static_cast<double>(std::max(after.peak_kib, after.rss_kib) - before.rss_kib) / 1024.0;
}

void BM_StoreBase64Stream(benchmark::State& state) {
  // state.range(0) MiB, rounded up to whole chunks.
  const uint64_t chunks =
      ((static_cast<uint64_t>(state.range(0)) << 20) + kRawChunk - 1) / kRawChunk;
  const uint64_t total = chunks * kRawChunk;
  t::TempDir dir;
  auto store = DocumentStore::open(dir.file("documents"));
  if (!store.is_ok()) return state.SkipWithError(store.status().to_string().c_str());
  std::string raw(kRawChunk, '\0');
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<char>(i * 2654435761u >> 13);
  const std::string body = base64_lines(raw);
  double worst_growth = 0;
  int64_t round = 0;
  for (auto _ : state) {
    // The first chunk differs per round, so every round stores a new document.
    std::string first = raw;
    first.replace(0, sizeof round, reinterpret_cast<const char*>(&round), sizeof round);
    const std::string head = base64_lines(first);
    uint64_t produced = 0;
    ChunkSource source = [&]() -> Result<std::string_view> {
      if (produced == total) return std::string_view();
      produced += kRawChunk;
      return std::string_view(produced == kRawChunk ? head : body);
    };
    Result<StoredDocument> stored = portier::Status();
    worst_growth = std::max(
        worst_growth, peak_growth_mib([&] { stored = store->store_base64_stream(source, total); }));
    if (!stored.is_ok()) return state.SkipWithError(stored.status().to_string().c_str());
    state.PauseTiming();
    std::filesystem::remove(stored->path);
    ++round;
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * total));
  state.counters["MB/s"] = benchmark::Counter(static_cast<double>(state.iterations() * total) / 1e6,
                                              benchmark::Counter::kIsRate);
  state.counters["rss_growth_MiB"] = worst_growth;
}
BENCHMARK(BM_StoreBase64Stream)->Arg(50)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CheckPdf(benchmark::State& state) {
  t::TempDir dir;
  const std::string path = dir.file("large.pdf");
  // state.range(0) pages with a 1 MB image each: a scanned decision's shape.
  const uint64_t size =
      t::write_test_pdf(path, t::TestPdf{static_cast<int>(state.range(0)), 1 << 20, 0});
  PdfLimits limits;
  limits.max_bytes = size;
  double worst_growth = 0;
  for (auto _ : state) {
    portier::Status s;
    worst_growth = std::max(worst_growth, peak_growth_mib([&] { s = check_pdf(path, limits); }));
    if (!s.is_ok()) return state.SkipWithError(s.to_string().c_str());
  }
  struct rusage children;
  getrusage(RUSAGE_CHILDREN, &children);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
  state.counters["MB/s"] = benchmark::Counter(static_cast<double>(state.iterations() * size) / 1e6,
                                              benchmark::Counter::kIsRate);
  state.counters["rss_growth_MiB"] = worst_growth;
  state.counters["qpdf_peak_rss_MiB"] = static_cast<double>(children.ru_maxrss) / 1024.0;
  state.counters["size_MB"] = static_cast<double>(size) / 1e6;
}
BENCHMARK(BM_CheckPdf)->Arg(50)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
