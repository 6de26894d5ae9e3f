// Issue 4 over a real EventStore with an injected clock: target revisions
// and slippage, overdue / due soon / RAG, the indexed ListActions filters
// and pages, as-of reads on both axes, and the committee report.
#include <google/protobuf/util/message_differencer.h>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "server/domain/tracker.h"
#include "tests/test_util.h"
#include "tests/tracker_fixture.h"

namespace rectrack::domain {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

absl::Time Day(int y, int m, int d, int hour = 9) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hour, 0, 0),
                         absl::UTCTimeZone());
}

class TrackingTest : public TrackerFixture {
 protected:
  TrackingTest() : TrackerFixture(Day(2010, 7, 1)) {}

  std::string Must(v1::Command c) {
    v1::ApplyRequest request;
    *request.add_commands() = std::move(c);
    auto r = tracker_->ApplyAndWait(request, "tester");
    EXPECT_OK(r);
    return r.ok() ? r->results(0).entity_id() : "";
  }
  absl::Status Fails(v1::Command c) {
    v1::ApplyRequest request;
    *request.add_commands() = std::move(c);
    return tracker_->ApplyAndWait(request, "tester").status();
  }

  static v1::Command OpenReview(std::string committee = "Children's O&S",
                                std::string published = "2010-03-15") {
    v1::Command c;
    c.mutable_open_review()->set_title("Review of Youth Services");
    c.mutable_open_review()->set_committee(committee);
    c.mutable_open_review()->set_published_on(published);
    return c;
  }
  static v1::Command AddRec(std::string review, std::string ref,
                            std::string text = "That youth clubs open later") {
    v1::Command c;
    c.mutable_add_recommendation()->set_review_id(review);
    c.mutable_add_recommendation()->set_ref(ref);
    c.mutable_add_recommendation()->set_text(text);
    return c;
  }
  static v1::Command Respond(std::string rec, std::string on = "") {
    v1::Command c;
    c.mutable_record_response()->set_recommendation_id(rec);
    c.mutable_record_response()->set_decision(v1::DECISION_ACCEPTED);
    c.mutable_record_response()->set_text("Agreed");
    c.mutable_record_response()->set_responded_on(on);
    return c;
  }
  static v1::Command AddAction(std::string rec, std::string due,
                               std::vector<std::string> leads = {"Ann Lee"},
                               std::string text = "Extend opening hours") {
    v1::Command c;
    c.mutable_add_action()->set_recommendation_id(rec);
    c.mutable_add_action()->set_text(text);
    for (auto& l : leads) c.mutable_add_action()->add_leads(l);
    c.mutable_add_action()->set_timescale(due);
    return c;
  }
  static v1::Command Retarget(std::string id, std::string due,
                              std::string reason) {
    v1::Command c;
    c.mutable_update_action()->set_id(id);
    c.mutable_update_action()->set_timescale(due);
    c.mutable_update_action()->set_reason(reason);
    return c;
  }
  static v1::Command SetStatus(std::string id, v1::ActionStatus s,
                               std::string on = "") {
    v1::Command c;
    c.mutable_set_action_status()->set_id(id);
    c.mutable_set_action_status()->set_status(s);
    c.mutable_set_action_status()->set_effective_on(on);
    return c;
  }

  v1::Action Get(const std::string& id) {
    v1::GetActionRequest req;
    req.set_id(id);
    auto a = tracker_->GetAction(req);
    EXPECT_OK(a);
    return a.ok() ? *a : v1::Action();
  }

  std::vector<std::string> Ids(v1::ListActionsRequest req) {
    std::vector<std::string> out;
    auto r = tracker_->ListActions(req);
    EXPECT_OK(r);
    if (r.ok()) {
      for (const auto& a : r->actions()) out.push_back(a.id());
    }
    return out;
  }

  v1::AsOf Recorded(absl::Time t) {
    v1::AsOf as_of;
    SetTimestamp(t, as_of.mutable_at());
    as_of.set_axis(v1::TIME_AXIS_RECORDED);
    return as_of;
  }
};

TEST_F(TrackingTest, TimescaleIsReadAgainstTheReviewDateAndKeptVerbatim) {
  Must(OpenReview("Children's O&S", "2010-03-15"));
  Must(AddRec("review-1", "1"));
  Must(Respond("rec-1"));
  Must(AddAction("rec-1", "Sept 10?"));
  Must(AddAction("rec-1", "Ongoing"));
  Must(AddAction("rec-1", "when funding allows"));
  v1::Action a = Get("action-1");
  EXPECT_EQ(a.timescale().text(), "Sept 10?");
  EXPECT_EQ(a.timescale().earliest(), "2010-09-01");
  EXPECT_EQ(a.timescale().latest(), "2010-09-30");
  EXPECT_TRUE(a.timescale().tentative());
  EXPECT_EQ(a.timescale().reference_date(), "2010-03-15");
  EXPECT_TRUE(Get("action-2").timescale().ongoing());
  v1::Action junk = Get("action-3");
  EXPECT_TRUE(junk.timescale().unparsed());
  EXPECT_EQ(junk.timescale().text(), "when funding allows");
  EXPECT_FALSE(junk.standing().overdue());
}

TEST_F(TrackingTest, RevisingATargetNeedsAReasonAndIsKeptWithSlippage) {
  Must(OpenReview());
  Must(AddRec("review-1", "1"));
  Must(Respond("rec-1"));
  Must(AddAction("rec-1", "Sept 10"));
  absl::Status s = Fails(Retarget("action-1", "Dec 10", ""));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("reason is required"));
  Must(Retarget("action-1", "Dec 10", "Staff shortage"));
  Must(Retarget("action-1", "March 11", "Budget delayed"));
  v1::Action a = Get("action-1");
  ASSERT_EQ(a.targets_size(), 3);
  EXPECT_EQ(a.targets(0).target().text(), "Sept 10");
  EXPECT_EQ(a.targets(0).reason(), "");
  EXPECT_EQ(a.targets(1).target().latest(), "2010-12-31");
  EXPECT_EQ(a.targets(1).reason(), "Staff shortage");
  EXPECT_EQ(a.targets(2).reason(), "Budget delayed");
  EXPECT_EQ(a.targets(2).recorded_by(), "tester");
  EXPECT_EQ(a.slippage().revisions(), 2u);
  EXPECT_EQ(a.slippage().days_slipped(), 182);  // 30 Sep 2010 → 31 Mar 2011
  // Revised more than once: amber even while far from due.
  EXPECT_EQ(a.standing().rag(), v1::RAG_AMBER);
}

TEST_F(TrackingTest, OverdueDueSoonAndRagFollowTheInjectedClock) {
  Must(OpenReview());
  Must(AddRec("review-1", "1"));
  Must(Respond("rec-1"));
  Must(AddAction("rec-1", "Sept 10"));  // latest day 2010-09-30
  v1::Action a = Get("action-1");
  EXPECT_EQ(a.standing().day(), "2010-07-01");
  EXPECT_FALSE(a.standing().overdue());
  EXPECT_FALSE(a.standing().due_soon());
  EXPECT_EQ(a.standing().rag(), v1::RAG_GREEN);

  clock_.Set(Day(2010, 9, 15));
  a = Get("action-1");
  EXPECT_TRUE(a.standing().due_soon());
  EXPECT_EQ(a.standing().rag(), v1::RAG_AMBER);

  clock_.Set(Day(2010, 9, 30));  // the last day itself is not yet overdue
  EXPECT_FALSE(Get("action-1").standing().overdue());

  clock_.Set(Day(2010, 10, 3));
  a = Get("action-1");
  EXPECT_TRUE(a.standing().overdue());
  EXPECT_EQ(a.standing().days_overdue(), 3);
  EXPECT_EQ(a.standing().rag(), v1::RAG_RED);

  Must(SetStatus("action-1", v1::ACTION_STATUS_COMPLETED));
  a = Get("action-1");
  EXPECT_FALSE(a.standing().overdue());
  EXPECT_EQ(a.standing().rag(), v1::RAG_GREEN);

  Must(AddAction("rec-1", "Ongoing"));
  Must(SetStatus("action-2", v1::ACTION_STATUS_BLOCKED));
  EXPECT_EQ(Get("action-2").standing().rag(), v1::RAG_RED);
}

TEST_F(TrackingTest, ListActionsFiltersPagesAndStaysConsistent) {
  Must(OpenReview("Children's O&S"));
  Must(OpenReview("Health Scrutiny"));
  Must(AddRec("review-1", "1", "That youth clubs open later"));
  Must(AddRec("review-2", "1", "That car parking charges are reviewed"));
  Must(Respond("rec-1"));
  Must(Respond("rec-2"));
  // action-1..4 in review-1, action-5..6 in review-2.
  Must(AddAction("rec-1", "May 10", {"Ann Lee"}, "Survey young people"));
  Must(AddAction("rec-1", "Sept 10", {"Bob Roy", "Ann Lee"},
                 "Pilot late opening"));
  Must(AddAction("rec-1", "Dec 10", {"Cat Poe"}, "Report to cabinet"));
  Must(AddAction("rec-1", "Ongoing", {"Bob Roy"}, "Monitor attendance"));
  Must(AddAction("rec-2", "June 10", {"ann lee"}, "Benchmark charges"));
  Must(AddAction("rec-2", "Spring 2011", {"Dan Oz"}, "Consult residents"));
  Must(SetStatus("action-2", v1::ACTION_STATUS_BLOCKED));
  clock_.Set(Day(2010, 9, 10));

  v1::ListActionsRequest overdue;
  overdue.set_overdue(true);  // May 10 and June 10 have passed
  EXPECT_THAT(Ids(overdue), ElementsAre("action-1", "action-5"));
  Must(SetStatus("action-5", v1::ACTION_STATUS_COMPLETED));
  EXPECT_THAT(Ids(overdue), ElementsAre("action-1"));

  v1::ListActionsRequest leads;
  leads.add_leads("ANN LEE");
  leads.add_leads("dan oz");
  EXPECT_THAT(Ids(leads),
              ElementsAre("action-1", "action-2", "action-5", "action-6"));
  leads.set_committee("health scrutiny");
  EXPECT_THAT(Ids(leads), ElementsAre("action-5", "action-6"));

  v1::ListActionsRequest before;
  before.set_due_before("2010-10-01");
  EXPECT_THAT(Ids(before), ElementsAre("action-1", "action-2", "action-5"));
  v1::ListActionsRequest after;
  after.set_due_after("1 October 2010");
  EXPECT_THAT(Ids(after), ElementsAre("action-3", "action-6"));

  v1::ListActionsRequest red;
  red.set_rag(v1::RAG_RED);  // overdue action-1, blocked action-2
  EXPECT_THAT(Ids(red), ElementsAre("action-1", "action-2"));
  v1::ListActionsRequest soon;
  soon.set_due_soon(true);  // Sept 10 is blocked but still due soon
  EXPECT_THAT(Ids(soon), ElementsAre("action-2"));

  v1::ListActionsRequest text;
  text.set_text("park");  // the recommendation's "parking"
  EXPECT_THAT(Ids(text), ElementsAre("action-5", "action-6"));
  text.set_text("Consult PARK");
  EXPECT_THAT(Ids(text), ElementsAre("action-6"));
  text.set_text("youth late");
  EXPECT_THAT(Ids(text),
              ElementsAre("action-1", "action-2", "action-3", "action-4"));
  text.set_text("nothing-like-this");
  EXPECT_THAT(Ids(text), IsEmpty());
  // Common words are not indexed, and a search leaves them out too.
  text.set_text("the consult of park");
  EXPECT_THAT(Ids(text), ElementsAre("action-6"));
  text.set_text("the and of");
  auto only_common = tracker_->ListActions(text);
  EXPECT_EQ(only_common.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(only_common.status().message()),
              HasSubstr("common words"));

  // Pages of two, in id order, until no token comes back.
  v1::ListActionsRequest paged;
  paged.set_page_size(2);
  std::vector<std::string> seen;
  for (int page = 0; page < 10; ++page) {
    auto r = tracker_->ListActions(paged);
    ASSERT_OK(r);
    for (const auto& a : r->actions()) seen.push_back(a.id());
    if (r->next_page_token().empty()) break;
    paged.set_page_token(r->next_page_token());
  }
  EXPECT_THAT(seen, ElementsAre("action-1", "action-2", "action-3", "action-4",
                                "action-5", "action-6"));

  v1::ListActionsRequest bad;
  bad.set_page_token("nonsense");
  EXPECT_THAT(std::string(tracker_->ListActions(bad).status().message()),
              HasSubstr("page_token"));
  bad = v1::ListActionsRequest();
  bad.set_due_before("next tuesday");
  EXPECT_THAT(std::string(tracker_->ListActions(bad).status().message()),
              HasSubstr("due_before"));

  auto verify = tracker_->Verify();
  ASSERT_OK(verify);
  EXPECT_THAT(verify->problems(), IsEmpty());
}

TEST_F(TrackingTest, AsOfRecordedEqualsWhatWasReadThen) {
  Must(OpenReview());
  Must(AddRec("review-1", "1"));
  Must(Respond("rec-1", "2010-04-20"));
  Must(AddAction("rec-1", "Sept 10"));
  clock_.Set(Day(2010, 8, 1));
  Must(SetStatus("action-1", v1::ACTION_STATUS_IN_PROGRESS));
  v1::GetReportRequest report_req;
  report_req.set_review_id("review-1");
  auto then_report = tracker_->GetReport(report_req);
  ASSERT_OK(then_report);
  v1::Action then_action = Get("action-1");
  const absl::Time then = clock_.Now();

  clock_.Set(Day(2010, 11, 1));
  Must(Retarget("action-1", "Dec 10", "Waiting for the budget"));
  Must(AddRec("review-1", "2"));
  Must(SetStatus("action-1", v1::ACTION_STATUS_COMPLETED));

  v1::GetActionRequest action_req;
  action_req.set_id("action-1");
  *action_req.mutable_as_of() = Recorded(then + absl::Minutes(1));
  auto past_action = tracker_->GetAction(action_req);
  ASSERT_OK(past_action);
  EXPECT_TRUE(MessageDifferencer::Equals(*past_action, then_action))
      << past_action->DebugString() << "\nvs\n"
      << then_action.DebugString();

  *report_req.mutable_as_of() = Recorded(then + absl::Minutes(1));
  auto past_report = tracker_->GetReport(report_req);
  ASSERT_OK(past_report);
  past_report->clear_as_of();
  EXPECT_TRUE(MessageDifferencer::Equals(*past_report, *then_report))
      << past_report->DebugString() << "\nvs\n"
      << then_report->DebugString();

  v1::GetReviewRequest review_req;
  review_req.set_id("review-1");
  *review_req.mutable_as_of() = Recorded(then);
  auto past_review = tracker_->GetReview(review_req);
  ASSERT_OK(past_review);
  EXPECT_EQ(past_review->recommendation_ids_size(), 1);

  v1::ListActionsRequest list;
  list.set_status(v1::ACTION_STATUS_IN_PROGRESS);
  *list.mutable_as_of() = Recorded(then);
  EXPECT_THAT(Ids(list), ElementsAre("action-1"));
  list.clear_as_of();
  EXPECT_THAT(Ids(list), IsEmpty());

  *review_req.mutable_as_of() = Recorded(Day(2010, 6, 1));
  EXPECT_EQ(tracker_->GetReview(review_req).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(TrackingTest, AsOfEffectiveCountsLateRecordedChangesByTheirDate) {
  Must(OpenReview("Children's O&S", "2010-03-15"));
  Must(AddRec("review-1", "1"));
  Must(Respond("rec-1", "2010-04-20"));
  Must(AddAction("rec-1", "Sept 10"));
  clock_.Set(Day(2010, 10, 20));
  // Recorded in October about work finished in August.
  Must(SetStatus("action-1", v1::ACTION_STATUS_COMPLETED, "2010-08-25"));

  v1::GetActionRequest req;
  req.set_id("action-1");
  req.mutable_as_of()->set_axis(v1::TIME_AXIS_EFFECTIVE);
  SetTimestamp(Day(2010, 9, 1), req.mutable_as_of()->mutable_at());
  auto effective = tracker_->GetAction(req);
  ASSERT_OK(effective);
  EXPECT_EQ(effective->status(), v1::ACTION_STATUS_COMPLETED);

  req.mutable_as_of()->set_axis(v1::TIME_AXIS_RECORDED);
  auto recorded = tracker_->GetAction(req);
  ASSERT_OK(recorded);
  EXPECT_EQ(recorded->status(), v1::ACTION_STATUS_NOT_STARTED);
  EXPECT_EQ(recorded->standing().day(), "2010-09-01");
}

TEST_F(TrackingTest, ReportCountsResponsesRagSlippageAndChanges) {
  clock_.Set(Day(2010, 6, 1));
  Must(OpenReview("Children's O&S", "2010-03-15"));  // responses due 15 May
  Must(AddRec("review-1", "1"));
  Must(AddRec("review-1", "2"));
  Must(AddRec("review-1", "3"));
  Must(Respond("rec-1", "2010-05-01"));  // on time, 47 days
  Must(Respond("rec-2", "2010-06-01"));  // late
  Must(AddAction("rec-1", "May 10"));
  Must(AddAction("rec-1", "Dec 10"));
  Must(Retarget("action-2", "March 11", "Consultation extended"));
  v1::Command rb;
  rb.mutable_schedule_report_back()->set_review_id("review-1");
  rb.mutable_schedule_report_back()->set_date("2010-06-20");
  Must(rb);
  clock_.Set(Day(2010, 7, 2));
  v1::Command progress;
  progress.mutable_report_progress()->set_id("action-1");
  progress.mutable_report_progress()->set_text("Survey sent out");
  Must(progress);

  v1::GetReportRequest req;
  req.set_review_id("review-1");
  auto report = tracker_->GetReport(req);
  ASSERT_OK(report);
  const v1::ReportSummary& s = report->summary();
  EXPECT_EQ(s.recommendations(), 3u);
  EXPECT_EQ(s.actions(), 2u);
  EXPECT_EQ(s.red(), 1u);  // action-1, May 10, overdue
  EXPECT_EQ(s.green(), 1u);
  EXPECT_EQ(s.responses_on_time(), 1u);
  EXPECT_EQ(s.responses_late(), 1u);
  EXPECT_EQ(s.responses_awaited(), 1u);
  EXPECT_EQ(s.responses_overdue(), 1u);
  EXPECT_EQ(s.actions_revised(), 1u);
  EXPECT_EQ(s.days_slipped(), 90);  // 31 Dec 2010 → 31 Mar 2011
  ASSERT_EQ(report->items_size(), 3);
  EXPECT_EQ(report->items(0).response_timing().due_on(), "2010-05-15");
  EXPECT_EQ(report->items(0).response_timing().days_taken(), 47);
  EXPECT_TRUE(report->items(1).response_timing().late());
  EXPECT_TRUE(report->items(2).response_timing().late());
  EXPECT_FALSE(report->items(2).response_timing().responded());
  // Changes since the report-back of 20 June: only the progress update.
  EXPECT_EQ(report->changed_since(), "2010-06-20");
  ASSERT_EQ(report->changes_size(), 1);
  EXPECT_EQ(report->changes(0).type(), "ProgressReported");
  // Timeline: three awaiting from publication, then responses.
  ASSERT_GE(report->timeline_size(), 2);
  EXPECT_EQ(report->timeline(0).day(), "2010-03-15");
  EXPECT_EQ(report->timeline(0).counts(0).count(), 3u);
  const v1::StatusPoint& last = report->timeline(report->timeline_size() - 1);
  uint32_t total = 0;
  for (const auto& c : last.counts()) total += c.count();
  EXPECT_EQ(total, 3u);

  req.set_since("2010-01-01");
  report = tracker_->GetReport(req);
  ASSERT_OK(report);
  EXPECT_GT(report->changes_size(), 5);
  req.set_review_id("review-9");
  EXPECT_EQ(tracker_->GetReport(req).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(TrackingTest, OlderDatabaseGetsItsProjectionsRebuiltFromTheLog) {
  Must(OpenReview());
  Must(AddRec("review-1", "1"));
  Must(Respond("rec-1"));
  Must(AddAction("rec-1", "Sept 10", {"Ann Lee"}));
  Must(Retarget("action-1", "Dec 10", "Late start"));
  tracker_.reset();
  store_.reset();
  {
    // Make it look like schema 1: old version number, a stale state, an
    // index entry in the old key form, and a state with no events.
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name : {"default", "events", "streams", "state", "index",
                             "requests", "meta"}) {
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir_.Sub("db"),
                                  families, &handles, &raw)
                    .ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::WriteOptions wo;
    ASSERT_TRUE(db->Put(wo, handles[6], "schema_version", "1").ok());
    v1::Action old;
    old.set_id("action-1");
    old.mutable_timescale()->set_text("Dec 10");
    ASSERT_TRUE(
        db->Put(wo, handles[3], "action-1", old.SerializeAsString()).ok());
    ASSERT_TRUE(db->Put(wo, handles[3], "action-99", "junk").ok());
    ASSERT_TRUE(db->Put(wo, handles[4],
                        std::string("\0\0\0\x0e"
                                    "action_by_lead"
                                    "\0\0\0\x07"
                                    "ann lee"
                                    "action-1",
                                    37),
                        "")
                    .ok());
    for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  }
  SetUp();
  ASSERT_TRUE(store_->projections_stale());
  auto rebuilt = tracker_->RebuildProjections();
  ASSERT_OK(rebuilt);
  EXPECT_EQ(*rebuilt, 5u);
  EXPECT_FALSE(store_->projections_stale());
  auto verify = tracker_->Verify();
  ASSERT_OK(verify);
  EXPECT_THAT(verify->problems(), IsEmpty());
  v1::Action a = Get("action-1");
  EXPECT_EQ(a.timescale().latest(), "2010-12-31");
  EXPECT_EQ(a.slippage().revisions(), 1u);
  v1::ListActionsRequest lead;
  lead.add_leads("Ann Lee");
  EXPECT_THAT(Ids(lead), ElementsAre("action-1"));
  // Marked current: the next open does not rebuild again.
  tracker_.reset();
  store_.reset();
  SetUp();
  EXPECT_FALSE(store_->projections_stale());
}

}  // namespace
}  // namespace rectrack::domain
