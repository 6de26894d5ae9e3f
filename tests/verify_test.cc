// admin verify (domain::WholeLog::Verify) finds damage that reads alone
// would not: a stored event changed in place breaks the chain of the log
// at its position.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "server/domain/tracker.h"
#include "server/store/keys.h"
#include "tests/test_util.h"
#include "tests/tracker_fixture.h"

namespace rectrack::domain {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;

class VerifyTest : public TrackerFixture {
 protected:
  VerifyTest() : TrackerFixture(absl::FromUnixSeconds(1700000000)) {}

  void Close() {
    tracker_.reset();
    store_.reset();
  }

  // Five events: a review, three recommendations, a response.
  void Record() {
    v1::ApplyRequest request;
    auto* open = request.add_commands()->mutable_open_review();
    open->set_title("Review of Partnerships");
    open->set_committee("Strategic Leadership O&S");
    open->set_published_on("17 May 2007");
    for (const char* ref : {"A", "B", "C"}) {
      auto* rec = request.add_commands()->mutable_add_recommendation();
      rec->set_review_id("$0");
      rec->set_ref(ref);
      rec->set_text(absl::StrCat("Recommendation ", ref,
                                 ": that a database be compiled"));
    }
    request.set_request_id("seed");
    ASSERT_OK(tracker_->ApplyAndWait(request, "tester"));
  }

  // Rewrites, with RocksDB directly, the value of the first key that
  // starts with `key` in column family `family` through `change` (the store
  // must be closed).
  void Tamper(const std::string& family, const std::string& key,
              const std::function<void(std::string*)>& change) {
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const char* name : {"default", "events", "streams", "state", "index",
                             "requests", "meta"}) {
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir_.Sub("db"),
                                  descriptors, &handles, &raw)
                    .ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::ColumnFamilyHandle* cf = nullptr;
    for (auto* h : handles) {
      if (h->GetName() == family) cf = h;
    }
    std::string found, value;
    {
      std::unique_ptr<rocksdb::Iterator> it(
          db->NewIterator(rocksdb::ReadOptions(), cf));
      it->Seek(key);
      ASSERT_TRUE(it->Valid() && it->key().starts_with(key)) << key;
      found = it->key().ToString();
      value = it->value().ToString();
    }
    change(&value);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    ASSERT_TRUE(db->Put(wo, cf, found, value).ok());
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    ASSERT_TRUE(db->Close().ok());
  }
};

TEST_F(VerifyTest, ACleanLogVerifies) {
  Record();
  auto report = tracker_->Verify();
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok()) << report->DebugString();
  EXPECT_EQ(report->events_checked(), 4u);
}

TEST_F(VerifyTest, OneFlippedByteOfAStoredEventBreaksTheChainThere) {
  Record();
  Close();
  Tamper("events", store::EncodeU64(3), [](std::string* value) {
    size_t at = value->find("Recommendation B");
    ASSERT_NE(at, std::string::npos);
    (*value)[at + 15] = 'C';  // "Recommendation C": still a valid event
  });
  Open();
  auto report = tracker_->Verify();
  ASSERT_OK(report);
  EXPECT_FALSE(report->ok());
  EXPECT_THAT(report->problems(),
              Contains(HasSubstr("the chain of the log is broken at "
                                 "position 3")))
      << report->DebugString();
}

// A database written before events carried the chain: its events have no
// predecessor hash and it has no end mark. It opens, the chain starts at
// its first new event, and verify is clean.
TEST_F(VerifyTest, ADatabaseFromBeforeTheChainOpensAndVerifies) {
  Record();
  Close();
  for (uint64_t position = 1; position <= 4; ++position) {
    Tamper("events", store::EncodeU64(position), [](std::string* value) {
      v1::Event event;
      ASSERT_TRUE(event.ParseFromString(*value));
      event.clear_predecessor_hash();
      *value = event.SerializeAsString();
    });
  }
  std::filesystem::remove(dir_.Sub("db/rectrack-end"));
  Open();
  v1::ApplyRequest request;
  auto* rec = request.add_commands()->mutable_add_recommendation();
  rec->set_review_id("review-1");
  rec->set_ref("D");
  rec->set_text("Recommendation D");
  ASSERT_OK(tracker_->ApplyAndWait(request, "tester"));
  auto report = tracker_->Verify();
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok()) << report->DebugString();
  EXPECT_EQ(report->events_checked(), 5u);
  auto log = store_->ReadAll(1, 10);
  ASSERT_OK(log);
  EXPECT_EQ((*log)[4].predecessor_hash(), (*log)[3].hash());
}

TEST_F(VerifyTest, ADamagedRequestResultIsReported) {
  Record();
  Close();
  // The stored result of request "seed" loses its end.
  Tamper("requests",
         "r:", [](std::string* value) { value->resize(value->size() - 5); });
  Open();
  auto report = tracker_->Verify();
  ASSERT_OK(report);
  EXPECT_FALSE(report->ok());
  EXPECT_THAT(report->problems(),
              Contains(AllOf(HasSubstr("the stored result of request"),
                             HasSubstr("seed"), HasSubstr("is damaged"))))
      << report->DebugString();
}

TEST_F(VerifyTest, AnEventIdRecordPointingElsewhereIsReported) {
  Record();
  Close();
  Tamper("requests", "e:", [](std::string* value) {
    *value = store::EncodeU64(store::DecodeU64(*value) % 4 + 1);
  });
  Open();
  auto report = tracker_->Verify();
  ASSERT_OK(report);
  EXPECT_THAT(report->problems(),
              Contains(HasSubstr("which holds another event")))
      << report->DebugString();
}

}  // namespace
}  // namespace rectrack::domain
