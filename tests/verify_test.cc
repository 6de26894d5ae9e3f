// admin verify (domain::WholeLog::Verify) finds damage that reads alone
// would not: a stored event changed in place breaks the chain of the log
// at its position.
#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "server/domain/commands.h"
#include "server/domain/tracker.h"
#include "server/store/keys.h"
#include "server/store/store_internal.h"
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
    Rewrite(family, key, [&](std::string* value) {
      change(value);
      return true;
    });
  }
  // Deletes the first key that starts with `key` in `family`.
  void Erase(const std::string& family, const std::string& key) {
    Rewrite(family, key, [](std::string*) { return false; });
  }
  // Rewrites the value of the first key that starts with `key` through
  // `change`, or deletes the key when it returns false.
  void Rewrite(const std::string& family, const std::string& key,
               const std::function<bool(std::string*)>& change) {
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
    const bool keep = change(&value);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    ASSERT_TRUE(
        (keep ? db->Put(wo, cf, found, value) : db->Delete(wo, cf, found))
            .ok());
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

// One writer's request: a recommendation, a progress note on action-1, a
// person and a sent message (the update cycle's state keys).
v1::ApplyRequest WriterRequest(int writer, int n) {
  const std::string name = absl::StrCat("Writer ", writer, "-", n);
  v1::ApplyRequest request;
  auto* rec = request.add_commands()->mutable_add_recommendation();
  rec->set_review_id("review-1");
  rec->set_ref(name);
  rec->set_text(absl::StrCat("That ", name, " be heard"));
  auto* note = request.add_commands()->mutable_report_progress();
  note->set_id("action-1");
  note->set_text(absl::StrCat("Note from ", name));
  auto* person = request.add_commands()->mutable_add_person();
  person->set_name(name);
  person->set_email(absl::StrCat("writer", writer, "-", n, "@council.gov.uk"));
  auto* sent = request.add_commands()->mutable_record_message_sent();
  sent->set_key(absl::StrCat("request/review-1/2026-12-17/", name));
  sent->set_review_id("review-1");
  sent->set_to(person->email());
  sent->set_subject("Your update");
  sent->set_body("Please send your update");
  request.set_request_id(name);
  return request;
}

// Verify reads one snapshot: however writes fall between its reads of the
// log, the states, the indexes and the request results, a healthy
// database is reported consistent, every time.
TEST_F(VerifyTest, VerifyWhileOthersWriteIsConsistentEveryTime) {
  Record();
  v1::ApplyRequest setup;
  auto* respond = setup.add_commands()->mutable_record_response();
  respond->set_recommendation_id("rec-1");
  respond->set_decision(v1::DECISION_ACCEPTED);
  respond->set_text("Agreed");
  auto* action = setup.add_commands()->mutable_add_action();
  action->set_recommendation_id("rec-1");
  action->set_text("Compile the database");
  action->add_leads("Gemma Barron");
  action->set_timescale("Sept 10");
  ASSERT_OK(tracker_->ApplyAndWait(setup, "tester"));

  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&, w] {
      for (int n = 0; !stop.load(); ++n) {
        if (!tracker_->ApplyAndWait(WriterRequest(w, n), "tester").ok()) {
          ++failures;
        }
      }
    });
  }
  uint64_t previous_end = store_->LastPosition();
  for (int run = 0; run < 6; ++run) {
    // Each run starts once the writers have added to the log since the
    // last one, so every run overlaps writing.
    while (store_->LastPosition() == previous_end) std::this_thread::yield();
    auto report = tracker_->Verify();
    ASSERT_OK(report);
    EXPECT_TRUE(report->ok()) << "run " << run << ": " << report->DebugString();
    EXPECT_GT(report->events_checked(), previous_end) << "run " << run;
    previous_end = report->events_checked();
  }
  stop = true;
  for (std::thread& t : writers) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto last = tracker_->Verify();
  ASSERT_OK(last);
  EXPECT_TRUE(last->ok()) << last->DebugString();
  EXPECT_EQ(last->events_checked(), store_->LastPosition());
}

// A person, a sent message and a progress note, for the damage tests.
void RecordUpdateCycle(Tracker& tracker) {
  v1::ApplyRequest request = WriterRequest(1, 1);
  request.mutable_commands()->DeleteSubrange(1, 1);  // no action to note on
  ASSERT_OK(tracker.ApplyAndWait(request, "tester"));
}

TEST_F(VerifyTest, ADamagedPersonNameKeyIsNamed) {
  Record();
  RecordUpdateCycle(*tracker_);
  Close();
  Tamper("state", "names/person/writer 1-1",
         [](std::string* value) { *value = "person-7"; });
  Open();
  auto report = tracker_->Verify();
  ASSERT_OK(report);
  EXPECT_FALSE(report->ok());
  EXPECT_THAT(report->problems(),
              Contains(AllOf(HasSubstr("names/person/writer 1-1"),
                             HasSubstr("differs from the one rebuilt"))))
      << report->DebugString();
}

TEST_F(VerifyTest, AMissingSentMessageKeyIsNamed) {
  Record();
  RecordUpdateCycle(*tracker_);
  Close();
  Erase("state", "sent/request/review-1/");
  Open();
  auto report = tracker_->Verify();
  ASSERT_OK(report);
  EXPECT_THAT(report->problems(),
              Contains(AllOf(HasSubstr("sent/request/review-1/2026-12-17/"
                                       "Writer 1-1"),
                             HasSubstr("called for by the log but not "
                                       "stored"))))
      << report->DebugString();
}

TEST_F(VerifyTest, AMissingIndexEntryIsNamed) {
  Record();
  Close();
  Erase("index", store::IndexNamePrefix("review_by_committee"));
  Open();
  auto report = tracker_->Verify();
  ASSERT_OK(report);
  EXPECT_THAT(report->problems(),
              Contains("index review_by_committee is missing review-1 under "
                       "\"strategic leadership o&s\""))
      << report->DebugString();
}

// A stored result that still decodes but names an event beyond the log
// (a retry would be told of an event that does not exist).
TEST_F(VerifyTest, ARequestResultNamingNoEventIsNamed) {
  Record();
  Close();
  Tamper("requests", "r:", [](std::string* value) {
    auto record = store::DecodeRequestRecord(*value);
    ASSERT_OK(record);
    auto responses = SplitResults(record->second, false);
    ASSERT_OK(responses);
    ASSERT_FALSE(responses->empty());
    (*responses)[0].mutable_results(0)->set_position(99);
    std::string result;
    for (const v1::ApplyResponse& response : *responses) {
      const std::string bytes = response.SerializeAsString();
      const uint32_t n = bytes.size();
      for (int shift = 24; shift >= 0; shift -= 8) {
        result.push_back(static_cast<char>((n >> shift) & 0xff));
      }
      result += bytes;
    }
    *value = store::EncodeRequestRecord(record->first, result);
  });
  Open();
  auto report = tracker_->Verify();
  ASSERT_OK(report);
  EXPECT_THAT(report->problems(),
              Contains(AllOf(HasSubstr("the stored result of request"),
                             HasSubstr("names position 99, which holds no "
                                       "readable event"))))
      << report->DebugString();
}

}  // namespace
}  // namespace rectrack::domain
