// Actions stored in parts (server/domain/action_parts.h): every read gives
// what folding the log gives (as the stored state did when it held every
// note and target), a progress update writes as many keys and bytes at
// 2,000 notes as at 10, and a database of the old layout (schema 3) is
// migrated from the log when it opens.
#include "server/domain/action_parts.h"

#include <google/protobuf/util/message_differencer.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/import/plan.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "server/domain/fold.h"
#include "server/domain/tracker.h"
#include "server/store/keys.h"
#include "tests/test_util.h"
#include "tests/tracker_fixture.h"

namespace rectrack::domain {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

// What the reads answer, for comparing two stores (or one store before
// and after a migration).
struct Answers {
  std::vector<v1::Action> actions;  // GetAction, each
  v1::ListActionsResponse list;
  std::vector<v1::Report> reports;  // GetReport, now and as of the middle
  std::vector<v1::Action> as_of;    // GetAction as of the middle
};

class ActionPartsTest : public TrackerFixture {
 protected:
  ActionPartsTest()
      : TrackerFixture(absl::FromCivil(absl::CivilSecond(2011, 3, 1, 9, 0, 0),
                                       absl::UTCTimeZone())) {}

  void Apply(const v1::ApplyRequest& request) {
    clock_.Advance(absl::Minutes(1));
    ASSERT_OK(tracker_->ApplyAndWait(request, "tester"));
  }

  // The two samples read by the plan importer, as one request each.
  void ImportSamples() {
    for (const char* name : {"scraip-review-of-partnerships.txt",
                             "cyp-partnerships-action-plan.tsv",
                             "plans/dartmoor-action-plan.html"}) {
      const std::string path = absl::StrCat(RECTRACK_SAMPLES, "/", name);
      const std::string content = ReadFile(path);
      ASSERT_FALSE(content.empty()) << name;
      cli::PlanOptions options;
      options.title = name;
      options.committee = "Scrutiny";
      auto reading = cli::ReadPlan(content, path, options);
      ASSERT_OK(reading);
      v1::ApplyRequest request;
      for (const cli::FileCommand& c : reading->commands) {
        *request.add_commands() = c.command;
      }
      Apply(request);
    }
  }

  std::vector<std::string> ActionIds() {
    v1::ListActionsRequest request;
    request.set_page_size(1000);
    auto listed = tracker_->ListActions(request);
    EXPECT_OK(listed);
    std::vector<std::string> ids;
    if (listed.ok()) {
      for (const v1::Action& a : listed->actions()) ids.push_back(a.id());
    }
    return ids;
  }

  // An action that is not cancelled.
  std::string OpenActionId() {
    for (const std::string& id : ActionIds()) {
      auto action = tracker_->GetAction(id);
      if (action.ok() && action->status() != v1::ACTION_STATUS_CANCELLED) {
        return id;
      }
    }
    ADD_FAILURE() << "no open action";
    return "";
  }

  // A new action, without notes, on the recommendation of an imported one.
  std::string FreshActionId() {
    auto open = tracker_->GetAction(OpenActionId());
    EXPECT_OK(open);
    v1::ApplyRequest request;
    v1::AddAction* a = request.add_commands()->mutable_add_action();
    a->set_recommendation_id(open->recommendation_id());
    a->set_text("Publish the partnership register");
    a->add_leads("Head of Policy");
    a->set_timescale("June 2011");
    auto added = tracker_->ApplyAndWait(request, "tester");
    EXPECT_OK(added);
    return added.ok() ? added->results(0).entity_id() : "";
  }

  // On every action: `notes` progress notes (some in one request, some one
  // per request), two target revisions, a target correction, a status
  // change and two retractions.
  void Update(int notes) {
    for (const std::string& id : ActionIds()) {
      auto action = tracker_->GetAction(id);
      ASSERT_OK(action);
      if (action->status() == v1::ACTION_STATUS_CANCELLED) continue;
      v1::ApplyRequest many;
      for (int i = 0; i < notes; ++i) {
        v1::ReportProgress* p = many.add_commands()->mutable_report_progress();
        p->set_id(id);
        p->set_text(absl::StrCat("Update ", i + 1, " on ", id));
        if (i % 3 == 0) p->set_reported_on("2011-02-01");
      }
      Apply(many);
      for (const char* due : {"June 2011", "Sept 11?"}) {
        v1::ApplyRequest revise;
        v1::UpdateAction* u = revise.add_commands()->mutable_update_action();
        u->set_id(id);
        u->set_timescale(due);
        u->set_reason("Waiting for the budget");
        Apply(revise);
      }
      v1::ApplyRequest correct;
      v1::CorrectRecord* c = correct.add_commands()->mutable_correct_record();
      c->set_id(id);
      c->set_timescale("October 2011");
      c->set_reason("Typed wrongly");
      Apply(correct);
      v1::ApplyRequest status;
      v1::SetActionStatus* s =
          status.add_commands()->mutable_set_action_status();
      s->set_id(id);
      s->set_status(action->status() == v1::ACTION_STATUS_IN_PROGRESS
                        ? v1::ACTION_STATUS_BLOCKED
                        : v1::ACTION_STATUS_IN_PROGRESS);
      Apply(status);
      auto now = tracker_->GetAction(id);
      ASSERT_OK(now);
      for (uint32_t number : {uint32_t{1}, now->progress_count()}) {
        v1::ApplyRequest retract;
        v1::RetractProgress* r =
            retract.add_commands()->mutable_retract_progress();
        r->set_id(id);
        r->set_number(number);
        r->set_reason("Meant for another action");
        Apply(retract);
      }
    }
  }

  // The action as folding the whole log gives it: what the stored state was
  // before actions were stored in parts.
  v1::Action Folded(const std::string& id) {
    EntityStates states;
    for (uint64_t from = 1;;) {
      auto page = tracker_->ReadEvents(from, 1000, 16 << 20);
      EXPECT_OK(page);
      if (!page.ok() || page->events().empty()) break;
      for (const v1::Event& e : page->events()) {
        EXPECT_OK(FoldEvent(e, &states));
        from = e.position() + 1;
      }
    }
    return states.actions[id];
  }

  v1::AsOf AsOf(absl::Time at) {
    v1::AsOf as_of;
    as_of.mutable_at()->set_seconds(absl::ToUnixSeconds(at));
    as_of.set_axis(v1::TIME_AXIS_RECORDED);
    return as_of;
  }

  Answers Read(absl::Time middle) {
    Answers out;
    for (const std::string& id : ActionIds()) {
      v1::GetActionRequest request;
      request.set_id(id);
      auto now = tracker_->GetAction(request);
      EXPECT_OK(now);
      out.actions.push_back(*now);
      *request.mutable_as_of() = AsOf(middle);
      auto then = tracker_->GetAction(request);
      if (then.ok()) out.as_of.push_back(*then);
    }
    v1::ListActionsRequest list;
    list.set_page_size(1000);
    auto listed = tracker_->ListActions(list);
    EXPECT_OK(listed);
    out.list = *listed;
    auto reviews = tracker_->ListReviews();
    EXPECT_OK(reviews);
    for (const v1::Review& review : *reviews) {
      v1::GetReportRequest report;
      report.set_review_id(review.id());
      auto now = tracker_->GetReport(report);
      EXPECT_OK(now);
      out.reports.push_back(*now);
      *report.mutable_as_of() = AsOf(middle);
      auto then = tracker_->GetReport(report);
      EXPECT_OK(then);
      out.reports.push_back(*then);
    }
    return out;
  }

  static void ExpectSame(const Answers& a, const Answers& b) {
    auto same = [](const auto& x, const auto& y) {
      ASSERT_EQ(x.size(), y.size());
      for (size_t i = 0; i < x.size(); ++i) {
        EXPECT_TRUE(MessageDifferencer::Equals(x[i], y[i]))
            << x[i].DebugString() << "\n---\n"
            << y[i].DebugString();
      }
    };
    same(a.actions, b.actions);
    same(a.as_of, b.as_of);
    same(a.reports, b.reports);
    EXPECT_TRUE(MessageDifferencer::Equals(a.list, b.list));
  }
};

TEST_F(ActionPartsTest, EveryReadGivesWhatFoldingTheLogGives) {
  ImportSamples();
  const absl::Time middle = clock_.Now();
  Update(40);
  const std::vector<std::string> ids = ActionIds();
  ASSERT_GE(ids.size(), 10u);
  v1::ListActionsRequest list;
  list.set_page_size(1000);
  auto listed = tracker_->ListActions(list);
  ASSERT_OK(listed);
  ASSERT_EQ(static_cast<size_t>(listed->actions_size()), ids.size());
  int with_notes = 0;
  for (int i = 0; i < listed->actions_size(); ++i) {
    const std::string& id = ids[i];
    auto whole = tracker_->GetAction(id);
    ASSERT_OK(whole);
    // GetAction assembles what the log folds to: every note and target.
    EXPECT_TRUE(MessageDifferencer::Equals(*whole, Folded(id)))
        << whole->DebugString() << "\n---\n"
        << Folded(id).DebugString();
    EXPECT_EQ(whole->progress_size(), whole->progress_count());
    EXPECT_EQ(whole->targets_size(), whole->target_count());
    // As of now (recorded axis), folded from the log: the same action.
    v1::GetActionRequest now;
    now.set_id(id);
    auto current = tracker_->GetAction(now);
    ASSERT_OK(current);
    *now.mutable_as_of() = AsOf(clock_.Now());
    auto as_of = tracker_->GetAction(now);
    ASSERT_OK(as_of);
    EXPECT_TRUE(MessageDifferencer::Equals(*current, *as_of))
        << current->DebugString() << "\n---\n"
        << as_of->DebugString();
    // Lists carry the action with its latest note and current target.
    v1::Action shown = listed->actions(i);
    shown.clear_standing();
    EXPECT_TRUE(MessageDifferencer::Equals(shown, ParentOf(*whole)));
    if (whole->progress_size() > 0) {
      ++with_notes;
      ASSERT_EQ(shown.progress_size(), 1);
      EXPECT_TRUE(MessageDifferencer::Equals(shown.progress(0),
                                             *whole->progress().rbegin()));
      EXPECT_GE(whole->progress_size(), 40);
      EXPECT_TRUE(whole->progress(0).retracted());
    }
    if (whole->targets_size() > 0) {
      ASSERT_EQ(shown.targets_size(), 1);
      EXPECT_EQ(shown.targets(0).target().text(), "October 2011");
    }
  }
  EXPECT_GE(with_notes, 10);
  // Verify folds the log afresh and finds every part as stored.
  auto verified = tracker_->Verify();
  ASSERT_OK(verified);
  EXPECT_TRUE(verified->ok()) << verified->DebugString();
  // And the answers survive a restart (nothing only in memory).
  const Answers before = Read(middle);
  Open();
  ExpectSame(before, Read(middle));
}

TEST_F(ActionPartsTest, AnOldNoteIsRetractedFromItsOwnKey) {
  ImportSamples();
  const std::string id = FreshActionId();
  v1::ApplyRequest many;
  for (int i = 0; i < 5; ++i) {
    v1::ReportProgress* p = many.add_commands()->mutable_report_progress();
    p->set_id(id);
    p->set_text(absl::StrCat("Note ", i + 1));
  }
  // In the same request: note 2 retracted, one more note, note 2 again.
  v1::RetractProgress* r = many.add_commands()->mutable_retract_progress();
  r->set_id(id);
  r->set_number(2);
  r->set_reason("Wrong action");
  many.add_commands()->mutable_report_progress()->set_id(id);
  many.mutable_commands(6)->mutable_report_progress()->set_text("Note 6");
  Apply(many);
  auto action = tracker_->GetAction(id);
  ASSERT_OK(action);
  ASSERT_EQ(action->progress_size(), 6);
  EXPECT_TRUE(action->progress(1).retracted());
  EXPECT_EQ(action->progress(1).retraction_reason(), "Wrong action");
  EXPECT_EQ(action->progress(5).number(), 6u);
  v1::ApplyRequest again;
  *again.add_commands() = many.commands(5);
  auto refused = tracker_->ApplyAndWait(again, "tester");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("already retracted"));
  again.mutable_commands(0)->mutable_retract_progress()->set_number(7);
  refused = tracker_->ApplyAndWait(again, "tester");
  EXPECT_THAT(refused.status().message(),
              HasSubstr("has 6 progress notes; give a number from 1 to 6"));
}

// Keys and bytes one progress update writes, after `notes` notes.
store::EventStore::WriteStats CostOfOneUpdate(Tracker* tracker,
                                              store::EventStore* store,
                                              const std::string& id) {
  v1::ApplyRequest one;
  v1::ReportProgress* p = one.add_commands()->mutable_report_progress();
  p->set_id(id);
  p->set_text("Tender issued; three bids received");
  p->set_reported_on("2011-02-01");
  const store::EventStore::WriteStats before = store->write_stats();
  EXPECT_OK(tracker->ApplyAndWait(one, "tester"));
  const store::EventStore::WriteStats after = store->write_stats();
  return {after.keys - before.keys, after.bytes - before.bytes,
          after.batches - before.batches};
}

TEST_F(ActionPartsTest, AProgressUpdateCostsTheSameWhateverTheHistory) {
  ImportSamples();
  const std::string id = FreshActionId();
  auto add_notes = [&](int count) {
    v1::ApplyRequest many;
    for (int i = 0; i < count; ++i) {
      v1::ReportProgress* p = many.add_commands()->mutable_report_progress();
      p->set_id(id);
      p->set_text(absl::StrCat("Progress note ", i));
    }
    Apply(many);
  };
  add_notes(9);
  const store::EventStore::WriteStats at_10 =
      CostOfOneUpdate(tracker_.get(), store_.get(), id);
  auto parent_10 = store_->GetState(id);
  ASSERT_OK(parent_10);
  for (int i = 0; i < 10; ++i) add_notes(199);
  const store::EventStore::WriteStats at_2000 =
      CostOfOneUpdate(tracker_.get(), store_.get(), id);
  auto parent_2000 = store_->GetState(id);
  ASSERT_OK(parent_2000);
  auto whole = tracker_->GetAction(id);
  ASSERT_OK(whole);
  ASSERT_EQ(whole->progress_size(), 2001);
  // The event, its stream and event-id entries, the parent state, the note:
  // the same keys, and bytes that differ only by the wider numbers.
  EXPECT_EQ(at_10.batches, 1u);
  EXPECT_EQ(at_2000.keys, at_10.keys);
  EXPECT_LE(at_10.keys, 6u);
  EXPECT_LE(at_2000.bytes, at_10.bytes + 16);
  EXPECT_LE(parent_2000->value().size(), parent_10->value().size() + 8);
  RecordProperty("keys_at_10", static_cast<int>(at_10.keys));
  RecordProperty("bytes_at_10", static_cast<int>(at_10.bytes));
  RecordProperty("bytes_at_2000", static_cast<int>(at_2000.bytes));
}

// Keys and bytes a request of `count` progress commands on `id` writes.
store::EventStore::WriteStats CostOfRequest(Tracker* tracker,
                                            store::EventStore* store,
                                            const std::string& id, int count) {
  v1::ApplyRequest many;
  for (int i = 0; i < count; ++i) {
    v1::ReportProgress* p = many.add_commands()->mutable_report_progress();
    p->set_id(id);
    p->set_text(absl::StrCat("Progress note ", 10000 + i));
  }
  const store::EventStore::WriteStats before = store->write_stats();
  EXPECT_OK(tracker->ApplyAndWait(many, "tester"));
  const store::EventStore::WriteStats after = store->write_stats();
  return {after.keys - before.keys, after.bytes - before.bytes,
          after.batches - before.batches};
}

TEST_F(ActionPartsTest, ARequestWritesEachCommandsKeysOnceAndTheStateOnce) {
  ImportSamples();
  const std::string id = FreshActionId();
  const store::EventStore::WriteStats hundred =
      CostOfRequest(tracker_.get(), store_.get(), id, 100);
  const store::EventStore::WriteStats thousand =
      CostOfRequest(tracker_.get(), store_.get(), id, 1000);
  // Per command: the event, its stream entry, its event-id record and its
  // note; the action's state once for the whole request.
  EXPECT_EQ(hundred.keys, 4u * 100 + 1);
  EXPECT_EQ(thousand.keys, 4u * 1000 + 1);
  EXPECT_LE(thousand.bytes, hundred.bytes * 10 + hundred.bytes / 10);
  auto whole = tracker_->GetAction(id);
  ASSERT_OK(whole);
  EXPECT_EQ(whole->progress_size(), 1100);
  EXPECT_EQ(whole->progress(1099).text(), "Progress note 10999");
}

TEST_F(ActionPartsTest, ARequestOverTheByteBudgetIsRefusedWhole) {
  tracker_.reset();
  store_.reset();
  store::StoreOptions options;
  options.clock = &clock_;
  options.max_request_bytes = 64 << 10;
  auto opened = store::EventStore::Open(dir_.Sub("db"), options);
  ASSERT_OK(opened);
  store_ = *std::move(opened);
  tracker_ = std::make_unique<Tracker>(store_.get());
  ImportSamples();
  const std::string id = FreshActionId();
  v1::ApplyRequest big;
  for (int i = 0; i < 200; ++i) {
    v1::ReportProgress* p = big.add_commands()->mutable_report_progress();
    p->set_id(id);
    p->set_text(std::string(1000, 'x'));
  }
  const uint64_t last = store_->LastPosition();
  auto refused = tracker_->ApplyAndWait(big, "tester");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("more than 65536 bytes, the most one request may "
                        "write; nothing of it was applied"));
  EXPECT_EQ(store_->LastPosition(), last);
  auto action = tracker_->GetAction(id);
  ASSERT_OK(action);
  EXPECT_EQ(action->progress_size(), 0);
  big.mutable_commands()->DeleteSubrange(20, 180);
  EXPECT_OK(tracker_->ApplyAndWait(big, "tester"));
}

// Rewrites the database as schema 3 kept it: each action's state whole
// (every note and target, without numbers or counts), no parts.
void WriteOldLayout(const std::string& dir,
                    const std::vector<v1::Action>& folded) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const char* name :
       {"default", "events", "streams", "state", "index", "requests", "meta"}) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(
      rocksdb::DB::Open(rocksdb::DBOptions(), dir, descriptors, &handles, &raw)
          .ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::ColumnFamilyHandle* state = handles[3];
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it(
      db->NewIterator(rocksdb::ReadOptions(), state));
  int parts = 0;
  for (it->Seek(store::AllPartsPrefix());
       it->Valid() && it->key().starts_with(store::AllPartsPrefix());
       it->Next()) {
    ASSERT_TRUE(batch.Delete(state, it->key()).ok());
    ++parts;
  }
  ASSERT_TRUE(it->status().ok());
  it.reset();
  EXPECT_GT(parts, 100);
  for (v1::Action action : folded) {
    action.clear_progress_count();
    action.clear_target_count();
    action.mutable_slippage()->clear_original_latest();
    for (auto& note : *action.mutable_progress()) note.clear_number();
    for (auto& target : *action.mutable_targets()) target.clear_number();
    ASSERT_TRUE(batch.Put(state, action.id(), action.SerializeAsString()).ok());
  }
  ASSERT_TRUE(batch.Put(handles[6], "schema_version", "3").ok());
  ASSERT_TRUE(db->Write(rocksdb::WriteOptions(), &batch).ok());
  for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
}

TEST_F(ActionPartsTest, AnOldDatabaseIsMigratedFromTheLogAndReadsTheSame) {
  ImportSamples();
  const absl::Time middle = clock_.Now();
  Update(12);
  const Answers before = Read(middle);
  std::vector<v1::Action> folded;
  for (const std::string& id : ActionIds()) folded.push_back(Folded(id));
  tracker_.reset();
  store_.reset();
  WriteOldLayout(dir_.Sub("db"), folded);
  Open();
  ASSERT_TRUE(store_->projections_stale());
  auto rebuilt = tracker_->RebuildProjections();
  ASSERT_OK(rebuilt);
  EXPECT_EQ(*rebuilt, store_->LastPosition());
  EXPECT_FALSE(store_->projections_stale());
  ExpectSame(before, Read(middle));
  auto verified = tracker_->Verify();
  ASSERT_OK(verified);
  EXPECT_TRUE(verified->ok()) << verified->DebugString();
  // Stored in parts again: each parent holds one note at most.
  for (const std::string& id : ActionIds()) {
    auto bytes = store_->GetState(id);
    ASSERT_OK(bytes);
    v1::Action parent;
    ASSERT_TRUE(parent.ParseFromString(bytes->value()));
    EXPECT_LE(parent.progress_size(), 1);
    EXPECT_LE(parent.targets_size(), 1);
  }
  // Opened again, it is current: nothing to migrate.
  Open();
  EXPECT_FALSE(store_->projections_stale());
  ExpectSame(before, Read(middle));
}

}  // namespace
}  // namespace rectrack::domain
