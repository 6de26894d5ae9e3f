// admin verify (domain::WholeLog::Verify) finds damage that reads alone
// would not: a stored event changed in place breaks the chain of the log
// at its position.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "server/domain/bounded_fold.h"
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

// 30 reviews, each with two accepted recommendations with an action of
// three notes, a person and a sent message: 180 entities (and 30 sent
// messages), far more than
// the bound the test below sets.
void RecordMany(Tracker& tracker) {
  for (int r = 0; r < 30; ++r) {
    v1::ApplyRequest request;
    auto* open = request.add_commands()->mutable_open_review();
    open->set_title(absl::StrCat("Review ", r));
    open->set_committee(absl::StrCat("Committee ", r % 3));
    open->set_published_on("17 May 2007");
    for (int k = 0; k < 2; ++k) {
      const std::string rec = absl::StrCat("$", request.commands_size());
      auto* add = request.add_commands()->mutable_add_recommendation();
      add->set_review_id("$0");
      add->set_ref(absl::StrCat(k + 1));
      add->set_text(absl::StrCat("That park ", r, " be kept"));
      auto* respond = request.add_commands()->mutable_record_response();
      respond->set_recommendation_id(rec);
      respond->set_decision(v1::DECISION_ACCEPTED);
      respond->set_text("Agreed");
      const std::string action = absl::StrCat("$", request.commands_size());
      auto* act = request.add_commands()->mutable_add_action();
      act->set_recommendation_id(rec);
      act->set_text(absl::StrCat("Keep park ", r));
      act->add_leads(absl::StrCat("Lead ", r));
      act->set_timescale("Sept 10");
      for (int n = 0; n < 3; ++n) {
        auto* note = request.add_commands()->mutable_report_progress();
        note->set_id(action);
        note->set_text(absl::StrCat("Note ", n));
      }
    }
    auto* person = request.add_commands()->mutable_add_person();
    person->set_name(absl::StrCat("Lead ", r));
    person->set_email(absl::StrCat("lead", r, "@council.gov.uk"));
    auto* sent = request.add_commands()->mutable_record_message_sent();
    sent->set_key(absl::StrCat("request/review-", r + 1, "/2026-12-17/lead"));
    sent->set_review_id("$0");
    sent->set_to(person->email());
    ASSERT_OK(tracker.ApplyAndWait(request, "tester"));
  }
}

// Every (key, value) of `family` of `store`, in key order.
std::vector<std::pair<std::string, std::string>> Dump(
    store::EventStore& store, store::ColumnFamily family) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string from;
  while (true) {
    auto page = store.ReadPage(family, from, 100);
    EXPECT_OK(page);
    if (!page.ok() || page->empty()) return out;
    from = page->back().first + std::string(1, '\0');
    out.insert(out.end(), page->begin(), page->end());
  }
}

// Verify and the start-up rebuild hold at most a bounded number of
// entities; with a bound of 5 over 180 entities their results are those
// of the default bound, and the fold's own keys those the deciders wrote.
TEST_F(VerifyTest, ABoundOfFiveEntitiesGivesTheUnboundedResult) {
  RecordMany(*tracker_);
  const auto live_state = Dump(*store_, store::ColumnFamily::kState);
  const auto live_index = Dump(*store_, store::ColumnFamily::kIndex);
  ASSERT_GT(live_state.size(), 240u);
  {
    store::StoreOptions options;
    options.scratch = true;
    auto target = store::EventStore::Open(dir_.Sub("fold"), options);
    ASSERT_OK(target);
    BoundedFold fold(target->get(), 5);
    auto log = store_->ReadAll(1, 10000);
    ASSERT_OK(log);
    for (const v1::Event& e : *log) {
      ASSERT_OK(fold.Fold(e));
      ASSERT_OK(fold.MaybeFlush());
    }
    ASSERT_OK(fold.Finish());
    EXPECT_LE(fold.most_held(), 7u);
    EXPECT_GT(fold.passes(), 40u);
    EXPECT_EQ(Dump(**target, store::ColumnFamily::kState), live_state);
    EXPECT_EQ(Dump(**target, store::ColumnFamily::kIndex), live_index);
  }
  VerifyOptions small;
  small.max_entities = 5;
  auto unbounded = tracker_->Verify();
  auto bounded = tracker_->Verify(small);
  ASSERT_OK(unbounded);
  ASSERT_OK(bounded);
  EXPECT_TRUE(bounded->ok()) << bounded->DebugString();
  EXPECT_EQ(bounded->SerializeAsString(), unbounded->SerializeAsString());
  EXPECT_EQ(bounded->entities_checked(), 180u);

  ASSERT_OK(tracker_->RebuildProjections(5));
  EXPECT_EQ(Dump(*store_, store::ColumnFamily::kState), live_state);
  EXPECT_EQ(Dump(*store_, store::ColumnFamily::kIndex), live_index);

  // On a damaged database both name the same problems.
  Close();
  Tamper("state", "action-17", [](std::string* value) {
    v1::Action action;
    ASSERT_TRUE(action.ParseFromString(*value));
    action.set_text("Sell park 8");
    *value = action.SerializeAsString();
  });
  Erase("index", store::IndexNamePrefix("rec_by_word"));
  Open();
  unbounded = tracker_->Verify();
  bounded = tracker_->Verify(small);
  ASSERT_OK(unbounded);
  ASSERT_OK(bounded);
  EXPECT_EQ(bounded->problems_size(), 2) << bounded->DebugString();
  EXPECT_EQ(bounded->SerializeAsString(), unbounded->SerializeAsString());
}

// The scratch databases of verify now in the data directory.
std::vector<std::string> ScratchDirs(const std::string& data_dir) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kVerifyScratchPrefix, 0) == 0) out.push_back(name);
  }
  return out;
}

// Progress comes at each step, in order, and every `progress_every` events
// and keys; the last message carries the report.
TEST_F(VerifyTest, VerifyReportsItsProgressStepByStep) {
  RecordMany(*tracker_);
  VerifyOptions options;
  options.progress_every = 100;
  std::vector<v1::VerifyProgress> seen;
  options.progress = [&](const v1::VerifyProgress& p) {
    seen.push_back(p);
    return true;
  };
  auto report = tracker_->Verify(options);
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok());
  std::vector<std::string> steps;
  uint64_t events = 0;
  for (const v1::VerifyProgress& p : seen) {
    if (steps.empty() || steps.back() != p.step()) steps.push_back(p.step());
    EXPECT_GE(p.events_checked(), events);
    events = p.events_checked();
    EXPECT_EQ(p.log_end(), store_->LastPosition());
  }
  EXPECT_THAT(steps, ::testing::ElementsAre(
                         "reading the log", "comparing stored states",
                         "comparing indexes", "comparing the stream index",
                         "checking stored request results", "done"));
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().report().SerializeAsString(),
            report->SerializeAsString());
  EXPECT_GT(seen.size(), store_->LastPosition() / 100);
}

// A verify stopped by its caller (the server does so when the call is
// cancelled) ends with CANCELLED, saying how far it got, and removes its
// scratch database.
TEST_F(VerifyTest, AStoppedVerifyRemovesItsScratch) {
  RecordMany(*tracker_);
  VerifyOptions options;
  options.progress_every = 100;
  int calls = 0;
  size_t scratch_while_running = 0;
  options.progress = [&](const v1::VerifyProgress&) {
    scratch_while_running = ScratchDirs(dir_.Sub("db")).size();
    return ++calls < 3;
  };
  auto report = tracker_->Verify(options);
  EXPECT_EQ(report.status().code(), absl::StatusCode::kCancelled);
  EXPECT_THAT(std::string(report.status().message()),
              HasSubstr("verify was stopped while reading the log, after "
                        "checking 200 events"));
  EXPECT_EQ(scratch_while_running, 1u);
  EXPECT_THAT(ScratchDirs(dir_.Sub("db")), ::testing::IsEmpty());
  // And the next one runs to the end.
  auto again = tracker_->Verify();
  ASSERT_OK(again);
  EXPECT_TRUE(again->ok());
  EXPECT_THAT(ScratchDirs(dir_.Sub("db")), ::testing::IsEmpty());
}

TEST_F(VerifyTest, LeftoverScratchIsRemovedAndNothingElse) {
  Record();
  const std::string db = dir_.Sub("db");
  std::filesystem::create_directories(db + "/verify-scratch-3/sub");
  { std::ofstream(db + "/verify-scratch-3/sub/000012.sst") << "x"; }
  { std::ofstream(db + "/verify-scratch-9") << "x"; }
  const size_t others = std::distance(std::filesystem::directory_iterator(db),
                                      std::filesystem::directory_iterator());
  WholeLog::RemoveLeftoverScratch(db, &clock_);
  EXPECT_THAT(ScratchDirs(db), ::testing::IsEmpty());
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(db),
                          std::filesystem::directory_iterator()),
            others - 2);
  auto report = tracker_->Verify();
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok());
}

}  // namespace
}  // namespace rectrack::domain
