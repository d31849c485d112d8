#include "adapters/soap/spooled_envelope.h"

#include <gtest/gtest.h>

#include <string>

#include "adapters/soap/department_codec.h"
#include "core/base/digest.h"

namespace portier::soap_adapter {
namespace {

constexpr char kHead[] =
    R"(<?xml version="1.0" encoding="UTF-8"?>)"
    R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" )"
    R"(xmlns:p="urn:portier:department:1"><s:Header><wsse:Security xmlns:wsse="urn:wsse">)"
    R"(<wsse:Password Type="urn:x#Digest &amp; &#13;more">pw</wsse:Password></wsse:Security>)"
    R"(</s:Header><s:Body>)";
constexpr char kTail[] = "</s:Body></s:Envelope>";

std::string deliver(const std::string& document_text) {
  return std::string(kHead) +
         "<p:deliverDocument><p:header><p:senderId>steueramt</p:senderId>"
         "<p:messageId>m-1</p:messageId><p:businessProcessId>bp-1</p:businessProcessId>"
         "</p:header><p:documentKind>K</p:documentKind><p:title>Verfügung &lt;1&gt; &amp; "
         "mehr</p:title><p:date>2026-11-29</p:date><p:document>" +
         document_text + "</p:document><p:channel>inbox</p:channel></p:deliverDocument>" + kTail;
}

std::shared_ptr<const http::SpooledBody> spooled(const std::string& bytes) {
  auto body = http::SpooledBody::create("");
  EXPECT_TRUE(body.is_ok());
  EXPECT_TRUE((*body)->append(bytes).is_ok());
  EXPECT_TRUE((*body)->finish().is_ok());
  return std::shared_ptr<const http::SpooledBody>(std::move(*body));
}

Result<SpooledEnvelope> read(const std::string& bytes, xml::GuardLimits limits = {}) {
  limits.max_bytes = 1 << 30;
  std::string rule;
  return read_spooled_envelope(*spooled(bytes), limits, rule);
}

std::string document_text(const std::string& bytes) {
  SpooledDocumentText text(spooled(bytes));
  std::string all;
  for (;;) {
    auto piece = text.next();
    EXPECT_TRUE(piece.is_ok());
    if (!piece.is_ok() || piece->empty()) return all;
    all += *piece;
  }
}

// About 3 MB of base64 in lines, as clients send it.
std::string large_base64() {
  std::string text;
  for (int line = 0; line < 40'000; ++line) {
    text += std::string(76, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[line % 64]);
    text += "\r\n";
  }
  return text;
}

TEST(SpooledEnvelope, TheDocumentTextIsReplacedAndTheRestReadsAsBefore) {
  const std::string text = large_base64();
  const std::string body = deliver(text);
  auto read_back = read(body);
  ASSERT_TRUE(read_back.is_ok()) << read_back.status().to_string();
  EXPECT_LT(read_back->envelope.size(), 2000u);
  EXPECT_TRUE(read_back->has_document);
  EXPECT_EQ(read_back->document_size, 40'000u * 76 / 4 * 3);
  EXPECT_EQ(read_back->body_sha256, sha256_hex(body));

  DepartmentCodec codec;
  SoapVersion version = SoapVersion::k11;
  auto parsed = codec.parse(read_back->envelope, version);
  ASSERT_TRUE(std::holds_alternative<ParsedRequest>(parsed))
      << std::get<Fault>(parsed).reason << "\n" << read_back->envelope;
  const auto& request = std::get<DeliverDocument>(std::get<ParsedRequest>(parsed).request);
  EXPECT_EQ(request.title, "Verfügung <1> & mehr");
  EXPECT_EQ(request.header.business_process_id, "bp-1");
  EXPECT_EQ(request.channel, DeliverDocument::Channel::kInbox);
  // The header keeps its escaped characters: the password's Type is what was sent.
  EXPECT_NE(read_back->envelope.find(R"(Type="urn:x#Digest &amp; &#13;more")"), std::string::npos)
      << read_back->envelope;
}

TEST(SpooledEnvelope, TheSecondPassYieldsTheDocumentTextInPieces) {
  std::string text = large_base64();
  const std::string read_back = document_text(deliver(text));
  std::erase(text, '\r');  // XML reads a line end as a line feed; base64 skips both
  EXPECT_TRUE(read_back == text) << read_back.size() << " characters instead of " << text.size();
  EXPECT_EQ(document_text(deliver("QUJD")), "QUJD");
  // Character references and CDATA are text like any other.
  EXPECT_EQ(document_text(deliver("QU<![CDATA[JD]]>&#x51;UJD")), "QUJDQUJD");
}

TEST(SpooledEnvelope, StandInsKeepWhatTheCodecSaysAboutTheText) {
  DepartmentCodec codec;
  SoapVersion version = SoapVersion::k11;
  auto empty = read(deliver(" \r\n "));
  ASSERT_TRUE(empty.is_ok());
  EXPECT_FALSE(empty->has_document);
  auto parsed = codec.parse(empty->envelope, version);
  ASSERT_TRUE(std::holds_alternative<Fault>(parsed));
  EXPECT_NE(std::get<Fault>(parsed).reason.find("must not be empty"), std::string::npos);

  auto invalid = read(deliver(large_base64() + "-"));
  ASSERT_TRUE(invalid.is_ok());
  parsed = codec.parse(invalid->envelope, version);
  ASSERT_TRUE(std::holds_alternative<Fault>(parsed));
  EXPECT_NE(std::get<Fault>(parsed).reason.find("p:document"), std::string::npos)
      << std::get<Fault>(parsed).reason;
}

TEST(SpooledEnvelope, HostileShapesAreRefusedBeforeTheParser) {
  const std::string pad(300'000, 'A');
  auto doctype = read("<!DOCTYPE e [<!ENTITY x 'y'>]><e>" + pad + "&x;</e>");
  ASSERT_FALSE(doctype.is_ok());
  EXPECT_NE(doctype.status().message().find("XML refused (doctype)"), std::string::npos);

  std::string flood = "<e";
  for (int i = 0; i < 100'000; ++i) flood += " a" + std::to_string(i) + "='v'";
  auto attributes = read(flood + ">" + pad + "</e>");
  ASSERT_FALSE(attributes.is_ok());
  EXPECT_NE(attributes.status().message().find("(attributes)"), std::string::npos);

  std::string deep;
  for (int i = 0; i < 1000; ++i) deep += "<e>";
  auto depth = read(deep + pad);
  ASSERT_FALSE(depth.is_ok());
  EXPECT_NE(depth.status().message().find("(depth)"), std::string::npos);
}

TEST(SpooledEnvelope, MalformedXmlAndUnknownEntitiesAreRefused) {
  auto unclosed = read(deliver("QUJD").substr(0, 400));
  ASSERT_FALSE(unclosed.is_ok());
  EXPECT_EQ(unclosed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unclosed.status().message().find("malformed XML"), std::string::npos);

  auto entity = read(deliver("QUJD&x;"));
  ASSERT_FALSE(entity.is_ok());
  EXPECT_NE(entity.status().message().find("malformed XML"), std::string::npos)
      << entity.status().message();
}

// The root part of an MTOM request: read from a ByteSource, an xop:Include allowed in the document.
class StringBytes final : public ByteSource {
 public:
  explicit StringBytes(std::string bytes) : bytes_(std::move(bytes)) {}
  Result<size_t> read(char* out, size_t n) override {
    const size_t got = bytes_.copy(out, n, offset_);
    offset_ += got;
    return got;
  }

 private:
  std::string bytes_;
  size_t offset_ = 0;
};

constexpr char kInclude[] =
    R"(<xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:pdf%40x"/>)";

Result<SpooledEnvelope> read_root(const std::string& bytes, std::string* rule = nullptr) {
  xml::GuardLimits limits;
  StringBytes source(bytes);
  std::string ignored;
  return read_spooled_envelope(source, limits, rule ? *rule : ignored, true);
}

TEST(SpooledEnvelope, AnXopIncludeAsTheDocumentBecomesTheStandIn) {
  auto root = read_root(deliver(std::string("\r\n  ") + kInclude + "\r\n"));
  ASSERT_TRUE(root.is_ok()) << root.status().to_string();
  EXPECT_EQ(root->xop_href, "cid:pdf%40x");
  EXPECT_TRUE(root->has_document);
  EXPECT_EQ(root->envelope.find("Include"), std::string::npos) << root->envelope;
  DepartmentCodec codec;
  SoapVersion version = SoapVersion::k11;
  auto parsed = codec.parse(root->envelope, version);
  ASSERT_TRUE(std::holds_alternative<ParsedRequest>(parsed)) << std::get<Fault>(parsed).reason;
  EXPECT_EQ(std::get<DeliverDocument>(std::get<ParsedRequest>(parsed).request).title,
            "Verfügung <1> & mehr");

  // Inline base64 in a root part is read as in any envelope.
  auto inline_text = read_root(deliver("QUJD"));
  ASSERT_TRUE(inline_text.is_ok());
  EXPECT_FALSE(inline_text->xop_href);
  EXPECT_EQ(inline_text->document_size, 3u);
}

TEST(SpooledEnvelope, AnXopIncludeAnywhereElseOrWithCompanyIsRefused) {
  const std::string include = kInclude;
  const std::string in_title = std::string(kHead) +
      "<p:deliverDocument><p:header><p:senderId>s</p:senderId><p:messageId>m</p:messageId>"
      "</p:header><p:documentKind>K</p:documentKind><p:title>" + include +
      "</p:title><p:document>QUJD</p:document></p:deliverDocument>" + kTail;
  const std::string in_body = std::string(kHead) + include + kTail;
  const std::string in_other_operation = std::string(kHead) +
      "<p:sendMessage><p:document>" + include + "</p:document></p:sendMessage>" + kTail;
  const std::pair<std::string, std::string> cases[] = {
      {in_title, "only content of deliverDocument/document"},
      {in_body, "only content of deliverDocument/document"},
      {in_other_operation, "only content of deliverDocument/document"},
      {deliver(include + include), "more than one xop:Include"},
      {deliver("QUJD" + include), "its only content"},
      {deliver(include + "QUJD"), "its only content"},
      {deliver("<p:x/>" + include), "its only content"},
      {deliver(include + "<p:x/>"), "its only content"},
      {deliver(R"(<xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:a">)"
               "<b/></xop:Include>"),
       "must be empty"},
      {deliver(R"(<xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include"/>)"),
       "without an href"},
      {deliver(R"(<xop:Other xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:a"/>)"),
       "xop:Other is accepted only"},
  };
  for (const auto& [body, words] : cases) {
    std::string rule;
    auto root = read_root(body, &rule);
    ASSERT_FALSE(root.is_ok()) << body;
    EXPECT_EQ(root.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(root.status().message().find(words), std::string::npos)
        << root.status().message() << " for " << body;
    EXPECT_EQ(rule, "xop");
  }
}

TEST(SpooledEnvelope, OutsideMtomAnXopIncludeIsJustAnElementTheCodecRefuses) {
  auto read_back = read(deliver(kInclude));
  ASSERT_TRUE(read_back.is_ok());
  EXPECT_FALSE(read_back->xop_href);
  DepartmentCodec codec;
  SoapVersion version = SoapVersion::k11;
  EXPECT_TRUE(std::holds_alternative<Fault>(codec.parse(read_back->envelope, version)));
}

}  // namespace
}  // namespace portier::soap_adapter
