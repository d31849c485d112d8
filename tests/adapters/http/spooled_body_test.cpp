#include "adapters/http/spooled_body.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace portier::http {
namespace {

class TempFolder {
 public:
  TempFolder() {
    std::string name = std::filesystem::temp_directory_path() / "spool-test-XXXXXX";
    path_ = ::mkdtemp(name.data());
  }
  ~TempFolder() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  bool empty() const { return std::filesystem::is_empty(path_); }

 private:
  std::string path_;
};

std::string read_all(const SpooledBody& body) {
  std::string out;
  char buffer[1000];
  for (uint64_t offset = 0;;) {
    auto got = body.read_at(offset, buffer, sizeof buffer);
    EXPECT_TRUE(got.is_ok());
    if (!got.is_ok() || *got == 0) return out;
    out.append(buffer, *got);
    offset += *got;
  }
}

TEST(BodyCollector, ASmallBodyStaysInMemory) {
  TempFolder folder;
  BodyCollector body(10, folder.path());
  ASSERT_TRUE(body.append("01234").is_ok());
  ASSERT_TRUE(body.append("56789").is_ok());
  ASSERT_TRUE(body.finish().is_ok());
  EXPECT_EQ(body.take_memory(), "0123456789");
  EXPECT_EQ(body.take_spooled(), nullptr);
  EXPECT_TRUE(folder.empty());
}

TEST(BodyCollector, ALargerBodyIsSpooledWholeAndLeavesNoNameBehind) {
  TempFolder folder;
  BodyCollector body(10, folder.path());
  std::string expected = "0123456789";
  ASSERT_TRUE(body.append(expected).is_ok());
  for (int i = 0; i < 2000; ++i) {
    std::string piece(97, static_cast<char>('a' + i % 26));
    expected += piece;
    ASSERT_TRUE(body.append(piece).is_ok());
  }
  ASSERT_TRUE(body.finish().is_ok());
  EXPECT_EQ(body.take_memory(), "");
  std::shared_ptr<const SpooledBody> spooled = body.take_spooled();
  ASSERT_NE(spooled, nullptr);
  EXPECT_EQ(spooled->size(), expected.size());
  EXPECT_EQ(read_all(*spooled), expected);
  // The file has no name: nothing to clean up after a refusal or a crash.
  EXPECT_TRUE(folder.empty());
}

TEST(SpooledBody, AMissingFolderIsUnavailable) {
  auto made = SpooledBody::create("/nonexistent/spool");
  ASSERT_FALSE(made.is_ok());
  EXPECT_EQ(made.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace portier::http
