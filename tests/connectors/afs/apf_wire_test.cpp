// The APF contract from both ends: Portier's request builders and answer parsers against the
// APF simulator module (driven through its Router, no sockets), plus the pure helpers.
#include "connectors/afs/apf_wire.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "connectors/afs/submission_check.h"
#include "connectors/afs/takeover_connector.h"
#include "core/base/clock.h"
#include "core/base/digest.h"
#include "tests/sim/afs_sim.h"

namespace portier::afs {
namespace {

using ::testing::HasSubstr;

namespace json = boost::json;

TEST(ApfWire, UtcTimesRoundTripAndJunkIsRefused) {
  EXPECT_EQ(parse_utc("2026-11-29T10:00:00Z"), 1795946400000);
  EXPECT_EQ(parse_utc("2026-11-29T10:00:00.5Z"), 1795946400500);
  EXPECT_EQ(format_utc(1795946400123), "2026-11-29T10:00:00.123Z");
  EXPECT_EQ(parse_utc(format_utc(1795946400123)), 1795946400123);
  for (const char* junk : {"", "2026-11-29", "2026-11-29T10:00:00", "2026-11-29T10:00:00.Z",
                           "2026-11-29T10:00:00Zjunk", "gestern"}) {
    EXPECT_FALSE(parse_utc(junk).has_value()) << junk;
  }
}

TEST(ApfWire, Base64RoundTripsAndRefusesJunk) {
  const std::string bytes("\0\x01%PDF-\xff", 8);
  EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
  EXPECT_EQ(base64_decode("SGFs\nbG8="), "Hallo");  // line breaks as in pretty-printed XML
  EXPECT_FALSE(base64_decode("@@@@").has_value());
}

TEST(ApfWire, EnvelopesAreParsedWithoutDtdsAndFaultsAreRead) {
  auto request = EnvelopeReader::parse(list_request({"u", "p<&>"}, "box", "NEW", "", "", 10));
  ASSERT_TRUE(request.is_ok());
  EXPECT_EQ(request->operation(), "ListApplications");
  EXPECT_EQ(request->text("string(//wsse:Password)"), "p<&>");
  EXPECT_FALSE(EnvelopeReader::parse("<!DOCTYPE x [<!ENTITY a 'b'>]><x/>").is_ok());
  EXPECT_FALSE(EnvelopeReader::parse("not xml").is_ok());
  auto fault = EnvelopeReader::parse(EnvelopeWriter::fault(true, "ALREADY_TAKEN", "taken as bp-1"));
  ASSERT_TRUE(fault.is_ok());
  auto f = fault_of(*fault);
  ASSERT_TRUE(f.has_value());
  EXPECT_TRUE(f->client);
  EXPECT_EQ(f->code, "ALREADY_TAKEN");
  EXPECT_EQ(f->text, "taken as bp-1");
}

TEST(ApfWire, AnswersPassTheShapeGuardWithTheConfiguredLimits) {
  const std::string answer = EnvelopeWriter::fault(true, "ALREADY_TAKEN", "taken as bp-1");
  EXPECT_TRUE(EnvelopeReader::parse(answer).is_ok());
  xml::GuardLimits tight;
  tight.max_depth = 2;
  auto refused = EnvelopeReader::parse(answer, tight);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_THAT(refused.status().message(),
              HasSubstr("the answer: refused by the XML shape guard (depth)"));
  // An attribute flood that libxml2 would read (slowly) is refused by the default limits.
  std::string flood = "<x";
  for (int i = 0; i < 65; ++i) flood += " a" + std::to_string(i) + "='1'";
  EXPECT_THAT(EnvelopeReader::parse(flood + "/>").status().message(), HasSubstr("(attributes)"));
}

Application whole() {
  Application a;
  a.form_data = "<antrag/>";
  a.summary.signature = {"SHA-256", sha256_hex(a.form_data), ""};
  a.pdf = ApplicationFile{"a.pdf", "application/pdf", sha256_hex("%PDF-"), "%PDF-", true};
  a.attachments.push_back({"b.txt", "text/plain", sha256_hex("b"), "b", true});
  return a;
}

TEST(SubmissionCheck, NamesWhatIsNotWhole) {
  EXPECT_EQ(integrity_problem(whole()), "");
  struct Case {
    const char* what;
    std::function<void(Application&)> spoil;
    const char* expected;
  };
  const Case cases[] = {
      {"form data not base64", [](Application& a) { a.form_data_is_base64 = false; }, "form data"},
      {"seal over other data", [](Application& a) { a.form_data += " "; }, "inbound signature"},
      {"unknown algorithm", [](Application& a) { a.summary.signature.algorithm = "MD5"; },
       "algorithm 'MD5'"},
      {"pdf digest", [](Application& a) { a.pdf->content += "x"; }, "pdf 'a.pdf'"},
      {"attachment digest", [](Application& a) { a.attachments[0].sha256 = sha256_hex("c"); },
       "attachment 'b.txt'"},
      {"attachment missing", [](Application& a) { a.attachments[0].content.clear(); },
       "attachment 'b.txt'"},
      {"attachment not base64", [](Application& a) { a.attachments[0].content_is_base64 = false; },
       "not base64"},
  };
  for (const Case& c : cases) {
    Application a = whole();
    c.spoil(a);
    EXPECT_NE(integrity_problem(a).find(c.expected), std::string::npos)
        << c.what << ": " << integrity_problem(a);
  }
  Application upper = whole();
  upper.summary.signature.value = sha256_hex(upper.form_data);
  for (char& ch : upper.summary.signature.value) ch = static_cast<char>(std::toupper(ch));
  EXPECT_EQ(integrity_problem(upper), "") << "hex digits in either case";
}

TEST(TakeoverConnector, FindsTheIntakeKeyOfAnItem) {
  EXPECT_EQ(intake_key_of("afs/box/app-1/afs:box/3"), "afs/box/app-1");
  EXPECT_EQ(intake_key_of("afs/box/app-1/department/2"), "afs/box/app-1");
  EXPECT_EQ(intake_key_of("nothing"), "");
  EXPECT_EQ(intake_key_of("/x"), "");
}

// The simulator's APF through its Router, spoken to with Portier's own envelopes.
class ApfAgainstSimulator : public ::testing::Test {
 protected:
  ApfAgainstSimulator() : sim_({}, clock_) {
    sim_.register_routes(service_);
    sim_.register_control_routes(control_);
  }
  http::Response call(http::Router& router, const std::string& path, std::string body) {
    http::Request r;
    r.method = "POST";
    r.path = r.target = path;
    r.body = std::move(body);
    http::Response answer;
    router.route(std::move(r), [&answer](http::Response a) { answer = std::move(a); });
    return answer;
  }
  std::vector<std::string> submit(int count, const std::string& mailbox = "box") {
    json::object o{{"mailbox", mailbox},
                   {"formId", "F"},
                   {"formData", "<a n='${n}'/>"},
                   {"count", count},
                   {"ownerId", "o"}};
    auto answer = call(control_, "/_sim/afs/applications", json::serialize(o));
    EXPECT_EQ(answer.status, 201u) << answer.body;
    std::vector<std::string> ids;
    const json::value parsed = json::parse(answer.body);
    for (const auto& id : parsed.at("applicationIds").as_array()) {
      ids.emplace_back(id.as_string());
    }
    return ids;
  }
  EnvelopeReader soap(const std::string& envelope) {
    auto answer = call(service_, "/afs/apf/v1", envelope);
    auto r = EnvelopeReader::parse(answer.body);
    EXPECT_TRUE(r.is_ok()) << answer.body;
    return std::move(*r);
  }
  ApplicationPage list(const std::string& token, int size, const std::string& since = "") {
    auto page = parse_list_response(soap(list_request(creds_, "box", "NEW", since, token, size)));
    EXPECT_TRUE(page.is_ok()) << page.status().to_string();
    return *page;
  }

  ManualClock clock_;
  sim::AfsSim sim_;
  http::Router service_, control_;
  Credentials creds_{"portier", "apf-secret"};
};

TEST_F(ApfAgainstSimulator, PagesAreKeysetAndSurviveTakeOversBetweenThem) {
  auto ids = submit(7);
  ApplicationPage first = list("", 3);
  ASSERT_EQ(first.items.size(), 3u);
  EXPECT_FALSE(first.next_page_token.empty());
  // Taking the first page over meanwhile must not shift what the next page holds.
  for (const auto& s : first.items) {
    EXPECT_TRUE(fault_of(soap(take_over_request(creds_, s.application_id, "bp"))) == std::nullopt);
  }
  ApplicationPage second = list(first.next_page_token, 3);
  ApplicationPage third = list(second.next_page_token, 3);
  EXPECT_TRUE(third.next_page_token.empty());
  std::vector<std::string> seen;
  for (const auto* p : {&first, &second, &third}) {
    for (const auto& s : p->items) seen.push_back(s.application_id);
  }
  EXPECT_EQ(seen, ids);
  // `since` is inclusive; a later time lists nothing.
  EXPECT_EQ(list("", 10, format_utc(clock_.now_ms())).items.size(), 1u);
  EXPECT_TRUE(list("", 10, format_utc(clock_.now_ms() + 1)).items.empty());
}

TEST_F(ApfAgainstSimulator, DuplicatesAcrossPagesWhenAskedTo) {
  submit(4);
  call(control_, "/_sim/afs/options", R"({"duplicateAcrossPages":true})");
  ApplicationPage first = list("", 2);
  ApplicationPage second = list(first.next_page_token, 2);
  EXPECT_EQ(second.items.front().application_id, first.items.back().application_id);
}

TEST_F(ApfAgainstSimulator, GetCarriesTheSealedFormAndTakeOverIsIdempotentPerReference) {
  auto [id] = std::array<std::string, 1>{submit(1)[0]};
  auto got = parse_get_response(soap(get_request(creds_, id)));
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_EQ(got->form_data, "<a n='1'/>");
  EXPECT_EQ(got->owner_id, "o");
  EXPECT_EQ(integrity_problem(*got), "");
  EXPECT_FALSE(fault_of(soap(take_over_request(creds_, id, "bp-1"))).has_value());
  EXPECT_FALSE(fault_of(soap(take_over_request(creds_, id, "bp-1"))).has_value());
  auto other = fault_of(soap(take_over_request(creds_, id, "bp-2")));
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->code, "ALREADY_TAKEN");
  auto missing = fault_of(soap(get_request(creds_, "nope")));
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->code, "NOT_FOUND");
  auto wrong = fault_of(soap(get_request({"portier", "falsch"}, id)));
  ASSERT_TRUE(wrong.has_value());
  EXPECT_EQ(wrong->code, "NOT_AUTHORISED");
  const json::value inspected = sim_.inspect();
  const auto& state = inspected.at("applications").as_array().at(0).as_object();
  EXPECT_EQ(state.at("takeOvers").as_int64(), 1);
  EXPECT_EQ(state.at("accessLog").as_array().size(), 3u);  // GET, TAKE_OVER twice
}

}  // namespace
}  // namespace portier::afs
