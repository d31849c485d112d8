#include "adapters/soap/mtom_package.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace portier::soap_adapter {
namespace {

constexpr char kType[] = R"(multipart/related; type="application/xop+xml"; start="<root@x>"; )"
                         R"(start-info="text/xml"; boundary="b-1")";

std::string part(const std::string& headers, const std::string& content) {
  return "--b-1\r\n" + headers + "\r\n" + content + "\r\n";
}
std::string root_part(const std::string& envelope = "<e/>") {
  return part(
      "Content-Type: application/xop+xml; charset=UTF-8; type=\"text/xml\"\r\n"
      "Content-ID: <root@x>\r\n",
      envelope);
}
std::string binary_part(const std::string& bytes, const std::string& id = "pdf@x") {
  return part(
      "Content-Type: application/pdf\r\nContent-Transfer-Encoding: binary\r\n"
      "Content-ID: <" +
          id + ">\r\n",
      bytes);
}
constexpr char kEnd[] = "--b-1--\r\n";

// Bytes a hand-written parser might trip over: line ends, lines that begin like the boundary
// (the whole delimiter may not occur in a part, RFC 2046), NULs.
std::string awkward_bytes(size_t size) {
  std::string bytes = "%PDF-1.4\r\n--b-\r\n--b\n\r\n-b-1\r\n";
  std::mt19937 random(7);
  while (bytes.size() < size) bytes += static_cast<char>(random() & 0xff);
  bytes += "\r\n\r\n";
  return bytes;
}

std::string read_all(ByteSource& source) {
  std::string all;
  std::string piece(4096, '\0');
  for (;;) {
    auto got = source.read(piece.data(), piece.size());
    EXPECT_TRUE(got.is_ok());
    if (!got.is_ok() || *got == 0) return all;
    all.append(piece.data(), *got);
  }
}

std::shared_ptr<const http::SpooledBody> spooled(const std::string& bytes) {
  auto body = http::SpooledBody::create("");
  EXPECT_TRUE(body.is_ok());
  EXPECT_TRUE((*body)->append(bytes).is_ok());
  EXPECT_TRUE((*body)->finish().is_ok());
  return std::shared_ptr<const http::SpooledBody>(std::move(*body));
}

std::string refusal(const std::string& content_type, const std::string& body) {
  auto package = MtomPackage::read(content_type, body);
  EXPECT_FALSE(package.is_ok()) << body.substr(0, 300);
  if (package.is_ok()) return "";
  EXPECT_EQ(package.status().code(), StatusCode::kInvalidArgument);
  return package.status().message();
}

TEST(MtomPackage, IsAnnouncedByMultipartRelatedOnly) {
  EXPECT_TRUE(MtomPackage::announced_by(kType));
  EXPECT_TRUE(MtomPackage::announced_by("Multipart/Related;boundary=x"));
  EXPECT_FALSE(MtomPackage::announced_by("text/xml; charset=utf-8"));
  EXPECT_FALSE(MtomPackage::announced_by("multipart/mixed; boundary=x"));
}

TEST(MtomPackage, TheRootAndTheIncludedPartReadBackExactly) {
  const std::string bytes = awkward_bytes(100'000);
  const std::string body = root_part("<s:Envelope/>") + binary_part(bytes) + kEnd;
  for (bool on_disk : {false, true}) {
    auto package =
        on_disk ? MtomPackage::read(kType, spooled(body)) : MtomPackage::read(kType, body);
    ASSERT_TRUE(package.is_ok()) << package.status().to_string();
    EXPECT_EQ((*package)->soap_media_type(), "text/xml");
    EXPECT_EQ(read_all(*(*package)->root()), "<s:Envelope/>");
    // Every reader starts at the start.
    EXPECT_EQ(read_all(*(*package)->root()), "<s:Envelope/>");
    auto attachment = (*package)->attachment("cid:pdf@x");
    ASSERT_TRUE(attachment.is_ok()) << attachment.status().to_string();
    const std::string read_back = read_all(*(*package)->bytes_of(*attachment));
    EXPECT_TRUE(read_back == bytes) << read_back.size() << " bytes instead of " << bytes.size();
  }
}

TEST(MtomPackage, ALargePartOnDiskIsReadInPieces) {
  const std::string bytes = awkward_bytes(8 << 20);
  auto package = MtomPackage::read(kType, spooled(root_part() + binary_part(bytes) + kEnd));
  ASSERT_TRUE(package.is_ok()) << package.status().to_string();
  auto attachment = (*package)->attachment("cid:pdf@x");
  ASSERT_TRUE(attachment.is_ok());
  auto source = (*package)->bytes_of(*attachment);
  std::string piece(65536, '\0');
  size_t offset = 0;
  bool same = true;
  for (;;) {
    auto got = source->read(piece.data(), piece.size());
    ASSERT_TRUE(got.is_ok());
    if (*got == 0) break;
    same = same && bytes.compare(offset, *got, piece.data(), *got) == 0;
    offset += *got;
  }
  EXPECT_EQ(offset, bytes.size());
  EXPECT_TRUE(same);
}

TEST(MtomPackage, AnEncodedPartIsDecoded) {
  const std::string body =
      root_part() +
      part(
          "Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
          "Content-ID: <pdf@x>\r\n",
          "JVBERi0x\r\nLjQK") +
      kEnd;
  auto package = MtomPackage::read(kType, body);
  ASSERT_TRUE(package.is_ok()) << package.status().to_string();
  auto attachment = (*package)->attachment("cid:pdf@x");
  ASSERT_TRUE(attachment.is_ok());
  EXPECT_EQ(read_all(*(*package)->bytes_of(*attachment)), "%PDF-1.4\n");
}

TEST(MtomPackage, TheRootIsTheStartPartOrElseTheFirst) {
  const std::string body = binary_part("x", "other@x") + root_part("<root/>") + kEnd;
  auto named = MtomPackage::read(kType, body);
  ASSERT_TRUE(named.is_ok()) << named.status().to_string();
  EXPECT_EQ(read_all(*(*named)->root()), "<root/>");

  const std::string first_type = R"(multipart/related; type="application/xop+xml"; boundary=b-1; )"
                                 R"(start-info="application/soap+xml"; action="urn:a#op")";
  auto first = MtomPackage::read(first_type, root_part("<first/>") + binary_part("x") + kEnd);
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  EXPECT_EQ(read_all(*(*first)->root()), "<first/>");
  EXPECT_EQ((*first)->action(), "urn:a#op");

  // The root part's own type parameter names the SOAP version, without its action.
  auto soap12 = MtomPackage::read(
      kType,
      part("Content-Type: application/xop+xml; type=\"application/soap+xml; action=\\\"a\\\"\"\r\n"
           "Content-ID: <root@x>\r\n",
           "<e/>") +
          kEnd);
  ASSERT_TRUE(soap12.is_ok()) << soap12.status().to_string();
  EXPECT_EQ((*soap12)->soap_media_type(), "application/soap+xml");
}

TEST(MtomPackage, HrefsNameAPartByItsContentId) {
  auto package = MtomPackage::read(
      kType, root_part() + binary_part("a b", "a b@x") + binary_part("pdf", "pdf@x") + kEnd);
  ASSERT_TRUE(package.is_ok()) << package.status().to_string();
  auto escaped = (*package)->attachment("cid:a%20b%40x");  // RFC 2392: %-encoded
  ASSERT_TRUE(escaped.is_ok()) << escaped.status().to_string();
  EXPECT_EQ(read_all(*(*package)->bytes_of(*escaped)), "a b");
  const std::pair<std::string, std::string> refused[] = {
      {"cid:nothing@x", "cid:nothing@x, which is no part of the request"},
      {"http://x/pdf", "is not a cid: URL"},
      {"cid:", "is not a cid: URL"},
      {"cid:pdf%4", "is not a cid: URL"},
      {"cid:root@x", "names the root part"},
  };
  for (const auto& [href, words] : refused) {
    auto found = (*package)->attachment(href);
    ASSERT_FALSE(found.is_ok()) << href;
    EXPECT_EQ(found.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(found.status().message().starts_with("document: ")) << found.status().message();
    EXPECT_NE(found.status().message().find(words), std::string::npos) << found.status().message();
  }
}

TEST(MtomPackage, TooManyPartsAreRefused) {
  std::string body = root_part();
  for (int i = 1; i < MtomPackage::kMaxParts; ++i)
    body += binary_part("x", std::to_string(i) + "@x");
  EXPECT_TRUE(MtomPackage::read(kType, body + kEnd).is_ok());
  body += binary_part("x", "one-more@x");
  EXPECT_NE(refusal(kType, body + kEnd).find("17 parts; at most 16 are accepted"),
            std::string::npos);
}

TEST(MtomPackage, MalformedPackagesAreRefused) {
  const std::string good = root_part() + binary_part("pdf") + kEnd;
  EXPECT_NE(refusal("text/xml", good).find("multipart/related; type=\"application/xop+xml\""),
            std::string::npos);
  EXPECT_NE(refusal(R"(multipart/related; type="text/xml"; boundary=b-1)", good)
                .find("type=\"application/xop+xml\""),
            std::string::npos);
  EXPECT_NE(refusal(R"(multipart/related; type="application/xop+xml")", good).find("boundary"),
            std::string::npos);
  EXPECT_NE(refusal(kType, root_part() + binary_part("pdf")).find("truncated"), std::string::npos);
  EXPECT_NE(refusal(kType, "no parts at all\r\n").find("MTOM: "), std::string::npos);
  EXPECT_NE(
      refusal(kType, binary_part("x", "other@x") + kEnd).find("start part <root@x> is missing"),
      std::string::npos);
  EXPECT_NE(refusal(kType, root_part() + binary_part("1") + binary_part("2") + kEnd)
                .find("two parts have the Content-ID <pdf@x>"),
            std::string::npos);
  EXPECT_NE(
      refusal(kType, part("Content-Type: text/xml\r\nContent-ID: <root@x>\r\n", "<e/>") + kEnd)
          .find("root part must be application/xop+xml"),
      std::string::npos);
  const std::string nested =
      root_part() +
      part("Content-Type: multipart/mixed; boundary=inner\r\nContent-ID: <pdf@x>\r\n",
           "--inner\r\nContent-Type: text/plain\r\n\r\nx\r\n--inner--") +
      kEnd;
  EXPECT_NE(refusal(kType, nested).find("is not a leaf part"), std::string::npos);
  EXPECT_NE(refusal(std::string(kType) + "\r\nX-Evil: 1", good).find("invalid Content-Type"),
            std::string::npos);
}

}  // namespace
}  // namespace portier::soap_adapter
