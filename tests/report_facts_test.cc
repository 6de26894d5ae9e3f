// Issue 14 over a real EventStore with an injected clock: dates not given
// stay unknown, response timing from the response in force, dates in the
// future refused, guardrails on sign-off, corrections and retractions,
// truthful RAG, exceptions, and effective views that never show what the
// rules forbid.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/tracker.h"
#include "tests/test_util.h"
#include "tests/tracker_fixture.h"

namespace rectrack::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

absl::Time Day(int y, int m, int d, int hour = 9) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hour, 0, 0),
                         absl::UTCTimeZone());
}

class ReportFactsTest : public TrackerFixture {
 protected:
  ReportFactsTest() : TrackerFixture(Day(2010, 7, 1)) {}

  std::string Must(v1::Command c) {
    v1::ApplyRequest request;
    *request.add_commands() = std::move(c);
    auto r = tracker_->ApplyAndWait(request, "clerk");
    EXPECT_OK(r);
    return r.ok() ? r->results(0).entity_id() : "";
  }
  absl::Status Fails(v1::Command c) {
    v1::ApplyRequest request;
    *request.add_commands() = std::move(c);
    absl::Status s = tracker_->ApplyAndWait(request, "clerk").status();
    EXPECT_FALSE(s.ok());
    return s;
  }

  static v1::Command OpenReview(std::string published = "2010-03-15") {
    v1::Command c;
    c.mutable_open_review()->set_title("Review of Partnerships");
    c.mutable_open_review()->set_committee("Strategic Leadership O&S");
    c.mutable_open_review()->set_published_on(published);
    return c;
  }
  static v1::Command AddRec(std::string ref, std::string portfolio = "") {
    v1::Command c;
    c.mutable_add_recommendation()->set_review_id("review-1");
    c.mutable_add_recommendation()->set_ref(ref);
    c.mutable_add_recommendation()->set_text("That partnerships be recorded");
    c.mutable_add_recommendation()->set_portfolio(portfolio);
    return c;
  }
  static v1::Command Respond(std::string rec, std::string on = "",
                             v1::Decision d = v1::DECISION_ACCEPTED) {
    v1::Command c;
    c.mutable_record_response()->set_recommendation_id(rec);
    c.mutable_record_response()->set_decision(d);
    c.mutable_record_response()->set_text("Agreed");
    c.mutable_record_response()->set_reason(
        d == v1::DECISION_REJECTED ? "Too costly" : "");
    c.mutable_record_response()->set_responded_on(on);
    return c;
  }
  static v1::Command AddAction(std::string rec, std::string due = "Dec 2010",
                               std::string on = "") {
    v1::Command c;
    c.mutable_add_action()->set_recommendation_id(rec);
    c.mutable_add_action()->set_text("Set up the database");
    c.mutable_add_action()->add_leads("Gemma Barron");
    c.mutable_add_action()->set_timescale(due);
    c.mutable_add_action()->set_effective_on(on);
    return c;
  }
  static v1::Command ActionStatus(std::string id, v1::ActionStatus s,
                                  std::string on = "") {
    v1::Command c;
    c.mutable_set_action_status()->set_id(id);
    c.mutable_set_action_status()->set_status(s);
    c.mutable_set_action_status()->set_effective_on(on);
    return c;
  }
  static v1::Command RecStatus(std::string id, v1::RecommendationStatus s,
                               std::string on = "", std::string why = "") {
    v1::Command c;
    c.mutable_set_recommendation_status()->set_recommendation_id(id);
    c.mutable_set_recommendation_status()->set_status(s);
    c.mutable_set_recommendation_status()->set_effective_on(on);
    c.mutable_set_recommendation_status()->set_override_reason(why);
    return c;
  }
  static v1::Command Progress(std::string id, std::string text,
                              std::string on = "") {
    v1::Command c;
    c.mutable_report_progress()->set_id(id);
    c.mutable_report_progress()->set_text(text);
    c.mutable_report_progress()->set_reported_on(on);
    return c;
  }

  v1::Report Report(std::string since = "") {
    v1::GetReportRequest req;
    req.set_review_id("review-1");
    req.set_since(since);
    auto r = tracker_->GetReport(req);
    EXPECT_OK(r);
    return r.ok() ? *r : v1::Report();
  }
  v1::Report ReportAsOf(absl::Time at, v1::TimeAxis axis) {
    v1::GetReportRequest req;
    req.set_review_id("review-1");
    req.mutable_as_of()->set_axis(axis);
    SetTimestamp(at, req.mutable_as_of()->mutable_at());
    auto r = tracker_->GetReport(req);
    EXPECT_OK(r);
    return r.ok() ? *r : v1::Report();
  }
  v1::Recommendation Rec(const std::string& id) {
    auto r = tracker_->GetRecommendation(id);
    EXPECT_OK(r);
    return r.ok() ? *r : v1::Recommendation();
  }
};

TEST_F(ReportFactsTest, AResponseWithoutADateIsCountedApartUntilItIsDated) {
  Must(OpenReview("2010-03-15"));  // responses due 15 May
  Must(AddRec("A"));
  Must(AddRec("B"));
  Must(Respond("rec-1"));  // as imported: no date
  Must(Respond("rec-2"));
  v1::Report r = Report();
  EXPECT_EQ(r.summary().responses_date_not_recorded(), 2u);
  EXPECT_EQ(r.summary().responses_on_time(), 0u);
  EXPECT_EQ(r.summary().responses_late(), 0u);
  EXPECT_TRUE(r.items(0).response_timing().date_not_recorded());
  EXPECT_FALSE(r.items(0).response_timing().late());

  // Re-recorded with their real dates: the response in force counts.
  Must(Respond("rec-1", "2010-04-20"));
  Must(Respond("rec-2", "2010-06-01"));
  r = Report();
  EXPECT_EQ(r.summary().responses_date_not_recorded(), 0u);
  EXPECT_EQ(r.summary().responses_on_time(), 1u);
  EXPECT_EQ(r.summary().responses_late(), 1u);
  EXPECT_EQ(r.items(0).response_timing().responded_on(), "2010-04-20");
  EXPECT_EQ(r.items(0).response_timing().days_taken(), 36);
  EXPECT_TRUE(r.items(1).response_timing().late());
  // History keeps both responses.
  auto history = tracker_->GetHistory("rec-1");
  ASSERT_OK(history);
  EXPECT_EQ(history->size(), 3u);
}

TEST_F(ReportFactsTest, DatesInTheFutureAndBeforeTheThingExistedAreRefused) {
  Must(OpenReview("2010-03-15"));
  Must(AddRec("A"));
  EXPECT_THAT(Fails(Respond("rec-1", "2009-12-01")).message(),
              HasSubstr("responded_on: 2009-12-01 is before the "
                        "recommendation was made (2010-03-15)"));
  Must(Respond("rec-1", "2010-04-20"));
  EXPECT_THAT(Fails(AddAction("rec-1", "Dec 2010", "2010-04-01")).message(),
              HasSubstr("is before recommendation rec-1 became accepted"));
  Must(AddAction("rec-1"));
  // Today is 1 July 2010; a day's grace for time zones.
  absl::Status future = Fails(Progress("action-1", "Done", "2010-07-03"));
  EXPECT_EQ(future.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(future.message(),
              HasSubstr("reported_on: 2010-07-03 is in the future (today is "
                        "2010-07-01)"));
  Must(Progress("action-1", "Started", "2010-07-02"));
  Must(Progress("action-1", "Undated note"));
  v1::GetActionRequest req;
  req.set_id("action-1");
  auto a = tracker_->GetAction(req);
  ASSERT_OK(a);
  EXPECT_EQ(a->progress(1).reported_on(), "");  // not stated, never today
}

// Scheduling a report-back and closing a review are dated too: checked
// like every other date, and the event takes effect on that day.
TEST_F(ReportFactsTest, ReportBacksAndClosingTakeTheDayTheyHappened) {
  Must(OpenReview("2010-03-15"));
  auto schedule = [](std::string meeting, std::string on) {
    v1::Command c;
    c.mutable_schedule_report_back()->set_review_id("review-1");
    c.mutable_schedule_report_back()->set_date(meeting);
    c.mutable_schedule_report_back()->set_effective_on(on);
    return c;
  };
  EXPECT_THAT(Fails(schedule("2010-10-01", "2010-03-01")).message(),
              HasSubstr("effective_on: 2010-03-01 is before the review was "
                        "published (2010-03-15)"));
  EXPECT_THAT(Fails(schedule("2010-10-01", "2010-07-03")).message(),
              HasSubstr("effective_on: 2010-07-03 is in the future"));
  // A past meeting may be recorded; the day it was fixed is kept.
  Must(schedule("2010-06-01", "2010-04-12"));
  v1::Command close;
  close.mutable_close_review()->set_review_id("review-1");
  close.mutable_close_review()->set_effective_on("2010-01-01");
  EXPECT_THAT(Fails(close).message(),
              HasSubstr("is before the review was published"));
  close.mutable_close_review()->set_effective_on("2010-06-30");
  Must(close);
  auto history = tracker_->GetHistory("review-1");
  ASSERT_OK(history);
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[1].effective_on(), "2010-04-12");
  EXPECT_EQ((*history)[1].payload().report_back_scheduled().effective_on(),
            "2010-04-12");
  EXPECT_EQ((*history)[2].effective_on(), "2010-06-30");
}

TEST_F(ReportFactsTest, SignOffNeedsEveryActionDoneOrAReasonAndCanBeCorrected) {
  Must(OpenReview());
  Must(AddRec("A", "The Leader"));
  Must(Respond("rec-1", "2010-04-20"));
  Must(AddAction("rec-1"));
  Must(AddAction("rec-1"));
  absl::Status refused = Fails(
      RecStatus("rec-1", v1::RECOMMENDATION_STATUS_SIGNED_OFF, "2010-06-30"));
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(),
              HasSubstr("action-1 (not started), action-2 (not started)"));
  Must(ActionStatus("action-1", v1::ACTION_STATUS_COMPLETED, "2010-06-01"));
  refused = Fails(
      RecStatus("rec-1", v1::RECOMMENDATION_STATUS_SIGNED_OFF, "2010-06-30"));
  EXPECT_THAT(refused.message(), HasSubstr(": action-2 (not started);"));
  EXPECT_THAT(refused.message(), Not(HasSubstr("action-1")));

  Must(RecStatus("rec-1", v1::RECOMMENDATION_STATUS_SIGNED_OFF, "2010-06-30",
                 "The committee accepted the partial database"));
  v1::Recommendation rec = Rec("rec-1");
  EXPECT_EQ(rec.status(), v1::RECOMMENDATION_STATUS_SIGNED_OFF);
  EXPECT_EQ(rec.signed_off_on(), "2010-06-30");
  EXPECT_EQ(rec.override_reason(),
            "The committee accepted the partial database");
  EXPECT_EQ(Report().items(0).recommendation().override_reason(),
            rec.override_reason());
  const absl::Time signed_off = clock_.Now();

  // A slip of the keyboard is not final: a scrutiny user corrects it.
  clock_.Advance(absl::Hours(24));
  v1::Command correct;
  correct.mutable_correct_record()->set_id("rec-1");
  correct.mutable_correct_record()->set_recommendation_status(
      v1::RECOMMENDATION_STATUS_IN_PROGRESS);
  EXPECT_THAT(Fails(correct).message(), HasSubstr("reason is required"));
  correct.mutable_correct_record()->set_reason("Signed off by mistake");
  Must(correct);
  rec = Rec("rec-1");
  EXPECT_EQ(rec.status(), v1::RECOMMENDATION_STATUS_IN_PROGRESS);
  EXPECT_EQ(rec.signed_off_on(), "");
  EXPECT_EQ(rec.override_reason(), "");
  EXPECT_EQ(Report().items(0).recommendation().status(),
            v1::RECOMMENDATION_STATUS_IN_PROGRESS);
  // As the tracker stood before the correction: signed off, as it was.
  v1::Report before = ReportAsOf(signed_off, v1::TIME_AXIS_RECORDED);
  EXPECT_EQ(before.items(0).recommendation().status(),
            v1::RECOMMENDATION_STATUS_SIGNED_OFF);
  // A rejection with live actions is refused, by correction as by response.
  v1::Command reject;
  reject.mutable_correct_record()->set_id("rec-1");
  reject.mutable_correct_record()->set_decision(v1::DECISION_REJECTED);
  reject.mutable_correct_record()->set_reason("Minutes say rejected");
  EXPECT_THAT(Fails(reject).message(),
              HasSubstr("not cancelled: action-1 (completed), action-2 (not "
                        "started)"));
  // History shows the correction beside the original, nothing deleted.
  auto history = tracker_->GetHistory("rec-1");
  ASSERT_OK(history);
  ASSERT_EQ(history->back().type(), "RecordCorrected");
  EXPECT_EQ(history->back().payload().record_corrected().was(),
            "status signed off on 2010-06-30");
  EXPECT_EQ(history->back().actor(), "clerk");
  EXPECT_EQ((*history)[history->size() - 2].type(),
            "RecommendationStatusChanged");
}

TEST_F(ReportFactsTest, RejectedSignOffAndClosingNeedReasons) {
  Must(OpenReview());
  Must(AddRec("A"));
  Must(Respond("rec-1", "2010-04-20", v1::DECISION_REJECTED));
  EXPECT_THAT(
      Fails(RecStatus("rec-1", v1::RECOMMENDATION_STATUS_SIGNED_OFF)).message(),
      HasSubstr("was rejected; signing off a rejected recommendation needs "
                "override_reason"));
  EXPECT_THAT(Fails(RecStatus("rec-1",
                              v1::RECOMMENDATION_STATUS_CLOSED_NOT_IMPLEMENTED))
                  .message(),
              HasSubstr("note is required"));
  v1::Command close =
      RecStatus("rec-1", v1::RECOMMENDATION_STATUS_CLOSED_NOT_IMPLEMENTED);
  close.mutable_set_recommendation_status()->set_note("Rejected by Cabinet");
  Must(close);
}

TEST_F(ReportFactsTest, RetractedProgressStaysInHistoryButNotInTheReport) {
  Must(OpenReview());
  Must(AddRec("A"));
  Must(Respond("rec-1", "2010-04-20"));
  Must(AddAction("rec-1"));
  Must(Progress("action-1", "Database live", "2010-06-01"));
  Must(Progress("action-1", "Wrong action: typed in error", "2010-06-02"));
  v1::Command retract;
  retract.mutable_retract_progress()->set_id("action-1");
  retract.mutable_retract_progress()->set_number(3);
  retract.mutable_retract_progress()->set_reason("Meant for another action");
  EXPECT_THAT(Fails(retract).message(),
              HasSubstr("has 2 progress notes; give a number from 1 to 2"));
  retract.mutable_retract_progress()->set_number(2);
  Must(retract);
  EXPECT_EQ(Fails(retract).code(), absl::StatusCode::kFailedPrecondition);
  const v1::Report report = Report();
  const v1::Action& a = report.items(0).actions(0);
  ASSERT_EQ(a.progress_size(), 2);
  EXPECT_TRUE(a.progress(1).retracted());
  EXPECT_EQ(a.progress(1).retraction_reason(), "Meant for another action");
  EXPECT_FALSE(a.progress(0).retracted());
}

TEST_F(ReportFactsTest, RagTellsTheTruthAndExceptionsComeFirst) {
  Must(OpenReview());
  Must(AddRec("A", "The Leader"));
  Must(Respond("rec-1", "2010-04-20"));
  Must(AddAction("rec-1", "tbc"));         // action-1: no target
  Must(AddAction("rec-1", "31/02/2010"));  // action-2: no target
  Must(AddAction("rec-1", "May 2010"));    // action-3: overdue
  Must(AddAction("rec-1", "Dec 2010"));    // action-4: cancelled
  Must(ActionStatus("action-4", v1::ACTION_STATUS_CANCELLED));
  Must(AddRec("B"));
  Must(Respond("rec-2", "2010-04-20"));
  Must(AddAction("rec-2", "June 2010"));  // action-5: completed
  Must(ActionStatus("action-5", v1::ACTION_STATUS_COMPLETED));
  v1::Report r = Report();
  std::vector<v1::Rag> rags;
  for (const auto& a : r.items(0).actions()) rags.push_back(a.standing().rag());
  EXPECT_THAT(rags, ElementsAre(v1::RAG_NO_TARGET, v1::RAG_NO_TARGET,
                                v1::RAG_RED, v1::RAG_NOT_RATED));
  EXPECT_EQ(r.items(1).actions(0).standing().rag(), v1::RAG_GREEN);
  EXPECT_EQ(r.summary().no_target(), 2u);
  EXPECT_EQ(r.summary().not_rated(), 1u);
  EXPECT_EQ(r.summary().green(), 1u);
  EXPECT_EQ(r.summary().red(), 1u);
  std::vector<std::string> exceptions;
  for (const auto& x : r.exceptions()) {
    exceptions.push_back(absl::StrCat(v1::ReportException::Kind_Name(x.kind()),
                                      " ", x.recommendation_id(), " ",
                                      x.action_id()));
  }
  EXPECT_THAT(exceptions, ElementsAre("KIND_NO_TARGET rec-1 action-1",
                                      "KIND_NO_TARGET rec-1 action-2",
                                      "KIND_OVERDUE rec-1 action-3",
                                      "KIND_PROPOSED_FOR_SIGN_OFF rec-2 "));
  ASSERT_FALSE(r.rag_rules().empty());
  EXPECT_THAT(r.rag_rules(0), HasSubstr("cancelled"));
}

// A plan imported years later: undated responses and actions, dated
// status changes and progress. Every day's effective view must be a state
// the rules allow.
TEST_F(ReportFactsTest, EffectiveViewsNeverShowWhatTheRulesForbid) {
  clock_.Set(Day(2026, 12, 1));
  Must(OpenReview("2007-05-17"));
  Must(AddRec("A"));
  Must(AddRec("B"));
  Must(Respond("rec-1"));    // undated
  Must(Respond("rec-2"));    // undated
  Must(AddAction("rec-1"));  // undated
  Must(AddAction("rec-2"));  // undated
  Must(Progress("action-1", "Agreed scope", "2007-11-01"));
  Must(ActionStatus("action-1", v1::ACTION_STATUS_IN_PROGRESS, "2008-01-10"));
  Must(ActionStatus("action-1", v1::ACTION_STATUS_COMPLETED, "2008-03-01"));
  Must(RecStatus("rec-1", v1::RECOMMENDATION_STATUS_IN_PROGRESS, "2007-12-01"));
  Must(RecStatus("rec-1", v1::RECOMMENDATION_STATUS_SIGNED_OFF, "2008-10-01"));
  Must(RecStatus("rec-2", v1::RECOMMENDATION_STATUS_IN_PROGRESS, "2009-02-01"));

  int views = 0;
  for (absl::CivilMonth m(2007, 6); m <= absl::CivilMonth(2026, 12); ++m) {
    v1::Report r =
        ReportAsOf(absl::FromCivil(absl::CivilDay(m), absl::UTCTimeZone()) +
                       absl::Hours(12),
                   v1::TIME_AXIS_EFFECTIVE);
    ++views;
    for (const v1::ReportItem& item : r.items()) {
      const v1::Recommendation& rec = item.recommendation();
      SCOPED_TRACE(absl::StrCat(r.day(), " ", rec.id()));
      const bool awaiting =
          rec.status() == v1::RECOMMENDATION_STATUS_AWAITING_RESPONSE;
      EXPECT_EQ(awaiting, !rec.has_response());
      if (awaiting) {
        EXPECT_EQ(item.actions_size(), 0);
      }
      if (rec.status() == v1::RECOMMENDATION_STATUS_SIGNED_OFF) {
        for (const v1::Action& a : item.actions()) {
          EXPECT_EQ(a.status(), v1::ACTION_STATUS_COMPLETED);
        }
      }
    }
  }
  EXPECT_EQ(views, 235);
  // By the sign-off, the record is as the plan tells it.
  v1::Report signed_off = ReportAsOf(Day(2008, 10, 2), v1::TIME_AXIS_EFFECTIVE);
  EXPECT_EQ(signed_off.items(0).recommendation().status(),
            v1::RECOMMENDATION_STATUS_SIGNED_OFF);
  EXPECT_EQ(signed_off.items(0).actions(0).status(),
            v1::ACTION_STATUS_COMPLETED);

  // "Changes since" is selected and ordered by the day each took effect.
  v1::Report since = Report("2008-01-01");
  ASSERT_EQ(since.change_days_size(), since.changes_size());
  ASSERT_GT(since.changes_size(), 0);
  for (int i = 0; i < since.change_days_size(); ++i) {
    EXPECT_GE(since.change_days(i), "2008-01-01");
    if (i > 0) {
      EXPECT_LE(since.change_days(i - 1), since.change_days(i));
    }
  }
  EXPECT_EQ(since.changes(0).type(), "ActionStatusChanged");
  EXPECT_EQ(since.change_days(0), "2008-01-10");
}

}  // namespace
}  // namespace rectrack::domain
