// load(): the checked-in files load; every problem is reported with its file:line; meaning
// checks (secrets, files, uniqueness); paths relative to the file; defaults.
#include "core/config/config.h"

#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/core/config/config_test_support.h"

namespace portier::config {
namespace {

namespace fs = std::filesystem;
using testing::all_problems;
using testing::describe;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempFolder;

constexpr char kPortalSecret[] = "portal-s3cr3t-value";

// The 1-based line of the first line of `text` that contains `needle`, 0 if none.
int line_containing(const std::string& text, const std::string& needle) {
  size_t at = text.find(needle);
  if (at == std::string::npos) return 0;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
}

// Head and tail of a file whose listener, journal and portal are fine.
constexpr char kHead[] =
    "<?xml version=\"1.0\"?>\n"
    "<portier xmlns=\"urn:portier:config:1\">\n";
constexpr char kRequired[] =
    "  <listener name=\"main\"/>\n"
    "  <journal><sqlite path=\"journal.db\"/></journal>\n"
    "  <portal baseUrl=\"http://127.0.0.1:9000/api/v9\" tokenUrl=\"http://127.0.0.1:9000/t\"\n"
    "          clientId=\"portier\" clientSecret=\"env:PORTIER_PORTAL_SECRET\"/>\n";
constexpr char kTail[] = "</portier>\n";

class ConfigLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("PORTIER_PORTAL_SECRET", kPortalSecret, 1);
    ::setenv("PORTIER_APF_SECRET", "apf-s3cr3t", 1);
  }

  LoadResult load_text(const std::string& text, const std::string& name = "portier.xml") {
    return load(folder_.write(name, text).string());
  }

  // Loads a file that must have exactly one problem, and returns it.
  Problem only_problem(const std::string& text) {
    LoadResult result = load_text(text);
    EXPECT_EQ(result.config, nullptr);
    EXPECT_EQ(result.problems.size(), 1u) << all_problems(result);
    return result.problems.empty() ? Problem{} : result.problems.front();
  }

  TempFolder folder_;
};

// --- the checked-in files -----------------------------------------------------------------

TEST_F(ConfigLoad, ExampleFileLoadsWithItsTlsFiles) {
  const fs::path example = testing::source_dir() / "config" / "portier.example.xml";
  folder_.write("tls/server.pem", "certificate");
  folder_.write("tls/server.key", "key");
  folder_.write("tls/clients-ca.pem", "ca");
  folder_.write("keys/portal-jwt.pem", "public key");
  folder_.write("keys/console-oidc.pem", "public key");
  ::setenv("PORTIER_PORTAL_HMAC_SECRET", "hmac-secret", 1);
  LoadResult result = load_text(testing::read_file(example));
  ASSERT_NE(result.config, nullptr) << all_problems(result);
  EXPECT_TRUE(result.problems.empty());
  ASSERT_TRUE(result.config->portal_api.enabled);
  EXPECT_EQ(result.config->portal_api.hmac_keys.at(0).secret, "hmac-secret");
  EXPECT_EQ(result.config->portal_api.token_issuers.at(0).public_key_file,
            (folder_.path() / "keys/portal-jwt.pem").string());

  const Config& c = *result.config;
  ASSERT_EQ(c.listeners.size(), 3u);
  ASSERT_TRUE(c.console.enabled);
  EXPECT_EQ(c.console.listener, "operators");
  ASSERT_EQ(c.console.users.size(), 2u);
  EXPECT_EQ(c.console.users[1].departments, std::vector<std::string>{"steueramt"});
  ASSERT_TRUE(c.console.oidc.has_value());
  EXPECT_EQ(c.console.oidc->client_id, "portier-console");
  const Listener& public_listener = c.listeners[0];
  EXPECT_EQ(public_listener.name, "public");
  ASSERT_TRUE(public_listener.tls.has_value());
  EXPECT_TRUE(public_listener.tls->require_client_certificate);
  EXPECT_EQ(public_listener.tls->client_ca_file, (folder_.path() / "tls/clients-ca.pem").string());
  EXPECT_FALSE(c.listeners[1].tls.has_value());
  EXPECT_EQ(c.portal.client_secret, kPortalSecret);
  EXPECT_TRUE(c.destinations.contains("portal"));
  ASSERT_TRUE(c.destinations.contains("rc_adapter"));
  EXPECT_EQ(c.destinations.at("rc_adapter").concurrency, 2u);
  EXPECT_EQ(c.apf.url, "https://apf.example.ch/ws/apf/v1");
  EXPECT_EQ(c.apf.password, "apf-s3cr3t");
  ASSERT_EQ(c.apf.mailboxes.size(), 2u);
  EXPECT_EQ(c.apf.mailboxes[1].poll, std::chrono::milliseconds(30'000));
  EXPECT_EQ(c.apf.mailboxes[1].page_size, 100u);
}

TEST_F(ConfigLoad, AMailboxConfiguredTwiceIsNamedWithItsLine) {
  const std::string text =
      "<portier xmlns=\"urn:portier:config:1\">\n"
      "  <listener name=\"main\" port=\"8080\"/>\n"
      "  <journal><sqlite path=\"j.db\"/></journal>\n"
      "  <portal baseUrl=\"http://127.0.0.1:9000/api/v9\" tokenUrl=\"http://127.0.0.1:9000/t\"\n"
      "          clientId=\"portier\" clientSecret=\"env:PORTIER_PORTAL_SECRET\"/>\n"
      "  <antragspostfach url=\"http://127.0.0.1:1/apf\" user=\"u\" password=\"env:PORTIER_APF_SECRET\">\n"
      "    <mailbox name=\"a\"/>\n"
      "    <mailbox name=\"a\"/>\n"
      "  </antragspostfach>\n"
      "</portier>\n";
  LoadResult result = load_text(text);
  ASSERT_EQ(result.config, nullptr);
  ASSERT_EQ(result.problems.size(), 1u) << all_problems(result);
  EXPECT_EQ(result.problems[0].line, 8);
  EXPECT_NE(result.problems[0].message.find("configured twice"), std::string::npos);
}

// A second <bearerToken> for one issuer was accepted, but only its first key was ever tried:
// a key rollover silently refused every token signed with the new key.
TEST_F(ConfigLoad, ABearerTokenIssuerConfiguredTwiceIsNamedWithItsLine) {
  folder_.write("keys/old.pem", "public key");
  folder_.write("keys/new.pem", "public key");
  const std::string head = std::string(kHead) + kRequired;
  const std::string twice =
      head +
      "  <portalApi>\n"
      "    <bearerToken issuer=\"https://portal\" audience=\"portier\" publicKey=\"keys/old.pem\"/>\n"
      "    <bearerToken issuer=\"https://portal\" audience=\"portier\" publicKey=\"keys/new.pem\"/>\n"
      "  </portalApi>\n" + kTail;
  Problem p = only_problem(twice);
  EXPECT_EQ(p.line, line_containing(twice, "keys/new.pem"));
  EXPECT_THAT(p.message, HasSubstr("configured twice"));
  EXPECT_THAT(p.message, HasSubstr("nextPublicKey"));

  const std::string rollover =
      head +
      "  <portalApi>\n"
      "    <bearerToken issuer=\"https://portal\" audience=\"portier\" publicKey=\"keys/old.pem\"\n"
      "                 nextPublicKey=\"keys/new.pem\"/>\n"
      "  </portalApi>\n" + kTail;
  LoadResult result = load_text(rollover);
  ASSERT_NE(result.config, nullptr) << all_problems(result);
  ASSERT_EQ(result.config->portal_api.token_issuers.size(), 1u);
  EXPECT_THAT(result.config->portal_api.token_issuers[0].next_public_key_file,
              HasSubstr("keys/new.pem"));
}

TEST_F(ConfigLoad, ExampleFileWithoutItsTlsFilesNamesEachOne) {
  const std::string text =
      testing::read_file(testing::source_dir() / "config" / "portier.example.xml");
  ::setenv("PORTIER_PORTAL_HMAC_SECRET", "hmac-secret", 1);
  LoadResult result = load_text(text);
  EXPECT_EQ(result.config, nullptr);
  // The public and the operators' listener name the same three files.
  ASSERT_EQ(result.problems.size(), 8u) << all_problems(result);
  EXPECT_EQ(result.problems[0].line, line_containing(text, "certificate=\"tls/server.pem\""));
  EXPECT_THAT(result.problems[0].message, HasSubstr("tls/server.pem"));
  EXPECT_EQ(result.problems[1].line, line_containing(text, "privateKey=\"tls/server.key\""));
  EXPECT_EQ(result.problems[2].line, line_containing(text, "clientCa=\"tls/clients-ca.pem\""));
  EXPECT_THAT(result.problems[3].message, HasSubstr("tls/server.pem"));
  EXPECT_EQ(result.problems[6].line, line_containing(text, "publicKey=\"keys/portal-jwt.pem\""));
  EXPECT_EQ(result.problems[7].line, line_containing(text, "publicKey=\"keys/console-oidc.pem\""));
}

TEST_F(ConfigLoad, SandboxFileLoadsFromTheRepository) {
  // The sandbox's TLS listener names its throw-away PKI, made once in the sandbox's var/.
  const fs::path root = testing::source_dir();
  const std::string make_pki = (root / "deploy/sandbox/make-pki.sh").string() + " " +
                               (root / "var/sandbox/pki").string();
  ASSERT_EQ(std::system(make_pki.c_str()), 0);
  ::setenv("PORTIER_INCAMAIL_SECRET", "incamail-sandbox", 1);
  ::setenv("PORTIER_RECEIPTS_SECRET", "receipts-sandbox", 1);
  const fs::path sandbox = root / "config" / "sandbox.xml";
  LoadResult result = load(sandbox.string());
  ASSERT_NE(result.config, nullptr) << all_problems(result);
  const Config& c = *result.config;
  ASSERT_EQ(c.listeners.size(), 3u);
  EXPECT_EQ(c.listeners[2].name, "console");
  EXPECT_FALSE(c.listeners[2].tls->require_client_certificate);
  ASSERT_TRUE(c.console.enabled);
  EXPECT_EQ(c.console.users.size(), 3u);
  EXPECT_EQ(c.listeners[0].address, "127.0.0.1");
  EXPECT_EQ(c.listeners[0].port, 8080);
  EXPECT_FALSE(c.listeners[0].tls.has_value());
  EXPECT_EQ(c.listeners[1].port, 8443);
  ASSERT_TRUE(c.listeners[1].tls.has_value());
  EXPECT_TRUE(c.listeners[1].tls->require_client_certificate);
  EXPECT_EQ(c.journal.sqlite_path,
            (testing::source_dir() / "var/sandbox/journal.db").lexically_normal().string());
  EXPECT_EQ(c.portal.base_url, "http://127.0.0.1:9000/api/v9");
  EXPECT_EQ(c.portal.token_url, "http://127.0.0.1:9000/oauth2/token");
  EXPECT_EQ(c.portal.client_id, "portier-sandbox");
  EXPECT_EQ(c.portal.client_secret, kPortalSecret);
  const Destination& portal = c.destinations.at("portal");
  EXPECT_EQ(portal.retry.initial_delay, Millis(200));
  EXPECT_EQ(portal.retry.max_delay, Millis(5000));
}

// --- every problem, with its line -----------------------------------------------------------

TEST_F(ConfigLoad, ReportsEveryProblemWithItsLine) {
  // An unknown element first: libxml2 stops validating the siblings after it, the loader
  // still finds the bad number and the inline secret further down.
  const std::string text =
      "<?xml version=\"1.0\"?>\n"                                         // 1
      "<portier xmlns=\"urn:portier:config:1\">\n"                        // 2
      "  <listener name=\"main\"/>\n"                                     // 3
      "  <cache size=\"10\"/>\n"                                          // 4
      "  <limits maxBodyBytes=\"lots\"/>\n"                               // 5
      "  <journal><sqlite path=\"journal.db\"/></journal>\n"              // 6
      "  <portal baseUrl=\"http://p/api\" tokenUrl=\"http://p/token\"\n"  // 7
      "          clientId=\"portier\"\n"                                  // 8
      "          clientSecret=\"hunter2-inline\"/>\n"                     // 9
      "</portier>\n";                                                     // 10
  LoadResult result = load_text(text);
  EXPECT_EQ(result.config, nullptr);
  ASSERT_EQ(result.problems.size(), 3u) << all_problems(result);

  const std::string file = (folder_.path() / "portier.xml").string();
  EXPECT_EQ(result.problems[0].line, 4);
  EXPECT_THAT(result.problems[0].message, HasSubstr("cache"));
  EXPECT_EQ(result.problems[1].line, 5);
  EXPECT_THAT(result.problems[1].message, HasSubstr("maxBodyBytes"));
  EXPECT_EQ(result.problems[2].line, 9);
  EXPECT_THAT(result.problems[2].message, HasSubstr("env:"));
  EXPECT_THAT(result.problems[2].message, HasSubstr("file:"));
  EXPECT_EQ(result.problems[0].to_string().rfind(file + ":4: ", 0), 0u)
      << result.problems[0].to_string();
  EXPECT_THAT(all_problems(result), Not(HasSubstr("hunter2")));
}

TEST_F(ConfigLoad, SchemaAndLoaderDoNotReportTheSameAttributeTwice) {
  const std::string text = std::string(kHead) +
                           "  <listener name=\"main\" port=\"80x80\"/>\n"
                           "  <journal><sqlite path=\"journal.db\"/></journal>\n"
                           "  <portal baseUrl=\"http://p/api\" tokenUrl=\"http://p/token\"\n"
                           "          clientId=\"portier\" clientSecret=\"inline\"/>\n" +
                           kTail;
  LoadResult result = load_text(text);
  ASSERT_EQ(result.problems.size(), 2u) << all_problems(result);
  EXPECT_EQ(result.problems[0].line, 3);
  EXPECT_THAT(result.problems[0].message, HasSubstr("port"));
  EXPECT_EQ(result.problems[1].line, 6);
  EXPECT_THAT(result.problems[1].message, HasSubstr("clientSecret"));
}

TEST_F(ConfigLoad, PointsAtTheLineOfTheAttributeInALongElement) {
  const std::string text = std::string(kHead) +
                           "  <listener name=\"main\"/>\n"
                           "  <limits maxBodyBytes=\"1024\"\n"
                           "          maxInFlight=\"0\"\n"
                           "          idleTimeoutMs=\"60000\"/>\n"
                           "  <journal><sqlite path=\"journal.db\"/></journal>\n"
                           "  <portal baseUrl=\"http://p\" tokenUrl=\"http://p/t\" clientId=\"c\""
                           " clientSecret=\"env:PORTIER_PORTAL_SECRET\"/>\n" +
                           kTail;
  Problem p = only_problem(text);
  EXPECT_EQ(p.line, 5);
  EXPECT_THAT(p.message, HasSubstr("maxInFlight"));
}

TEST_F(ConfigLoad, ElementsOutOfOrderAreReported) {
  const std::string text =
      std::string(kHead) + kRequired + "  <limits maxInFlight=\"0\"/>\n" + kTail;
  LoadResult result = load_text(text);
  ASSERT_EQ(result.problems.size(), 2u) << all_problems(result);
  EXPECT_THAT(result.problems[0].message, HasSubstr("not expected"));
  EXPECT_THAT(result.problems[1].message, HasSubstr("maxInFlight"));
}

TEST_F(ConfigLoad, UnknownAttributeIsNamed) {
  const std::string text = std::string(kHead) + "  <listener name=\"main\" colour=\"red\"/>\n" +
                           "  <journal><sqlite path=\"journal.db\"/></journal>\n" +
                           "  <portal baseUrl=\"http://p\" tokenUrl=\"http://p/t\" clientId=\"c\"" +
                           " clientSecret=\"env:PORTIER_PORTAL_SECRET\"/>\n" + kTail;
  Problem p = only_problem(text);
  EXPECT_EQ(p.line, 3);
  EXPECT_THAT(p.message, HasSubstr("colour"));
}

TEST_F(ConfigLoad, MissingRequiredPartIsReported) {
  const std::string text = std::string(kHead) + "  <listener name=\"main\"/>\n" + kTail;
  Problem p = only_problem(text);
  EXPECT_THAT(p.message, HasSubstr("journal"));
}

TEST_F(ConfigLoad, MalformedXmlReportsItsLine) {
  const std::string text = std::string(kHead) + kRequired + "  <drain timeoutMs=\"1\">\n" + kTail;
  LoadResult result = load_text(text);
  EXPECT_EQ(result.config, nullptr);
  ASSERT_FALSE(result.problems.empty());
  EXPECT_EQ(result.problems[0].line, line_containing(text, "</portier>")) << all_problems(result);
}

TEST_F(ConfigLoad, NothingIsPrintedOnStderr) {
  const std::string text = std::string(kHead) + "<bogus/><x></y>" + kTail;
  ::testing::internal::CaptureStderr();
  LoadResult broken = load_text(text);
  LoadResult invalid = load_text(std::string(kHead) + "<bogus/>" + kTail, "invalid.xml");
  const std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_FALSE(broken.problems.empty());
  EXPECT_FALSE(invalid.problems.empty());
  EXPECT_EQ(printed, "");
}

TEST_F(ConfigLoad, UnreadableFileIsAProblemWithoutLine) {
  LoadResult result = load((folder_.path() / "absent.xml").string());
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].line, 0);
  EXPECT_EQ(result.problems[0].to_string().find(":0:"), std::string::npos);
}

// --- hostile XML ----------------------------------------------------------------------------

TEST_F(ConfigLoad, DoctypeIsRefused) {
  const std::string text =
      "<?xml version=\"1.0\"?>\n"
      "<!DOCTYPE portier [\n"
      "  <!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
      "  <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
      "]>\n"
      "<portier xmlns=\"urn:portier:config:1\">\n" +
      std::string(kRequired) + "  <log level=\"&b;\"/>\n" + kTail;
  Problem p = only_problem(text);
  EXPECT_EQ(p.line, 2);
  EXPECT_THAT(p.message, HasSubstr("DOCTYPE"));
}

TEST_F(ConfigLoad, ExternalDoctypeIsRefused) {
  Problem p = only_problem(
      "<?xml version=\"1.0\"?>\n<!DOCTYPE portier SYSTEM \"http://127.0.0.1:1/x.dtd\">\n" +
      std::string("<portier xmlns=\"urn:portier:config:1\">\n") + kRequired + kTail);
  EXPECT_THAT(p.message, HasSubstr("DOCTYPE"));
}

// --- meaning --------------------------------------------------------------------------------

TEST_F(ConfigLoad, MissingTlsFileIsAProblemOnItsLine) {
  folder_.write("tls/server.key", "key");
  const std::string text =
      std::string(kHead) +
      "  <listener name=\"main\" port=\"8443\">\n"
      "    <tls certificate=\"tls/missing.pem\" privateKey=\"tls/server.key\"/>\n"
      "  </listener>\n"
      "  <journal><sqlite path=\"journal.db\"/></journal>\n"
      "  <portal baseUrl=\"http://p\" tokenUrl=\"http://p/t\" clientId=\"c\""
      " clientSecret=\"env:PORTIER_PORTAL_SECRET\"/>\n" +
      kTail;
  Problem p = only_problem(text);
  EXPECT_EQ(p.line, 4);
  EXPECT_THAT(p.message, HasSubstr("certificate"));
  EXPECT_THAT(p.message, HasSubstr((folder_.path() / "tls/missing.pem").string()));
}

TEST_F(ConfigLoad, RequiredClientCertificateNeedsClientCa) {
  folder_.write("server.pem", "c");
  folder_.write("server.key", "k");
  const std::string text = std::string(kHead) +
                           "  <listener name=\"main\">\n"
                           "    <tls certificate=\"server.pem\" privateKey=\"server.key\" "
                           "requireClientCertificate=\"true\"/>\n"
                           "  </listener>\n"
                           "  <journal><sqlite path=\"journal.db\"/></journal>\n"
                           "  <portal baseUrl=\"http://p\" tokenUrl=\"http://p/t\" clientId=\"c\""
                           " clientSecret=\"env:PORTIER_PORTAL_SECRET\"/>\n" +
                           kTail;
  Problem p = only_problem(text);
  EXPECT_EQ(p.line, 4);
  EXPECT_THAT(p.message, HasSubstr("clientCa"));
}

TEST_F(ConfigLoad, DuplicateListenerNameAndPort) {
  const std::string text = std::string(kHead) +
                           "  <listener name=\"main\" port=\"8080\"/>\n"
                           "  <listener name=\"main\" port=\"8081\"/>\n"
                           "  <listener name=\"other\" port=\"8080\"/>\n"
                           "  <listener name=\"any1\" port=\"0\"/>\n"
                           "  <listener name=\"any2\" port=\"0\"/>\n"
                           "  <journal><sqlite path=\"journal.db\"/></journal>\n"
                           "  <portal baseUrl=\"http://p\" tokenUrl=\"http://p/t\" clientId=\"c\""
                           " clientSecret=\"env:PORTIER_PORTAL_SECRET\"/>\n" +
                           kTail;
  LoadResult result = load_text(text);
  ASSERT_EQ(result.problems.size(), 2u) << all_problems(result);
  EXPECT_EQ(result.problems[0].line, 4);
  EXPECT_THAT(result.problems[0].message, HasSubstr("name=\"main\""));
  EXPECT_EQ(result.problems[1].line, 5);
  EXPECT_THAT(result.problems[1].message, HasSubstr("port=\"8080\""));
  EXPECT_THAT(result.problems[1].message, HasSubstr("line 3"));
}

TEST_F(ConfigLoad, DuplicateDestinationName) {
  const std::string text = std::string(kHead) + kRequired +
                           "  <destination name=\"portal\"/>\n"
                           "  <destination name=\"portal\" concurrency=\"2\"/>\n" +
                           kTail;
  Problem p = only_problem(text);
  EXPECT_EQ(p.line, line_containing(text, "concurrency=\"2\""));
  EXPECT_THAT(p.message, HasSubstr("destination"));
}

TEST_F(ConfigLoad, UrlsMustBeHttpOrHttps) {
  const std::string text = std::string(kHead) + "  <listener name=\"main\"/>\n" +
                           "  <journal><sqlite path=\"journal.db\"/></journal>\n" +
                           "  <portal baseUrl=\"ftp://p/api\" tokenUrl=\"http://p/t\""
                           " clientId=\"c\" clientSecret=\"env:PORTIER_PORTAL_SECRET\"/>\n" +
                           kTail;
  Problem p = only_problem(text);
  EXPECT_EQ(p.line, 5);
  EXPECT_THAT(p.message, HasSubstr("baseUrl"));
  EXPECT_THAT(p.message, HasSubstr("http://"));
}

TEST_F(ConfigLoad, ListenerAddressMustBeAnIpAddress) {
  const std::string text = std::string(kHead) +
                           "  <listener name=\"main\" address=\"localhost\"/>\n"
                           "  <journal><sqlite path=\"journal.db\"/></journal>\n"
                           "  <portal baseUrl=\"http://p\" tokenUrl=\"http://p/t\" clientId=\"c\""
                           " clientSecret=\"env:PORTIER_PORTAL_SECRET\"/>\n" +
                           kTail;
  EXPECT_THAT(only_problem(text).message, HasSubstr("address"));
}

TEST_F(ConfigLoad, MaxDelayBelowInitialDelayIsRefused) {
  const std::string text = std::string(kHead) + kRequired +
                           "  <destination name=\"portal\">\n"
                           "    <retry initialDelayMs=\"5000\" maxDelayMs=\"1000\"/>\n"
                           "  </destination>\n" +
                           kTail;
  Problem p = only_problem(text);
  EXPECT_EQ(p.line, line_containing(text, "<retry"));
  EXPECT_THAT(p.message, HasSubstr("maxDelayMs"));
}

// --- secrets --------------------------------------------------------------------------------

TEST_F(ConfigLoad, EnvSecretResolves) {
  LoadResult result = load_text(std::string(kHead) + kRequired + kTail);
  ASSERT_NE(result.config, nullptr) << all_problems(result);
  EXPECT_EQ(result.config->portal.client_secret, kPortalSecret);
}

TEST_F(ConfigLoad, FileSecretResolvesAgainstTheConfigFolder) {
  folder_.write("secrets/portal.txt", "from-a-file\n");
  const std::string text = std::string(kHead) + "  <listener name=\"main\"/>\n" +
                           "  <journal><sqlite path=\"journal.db\"/></journal>\n" +
                           "  <portal baseUrl=\"http://p\" tokenUrl=\"http://p/t\" clientId=\"c\""
                           " clientSecret=\"file:secrets/portal.txt\"/>\n" +
                           kTail;
  // The working folder is elsewhere (the build folder), so only the config's folder works.
  ASSERT_NE(fs::current_path(), folder_.path());
  LoadResult result = load_text(text);
  ASSERT_NE(result.config, nullptr) << all_problems(result);
  EXPECT_EQ(result.config->portal.client_secret, "from-a-file");
}

TEST_F(ConfigLoad, MissingEnvVarNamesTheVariableButNoValue) {
  ::unsetenv("PORTIER_TEST_UNSET_SECRET");
  ::setenv("PORTIER_TEST_OTHER", "other-s3cr3t", 1);
  const std::string text = std::string(kHead) + "  <listener name=\"main\"/>\n" +
                           "  <journal><sqlite path=\"journal.db\"/></journal>\n" +
                           "  <portal baseUrl=\"http://p\" tokenUrl=\"http://p/t\" clientId=\"c\""
                           " clientSecret=\"env:PORTIER_TEST_UNSET_SECRET\"/>\n" +
                           kTail;
  Problem p = only_problem(text);
  EXPECT_EQ(p.line, 5);
  EXPECT_THAT(p.message, HasSubstr("PORTIER_TEST_UNSET_SECRET"));
  EXPECT_THAT(p.message, HasSubstr("not set"));
  EXPECT_THAT(p.message, Not(HasSubstr(kPortalSecret)));
  EXPECT_THAT(p.message, Not(HasSubstr("other-s3cr3t")));
}

TEST_F(ConfigLoad, NoProblemShowsAResolvedSecret) {
  // The secret resolves, something else is wrong: the value appears nowhere.
  const std::string text = std::string(kHead) + kRequired + "  <workers io=\"0\"/>\n" + kTail;
  LoadResult result = load_text(text);
  ASSERT_FALSE(result.problems.empty());
  EXPECT_THAT(all_problems(result), Not(HasSubstr(kPortalSecret)));
}

// --- paths and defaults -----------------------------------------------------------------------

TEST_F(ConfigLoad, RelativePathsResolveAgainstTheConfigFolder) {
  folder_.write("etc/tls/server.pem", "c");
  folder_.write("etc/tls/server.key", "k");
  folder_.write("etc/tls/ca.pem", "ca");
  folder_.write("etc/portal-ca.pem", "ca");
  const std::string text =
      std::string(kHead) +
      "  <listener name=\"main\">\n"
      "    <tls certificate=\"tls/server.pem\" privateKey=\"./tls/server.key\""
      " clientCa=\"tls/../tls/ca.pem\" requireClientCertificate=\"true\"/>\n"
      "  </listener>\n"
      "  <journal><sqlite path=\"../var/journal.db\"/></journal>\n"
      "  <portal baseUrl=\"https://p/api/\" tokenUrl=\"https://p/t\" clientId=\"c\""
      " clientSecret=\"env:PORTIER_PORTAL_SECRET\" caFile=\"portal-ca.pem\"/>\n" +
      kTail;
  LoadResult result = load_text(text, "etc/portier.xml");
  ASSERT_NE(result.config, nullptr) << all_problems(result);
  const Config& c = *result.config;
  const fs::path etc = folder_.path() / "etc";
  EXPECT_EQ(c.source_file, (etc / "portier.xml").string());
  EXPECT_EQ(c.journal.sqlite_path, (folder_.path() / "var/journal.db").string());
  EXPECT_EQ(c.listeners[0].tls->certificate_file, (etc / "tls/server.pem").string());
  EXPECT_EQ(c.listeners[0].tls->private_key_file, (etc / "tls/server.key").string());
  EXPECT_EQ(c.listeners[0].tls->client_ca_file, (etc / "tls/ca.pem").string());
  EXPECT_EQ(c.portal.tls.ca_file, (etc / "portal-ca.pem").string());
  EXPECT_EQ(c.portal.base_url, "https://p/api");  // trailing / dropped
}

TEST_F(ConfigLoad, DefaultsApplyWhenOptionalPartsAreMissing) {
  const std::string text = std::string(kHead) + kRequired + kTail;
  LoadResult result = load_text(text);
  ASSERT_NE(result.config, nullptr) << all_problems(result);

  Config expected;
  Listener listener;
  listener.name = "main";
  expected.listeners.push_back(listener);
  expected.journal.sqlite_path = (folder_.path() / "journal.db").string();
  expected.portal.base_url = "http://127.0.0.1:9000/api/v9";
  expected.portal.token_url = "http://127.0.0.1:9000/t";
  expected.portal.client_id = "portier";
  expected.portal.client_secret = kPortalSecret;
  Destination portal;
  portal.name = "portal";
  expected.destinations.emplace("portal", portal);
  Destination rc_adapter;
  rc_adapter.name = "rc_adapter";
  expected.destinations.emplace("rc_adapter", rc_adapter);
  Destination securemail;
  securemail.name = "securemail";
  expected.destinations.emplace("securemail", securemail);
  for (const char* name : {"department", "afs"}) {
    Destination d;
    d.name = name;
    expected.destinations.emplace(name, d);
  }
  EXPECT_EQ(describe(*result.config), describe(expected));
  // And the values of config.h are what the documentation promises.
  EXPECT_EQ(result.config->limits.max_body_bytes, 1048576u);
  EXPECT_EQ(result.config->listeners[0].port, 8080);
  EXPECT_EQ(result.config->drain_timeout, Millis(15000));
}

// --- the schema itself --------------------------------------------------------------------------

struct SchemaFacts {
  std::map<std::string, std::string> attributes_with_defaults;  // per complex type: ` a="d"`
  std::vector<std::string> undocumented;
  std::vector<std::string> optional_without_default;
};

bool is_xs(const xmlNode* node, const char* name) {
  return node->type == XML_ELEMENT_NODE && xmlStrEqual(node->name, BAD_CAST name) &&
         node->ns != nullptr &&
         xmlStrEqual(node->ns->href, BAD_CAST "http://www.w3.org/2001/XMLSchema");
}

std::string attribute(const xmlNode* node, const char* name) {
  xmlChar* value = xmlGetNoNsProp(node, BAD_CAST name);
  std::string result = value != nullptr ? reinterpret_cast<const char*>(value) : "";
  xmlFree(value);
  return result;
}

bool has_documentation(const xmlNode* node) {
  for (const xmlNode* a = node->children; a != nullptr; a = a->next) {
    if (!is_xs(a, "annotation")) continue;
    for (const xmlNode* d = a->children; d != nullptr; d = d->next) {
      if (is_xs(d, "documentation")) return true;
    }
  }
  return false;
}

void collect(const xmlNode* node, const std::string& type, SchemaFacts& facts) {
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    std::string current = type;
    if (is_xs(child, "complexType") && !attribute(child, "name").empty()) {
      current = attribute(child, "name");
    }
    if (is_xs(child, "element") || is_xs(child, "attribute")) {
      const std::string name = attribute(child, "name");
      if (!has_documentation(child)) facts.undocumented.push_back(current + "/" + name);
      if (is_xs(child, "attribute")) {
        const std::string fallback = attribute(child, "default");
        if (xmlHasProp(child, BAD_CAST "default") != nullptr) {
          facts.attributes_with_defaults[current] += " " + name + "=\"" + fallback + "\"";
        } else if (attribute(child, "use") != "required") {
          facts.optional_without_default.push_back(current + "/" + name);
        }
      }
    }
    collect(child, current, facts);
  }
}

SchemaFacts read_schema() {
  const std::string text = testing::read_file(testing::source_dir() / "config" / "portier.xsd");
  xmlDoc* doc = xmlReadMemory(text.data(), static_cast<int>(text.size()), "portier.xsd", nullptr,
                              XML_PARSE_NONET | XML_PARSE_NOBLANKS);
  SchemaFacts facts;
  if (doc == nullptr) {
    ADD_FAILURE() << "config/portier.xsd is not well-formed";
    return facts;
  }
  collect(xmlDocGetRootElement(doc), "", facts);
  xmlFreeDoc(doc);
  return facts;
}

TEST(ConfigSchema, DocumentsEveryElementAndAttribute) {
  SchemaFacts facts = read_schema();
  EXPECT_THAT(facts.undocumented, ::testing::IsEmpty());
  EXPECT_THAT(facts.optional_without_default, ::testing::IsEmpty());
}

// The defaults written in the XSD (the reference docs) are the ones the loader applies.
TEST_F(ConfigLoad, SchemaDefaultsAreTheLoaderDefaults) {
  SchemaFacts facts = read_schema();
  auto& d = facts.attributes_with_defaults;
  for (const char* type : {"Log", "Listener", "Tls", "Limits", "SqliteJournal", "Workers", "Portal",
                           "Destination", "Retry", "CircuitBreaker", "Drain"}) {
    EXPECT_TRUE(d.contains(type)) << type << " has no attribute with a default";
  }
  folder_.write("c.pem", "c");
  folder_.write("k.pem", "k");
  const std::string required_portal =
      " baseUrl=\"http://p\" tokenUrl=\"http://p/t\" clientId=\"c\""
      " clientSecret=\"env:PORTIER_PORTAL_SECRET\"";
  const std::string implicit =
      std::string(kHead) +
      "  <listener name=\"main\"><tls certificate=\"c.pem\" privateKey=\"k.pem\"/></listener>\n"
      "  <journal><sqlite path=\"j.db\"/></journal>\n"
      "  <portal" +
      required_portal + "/>\n" + kTail;
  const std::string explicit_defaults =
      std::string(kHead) + "  <log" + d["Log"] + "/>\n" + "  <listener name=\"main\"" +
      d["Listener"] + "><tls certificate=\"c.pem\" privateKey=\"k.pem\"" + d["Tls"] +
      "/></listener>\n" + "  <limits" + d["Limits"] + "/>\n" + "  <journal><sqlite path=\"j.db\"" +
      d["SqliteJournal"] + "/></journal>\n" + "  <workers" + d["Workers"] + "/>\n" + "  <portal" +
      required_portal + d["Portal"] + "/>\n" + "  <destination name=\"portal\"" + d["Destination"] +
      ">\n" + "    <retry" + d["Retry"] + "/>\n" + "    <circuitBreaker" + d["CircuitBreaker"] +
      "/>\n" + "  </destination>\n" + "  <drain" + d["Drain"] + "/>\n" + kTail;

  LoadResult a = load_text(implicit, "implicit.xml");
  LoadResult b = load_text(explicit_defaults, "explicit.xml");
  ASSERT_NE(a.config, nullptr) << all_problems(a);
  ASSERT_NE(b.config, nullptr) << all_problems(b) << explicit_defaults;
  EXPECT_EQ(describe(*a.config), describe(*b.config)) << explicit_defaults;
}

}  // namespace
}  // namespace portier::config

namespace portier::config {
namespace {

std::string registered_mail(const std::string& platforms) {
  return "  <registeredMail messageIdDomain=\"portier.example\" warnBeforeHours=\"12\"\n"
         "                  holidays=\"2026-12-25 2027-01-01\">\n" +
         platforms + "  </registeredMail>\n";
}

std::string platform(const char* name, const char* smtp = "smtp://127.0.0.1:2525") {
  return std::string("    <platform name=\"") + name + "\" smtpUrl=\"" + smtp +
         "\" sender=\"portier@kanton.example\"\n"
         "              user=\"portier\" password=\"env:PORTIER_PORTAL_SECRET\"\n"
         "              imapUrl=\"imap://127.0.0.1:1143/\" imapUser=\"portier\"\n"
         "              imapPassword=\"env:PORTIER_PORTAL_SECRET\" receiptCaFile=\"seal-ca.pem\"/>\n";
}

TEST_F(ConfigLoad, RegisteredMailReadsItsRulesAndPlatforms) {
  folder_.write("seal-ca.pem", "not checked here");
  LoadResult result =
      load_text(std::string(kHead) + kRequired +
                registered_mail(platform("incamail") + platform("privasphere")) + kTail);
  ASSERT_NE(result.config, nullptr) << all_problems(result);
  const RegisteredMail& m = result.config->registered_mail;
  EXPECT_EQ(m.message_id_domain, "portier.example");
  EXPECT_EQ(m.acceptance_days, 7u);
  EXPECT_EQ(m.warn_before_hours, 12u);
  EXPECT_EQ(m.holidays, (std::vector<std::string>{"2026-12-25", "2027-01-01"}));
  ASSERT_EQ(m.platforms.size(), 2u);
  ASSERT_NE(m.platform("privasphere"), nullptr);
  EXPECT_EQ(m.platform("incamail")->imap_url, "imap://127.0.0.1:1143");
  EXPECT_EQ(m.platform("incamail")->password, kPortalSecret);
  EXPECT_EQ(m.platform("incamail")->receipt_ca_file, (folder_.path() / "seal-ca.pem").string());
  EXPECT_TRUE(result.config->destinations.contains("securemail"));
}

TEST_F(ConfigLoad, RegisteredMailProblemsNameTheAttribute) {
  folder_.write("seal-ca.pem", "x");
  Problem scheme = only_problem(std::string(kHead) + kRequired +
                                registered_mail(platform("incamail", "smtps://h:465")) + kTail);
  EXPECT_EQ(scheme.line, 9);
  EXPECT_THAT(scheme.message, HasSubstr("smtpUrl"));
  EXPECT_THAT(scheme.message, HasSubstr("STARTTLS"));
  Problem twice = only_problem(std::string(kHead) + kRequired +
                               registered_mail(platform("incamail") + platform("incamail")) +
                               kTail);
  EXPECT_THAT(twice.message, HasSubstr("configured twice"));
  LoadResult holiday = load_text(
      std::string(kHead) + kRequired +
      "  <registeredMail messageIdDomain=\"d\" holidays=\"2026-13-01\">\n" + platform("incamail") +
      "  </registeredMail>\n" + kTail);
  ASSERT_FALSE(holiday.problems.empty());
  EXPECT_EQ(holiday.problems[0].line, 7);
  EXPECT_THAT(holiday.problems[0].message, HasSubstr("'2026-13-01'"));
  // The earlier rule moved the legal delivery date; such a configuration is refused, not read
  // with other dates.
  Problem shifted = only_problem(
      std::string(kHead) + kRequired +
      "  <registeredMail messageIdDomain=\"d\" shiftWeekends=\"true\">\n" + platform("incamail") +
      "  </registeredMail>\n" + kTail);
  EXPECT_EQ(shifted.line, 7);
  EXPECT_THAT(shifted.message, HasSubstr("shiftWeekends"));
  EXPECT_THAT(shifted.message, HasSubstr("never moves"));
}

TEST_F(ConfigLoad, TheConsoleNeedsATlsListenerAndSayableUsers) {
  // kRequired's listener "main" is plain HTTP: the console's Secure cookie needs TLS.
  Problem plain = only_problem(std::string(kHead) + kRequired +
                               "  <console listener=\"main\">\n"
                               "    <user name=\"a\" certificateSubject=\"CN=a\" roles=\"viewer\"/>\n"
                               "  </console>\n" + kTail);
  EXPECT_EQ(plain.line, 7);
  EXPECT_THAT(plain.message, HasSubstr("needs a listener with <tls>"));
  Problem unknown = only_problem(std::string(kHead) + kRequired +
                                 "  <console listener=\"ops\">\n"
                                 "    <user name=\"a\" certificateSubject=\"CN=a\" roles=\"viewer\"/>\n"
                                 "  </console>\n" + kTail);
  EXPECT_THAT(unknown.message, HasSubstr("no <listener> has that name"));
  LoadResult users = load_text(
      std::string(kHead) + kRequired +
      "  <console listener=\"main\">\n"
      "    <user name=\"a\" roles=\"viewer\"/>\n"
      "    <user name=\"b\" oidcSubject=\"b\" roles=\"viewer admin\"/>\n"
      "    <user name=\"c\" oidcSubject=\"c\" roles=\"reviewer\"/>\n"
      "  </console>\n" + kTail);
  const std::string all = all_problems(users);
  EXPECT_THAT(all, HasSubstr(":8: <user> name=\"a\": needs certificateSubject or oidcSubject"));
  EXPECT_THAT(all, HasSubstr(":9: <user> roles: unknown role \"admin\""));
  EXPECT_THAT(all, HasSubstr(":10: <user> name=\"c\": a reviewer needs the departments"));
}

}  // namespace
}  // namespace portier::config
