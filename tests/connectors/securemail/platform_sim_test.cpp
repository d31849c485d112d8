// Securemail against the platform simulator (tests/sim/platform/platform_sim.py, started with
// /usr/bin/python3) and a real Dovecot, both on free loopback ports: a submission's receipt
// arrives in the mailbox and is listed, fetched, parsed, its seal checked and archived; faults
// the simulator is told to inject are judged right.
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "connectors/securemail/receipt_mailbox.h"
#include "connectors/securemail/receipt_parser.h"
#include "connectors/securemail/receipt_signature.h"
#include "connectors/securemail/smtp_submitter.h"
#include "core/base/clock.h"
#include "tests/connectors/securemail/mail_servers.h"

#ifndef PLATFORM_SIM_SCRIPT
#error "PLATFORM_SIM_SCRIPT must name platform_sim.py"
#endif

namespace portier::securemail {
namespace {

using Kind = SubmitOutcome::Kind;
namespace t = testing;

constexpr const char* kSender = "gemeinde@portier.example.ch";
constexpr const char* kSenderPassword = "sim-secret";

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

// A control call to the simulator; true on a 2xx answer.
bool control(int port, const std::string& path, const std::string& json) {
  CURL* curl = curl_easy_init();
  std::string url = "http://127.0.0.1:" + std::to_string(port) + path;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return rc == CURLE_OK && status >= 200 && status < 300;
}

int json_int(const std::string& json, const std::string& key) {
  size_t at = json.find("\"" + key + "\"");
  if (at == std::string::npos) return 0;
  at = json.find(':', at);
  return at == std::string::npos ? 0 : std::atoi(json.c_str() + at + 1);
}

class PlatformSim : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new t::TempDir();
    ca_ = new t::TestCa(dir_->path());
    ASSERT_TRUE(ca_->make());
    ASSERT_TRUE(t::Pki::make_ca(dir_->path(), "platform"));
    dovecot_ = new t::Dovecot();
    ASSERT_TRUE(dovecot_->start(*dir_, *ca_));
    sim_ = new t::Child();
    std::string ports = *dir_ / "sim-ports.json";
    ASSERT_TRUE(sim_->start(
        {"/usr/bin/python3", PLATFORM_SIM_SCRIPT, "--platform", "incamail", "--dir", *dir_ / "sim",
         "--cert", ca_->dir + "/mailserver.pem", "--key", ca_->dir + "/mailserver.key",
         "--account", std::string(kSender) + ":" + kSenderPassword, "--port-file", ports,
         "--imap-port", std::to_string(dovecot_->port()), "--imap-user", t::Dovecot::kUser,
         "--imap-password", t::Dovecot::kPassword, "--imap-ca", ca_->ca_file(), "--ca-cert",
         *dir_ / "platform.pem", "--ca-key", *dir_ / "platform.key"},
        *dir_ / "sim.log"));
    for (int i = 0; i < 200 && access(ports.c_str(), F_OK) != 0 && sim_->running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::string json = t::read_file(ports);
    smtp_port_ = json_int(json, "smtp");
    http_port_ = json_int(json, "http");
    ASSERT_GT(smtp_port_, 0) << t::read_file(*dir_ / "sim.log");
    ASSERT_GT(http_port_, 0);
  }
  static void TearDownTestSuite() {
    delete sim_;
    delete dovecot_;
    delete ca_;
    delete dir_;
  }

  SmtpAccount account() const {
    SmtpAccount a;
    a.host = "127.0.0.1";
    a.port = smtp_port_;
    a.tls.ca_file = ca_->ca_file();
    a.username = kSender;
    a.password = kSenderPassword;
    a.sender_address = kSender;
    a.message_id_domain = "portier.example.ch";
    a.timeout = std::chrono::seconds(10);
    return a;
  }

  ImapAccount mailbox_account() const { return dovecot_->account(*ca_); }

  Submission submission(const std::string& id) {
    Submission s;
    s.delivery_id = id;
    s.recipient = "anna.muster@example.ch";
    s.title = "Verfügung Nr. 12";
    s.text = "Sie erhalten eine Verfügung.";
    s.pdf_path = *dir_ / (id + ".pdf");
    s.pdf_file_name = "Verfuegung-12.pdf";
    t::write_file(s.pdf_path, t::awkward_pdf(50'000));
    return s;
  }

  ManualClock clock_;
  static t::TempDir* dir_;
  static t::TestCa* ca_;
  static t::Dovecot* dovecot_;
  static t::Child* sim_;
  static int smtp_port_, http_port_;
};

t::TempDir* PlatformSim::dir_ = nullptr;
t::TestCa* PlatformSim::ca_ = nullptr;
t::Dovecot* PlatformSim::dovecot_ = nullptr;
t::Child* PlatformSim::sim_ = nullptr;
int PlatformSim::smtp_port_ = 0;
int PlatformSim::http_port_ = 0;

TEST_F(PlatformSim, SubmissionReceiptArrivesAndIsArchived) {
  SubmitReport sent = SmtpSubmitter(account(), {Platform::kIncaMail}, clock_)
                          .submit(submission("d-sim-1"));
  ASSERT_EQ(sent.outcome.kind, Kind::kAccepted) << sent.outcome.detail;

  ReceiptMailbox mailbox(mailbox_account());
  Result<std::vector<uint32_t>> uids = std::vector<uint32_t>{};
  for (int i = 0; i < 100; ++i) {
    uids = mailbox.list_inbox();
    ASSERT_TRUE(uids.is_ok()) << uids.status().to_string();
    if (!uids->empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(uids->size(), 1u) << t::read_file(*dir_ / "sim.log");

  auto raw = mailbox.fetch(uids->front());
  ASSERT_TRUE(raw.is_ok()) << raw.status().to_string();
  auto receipt = parse_receipt(*raw, Platform::kIncaMail);
  ASSERT_TRUE(receipt.is_ok()) << receipt.status().to_string();
  EXPECT_EQ(receipt->kind, ReceiptKind::kSubmission);
  EXPECT_EQ(receipt->original_message_id, sent.message_id);
  EXPECT_FALSE(receipt->receipt_message_id.empty());
  EXPECT_GT(receipt->event_time_ms, 0);
  SealCheck seal = verify_receipt_seal(receipt->pdf, receipt->signature, *dir_ / "platform.pem");
  EXPECT_TRUE(seal.valid) << seal.reason;
  // Another platform's CA does not vouch for it.
  EXPECT_FALSE(verify_receipt_seal(receipt->pdf, receipt->signature, ca_->ca_file()).valid);

  Status moved = mailbox.move(uids->front(), MailboxFolder::kArchive);
  ASSERT_TRUE(moved.is_ok()) << moved.to_string();
  auto left = mailbox.list_inbox();
  ASSERT_TRUE(left.is_ok());
  EXPECT_TRUE(left->empty());
  EXPECT_EQ(dovecot_->count("Archive"), 1);
}

TEST_F(PlatformSim, InjectedFaultsAreJudged) {
  SmtpSubmitter submitter(account(), {Platform::kIncaMail}, clock_);
  ASSERT_TRUE(control(http_port_, "/_sim/faults", R"({"smtp": 451, "count": 1})"));
  SubmitReport busy = submitter.submit(submission("d-sim-2"));
  EXPECT_EQ(busy.outcome.kind, Kind::kRetry) << busy.outcome.detail;
  EXPECT_EQ(busy.outcome.smtp_code, 451) << busy.outcome.detail;

  ASSERT_TRUE(control(http_port_, "/_sim/faults", R"({"smtp": 554, "count": 1})"));
  SubmitReport refused = submitter.submit(submission("d-sim-3"));
  EXPECT_EQ(refused.outcome.kind, Kind::kPermanent) << refused.outcome.detail;
  EXPECT_EQ(refused.outcome.smtp_code, 554);
  EXPECT_EQ(refused.outcome.detail.rfind("554", 0), 0u) << refused.outcome.detail;

  // The fault was used up: the next one goes through.
  EXPECT_EQ(submitter.submit(submission("d-sim-3")).outcome.kind, Kind::kAccepted);
}

TEST_F(PlatformSim, AWrongPasswordIsRetriedAndFlagged) {
  SmtpAccount wrong = account();
  wrong.password = "wrong";
  wrong.timeout = std::chrono::seconds(5);
  SubmitReport report = SmtpSubmitter(wrong, {}, clock_).submit(submission("d-sim-4"));
  EXPECT_EQ(report.outcome.kind, Kind::kRetry) << report.outcome.detail;
  EXPECT_TRUE(report.outcome.credentials_refused) << report.outcome.detail;
}

}  // namespace
}  // namespace portier::securemail
