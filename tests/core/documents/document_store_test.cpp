#include "core/documents/document_store.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/base/digest.h"
#include "tests/core/documents/test_documents.h"

namespace portier::documents {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;
namespace t = testing;

// Hands out `data` in chunks of `size` bytes.
ChunkSource chunks_of(const std::string& data, size_t size) {
  auto offset = std::make_shared<size_t>(0);
  return [&data, size, offset]() -> Result<std::string_view> {
    std::string_view rest = std::string_view(data).substr(*offset);
    std::string_view chunk = rest.substr(0, size);
    *offset += chunk.size();
    return chunk;
  };
}

std::string pseudo_random(size_t n, uint64_t seed) {
  std::string out(n, '\0');
  for (char& c : out) {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    c = static_cast<char>(seed);
  }
  return out;
}

// Base64 with a line break every `line` characters (CRLF when `crlf`).
std::string to_base64(const std::string& bytes, size_t line, bool crlf) {
  std::string flat(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(flat.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  flat.resize(static_cast<size_t>(n));
  std::string out;
  for (size_t i = 0; i < flat.size(); i += line) {
    out += flat.substr(i, line);
    out += crlf ? "\r\n" : "\n";
  }
  return out;
}

std::string sha256sum_of(const std::string& path) {
  std::unique_ptr<FILE, decltype(&pclose)> p(popen(("sha256sum '" + path + "'").c_str(), "r"),
                                             &pclose);
  char digest[65] = {};
  if (!p || std::fread(digest, 1, 64, p.get()) != 64) return "";
  return digest;
}

class DocumentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = DocumentStore::open(dir_.file("documents"));
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    store_ = std::make_unique<DocumentStore>(std::move(*opened));
  }

  // Every file in the store's folder, temporaries included.
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(store_->folder())) {
      if (e.is_regular_file()) out.push_back(e.path().string());
    }
    return out;
  }

  t::TempDir dir_;
  std::unique_ptr<DocumentStore> store_;
};

TEST_F(DocumentStoreTest, SameContentTwiceIsOneFile) {
  const std::string data = pseudo_random(200000, 1);
  auto first = store_->store_stream(chunks_of(data, 7000), 1 << 20);
  auto second = store_->store_stream(chunks_of(data, 65536), 1 << 20);
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  ASSERT_TRUE(second.is_ok()) << second.status().to_string();
  EXPECT_EQ(first->sha256_hex, sha256_hex(data));
  EXPECT_EQ(second->sha256_hex, first->sha256_hex);
  EXPECT_EQ(first->size, data.size());
  EXPECT_EQ(first->path,
            store_->folder() + "/" + first->sha256_hex.substr(0, 2) + "/" + first->sha256_hex);
  EXPECT_EQ(files(), std::vector<std::string>{first->path});
  EXPECT_EQ(t::read_file(first->path), data);
}

// The purge deletes a file nothing refers to, unless an intake stored it (again) meanwhile.
TEST_F(DocumentStoreTest, RemoveKeepsAFileStoredAgainSinceTheGivenTime) {
  auto stored = store_->store_bytes("old bytes", 1 << 10);
  ASSERT_TRUE(stored.is_ok()) << stored.status().to_string();
  struct timespec old_times[2] = {{1'600'000'000, 0}, {1'600'000'000, 0}};  // 2020
  ASSERT_EQ(::utimensat(AT_FDCWD, stored->path.c_str(), old_times, 0), 0);
  const int64_t an_hour_ago = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count() -
                              3'600'000;
  // Stored again now: its time is renewed, so a purge that began before keeps it.
  ASSERT_TRUE(store_->store_bytes("old bytes", 1 << 10).is_ok());
  auto kept = store_->remove(stored->sha256_hex, an_hour_ago);
  ASSERT_TRUE(kept.is_ok()) << kept.status().to_string();
  EXPECT_FALSE(*kept);
  EXPECT_TRUE(store_->contains(stored->sha256_hex));

  ASSERT_EQ(::utimensat(AT_FDCWD, stored->path.c_str(), old_times, 0), 0);
  auto removed = store_->remove(stored->sha256_hex, an_hour_ago);
  ASSERT_TRUE(removed.is_ok()) << removed.status().to_string();
  EXPECT_TRUE(*removed);
  EXPECT_FALSE(store_->contains(stored->sha256_hex));
  EXPECT_TRUE(files().empty());
  auto absent = store_->remove(stored->sha256_hex, an_hour_ago);
  ASSERT_TRUE(absent.is_ok());
  EXPECT_FALSE(*absent);
  EXPECT_FALSE(store_->remove("not-a-digest", an_hour_ago).is_ok());
}

TEST_F(DocumentStoreTest, DigestsMatchSha256sum) {
  for (size_t size : {0, 1, 65535, 65536, 65537, 1000000}) {
    const std::string data = pseudo_random(size, size + 2);
    auto stored = store_->store_stream(chunks_of(data, 4096), 1 << 20);
    ASSERT_TRUE(stored.is_ok()) << stored.status().to_string();
    EXPECT_EQ(sha256sum_of(stored->path), stored->sha256_hex) << size;
    EXPECT_EQ(stored->size, size);
  }
  auto abc = store_->store_stream(chunks_of("abc", 1), 3);
  ASSERT_TRUE(abc.is_ok());
  EXPECT_EQ(abc->sha256_hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(DocumentStoreTest, DocumentsArePrivateFiles) {
  auto stored = store_->store_stream(chunks_of("personal data", 5), 100);
  ASSERT_TRUE(stored.is_ok());
  struct stat st;
  ASSERT_EQ(::stat(stored->path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(DocumentStoreTest, OverTheLimitLeavesNothing) {
  const std::string data = pseudo_random(300000, 3);
  auto stored = store_->store_stream(chunks_of(data, 65536), data.size() - 1);
  EXPECT_EQ(stored.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(stored.status().message(), HasSubstr("size limit"));
  EXPECT_TRUE(files().empty());
  EXPECT_FALSE(store_->contains(sha256_hex(data)));
  EXPECT_TRUE(store_->store_stream(chunks_of(data, 65536), data.size()).is_ok());
}

TEST_F(DocumentStoreTest, SourceErrorIsReturnedAndLeavesNothing) {
  int calls = 0;
  auto stored = store_->store_stream(
      [&calls]() -> Result<std::string_view> {
        if (++calls < 100) return std::string_view("0123456789abcdef0123456789abcdef");
        return Status(StatusCode::kDeadlineExceeded, "client too slow");
      },
      1 << 20);
  EXPECT_EQ(stored.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(files().empty());
}

TEST_F(DocumentStoreTest, WriteFailureIsUnavailableAndLeavesNothing) {
  // A 1 MB file size limit makes write() fail with EFBIG, as a full disk would fail it.
  struct rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = {1 << 20, saved.rlim_max};
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  const std::string data = pseudo_random(3 << 20, 4);
  auto stored = store_->store_stream(chunks_of(data, 65536), 10 << 20);
  ::setrlimit(RLIMIT_FSIZE, &saved);
  ::signal(SIGXFSZ, old_handler);
  EXPECT_EQ(stored.status().code(), StatusCode::kUnavailable) << stored.status().to_string();
  EXPECT_TRUE(files().empty());
  EXPECT_FALSE(store_->contains(sha256_hex(data)));
}

TEST_F(DocumentStoreTest, PathOfAndContains) {
  auto stored = store_->store_stream(chunks_of("a document", 3), 100);
  ASSERT_TRUE(stored.is_ok());
  EXPECT_TRUE(store_->contains(stored->sha256_hex));
  auto path = store_->path_of(stored->sha256_hex);
  ASSERT_TRUE(path.is_ok());
  EXPECT_EQ(*path, stored->path);
  EXPECT_EQ(store_->path_of(sha256_hex("another")).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(store_->contains(sha256_hex("another")));
  for (std::string bad : {std::string(""), std::string("../../etc/passwd"), std::string(64, 'A'),
                          stored->sha256_hex + "0"}) {
    EXPECT_EQ(store_->path_of(bad).status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_FALSE(store_->contains(bad));
  }
}

TEST_F(DocumentStoreTest, ConcurrentStoresOfTheSameContentGiveOneFile) {
  const std::string data = pseudo_random(500000, 5);
  std::vector<std::thread> threads;
  std::vector<std::string> digests(4);
  for (size_t i = 0; i < digests.size(); ++i) {
    threads.emplace_back([&, i] {
      auto stored = store_->store_stream(chunks_of(data, 1000 + i), 1 << 20);
      if (stored.is_ok()) digests[i] = stored->sha256_hex;
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& digest : digests) EXPECT_EQ(digest, sha256_hex(data));
  EXPECT_EQ(files().size(), 1u);
}

TEST_F(DocumentStoreTest, OpenRemovesStaleTemporariesOnly) {
  const std::string stale = store_->folder() + "/.incoming-stale1";
  const std::string fresh = store_->folder() + "/.incoming-fresh1";
  t::write_file(stale, "left by a crash");
  t::write_file(fresh, "being written");
  fs::last_write_time(stale, fs::file_time_type::clock::now() - std::chrono::hours(2));
  ASSERT_TRUE(DocumentStore::open(store_->folder()).is_ok());
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(fresh));
}

TEST_F(DocumentStoreTest, OpenRefusesAFile) {
  t::write_file(dir_.file("plain"), "x");
  EXPECT_FALSE(DocumentStore::open(dir_.file("plain")).is_ok());
}

TEST_F(DocumentStoreTest, Base64InOddChunksGivesTheDecodedDigest) {
  const std::string data = pseudo_random(100003, 6);
  const std::string expected = sha256_hex(data);
  for (bool crlf : {false, true}) {
    const std::string text = to_base64(data, 76, crlf);
    for (size_t chunk : {1, 3, 4096}) {
      auto stored = store_->store_base64_stream(chunks_of(text, chunk), data.size());
      ASSERT_TRUE(stored.is_ok()) << chunk << ": " << stored.status().to_string();
      EXPECT_EQ(stored->sha256_hex, expected) << chunk;
      EXPECT_EQ(stored->size, data.size());
    }
  }
  EXPECT_EQ(files().size(), 1u);
}

TEST_F(DocumentStoreTest, Base64ToleratesXmlWhitespaceAndSplitPadding) {
  for (std::string text : {"QUJD\tRA==", " Q U J D R A = = \n", "QUJDRA=\n=\n"}) {
    for (size_t chunk : {1, 2, 100}) {
      auto stored = store_->store_base64_stream(chunks_of(text, chunk), 100);
      ASSERT_TRUE(stored.is_ok()) << text << ": " << stored.status().to_string();
      EXPECT_EQ(stored->sha256_hex, sha256_hex("ABCD"));
    }
  }
}

TEST_F(DocumentStoreTest, InvalidBase64IsRefusedAndLeavesNothing) {
  for (std::string text : {"QUJD!", "QUJD-ignored-by-openssl", "QUJDRA==QUJD", "QUJDRA===", "QU=D",
                           "QUJ", "QUJDR", "QUJDRA="}) {
    for (size_t chunk : {1, 100}) {
      auto stored = store_->store_base64_stream(chunks_of(text, chunk), 100);
      EXPECT_EQ(stored.status().code(), StatusCode::kInvalidArgument) << text << " " << chunk;
      EXPECT_THAT(stored.status().message(), HasSubstr("invalid base64"));
    }
  }
  EXPECT_TRUE(files().empty());
}

TEST_F(DocumentStoreTest, Base64LimitIsOnDecodedBytes) {
  const std::string data = pseudo_random(3000, 7);
  const std::string text = to_base64(data, 76, false);
  EXPECT_EQ(store_->store_base64_stream(chunks_of(text, 512), data.size() - 1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(files().empty());
  EXPECT_TRUE(store_->store_base64_stream(chunks_of(text, 512), data.size()).is_ok());
}

TEST_F(DocumentStoreTest, FiftyMegabytesOfBase64KeepMemoryFlat) {
  // The base64 text is generated chunk by chunk, never held whole; so is the expected digest.
  constexpr uint64_t kTotal = 50ull << 20;
  constexpr size_t kRawChunk = 48 * 1024;
  uint64_t produced = 0;
  uint64_t seed = 8;
  std::string raw(kRawChunk, '\0');
  std::string text;
  EVP_MD_CTX* expected = EVP_MD_CTX_new();
  EVP_DigestInit_ex(expected, EVP_sha256(), nullptr);
  ChunkSource source = [&]() -> Result<std::string_view> {
    if (produced == kTotal) return std::string_view();
    size_t n = static_cast<size_t>(std::min<uint64_t>(kRawChunk, kTotal - produced));
    raw.resize(n);
    for (char& c : raw) {
      seed ^= seed << 13;
      seed ^= seed >> 7;
      seed ^= seed << 17;
      c = static_cast<char>(seed);
    }
    EVP_DigestUpdate(expected, raw.data(), raw.size());
    produced += n;
    text = to_base64(raw, 76, true);  // kRawChunk is a multiple of 3: no padding mid-stream
    return std::string_view(text);
  };
  const bool peak_reset = t::reset_peak_memory();
  const auto before = t::process_memory();
  auto stored = store_->store_base64_stream(source, kTotal);
  const auto after = t::process_memory();
  ASSERT_TRUE(stored.is_ok()) << stored.status().to_string();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(expected, digest, &len);
  EVP_MD_CTX_free(expected);
  EXPECT_EQ(stored->sha256_hex, to_hex(std::string_view(reinterpret_cast<char*>(digest), len)));
  EXPECT_EQ(stored->size, kTotal);
  const int64_t growth_kib = (peak_reset ? after.peak_kib : after.rss_kib) - before.rss_kib;
  EXPECT_LT(growth_kib, 16 * 1024) << "peak RSS grew by " << growth_kib << " KiB";
  RecordProperty("peak_rss_growth_kib", std::to_string(growth_kib));
}

}  // namespace
}  // namespace portier::documents
