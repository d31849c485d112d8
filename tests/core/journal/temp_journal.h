#pragma once
// A journal in a fresh temporary folder, removed after the test, and accepting an intake and
// waiting for its outcome.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <memory>

#include "core/base/clock.h"
#include "core/base/digest.h"
#include "core/journal/sqlite_journal.h"

namespace portier::journal::testing {

class TempJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("portier-journal-" + random_uuid());
    std::filesystem::create_directories(dir_);
    auto j = SqliteJournal::open((dir_ / "journal.db").string(), clock_, {});
    ASSERT_TRUE(j.is_ok()) << j.status().to_string();
    journal_ = std::move(*j);
  }
  void TearDown() override {
    journal_.reset();
    std::filesystem::remove_all(dir_);
  }

  Result<IntakeOutcome> accept_and_wait(Intake intake) {
    std::promise<Result<IntakeOutcome>> done;
    journal_->accept(std::move(intake), [&done](Result<IntakeOutcome> o) { done.set_value(o); });
    return done.get_future().get();
  }

  ManualClock clock_;
  std::filesystem::path dir_;
  std::unique_ptr<SqliteJournal> journal_;
};

}  // namespace portier::journal::testing
