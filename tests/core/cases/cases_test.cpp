// The department use cases without any protocol: what each operation stores and answers, that a
// case belongs to the department that opened it, that the same messageId answers the first
// answer, how errors read to a department, and the checks every protocol's request passes.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "core/cases/case_intake.h"
#include "core/cases/errors.h"
#include "core/cases/request_checks.h"
#include "core/cases/vocabulary.h"
#include "core/journal/sqlite/sqlite_journal.h"

namespace portier::cases {
namespace {

TEST(DescribeError, EveryStatusCodeHasOneMeaningForAllProtocols) {
  using enum StatusCode;
  struct Row {
    StatusCode code;
    CaseError::Blame blame;
    const char* word;
    bool retry;
  };
  const Row table[] = {
      {kInvalidArgument, CaseError::Blame::kCaller, "INVALID_ARGUMENT", false},
      {kNotFound, CaseError::Blame::kCaller, "NOT_FOUND", false},
      {kAlreadyExists, CaseError::Blame::kCaller, "ALREADY_EXISTS", false},
      {kPermissionDenied, CaseError::Blame::kCaller, "PERMISSION_DENIED", false},
      {kFailedPrecondition, CaseError::Blame::kCaller, "FAILED_PRECONDITION", false},
      {kUnavailable, CaseError::Blame::kGateway, "UNAVAILABLE", true},
      {kResourceExhausted, CaseError::Blame::kGateway, "UNAVAILABLE", true},
      {kDeadlineExceeded, CaseError::Blame::kGateway, "UNAVAILABLE", true},
      {kDataLoss, CaseError::Blame::kGateway, "INTERNAL", false},
      {kInternal, CaseError::Blame::kGateway, "INTERNAL", false},
  };
  for (const Row& row : table) {
    SCOPED_TRACE(to_string(row.code));
    CaseError e = describe_error(Status(row.code, "element 'x/y' is wrong"));
    EXPECT_EQ(e.blame, row.blame);
    EXPECT_EQ(e.code, row.word);
    EXPECT_EQ(e.retry_after_s.has_value(), row.retry);
    if (row.blame == CaseError::Blame::kCaller) {
      EXPECT_EQ(e.reason, "element 'x/y' is wrong");
    }
    if (row.code == kInternal) {
      EXPECT_EQ(e.reason, "internal error") << "nothing internal leaks";
    }
  }
  EXPECT_EQ(as_refusal_if_replay(Status(kAlreadyExists, "nonce was used")).code(),
            kPermissionDenied);
  EXPECT_EQ(as_refusal_if_replay(Status(kAlreadyExists, "bpid in use")).code(), kAlreadyExists);
}

TEST(DescribeError, RetryAfterIsTheFailuresOwnHint) {
  // A destination over its backlog bound knows how long to wait; every protocol passes it on.
  Status over = resource_exhausted("backlog of 'portal' over its bound")
                    .with_retry_after(std::chrono::seconds(7));
  EXPECT_EQ(describe_error(over).retry_after_s, 7);
  EXPECT_EQ(describe_error(unavailable("journal stopped")).retry_after_s, 1) << "default";
}

MessageHeader header(std::string bpid = "bp-1") {
  return MessageHeader{"steueramt", "m-1", std::move(bpid), std::nullopt};
}

TEST(CheckRequest, NamesTheFieldThatIsWrong) {
  struct Row {
    DepartmentRequest request;
    std::string names;
  };
  DeliverDocument bad_date;
  bad_date.header = header();
  bad_date.document_kind = "k";
  bad_date.title = "t";
  bad_date.date = "2026-13-01";
  bad_date.document = "%PDF-";
  DeliverDocument no_document = bad_date;
  no_document.date = "2026-11-29";
  no_document.document.clear();
  ReportStatus both{header(), model::CaseStatus::OPEN, "X", std::nullopt};
  ListEvents too_many{header(), 0, 501};
  const Row table[] = {
      {OpenBusinessCase{header(""), 101, "o", "t"}, "'openBusinessCase/header/businessProcessId'"},
      {OpenBusinessCase{MessageHeader{"steueramt", "", {}, {}}, 101, "o", "t"},
       "'openBusinessCase/header/messageId'"},
      {OpenBusinessCase{MessageHeader{"steueramt", std::string(37, 'm'), {}, {}}, 101, "o", "t"},
       "'openBusinessCase/header/messageId' is longer than 36"},
      {OpenBusinessCase{header(), 0, "o", "t"}, "'openBusinessCase/serviceId'"},
      {OpenBusinessCase{header(), 101, "", "t"}, "'openBusinessCase/ownerId'"},
      {OpenBusinessCase{header(), 101, "o", std::string(201, 'x')}, "'openBusinessCase/title'"},
      {SendMessage{header(), "s", "", false}, "'sendMessage/body'"},
      {GetDelivery{header(), ""}, "'getDelivery/deliveryId'"},
      {bad_date, "'deliverDocument/date'"},
      {no_document, "'deliverDocument/document'"},
      {both, "exactly one of status and departmentStatusCode"},
      {too_many, "'listEvents/maxEvents'"},
      {AckEvents{header(), {}}, "'ackEvents/seq'"},
      {AckEvents{header(), std::vector<int64_t>(501, 1)}, "at most 500 elements 'ackEvents/seq'"},
  };
  for (const Row& row : table) {
    Status s = check_request(row.request);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << row.names;
    EXPECT_NE(s.message().find(row.names), std::string::npos) << s.message();
  }
  // Umlauts are one character each.
  EXPECT_TRUE(check_request(OpenBusinessCase{header(), 101, "o",
                                             std::string(100, 'a') +
                                                 [] {
                                                   std::string s;
                                                   for (int i = 0; i < 100; ++i) s += "\xc3\xa4";
                                                   return s;
                                                 }()})
                  .is_ok());
}

TEST(OperationName, IsTheSameWordEveryProtocolUses) {
  EXPECT_STREQ(operation_name(ReportStatus{}), "reportStatus");
  EXPECT_STREQ(operation_name(DeliverDocument{}), "deliverDocument");
  EXPECT_STREQ(operation_name(DecideIdentityLink{}), "decideIdentityLink");
  EXPECT_EQ(takeover_destination("m1"), "afs:m1");
  EXPECT_EQ(submission_key("m1", "a-7"), "afs/m1/a-7");
}

class CaseIntakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("cases-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db"))
                .string();
    std::filesystem::remove(path_);
    auto opened = journal::SqliteJournal::open(path_, clock_);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    journal_ = std::move(*opened);
    steueramt_.name = "steueramt";
    steueramt_.service_ids = {101};
    steueramt_.limits.max_text_length = 10;
    mfk_.name = "mfk";
    mfk_.service_ids = {202};
  }
  void TearDown() override {
    journal_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  CallOrigin origin(const mapping::DepartmentMapping& d) {
    return CallOrigin{&d, std::nullopt, "corr-1", "127.0.0.1", std::string(64, 'a')};
  }
  Result<journal::IntakeOutcome> run(const DepartmentRequest& request,
                                     const mapping::DepartmentMapping& d) {
    auto prepared = prepare_intake(request, origin(d), clock_.now_ms());
    if (!prepared.is_ok()) return prepared.status();
    return journal::accept_and_wait(*journal_, std::move(prepared->intake));
  }

  ManualClock clock_{1'700'000'000'000};
  std::string path_;
  std::unique_ptr<journal::SqliteJournal> journal_;
  mapping::DepartmentMapping steueramt_;
  mapping::DepartmentMapping mfk_;
};

TEST_F(CaseIntakeTest, OpenCaseQueuesItForThePortalAndAnswersTheSameTwice) {
  OpenBusinessCase open{MessageHeader{"steueramt", "m-1", "bp-7", std::nullopt}, 101, "acc-1",
                        "Steuererklärung"};
  auto prepared = prepare_intake(open, origin(steueramt_), clock_.now_ms());
  ASSERT_TRUE(prepared.is_ok());
  const auto& answer = std::get<OpenBusinessCaseAnswer>(prepared->answer);
  EXPECT_EQ(answer.business_process_id, "bp-7");
  EXPECT_EQ(prepared->intake.idempotency_key, "steueramt/m-1");
  EXPECT_EQ(prepared->intake.operation, "openBusinessCase");
  auto first = journal::accept_and_wait(*journal_, std::move(prepared->intake));
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  auto items = journal_->items_of_intake("steueramt/m-1");
  ASSERT_TRUE(items.is_ok());
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0].item.destination, kPortalDestination);

  auto again = run(open, steueramt_);
  ASSERT_TRUE(again.is_ok());
  EXPECT_TRUE(again->duplicate);
  auto stored = stored_answer(open, again->answer);
  ASSERT_TRUE(stored.is_ok());
  EXPECT_EQ(std::get<OpenBusinessCaseAnswer>(*stored).business_case_id, answer.business_case_id);
}

TEST_F(CaseIntakeTest, OnlyTheDepartmentThatOpenedACaseActsOnIt) {
  ASSERT_TRUE(run(OpenBusinessCase{MessageHeader{"steueramt", "m-1", "bp-7", {}}, 101, "acc", "t"},
                  steueramt_)
                  .is_ok());
  auto foreign = run(ReportStatus{MessageHeader{"mfk", "m-2", "bp-7", {}},
                                  model::CaseStatus::CLOSED, std::nullopt, std::nullopt},
                     mfk_);
  EXPECT_EQ(foreign.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(foreign.status().message().find("header/businessProcessId"), std::string::npos);
  auto unknown =
      run(SendMessage{MessageHeader{"steueramt", "m-3", "bp-0", {}}, "s", "b", false}, steueramt_);
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  auto not_ours = run(OpenBusinessCase{MessageHeader{"mfk", "m-4", {}, {}}, 101, "acc", "t"}, mfk_);
  EXPECT_EQ(not_ours.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(not_ours.status().message().find("serviceId 101"), std::string::npos);
  AddActivity activity;
  activity.header = MessageHeader{"steueramt", "m-5", "bp-7", {}};
  activity.title = "t";
  activity.body = "elf Zeichen";
  activity.type = "x";
  auto long_text = prepare_intake(activity, origin(steueramt_), clock_.now_ms());
  EXPECT_EQ(long_text.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(journal_->knows_intake("mfk/m-2").value());
}

}  // namespace
}  // namespace portier::cases
