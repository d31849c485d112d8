#include "core/documents/active_content.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/documents/pdf_check.h"
#include "tests/core/documents/test_documents.h"

namespace portier::documents {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::pdf_of;
using testing::TempDir;
using testing::write_file;

const std::string kPages = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
const std::string kPage = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>";

class ActiveContentTest : public ::testing::Test {
 protected:
  // The file of a PDF with this catalog and further objects from number 4 on; it passes the
  // intake check, so what is found is what the structure holds.
  std::string pdf(const std::string& catalog, const std::vector<std::string>& more = {}) {
    std::vector<std::string> objects = {catalog, kPages, kPage};
    objects.insert(objects.end(), more.begin(), more.end());
    std::string path = dir_.file("d" + std::to_string(++count_) + ".pdf");
    write_file(path, pdf_of(objects));
    EXPECT_TRUE(check_pdf(path, limits_).is_ok()) << check_pdf(path, limits_).message();
    return path;
  }
  std::vector<ActiveContentFound> found(const std::string& path) {
    auto f = find_active_content(path, limits_);
    EXPECT_TRUE(f.is_ok()) << f.status().message();
    return f.is_ok() ? *f : std::vector<ActiveContentFound>{};
  }

  TempDir dir_;
  PdfLimits limits_;
  int count_ = 0;
};

TEST_F(ActiveContentTest, APlainDocumentHasNone) {
  EXPECT_TRUE(found(pdf("<< /Type /Catalog /Pages 2 0 R >>")).empty());
}

TEST_F(ActiveContentTest, FindsJavaScriptOpenActionWithItsObject) {
  auto path = pdf("<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
                  {"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"});
  EXPECT_THAT(found(path),
              ElementsAre(ActiveContentFound{ActiveContent::kJavaScript, "object 4 0"}));
}

TEST_F(ActiveContentTest, FindsLaunchEmbeddedFilesAndForms) {
  auto path =
      pdf("<< /Type /Catalog /Pages 2 0 R /AcroForm << /XFA 7 0 R >>"
          " /Names << /EmbeddedFiles << /Names [(a.exe) 5 0 R] >> >> >>",
          {"<< /S /Launch /F (cmd.exe) >>", "<< /Type /Filespec /F (a.exe) /EF << /F 6 0 R >> >>",
           "<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
           "<< /Length 2 >>\nstream\n<>\nendstream",
           "<< /S /SubmitForm /F (https://example.org/) >>", "<< /S /GoToR /F (other.pdf) >>",
           "<< /S /ImportData /F (data.fdf) >>", "<< /Type /Annot /Subtype /RichMedia >>"});
  EXPECT_THAT(found(path),
              ElementsAre(ActiveContentFound{ActiveContent::kXfa, "object 1 0"},
                          ActiveContentFound{ActiveContent::kEmbeddedFile, "object 1 0"},
                          ActiveContentFound{ActiveContent::kLaunch, "object 4 0"},
                          ActiveContentFound{ActiveContent::kEmbeddedFile, "object 5 0"},
                          ActiveContentFound{ActiveContent::kEmbeddedFile, "object 6 0"},
                          ActiveContentFound{ActiveContent::kSubmitForm, "object 8 0"},
                          ActiveContentFound{ActiveContent::kRemoteGoTo, "object 9 0"},
                          ActiveContentFound{ActiveContent::kImportData, "object 10 0"},
                          ActiveContentFound{ActiveContent::kRichMedia, "object 11 0"}));
}

TEST_F(ActiveContentTest, TextThatMerelyNamesJavaScriptIsNotActive) {
  // A string or a stream's bytes that say /JS are text, not a dictionary key.
  auto path = pdf("<< /Type /Catalog /Pages 2 0 R /Lang (/JS /Launch) >>",
                  {"<< /Length 11 >>\nstream\n/JS /Launch\nendstream"});
  EXPECT_TRUE(found(path).empty());
}

TEST_F(ActiveContentTest, TheRefusalNamesWhatAndWhereExceptWhatIsAllowed) {
  std::vector<ActiveContentFound> f = {{ActiveContent::kJavaScript, "object 4 0"},
                                       {ActiveContent::kEmbeddedFile, "object 6 0"}};
  Status refused = refuse_active_content(f, {});
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(),
              HasSubstr("active content: javascript (object 4 0), embeddedFile (object 6 0)"));
  Status partly = refuse_active_content(f, {ActiveContent::kEmbeddedFile});
  EXPECT_THAT(partly.message(), HasSubstr("javascript (object 4 0)"));
  EXPECT_THAT(partly.message(), Not(HasSubstr("embeddedFile (")));
  EXPECT_TRUE(
      refuse_active_content(f, {ActiveContent::kJavaScript, ActiveContent::kEmbeddedFile}).is_ok());
}

TEST_F(ActiveContentTest, NamesRoundTripForTheMapping) {
  for (ActiveContent kind : all_active_content()) {
    EXPECT_EQ(parse_active_content(to_string(kind)), kind);
  }
  EXPECT_FALSE(parse_active_content("JavaScript"));
  EXPECT_FALSE(parse_active_content(""));
}

TEST_F(ActiveContentTest, AHangingScanIsStoppedAtTheWallClockLimit) {
  // A stand-in for qpdf that never answers: the scan gives up, the document is refused.
  std::string hang = dir_.file("hang.sh");
  write_file(hang, "#!/bin/sh\nexec sleep 30\n");
  ASSERT_EQ(::chmod(hang.c_str(), 0755), 0);
  PdfLimits slow = limits_;
  slow.qpdf_program = hang;
  slow.wall_timeout_ms = 300;
  auto path = pdf("<< /Type /Catalog /Pages 2 0 R >>");
  auto f = find_active_content(path, slow);
  ASSERT_FALSE(f.is_ok());
  EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(f.status().message(), HasSubstr("did not finish within 300 ms"));
}

}  // namespace
}  // namespace portier::documents
