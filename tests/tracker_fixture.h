// The fixture of the domain tests: a Tracker on an event store of its own in
// a temporary directory, on a fake clock that starts at the time given.
#pragma once

#include <memory>

#include "common/clock.h"
#include "gtest/gtest.h"
#include "server/domain/tracker.h"
#include "server/store/event_store.h"
#include "tests/test_util.h"

namespace rectrack::domain {

class TrackerFixture : public ::testing::Test {
 protected:
  explicit TrackerFixture(absl::Time start) : clock_(start) {}

  void SetUp() override { Open(); }

  // Opens (or reopens, as after a restart) the store in the same directory
  // and a tracker on it.
  void Open(UpdateSettings settings = {}) {
    tracker_.reset();
    store_.reset();
    store::StoreOptions options;
    options.clock = &clock_;
    auto opened = store::EventStore::Open(dir_.Sub("db"), options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
    tracker_ = std::make_unique<Tracker>(store_.get(), settings);
  }

  ::rectrack::testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<store::EventStore> store_;
  std::unique_ptr<Tracker> tracker_;
};

}  // namespace rectrack::domain
