// domain::Tracker over a real EventStore: the business rules, atomic
// requests, references, indexes, idempotency, and projections that equal a
// fold of the log.
#include "server/domain/tracker.h"

#include <google/protobuf/util/message_differencer.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/fold.h"
#include "tests/test_util.h"
#include "tests/tracker_fixture.h"

namespace rectrack::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class TrackerTest : public TrackerFixture {
 protected:
  TrackerTest()
      : TrackerFixture(absl::FromCivil(absl::CivilSecond(2010, 7, 1, 9, 0, 0),
                                       absl::UTCTimeZone())) {}

  absl::StatusOr<v1::ApplyResponse> Apply(std::vector<v1::Command> commands,
                                          std::string request_id = "") {
    v1::ApplyRequest request;
    for (auto& c : commands) *request.add_commands() = std::move(c);
    request.set_request_id(request_id);
    return tracker_->ApplyAndWait(request, "tester");
  }

  // Applies one command that must succeed; returns the entity id.
  std::string Must(v1::Command c) {
    auto r = Apply({std::move(c)});
    EXPECT_OK(r);
    return r.ok() ? r->results(0).entity_id() : "";
  }

  // The code and message a person sees (the details are tested in
  // http_gateway_test).
  static absl::Status Plain(const absl::Status& s) {
    return absl::Status(s.code(), s.message());
  }
  absl::Status Fails(v1::Command c) {
    return Plain(Apply({std::move(c)}).status());
  }

  static v1::Command OpenReview(std::string title = "Review of Partnerships") {
    v1::Command c;
    c.mutable_open_review()->set_title(title);
    c.mutable_open_review()->set_committee("Strategic Leadership O&S");
    c.mutable_open_review()->set_published_on("17 May 2007");
    return c;
  }
  static v1::Command AddRec(std::string review, std::string ref = "A") {
    v1::Command c;
    c.mutable_add_recommendation()->set_review_id(review);
    c.mutable_add_recommendation()->set_ref(ref);
    c.mutable_add_recommendation()->set_text("That a database be compiled");
    return c;
  }
  static v1::Command Respond(std::string rec, v1::Decision d,
                             std::string reason = "") {
    v1::Command c;
    c.mutable_record_response()->set_recommendation_id(rec);
    c.mutable_record_response()->set_decision(d);
    c.mutable_record_response()->set_text("The response");
    c.mutable_record_response()->set_reason(reason);
    return c;
  }
  static v1::Command AddAction(
      std::string rec, std::vector<std::string> leads = {"Gemma Barron"},
      std::string due = "Sept 10") {
    v1::Command c;
    c.mutable_add_action()->set_recommendation_id(rec);
    c.mutable_add_action()->set_text("Add to partnerships toolkit");
    for (auto& l : leads) c.mutable_add_action()->add_leads(l);
    c.mutable_add_action()->set_timescale(due);
    return c;
  }
  static v1::Command ActionStatus(std::string id, v1::ActionStatus s) {
    v1::Command c;
    c.mutable_set_action_status()->set_id(id);
    c.mutable_set_action_status()->set_status(s);
    return c;
  }
  static v1::Command RecStatus(std::string id, v1::RecommendationStatus s) {
    v1::Command c;
    c.mutable_set_recommendation_status()->set_recommendation_id(id);
    c.mutable_set_recommendation_status()->set_status(s);
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

  // review-1 / rec-1 (accepted) / action-1.
  void Seed() {
    Must(OpenReview());
    Must(AddRec("review-1"));
    Must(Respond("rec-1", v1::DECISION_ACCEPTED));
    Must(AddAction("rec-1"));
  }
};

TEST_F(TrackerTest, FollowsARecommendationFromReviewToSignOff) {
  EXPECT_EQ(Must(OpenReview()), "review-1");
  EXPECT_EQ(Must(AddRec("review-1")), "rec-1");
  Must(Respond("rec-1", v1::DECISION_ACCEPTED));
  EXPECT_EQ(Must(AddAction("rec-1", {"Leader", " Chief Executive "})),
            "action-1");
  Must(Progress("action-1", "Drafted", "2010-06-30"));
  clock_.Advance(absl::Hours(24));
  Must(Progress("action-1", "Sent"));
  Must(ActionStatus("action-1", v1::ACTION_STATUS_COMPLETED));
  Must(RecStatus("rec-1", v1::RECOMMENDATION_STATUS_IMPLEMENTED));
  Must(RecStatus("rec-1", v1::RECOMMENDATION_STATUS_SIGNED_OFF));

  auto review = tracker_->GetReview("review-1");
  ASSERT_OK(review);
  EXPECT_EQ(review->published_on(), "2007-05-17");
  EXPECT_THAT(review->recommendation_ids(), ElementsAre("rec-1"));
  EXPECT_EQ(review->version(), 1u);

  auto rec = tracker_->GetRecommendation("rec-1");
  ASSERT_OK(rec);
  EXPECT_EQ(rec->status(), v1::RECOMMENDATION_STATUS_SIGNED_OFF);
  // No --on given: the sign-off date is not stated, never taken as today.
  EXPECT_EQ(rec->signed_off_on(), "");
  EXPECT_EQ(rec->response().decision(), v1::DECISION_ACCEPTED);
  EXPECT_THAT(rec->action_ids(), ElementsAre("action-1"));
  EXPECT_EQ(rec->version(), 4u);

  auto action = tracker_->GetAction("action-1");
  ASSERT_OK(action);
  EXPECT_EQ(action->review_id(), "review-1");
  EXPECT_THAT(action->leads(), ElementsAre("Leader", "Chief Executive"));
  EXPECT_EQ(action->timescale().text(), "Sept 10");
  EXPECT_EQ(action->status(), v1::ACTION_STATUS_COMPLETED);
  ASSERT_EQ(action->progress_size(), 2);
  EXPECT_EQ(action->progress(0).reported_on(), "2010-06-30");
  EXPECT_EQ(action->progress(0).recorded_by(), "tester");
  EXPECT_EQ(action->progress(1).text(), "Sent");
  EXPECT_EQ(action->progress(1).reported_on(), "");  // not stated

  auto history = tracker_->GetHistory("action-1");
  ASSERT_OK(history);
  ASSERT_EQ(history->size(), 4u);
  EXPECT_EQ((*history)[0].type(), "ActionAdded");
  EXPECT_EQ((*history)[1].type(), "ProgressReported");
  EXPECT_EQ((*history)[1].effective_on(), "2010-06-30");
  EXPECT_EQ((*history)[3].type(), "ActionStatusChanged");
  EXPECT_EQ((*history)[3].actor(), "tester");
}

TEST_F(TrackerTest, OneRequestCanBuildAReviewWithReferences) {
  auto r = Apply({OpenReview(), AddRec("$0", "1"), AddRec("$0", "2"),
                  Respond("$1", v1::DECISION_ACCEPTED), AddAction("$1")});
  ASSERT_OK(r);
  ASSERT_EQ(r->results_size(), 5);
  EXPECT_EQ(r->results(2).entity_id(), "rec-2");
  EXPECT_EQ(r->results(3).entity_id(), "rec-1");
  EXPECT_EQ(r->results(3).version(), 2u);
  EXPECT_EQ(r->results(4).entity_id(), "action-1");
  EXPECT_EQ(r->results(4).position(), 5u);
  auto review = tracker_->GetReview("review-1");
  ASSERT_OK(review);
  EXPECT_THAT(review->recommendation_ids(), ElementsAre("rec-1", "rec-2"));

  auto bad = Apply({OpenReview(), AddRec("$1")});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()),
              StartsWith("command 1: review_id: \"$1\" does not refer"));
}

TEST_F(TrackerTest, AFailingCommandLeavesNothingOfItsRequest) {
  v1::Command no_lead = AddAction("$1", {});
  auto r = Apply({OpenReview(), AddRec("$0"), no_lead});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "command 2: leads: at least one lead is required");
  auto reviews = tracker_->ListReviews();
  ASSERT_OK(reviews);
  EXPECT_TRUE(reviews->empty());
  auto log = tracker_->ReadEvents(0, 0);
  ASSERT_OK(log);
  EXPECT_EQ(log->events_size(), 0);
  EXPECT_EQ(log->last_position(), 0u);
  // Ids were not consumed either.
  EXPECT_EQ(Must(OpenReview()), "review-1");
}

TEST_F(TrackerTest, ValidationNamesTheFieldOrId) {
  v1::Command no_title = OpenReview("  ");
  EXPECT_EQ(Fails(no_title), absl::InvalidArgumentError("title is required"));
  v1::Command bad_date = OpenReview();
  bad_date.mutable_open_review()->set_published_on("soon");
  EXPECT_THAT(std::string(Fails(bad_date).message()),
              StartsWith("published_on: \"soon\" is not a date"));
  EXPECT_EQ(Fails(AddRec("review-9")),
            absl::NotFoundError("review review-9 does not exist"));
  EXPECT_EQ(Fails(AddRec("rec-1")).message(),
            "review_id: rec-1 is not a review id");
  EXPECT_EQ(Fails(AddRec("nonsense")).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Fails(v1::Command()).code(), absl::StatusCode::kInvalidArgument);
  auto empty = Apply({});
  EXPECT_THAT(std::string(empty.status().message()), HasSubstr("no commands"));

  Must(OpenReview());
  Must(AddRec("review-1"));
  v1::Command blank_lead = AddAction("rec-1", {"Ann", " "});
  EXPECT_EQ(Fails(blank_lead).message(),
            "leads[1] is empty; name a person or role");
  v1::Command no_decision = Respond("rec-1", v1::DECISION_UNSPECIFIED);
  EXPECT_THAT(std::string(Fails(no_decision).message()),
              StartsWith("decision is required"));
}

TEST_F(TrackerTest, RejectionNeedsAReasonAndTakesNoActions) {
  Must(OpenReview());
  Must(AddRec("review-1"));
  EXPECT_EQ(Fails(Respond("rec-1", v1::DECISION_REJECTED)),
            absl::InvalidArgumentError(
                "reason is required: a rejection must say why"));
  Must(Respond("rec-1", v1::DECISION_REJECTED, "Too costly"));
  auto rec = tracker_->GetRecommendation("rec-1");
  ASSERT_OK(rec);
  EXPECT_EQ(rec->status(), v1::RECOMMENDATION_STATUS_REJECTED);
  EXPECT_EQ(rec->response().reason(), "Too costly");
  absl::Status s = Fails(AddAction("rec-1"));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()), HasSubstr("rec-1 was rejected"));
}

TEST_F(TrackerTest, RejectingARecommendationWithLiveActionsIsRefused) {
  Seed();
  absl::Status s =
      Fails(Respond("rec-1", v1::DECISION_REJECTED, "Changed mind"));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()), HasSubstr("action-1 (not started)"));
  Must(ActionStatus("action-1", v1::ACTION_STATUS_CANCELLED));
  Must(Respond("rec-1", v1::DECISION_REJECTED, "Changed mind"));
}

TEST_F(TrackerTest, TransitionsThatMakeNoSenseAreRefusedNamingBoth) {
  Seed();
  Must(OpenReview());
  Must(AddRec("review-2"));
  EXPECT_EQ(Fails(RecStatus("rec-2", v1::RECOMMENDATION_STATUS_IMPLEMENTED)),
            absl::FailedPreconditionError(
                "recommendation rec-2 cannot move from awaiting response to "
                "implemented; record the executive's response first"));
  EXPECT_EQ(
      Fails(RecStatus("rec-1", v1::RECOMMENDATION_STATUS_ACCEPTED)).code(),
      absl::StatusCode::kInvalidArgument);

  Must(ActionStatus("action-1", v1::ACTION_STATUS_COMPLETED));
  EXPECT_EQ(Fails(ActionStatus("action-1", v1::ACTION_STATUS_NOT_STARTED)),
            absl::FailedPreconditionError(
                "action action-1 cannot move from completed to not started"));
  EXPECT_EQ(
      Fails(ActionStatus("action-1", v1::ACTION_STATUS_COMPLETED)),
      absl::FailedPreconditionError("action action-1 is already completed"));
  Must(ActionStatus("action-1", v1::ACTION_STATUS_IN_PROGRESS));  // reopened
  Must(ActionStatus("action-1", v1::ACTION_STATUS_CANCELLED));
  EXPECT_THAT(
      Fails(ActionStatus("action-1", v1::ACTION_STATUS_IN_PROGRESS)).message(),
      HasSubstr("a cancelled action stays cancelled"));
  EXPECT_EQ(Fails(Progress("action-1", "late note")).code(),
            absl::StatusCode::kFailedPrecondition);

  v1::Command withdraw =
      RecStatus("rec-1", v1::RECOMMENDATION_STATUS_WITHDRAWN);
  EXPECT_THAT(Fails(withdraw).message(),
              HasSubstr("note is required: say why recommendation rec-1 is "
                        "withdrawn"));
  withdraw.mutable_set_recommendation_status()->set_note("Overtaken by events");
  Must(withdraw);
  EXPECT_THAT(Fails(RecStatus("rec-1", v1::RECOMMENDATION_STATUS_IN_PROGRESS))
                  .message(),
              HasSubstr("that is final"));
  EXPECT_EQ(Fails(Respond("rec-1", v1::DECISION_ACCEPTED)).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(TrackerTest, ExpectedVersionMismatchIsAbortedWithTheActualVersion) {
  Seed();
  v1::Command c = Progress("action-1", "x");
  c.set_expected_version(1);
  Must(c);  // action-1 was at version 1
  absl::Status stale = Fails(c);
  EXPECT_EQ(stale.code(), absl::StatusCode::kAborted);
  EXPECT_THAT(
      std::string(stale.message()),
      StartsWith("action-1 is at version 2, not the expected version 1"));
  v1::Command create = OpenReview();
  create.set_expected_version(3);
  EXPECT_EQ(Fails(create).code(), absl::StatusCode::kAborted);
  create.set_expected_version(0);
  Must(create);
}

TEST_F(TrackerTest, ChangingATargetNeedsAReason) {
  Seed();
  v1::Command c;
  c.mutable_update_action()->set_id("action-1");
  c.mutable_update_action()->set_timescale("Dec 10");
  EXPECT_EQ(Fails(c), absl::InvalidArgumentError(
                          "reason is required when the timescale changes "
                          "(from \"Sept 10\" to \"Dec 10\")"));
  c.mutable_update_action()->set_reason("Waiting for the Trust's meeting");
  c.mutable_update_action()->set_set_leads(true);
  c.mutable_update_action()->add_leads("Tracey Mann");
  Must(c);
  auto action = tracker_->GetAction("action-1");
  ASSERT_OK(action);
  EXPECT_EQ(action->timescale().text(), "Dec 10");
  EXPECT_THAT(action->leads(), ElementsAre("Tracey Mann"));
  v1::Command nothing;
  nothing.mutable_update_action()->set_id("action-1");
  EXPECT_THAT(std::string(Fails(nothing).message()),
              StartsWith("nothing to update"));
}

TEST_F(TrackerTest, AClosedReviewChangesNoMore) {
  Seed();
  v1::Command close;
  close.mutable_close_review()->set_review_id("review-1");
  close.mutable_close_review()->set_note("All done");
  Must(close);
  EXPECT_EQ(Fails(Progress("action-1", "x")),
            absl::FailedPreconditionError(
                "review review-1 is closed; nothing in it can change"));
  EXPECT_EQ(Fails(AddRec("review-1")).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Fails(close).code(), absl::StatusCode::kFailedPrecondition);
  auto review = tracker_->GetReview("review-1");
  ASSERT_OK(review);
  EXPECT_EQ(review->status(), v1::REVIEW_STATUS_CLOSED);
  EXPECT_EQ(review->closing_note(), "All done");
}

TEST_F(TrackerTest, ListActionsFiltersThroughIndexesThatFollowChanges) {
  Seed();  // action-1: Gemma Barron
  Must(AddAction("rec-1", {"Tracey Mann", "Gemma Barron"}));  // action-2
  Must(OpenReview("Other"));
  Must(AddRec("review-2"));
  Must(AddAction("rec-2", {"Leader"}));  // action-3
  Must(ActionStatus("action-2", v1::ACTION_STATUS_IN_PROGRESS));

  auto ids = [&](v1::ListActionsRequest f) {
    std::vector<std::string> out;
    auto r = tracker_->ListActions(f);
    EXPECT_OK(r);
    if (r.ok()) {
      for (const auto& a : r->actions()) out.push_back(a.id());
    }
    return out;
  };
  v1::ListActionsRequest all;
  EXPECT_THAT(ids(all), ElementsAre("action-1", "action-2", "action-3"));
  v1::ListActionsRequest by_review;
  by_review.set_review_id("review-1");
  EXPECT_THAT(ids(by_review), ElementsAre("action-1", "action-2"));
  v1::ListActionsRequest by_lead;
  by_lead.add_leads("  GEMMA barron ");
  EXPECT_THAT(ids(by_lead), ElementsAre("action-1", "action-2"));
  v1::ListActionsRequest by_status;
  by_status.set_status(v1::ACTION_STATUS_NOT_STARTED);
  EXPECT_THAT(ids(by_status), ElementsAre("action-1", "action-3"));
  v1::ListActionsRequest combined = by_lead;
  combined.set_status(v1::ACTION_STATUS_IN_PROGRESS);
  EXPECT_THAT(ids(combined), ElementsAre("action-2"));

  v1::Command relead;
  relead.mutable_update_action()->set_id("action-1");
  relead.mutable_update_action()->set_set_leads(true);
  relead.mutable_update_action()->add_leads("Steve Hampson");
  Must(relead);
  EXPECT_THAT(ids(by_lead), ElementsAre("action-2"));
  v1::ListActionsRequest steve;
  steve.add_leads("steve hampson");
  EXPECT_THAT(ids(steve), ElementsAre("action-1"));

  v1::ListActionsRequest missing;
  missing.set_review_id("review-9");
  EXPECT_EQ(tracker_->ListActions(missing).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(TrackerTest, RetriedRequestIsAppliedOnceAlsoAfterRestart) {
  auto first = Apply({OpenReview(), AddRec("$0")}, "import-1");
  ASSERT_OK(first);
  EXPECT_FALSE(first->replayed());
  Open();
  auto retry = Apply({OpenReview(), AddRec("$0")}, "import-1");
  ASSERT_OK(retry);
  EXPECT_TRUE(retry->replayed());
  EXPECT_EQ(retry->results(1).entity_id(), "rec-1");
  EXPECT_EQ(retry->results(1).position(), first->results(1).position());
  auto log = tracker_->ReadEvents(1, 100);
  ASSERT_OK(log);
  EXPECT_EQ(log->events_size(), 2);
  auto different = Apply({OpenReview("Another")}, "import-1");
  EXPECT_EQ(different.status().code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(TrackerTest, StoredProjectionsEqualAFoldOfTheLog) {
  Seed();
  Must(Progress("action-1", "One", "2010-06-01"));
  Must(AddAction("rec-1", {"Ann", "Bo"}, "Autumn 2010"));
  Must(ActionStatus("action-2", v1::ACTION_STATUS_BLOCKED));
  v1::Command sched;
  sched.mutable_schedule_report_back()->set_review_id("review-1");
  sched.mutable_schedule_report_back()->set_date("2011-01-13");
  Must(sched);
  sched.mutable_schedule_report_back()->set_date("2010-11-01");
  Must(sched);
  v1::Command amend;
  amend.mutable_amend_recommendation()->set_id("rec-1");
  amend.mutable_amend_recommendation()->set_text("Amended text");
  Must(amend);
  Must(RecStatus("rec-1", v1::RECOMMENDATION_STATUS_IN_PROGRESS));
  Must(OpenReview("Second"));
  Must(AddRec("review-2"));
  Must(Respond("rec-2", v1::DECISION_REJECTED, "No money"));

  auto log = tracker_->ReadEvents(1, 1000);
  ASSERT_OK(log);
  EntityStates folded;
  for (const auto& e : log->events()) ASSERT_OK(FoldEvent(e, &folded));

  using google::protobuf::util::MessageDifferencer;
  ASSERT_EQ(folded.reviews.size(), 2u);
  for (const auto& [id, review] : folded.reviews) {
    auto stored = tracker_->GetReview(id);
    ASSERT_OK(stored);
    EXPECT_TRUE(MessageDifferencer::Equals(*stored, review)) << id;
  }
  auto review = tracker_->GetReview("review-1");
  ASSERT_OK(review);
  ASSERT_EQ(review->report_backs_size(), 2);
  EXPECT_EQ(review->report_backs(0).date(), "2010-11-01");  // date order
  ASSERT_EQ(folded.recommendations.size(), 2u);
  for (const auto& [id, rec] : folded.recommendations) {
    auto stored = tracker_->GetRecommendation(id);
    ASSERT_OK(stored);
    EXPECT_TRUE(MessageDifferencer::Equals(*stored, rec)) << id;
  }
  ASSERT_EQ(folded.actions.size(), 2u);
  for (const auto& [id, action] : folded.actions) {
    auto stored = tracker_->GetAction(id);
    ASSERT_OK(stored);
    EXPECT_TRUE(MessageDifferencer::Equals(*stored, action)) << id;
  }
}

TEST_F(TrackerTest, VerifyPassesOnAConsistentStore) {
  Seed();
  Must(Progress("action-1", "One"));
  Must(AddAction("rec-1", {"Ann", "Bo"}));
  Must(ActionStatus("action-2", v1::ACTION_STATUS_BLOCKED));
  auto report = tracker_->Verify();
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok());
  EXPECT_THAT(report->problems(), ::testing::IsEmpty());
  EXPECT_EQ(report->events_checked(), 7u);
  EXPECT_EQ(report->entities_checked(), 4u);
  // review-1: committee (1). rec-1: 2 words ("that" and "be" are common
  // words, not indexed). action-1: review, status, 1 lead, 3 words ("to"
  // is not), due and open-due (8). action-2: the same with 2 leads (9).
  EXPECT_EQ(report->index_entries_checked(), 20u);
}

TEST_F(TrackerTest, VerifyFindsStateThatDoesNotMatchTheLog) {
  Seed();
  ASSERT_OK(store_->SubmitAndWait(
      {}, [](store::Transaction& txn) -> absl::StatusOr<std::string> {
        v1::Action tampered;
        tampered.set_id("action-1");
        tampered.set_text("Not what the events say");
        txn.PutState("action-1", tampered.SerializeAsString());
        txn.PutState("rec-77", "junk");
        txn.PutIndex("action_by_lead", "nobody", "action-1");
        return std::string();
      }));
  auto report = tracker_->Verify();
  ASSERT_OK(report);
  EXPECT_FALSE(report->ok());
  EXPECT_THAT(report->problems(),
              ::testing::UnorderedElementsAre(
                  "the stored state of action-1 differs from the state "
                  "rebuilt from its events",
                  "rec-77 has stored state but no events",
                  "index action_by_lead lists action-1 under \"nobody\", "
                  "which its state does not call for"));
}

TEST_F(TrackerTest, VerifyFindsMissingIndexEntriesAndStreamListings) {
  Seed();
  ASSERT_OK(store_->SubmitAndWait(
      {}, [](store::Transaction& txn) -> absl::StatusOr<std::string> {
        txn.DeleteIndex("action_by_lead", "gemma barron", "action-1");
        return std::string();
      }));
  auto report = tracker_->Verify();
  ASSERT_OK(report);
  EXPECT_FALSE(report->ok());
  EXPECT_THAT(report->problems(),
              ::testing::ElementsAre("index action_by_lead is missing "
                                     "action-1 under \"gemma barron\""));
}

TEST_F(TrackerTest, HistoryAndGetsOfUnknownIds) {
  EXPECT_EQ(Plain(tracker_->GetHistory("rec-5").status()),
            absl::NotFoundError("rec-5 does not exist"));
  EXPECT_EQ(tracker_->GetAction("rec-5").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Plain(tracker_->GetReview("review-5").status()),
            absl::NotFoundError("review review-5 does not exist"));
  EXPECT_EQ(tracker_->ReadEvents(1, 20000).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rectrack::domain
