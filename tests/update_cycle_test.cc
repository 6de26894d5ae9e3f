// The update cycle over a real EventStore: the directory of people, update
// requests before a meeting, officers' answers (checked against the lead
// inside the commit), approval and return, the server's approval setting,
// and what the committee report shows of it.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/tracker.h"
#include "server/service/access.h"
#include "tests/test_util.h"
#include "tests/tracker_fixture.h"

namespace rectrack::domain {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

class UpdateCycleTest : public TrackerFixture {
 protected:
  UpdateCycleTest()
      : TrackerFixture(absl::FromCivil(absl::CivilSecond(2010, 7, 1, 9, 0, 0),
                                       absl::UTCTimeZone())) {}
  absl::StatusOr<v1::ApplyResponse> Apply(v1::Command c,
                                          const Actor& actor = "clerk") {
    v1::ApplyRequest request;
    *request.add_commands() = std::move(c);
    return tracker_->ApplyAndWait(request, actor);
  }
  v1::CommandResult Must(v1::Command c, const Actor& actor = "clerk") {
    auto r = Apply(std::move(c), actor);
    EXPECT_OK(r);
    return r.ok() ? r->results(0) : v1::CommandResult();
  }

  static Actor Officer(const std::string& lead) {
    service::Principal p;
    p.actor = absl::StrCat("officer ", lead);
    p.role = service::Role::kOfficer;
    p.leads = {lead};
    return service::Access::ActorOf(p);
  }

  static v1::Command AddAction(const std::string& lead,
                               const std::string& due) {
    v1::Command c;
    c.mutable_add_action()->set_recommendation_id("rec-1");
    c.mutable_add_action()->set_text(absl::StrCat("Work led by ", lead));
    c.mutable_add_action()->add_leads(lead);
    c.mutable_add_action()->set_timescale(due);
    return c;
  }
  static v1::Command Request(const std::string& meeting = "",
                             const std::string& due = "") {
    v1::Command c;
    c.mutable_request_updates()->set_review_id("review-1");
    c.mutable_request_updates()->set_meeting(meeting);
    c.mutable_request_updates()->set_due(due);
    return c;
  }
  static v1::Command Answer(
      const std::string& action, const std::string& text,
      v1::ActionStatus status = v1::ACTION_STATUS_UNSPECIFIED,
      const std::string& on = "") {
    v1::Command c;
    c.mutable_answer_update()->set_id(action);
    c.mutable_answer_update()->set_text(text);
    c.mutable_answer_update()->set_status(status);
    c.mutable_answer_update()->set_answered_on(on);
    return c;
  }
  static v1::Command Approve(const std::string& action) {
    v1::Command c;
    c.mutable_approve_update()->set_id(action);
    return c;
  }
  static v1::Command Return(const std::string& action,
                            const std::string& comment) {
    v1::Command c;
    c.mutable_return_update()->set_id(action);
    c.mutable_return_update()->set_comment(comment);
    return c;
  }
  static v1::Command Person(const std::string& name, const std::string& email) {
    v1::Command c;
    c.mutable_add_person()->set_name(name);
    c.mutable_add_person()->set_email(email);
    return c;
  }

  // review-1 (report-back 2010-08-02) / rec-1 (accepted) / action-1 led by
  // Gemma Barron (target July 2010, overdue after July), action-2 by Tom
  // Jones, action-3 completed.
  void Seed() {
    v1::Command open;
    open.mutable_open_review()->set_title("Review of Partnerships");
    open.mutable_open_review()->set_committee("Strategic Leadership O&S");
    open.mutable_open_review()->set_published_on("2010-01-10");
    Must(open);
    v1::Command meeting;
    meeting.mutable_schedule_report_back()->set_review_id("review-1");
    meeting.mutable_schedule_report_back()->set_date("2010-08-02");
    Must(meeting);
    v1::Command rec;
    rec.mutable_add_recommendation()->set_review_id("review-1");
    rec.mutable_add_recommendation()->set_ref("A");
    rec.mutable_add_recommendation()->set_text("That partnerships be listed");
    Must(rec);
    v1::Command respond;
    respond.mutable_record_response()->set_recommendation_id("rec-1");
    respond.mutable_record_response()->set_decision(v1::DECISION_ACCEPTED);
    respond.mutable_record_response()->set_text("Agreed");
    respond.mutable_record_response()->set_responded_on("2010-02-01");
    Must(respond);
    Must(AddAction("Gemma Barron", "July 2010"));
    Must(AddAction("Tom Jones", "Dec 2010"));
    Must(AddAction("Tom Jones", "Dec 2010"));
    v1::Command done;
    done.mutable_set_action_status()->set_id("action-3");
    done.mutable_set_action_status()->set_status(v1::ACTION_STATUS_COMPLETED);
    Must(done);
  }

  v1::Report Report() {
    v1::GetReportRequest request;
    request.set_review_id("review-1");
    auto report = tracker_->GetReport(request);
    EXPECT_OK(report);
    return report.ok() ? *report : v1::Report();
  }
  v1::Action ActionNow(const std::string& id) {
    auto a = tracker_->GetAction(id);
    EXPECT_OK(a);
    return a.ok() ? *a : v1::Action();
  }
  void SetDay(int month, int day) {
    clock_.Set(absl::FromCivil(absl::CivilSecond(2010, month, day, 9, 0, 0),
                               absl::UTCTimeZone()));
  }
  void ExpectVerifies() {
    auto verified = tracker_->Verify();
    ASSERT_OK(verified);
    EXPECT_TRUE(verified->ok()) << verified->DebugString();
  }
};

TEST_F(UpdateCycleTest, PeopleDirectoryAddsChangesAndKeepsNamesUnique) {
  EXPECT_EQ(Must(Person("Gemma Barron", "gemma@council.gov.uk")).entity_id(),
            "person-1");
  // The same again records nothing; another case is the same person.
  v1::CommandResult same = Must(Person("Gemma Barron", "gemma@council.gov.uk"));
  EXPECT_EQ(same.entity_id(), "person-1");
  EXPECT_EQ(same.position(), 0u);
  v1::CommandResult moved =
      Must(Person("gemma barron", "g.barron@council.gov.uk"));
  EXPECT_EQ(moved.entity_id(), "person-1");
  EXPECT_EQ(moved.version(), 2u);
  EXPECT_EQ(Must(Person("Tom Jones", "tom@council.gov.uk")).entity_id(),
            "person-2");
  auto bad = Apply(Person("Ann Lee", "not an address"));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("is not an email address"));

  auto people = tracker_->ListPeople();
  ASSERT_OK(people);
  ASSERT_EQ(people->people_size(), 2);
  EXPECT_EQ(people->people(0).email(), "g.barron@council.gov.uk");
  EXPECT_EQ(people->people(0).name(), "gemma barron");
  EXPECT_EQ(people->people(1).name(), "Tom Jones");
  ExpectVerifies();
  // Rebuilt from the log, the name still finds the same person.
  ASSERT_OK(tracker_->RebuildProjections());
  EXPECT_EQ(Must(Person("GEMMA BARRON", "gemma@council.gov.uk")).entity_id(),
            "person-1");
  ExpectVerifies();
}

TEST_F(UpdateCycleTest, OneRequestPerOpenActionAndNeverTwiceForAMeeting) {
  Seed();
  v1::CommandResult asked = Must(Request());
  EXPECT_EQ(asked.entity_id(), "review-1");
  EXPECT_EQ(asked.events(), 2u);  // action-3 is completed
  v1::Action a1 = ActionNow("action-1");
  EXPECT_EQ(a1.update_request().meeting(), "2010-08-02");
  EXPECT_EQ(a1.update_request().due(), "2010-07-19");  // 14 days before
  EXPECT_EQ(a1.update_request().status(), v1::UPDATE_STATUS_OPEN);
  EXPECT_EQ(a1.update_request().requested_by(), "clerk");
  EXPECT_FALSE(ActionNow("action-3").has_update_request());

  const uint64_t before = store_->LastPosition();
  EXPECT_EQ(Must(Request("2010-08-02")).events(), 0u);
  EXPECT_EQ(store_->LastPosition(), before);

  v1::ListUpdatesRequest by_tom;
  by_tom.set_lead("tom jones");
  auto toms = tracker_->ListUpdates(by_tom);
  ASSERT_OK(toms);
  // The page for leads reads from the list whether answers wait.
  EXPECT_TRUE(toms->updates_need_approval());
  ASSERT_EQ(toms->actions_size(), 1);
  EXPECT_EQ(toms->actions(0).id(), "action-2");
  EXPECT_FALSE(toms->actions(0).update_request().overdue());

  SetDay(7, 20);
  v1::ListUpdatesRequest overdue;
  overdue.set_overdue(true);
  auto late = tracker_->ListUpdates(overdue);
  ASSERT_OK(late);
  EXPECT_EQ(late->actions_size(), 2);

  auto after_meeting = Apply(Request("2010-08-02", "2010-08-09"));
  EXPECT_EQ(after_meeting.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(after_meeting.status().message(), HasSubstr("after the meeting"));
  ExpectVerifies();
}

TEST_F(UpdateCycleTest, AnOfficerAnswersOnlyActionsTheyLead) {
  Seed();
  Must(Request());
  auto other = Apply(Answer("action-2", "Done"), Officer("Gemma Barron"));
  EXPECT_EQ(other.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(other.status().message(), HasSubstr("may update only actions"));
  EXPECT_OK(
      Apply(Answer("action-1", "Draft list made"), Officer("Gemma Barron")));
  // An officer cannot approve, even their own answer.
  auto self = Apply(Approve("action-1"), Officer("Gemma Barron"));
  EXPECT_EQ(self.status().code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(UpdateCycleTest,
       TheLeadIsCheckedWhenTheAnswerIsWrittenNotWhenItArrives) {
  Seed();
  Must(Request());
  ASSERT_EQ(ActionNow("action-1").leads(0), "Gemma Barron");
  // The lead changes in a request queued before the answer: the answer,
  // admitted by nothing at arrival, is judged against the new lead.
  v1::ApplyRequest change;
  v1::UpdateAction* u = change.add_commands()->mutable_update_action();
  u->set_id("action-1");
  u->set_set_leads(true);
  u->add_leads("Tom Jones");
  v1::ApplyRequest answer;
  *answer.add_commands() = Answer("action-1", "Draft list made");
  absl::Notification changed, answered;
  absl::StatusOr<v1::ApplyResponse> change_result, answer_result;
  const Actor clerk("clerk");
  const Actor gemma = Officer("Gemma Barron");
  tracker_->Apply(change, clerk, [&](absl::StatusOr<v1::ApplyResponse> r) {
    change_result = std::move(r);
    changed.Notify();
  });
  tracker_->Apply(answer, gemma, [&](absl::StatusOr<v1::ApplyResponse> r) {
    answer_result = std::move(r);
    answered.Notify();
  });
  changed.WaitForNotification();
  answered.WaitForNotification();
  ASSERT_OK(change_result);
  EXPECT_EQ(answer_result.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(answer_result.status().message(),
              HasSubstr("action-1 is not led by Gemma Barron"));
  EXPECT_EQ(ActionNow("action-1").update_request().status(),
            v1::UPDATE_STATUS_OPEN);
  // The new lead may answer.
  EXPECT_OK(Apply(Answer("action-1", "Taken over"), Officer("Tom Jones")));
}

TEST_F(UpdateCycleTest, AnUnapprovedAnswerIsNotInTheReportNorChangesRag) {
  Seed();
  Must(Request());
  SetDay(8, 1);  // action-1's target (July 2010) has passed: red
  v1::Report before = Report();
  ASSERT_EQ(before.items(0).actions(0).standing().rag(), v1::RAG_RED);
  ASSERT_OK(Apply(Answer("action-1", "All partnerships listed",
                         v1::ACTION_STATUS_COMPLETED, "2010-07-15"),
                  Officer("Gemma Barron")));
  EXPECT_EQ(ActionNow("action-1").update_request().status(),
            v1::UPDATE_STATUS_ANSWERED);
  v1::Report waiting = Report();
  const v1::Action& a = waiting.items(0).actions(0);
  EXPECT_EQ(a.standing().rag(), v1::RAG_RED);
  EXPECT_EQ(a.status(), v1::ACTION_STATUS_NOT_STARTED);
  EXPECT_THAT(a.progress(), IsEmpty());
  EXPECT_FALSE(a.update_request().has_answer());
  EXPECT_EQ(waiting.summary().red(), before.summary().red());
  for (const v1::Event& e : waiting.changes()) {
    EXPECT_NE(e.type(), "UpdateAnswered");
  }
  EXPECT_THAT(waiting.DebugString(),
              ::testing::Not(HasSubstr("All partnerships listed")));

  // Approved: the note and status enter the record, dated the answer's day,
  // through the same events as when recorded directly.
  v1::CommandResult approved = Must(Approve("action-1"), "scrutiny officer");
  EXPECT_EQ(approved.events(), 3u);  // approval, note, status
  v1::Action now = ActionNow("action-1");
  EXPECT_EQ(now.update_request().status(), v1::UPDATE_STATUS_APPROVED);
  EXPECT_EQ(now.status(), v1::ACTION_STATUS_COMPLETED);
  EXPECT_EQ(now.status_on(), "2010-07-15");
  ASSERT_EQ(now.progress_size(), 1);
  EXPECT_EQ(now.progress(0).text(), "All partnerships listed");
  EXPECT_EQ(now.progress(0).reported_on(), "2010-07-15");
  EXPECT_EQ(now.progress(0).recorded_by(), "scrutiny officer");
  EXPECT_EQ(now.progress(0).answered_by(), "officer Gemma Barron");
  auto history = tracker_->GetHistory("action-1");
  ASSERT_OK(history);
  std::vector<std::string> types;
  for (const v1::Event& e : *history) types.push_back(e.type());
  EXPECT_THAT(
      types, ::testing::ElementsAre("ActionAdded", "UpdateRequested",
                                    "UpdateAnswered", "UpdateApproved",
                                    "ProgressReported", "ActionStatusChanged"));
  v1::Report after = Report();
  EXPECT_EQ(after.items(0).actions(0).standing().rag(), v1::RAG_GREEN);
  EXPECT_THAT(after.DebugString(), HasSubstr("All partnerships listed"));
  ExpectVerifies();
}

TEST_F(UpdateCycleTest, AReturnedAnswerCanBeAnsweredAgain) {
  Seed();
  Must(Request());
  const Actor gemma = Officer("Gemma Barron");
  ASSERT_OK(Apply(Answer("action-1", "Some progress"), gemma));
  auto no_comment = Apply(Return("action-1", ""), "scrutiny officer");
  EXPECT_EQ(no_comment.status().code(), absl::StatusCode::kInvalidArgument);
  Must(Return("action-1", "Say which partnerships"), "scrutiny officer");
  v1::Action returned = ActionNow("action-1");
  EXPECT_EQ(returned.update_request().status(), v1::UPDATE_STATUS_RETURNED);
  EXPECT_EQ(returned.update_request().comment(), "Say which partnerships");
  EXPECT_THAT(returned.progress(), IsEmpty());
  auto again = Apply(Approve("action-1"), "scrutiny officer");
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_OK(Apply(Answer("action-1", "Health and police partnerships"), gemma));
  Must(Approve("action-1"), "scrutiny officer");
  EXPECT_EQ(ActionNow("action-1").progress(0).text(),
            "Health and police partnerships");
  // Answered and approved: nothing more waits.
  auto late = Apply(Answer("action-1", "More"), gemma);
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition);
  ExpectVerifies();
}

TEST_F(UpdateCycleTest, AProposedTargetNeedsAReasonAndEntersAsARevision) {
  Seed();
  Must(Request());
  v1::Command c = Answer("action-1", "Delayed by the election");
  c.mutable_answer_update()->set_timescale("March 2011");
  auto no_reason = Apply(c, Officer("Gemma Barron"));
  EXPECT_EQ(no_reason.status().code(), absl::StatusCode::kInvalidArgument);
  c.mutable_answer_update()->set_reason("Staff moved to the election");
  ASSERT_OK(Apply(c, Officer("Gemma Barron")));
  EXPECT_EQ(ActionNow("action-1").timescale().text(), "July 2010");
  Must(Approve("action-1"), "scrutiny officer");
  v1::Action now = ActionNow("action-1");
  EXPECT_EQ(now.timescale().text(), "March 2011");
  ASSERT_EQ(now.targets_size(), 2);
  EXPECT_EQ(now.targets(1).reason(), "Staff moved to the election");
  EXPECT_EQ(now.targets(1).effective_on(), "2010-07-01");
  ExpectVerifies();
}

TEST_F(UpdateCycleTest, WithoutApprovalAnAnswerGoesStraightIn) {
  Open(UpdateSettings{false, 7});
  Seed();
  EXPECT_EQ(ActionNow("action-1").update_request().due(), "");
  Must(Request());
  EXPECT_EQ(ActionNow("action-1").update_request().due(), "2010-07-26");
  v1::CommandResult r =
      Must(Answer("action-1", "Listed"), Officer("Gemma Barron"));
  EXPECT_EQ(r.events(), 3u);  // answer, entered, note
  v1::Action now = ActionNow("action-1");
  EXPECT_EQ(now.update_request().status(), v1::UPDATE_STATUS_APPROVED);
  ASSERT_EQ(now.progress_size(), 1);
  EXPECT_EQ(now.progress(0).recorded_by(), "officer Gemma Barron");
  EXPECT_EQ(now.progress(0).answered_by(), "");
  // The list says so, for the page for leads to tell them.
  auto listed = tracker_->ListUpdates(v1::ListUpdatesRequest());
  ASSERT_OK(listed);
  EXPECT_FALSE(listed->updates_need_approval());
  ExpectVerifies();
}

TEST_F(UpdateCycleTest, AnUnansweredRequestIsAnExceptionAfterItsDueDay) {
  Seed();
  Must(Request());
  ASSERT_OK(Apply(Answer("action-1", "Listed"), Officer("Gemma Barron")));
  Must(Approve("action-1"), "scrutiny officer");
  auto kinds = [](const v1::Report& r) {
    std::vector<std::string> out;
    for (const auto& x : r.exceptions()) {
      if (x.kind() == v1::ReportException::KIND_UPDATE_NOT_ANSWERED) {
        out.push_back(x.action_id() + ": " + x.detail());
      }
    }
    return out;
  };
  EXPECT_THAT(kinds(Report()), IsEmpty());
  SetDay(7, 20);
  EXPECT_THAT(kinds(Report()),
              ::testing::ElementsAre(
                  "action-2: update for the meeting of 2010-08-02 not "
                  "answered by Tom Jones (due 2010-07-19)"));
}

}  // namespace
}  // namespace rectrack::domain
