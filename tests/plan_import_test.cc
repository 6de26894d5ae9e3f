// rectrack import of action plans against a real rectrackd: the three
// formats of one plan, re-importing an edited plan, --columns, rows that
// cannot be read and --strict.
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/cli_fixture.h"

namespace rectrack::cli_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class PlanImportTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    stub_ = v1::Tracker::NewStub(daemon_->Channel());
  }

  // What a review holds, as text: recommendations, responses, actions,
  // leads, timescales, statuses and progress, without ids.
  std::string Content(const std::string& review_id) {
    grpc::ClientContext ctx;
    v1::GetReviewRequest req;
    req.set_id(review_id);
    v1::Review review;
    EXPECT_TRUE(stub_->GetReview(&ctx, req, &review).ok());
    std::string out = absl::StrCat("title: ", review.title(), "\n");
    for (const std::string& rec_id : review.recommendation_ids()) {
      grpc::ClientContext rctx;
      v1::GetRecommendationRequest rreq;
      rreq.set_id(rec_id);
      v1::Recommendation rec;
      EXPECT_TRUE(stub_->GetRecommendation(&rctx, rreq, &rec).ok());
      absl::StrAppend(&out, "rec ", rec.ref(), ": ", rec.text(), " [",
                      rec.response().decision(), "]\n");
      for (const std::string& action_id : rec.action_ids()) {
        grpc::ClientContext actx;
        v1::GetActionRequest areq;
        areq.set_id(action_id);
        v1::Action a;
        EXPECT_TRUE(stub_->GetAction(&actx, areq, &a).ok());
        absl::StrAppend(&out, "  action: ", a.text(), " | ",
                        absl::StrJoin(a.leads(), "; "), " | ",
                        a.timescale().text(), " | ", a.status(), "\n");
        for (const auto& p : a.progress()) {
          absl::StrAppend(&out, "    progress: ", p.text(), "\n");
        }
      }
    }
    return out;
  }

  // Types of the events after position `after`, in order.
  std::vector<std::string> EventsAfter(uint64_t after) {
    grpc::ClientContext ctx;
    v1::ReadEventsRequest req;
    req.set_from_position(after + 1);
    req.set_limit(1000);
    v1::ReadEventsResponse resp;
    EXPECT_TRUE(stub_->ReadEvents(&ctx, req, &resp).ok());
    std::vector<std::string> out;
    for (const v1::Event& e : resp.events()) {
      out.push_back(absl::StrCat(e.type(), " ", e.stream()));
    }
    return out;
  }

  uint64_t LastPosition() {
    grpc::ClientContext ctx;
    v1::ReadEventsRequest req;
    req.set_limit(1);
    v1::ReadEventsResponse resp;
    EXPECT_TRUE(stub_->ReadEvents(&ctx, req, &resp).ok());
    return resp.last_position();
  }

  std::unique_ptr<v1::Tracker::Stub> stub_;
};

std::string Formats(const std::string& name) {
  return absl::StrCat(RECTRACK_SAMPLES, "/plans/formats/", name);
}

TEST_F(PlanImportTest, DocxHtmlAndPastedTextOfOnePlanImportToTheSameContent) {
  std::vector<std::string> contents;
  for (const char* ext : {"docx", "html", "txt"}) {
    CliResult r = Cli(
        {"import", Formats(absl::StrCat("bromsgrove-audit-tracker.", ext))});
    ASSERT_EQ(r.exit_code, 0) << ext << ": " << r.err;
    contents.push_back(Content(r.LastLine()));
  }
  EXPECT_THAT(contents[0],
              HasSubstr("rec 3: Cash collection is not reconciled"));
  EXPECT_THAT(contents[0],
              HasSubstr("  action: Spot checks by internal audit | Audit "
                        "Manager | 31/03/2009 | "));
  EXPECT_EQ(contents[0], contents[1]);
  EXPECT_EQ(contents[0], contents[2]);
}

TEST_F(PlanImportTest, FormatIsReadFromTheContentWhateverTheName) {
  std::string copy = dir_.Sub("tracker.dat");
  std::filesystem::copy_file(Formats("bromsgrove-audit-tracker.docx"), copy);
  CliResult r = Cli({"import", copy, "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Read as docx."));
  EXPECT_THAT(r.out, HasSubstr("column 6 \"Target Completion Date\" -> "
                               "timescale (header)"));
  EXPECT_THAT(r.out, HasSubstr("table 1 row 4:     action: Spot checks by "
                               "internal audit (lead: Audit Manager; due: "
                               "31/03/2009)"));
}

// A tracker as a council keeps it, then the same after a month's edits.
constexpr char kPlanV1[] =
    "Review of Street Lighting\n"
    "Ref\tRecommendation\tAction\tLead officer\tTarget date\tStatus\tProgress\n"
    "R1\tThat LED lanterns be fitted on main roads.\tProcure LED lanterns\t"
    "Jo Bloggs\tMarch 2025\tIn progress\tTender issued\n"
    "R2\tThat residents be told of night dimming.\tWrite to residents\t"
    "Sam Patel\tJune 2025\t\t\n";
constexpr char kPlanV2[] =
    "Review of Street Lighting\n"
    "Ref\tRecommendation\tAction\tLead officer\tTarget date\tStatus\tProgress\n"
    "R1\tThat LED lanterns be fitted on main roads.\tProcure LED lanterns\t"
    "Jo Bloggs\tMarch 2025\tCompleted\t<p>Tender issued</p><p>Contract "
    "awarded in April</p>\n"
    "R2\tThat residents be told of night dimming.\tWrite to residents\t"
    "Sam Patel\tSeptember 2025\t\t\n"
    "R3\tThat dimming be reviewed after a year.\tReport to committee\t"
    "Sam Patel\tSpring 2026\t\t\n";

TEST_F(PlanImportTest, ReimportOfAnEditedPlanAppendsExactlyTheEdits) {
  std::string v1_path = dir_.Sub("lighting-v1.txt");
  std::string v2_path = dir_.Sub("lighting-v2.txt");
  std::ofstream(v1_path) << kPlanV1;
  std::ofstream(v2_path) << kPlanV2;
  CliResult first = Cli({"import", v1_path, "--committee", "Place O&S"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(first.LastLine(), "review-1");
  uint64_t after_v1 = LastPosition();

  CliResult dry = Cli({"import", v2_path, "--review", "review-1", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("change: action-1: status changes"));
  EXPECT_THAT(dry.out, HasSubstr("change: action-1: new progress"));
  EXPECT_THAT(dry.out, HasSubstr("change: action-2: timescale \"June 2025\" "
                                 "-> \"September 2025\""));
  EXPECT_THAT(dry.out, HasSubstr("recommendation R3: That dimming be "
                                 "reviewed"));
  EXPECT_THAT(dry.out, Not(HasSubstr("recommendation R1")));
  EXPECT_EQ(LastPosition(), after_v1);

  CliResult second = Cli({"import", v2_path, "--review", "review-1"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(EventsAfter(after_v1),
              ::testing::ElementsAre(
                  "ActionStatusChanged action-1", "ProgressReported action-1",
                  "ActionUpdated action-2", "RecommendationAdded rec-3",
                  "ActionAdded action-3"));
  grpc::ClientContext ctx;
  v1::GetActionRequest req;
  req.set_id("action-2");
  v1::Action a2;
  ASSERT_TRUE(stub_->GetAction(&ctx, req, &a2).ok());
  EXPECT_EQ(a2.timescale().text(), "September 2025");
  ASSERT_EQ(a2.targets_size(), 2);
  EXPECT_THAT(Cli({"history", "action-2"}).out,
              HasSubstr("updated in the imported plan"));

  // The same file again, and the first version again, change nothing.
  uint64_t after_v2 = LastPosition();
  CliResult again = Cli({"import", v2_path, "--review", "review-1"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("Nothing to change"));
  EXPECT_EQ(LastPosition(), after_v2);
}

// A tracker with an original and a revised target, then the next version,
// in which the target is revised again.
constexpr char kRevisedV1[] =
    "Audit tracker\n"
    "Ref\tRecommendation\tAgreed action\tLead officer\tOriginal due date\t"
    "Revised due date\n"
    "A1\tThe register should be reviewed.\tReview it each quarter\tAnn "
    "Lee\t31 March 2024\t31 December 2024\n";
constexpr char kRevisedV2[] =
    "Audit tracker\n"
    "Ref\tRecommendation\tAgreed action\tLead officer\tOriginal due date\t"
    "Revised due date\n"
    "A1\tThe register should be reviewed.\tReview it each quarter\tAnn "
    "Lee\t31 March 2024\t31 March 2025\n";

TEST_F(PlanImportTest, ARevisedTargetIsKeptAsARevisionAndReimportedOnce) {
  std::string v1_path = dir_.Sub("audit-v1.txt");
  std::string v2_path = dir_.Sub("audit-v2.txt");
  std::ofstream(v1_path) << kRevisedV1;
  std::ofstream(v2_path) << kRevisedV2;
  CliResult first = Cli({"import", v1_path});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  grpc::ClientContext ctx;
  v1::GetActionRequest req;
  req.set_id("action-1");
  v1::Action a;
  ASSERT_TRUE(stub_->GetAction(&ctx, req, &a).ok());
  EXPECT_EQ(a.timescale().text(), "31 December 2024");
  ASSERT_EQ(a.targets_size(), 2);
  EXPECT_EQ(a.targets(0).target().text(), "31 March 2024");

  // The same file again changes nothing; the next version revises once.
  uint64_t after_v1 = LastPosition();
  CliResult again = Cli({"import", v1_path, "--review", "review-1"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("Nothing to change"));
  EXPECT_EQ(LastPosition(), after_v1);
  CliResult next = Cli({"import", v2_path, "--review", "review-1"});
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_THAT(EventsAfter(after_v1),
              ::testing::ElementsAre("ActionUpdated action-1"));
}

// A plan whose decisions are recorded, then a version in which a
// recommendation and an action are reworded, a decision changed and a
// recommendation renumbered and reworded.
constexpr char kDecidedV1[] =
    "Review of Parks\n"
    "Ref\tRecommendation\tAccepted?\tAction\tLead officer\tTarget date\n"
    "P1\tThat the parks stay open until 9pm in summer.\tYes\tChange the "
    "opening hours\tAnn Lee\tMay 2025\n"
    "P2\tThat a cafe open in the main park.\tYes\tLet a cafe contract\tBo "
    "Chan\tJune 2025\n"
    "P3\tThat park wardens patrol at weekends.\tYes\tRecruit weekend "
    "wardens\tCy Dee\tJuly 2025\n";
constexpr char kDecidedV2[] =
    "Review of Parks\n"
    "Ref\tRecommendation\tAccepted?\tAction\tLead officer\tTarget date\n"
    "P1\tThat all the parks stay open until 9pm during the summer.\tYes\t"
    "Change the park opening hours\tAnn Lee\tMay 2025\n"
    "P2\tThat a cafe open in the main park.\tPartly\tLet a cafe contract\t"
    "Bo Chan\tJune 2025\n"
    "Q3\tThat park wardens patrol the parks at weekends.\tYes\tRecruit "
    "weekend wardens\tCy Dee\tJuly 2025\n";

TEST_F(PlanImportTest, ReimportLeavesRewordingAndChangedDecisionsToAPerson) {
  std::string v1_path = dir_.Sub("parks-v1.txt");
  std::string v2_path = dir_.Sub("parks-v2.txt");
  std::ofstream(v1_path) << kDecidedV1;
  std::ofstream(v2_path) << kDecidedV2;
  CliResult first = Cli({"import", v1_path, "--committee", "Place O&S"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(first.LastLine(), "review-1");
  std::string before = Content("review-1");
  uint64_t after_v1 = LastPosition();

  for (bool dry : {true, false}) {
    std::vector<std::string> args = {"import", v2_path, "--review", "review-1"};
    if (dry) args.push_back("--dry-run");
    CliResult r = Cli(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("for you to check: rec-1 (recommendation "
                                 "P1): the document words it differently; "
                                 "the tracker's text is kept. The document "
                                 "says \"That all the parks stay open"));
    EXPECT_THAT(r.out, HasSubstr("for you to check: action-1 (an action of "
                                 "recommendation P1): the document words it "
                                 "differently (\"Change the park opening "
                                 "hours\")"));
    EXPECT_THAT(r.out,
                HasSubstr("for you to check: rec-2 (recommendation P2): the "
                          "document now gives the decision as "
                          "partially-accepted; the tracker records accepted. "
                          "Nothing was changed: if the document is right, "
                          "run `rectrack correct rec-2 --decision "
                          "partially-accepted --reason \"...\"`."));
    EXPECT_THAT(r.out, HasSubstr("for you to check: rec-3 (recommendation "
                                 "P3): the document has recommendation Q3 "
                                 "reworded from it"));
    EXPECT_THAT(r.out, HasSubstr("Nothing to change"));
  }
  // Neither duplicated nor overwritten: the log and the review are as
  // they were.
  EXPECT_EQ(LastPosition(), after_v1);
  EXPECT_EQ(Content("review-1"), before);
}

TEST_F(PlanImportTest, AFileThatCannotBeReadIsRefusedNamingItAndWritesNothing) {
  std::string damaged = dir_.Sub("tracker.docx");
  std::ofstream(damaged) << "PK\x03\x04 this was cut short in an email";
  CliResult r = Cli({"import", damaged, "--committee", "Audit"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(damaged + ": the file is not a Word .docx "
                                         "document (it is not a readable zip "
                                         "archive)"));
  std::string empty_plan = dir_.Sub("empty.txt");
  std::ofstream(empty_plan) << "Plan\nRecommendation\tAction\tLead\n"
                            << "\tStray action\tAnn Lee\n";
  r = Cli({"import", empty_plan, "--committee", "Audit"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(empty_plan +
                               ": the action-plan table (table 1) has "
                               "headings but no recommendations under them "
                               "that could be read (line 3: this row comes "
                               "before any recommendation"));
  EXPECT_EQ(LastPosition(), 0u);
}

TEST_F(PlanImportTest, ColumnsSaysWhatUnusualColumnsHold) {
  std::string file = dir_.Sub("pipes.txt");
  std::ofstream(file)
      << "| Item | What we said | What happens | Whose | Month |\n"
      << "|---|---|---|---|---|\n"
      << "| 1 | That bins be emptied weekly. | Change the rounds | Ann Lee "
         "| May 2025 |\n";
  CliResult plain = Cli({"import", file, "--dry-run"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_THAT(plain.out, HasSubstr("Read as text."));
  CliResult forced =
      Cli({"import", file, "--dry-run", "--columns",
           "1=ref,2=recommendation,3=action,4=lead,5=timescale"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_THAT(forced.out, HasSubstr("column 4 \"Whose\" -> lead (--columns)"));
  EXPECT_THAT(forced.out, HasSubstr("action: Change the rounds (lead: Ann "
                                    "Lee; due: May 2025)"));
  CliResult bad = Cli({"import", file, "--columns", "2=wishes"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("--columns: \"2=wishes\" should be "
                                 "COLUMN=ROLE"));
}

TEST_F(PlanImportTest, RowsThatCannotBeReadAreReportedAndStrictRefuses) {
  std::string file = dir_.Sub("rows.txt");
  std::ofstream(file)
      << "Plan\n"
      << "Recommendation\tAction\tLead\tTimescale\n"
      << "\tStray action with nothing above\tAnn Lee\tMay 2025\n"
      << "1. That parks open later.\tChange the hours\tAnn Lee\tJune 2025\n";
  CliResult strict = Cli({"import", file, "--strict"});
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_THAT(strict.err, HasSubstr("line 3: this row comes before any "
                                    "recommendation"));
  EXPECT_THAT(strict.err, HasSubstr("--strict: 1 row(s) could not be read, "
                                    "so nothing was imported"));
  EXPECT_THAT(Cli({"events"}).out, HasSubstr("the log ends at #0"));
  CliResult r = Cli({"import", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("not imported: line 3: this row comes before "
                               "any recommendation"));
  EXPECT_THAT(r.out, HasSubstr("1 recommendation(s), 1 action(s)"));
}

}  // namespace
}  // namespace rectrack::cli_test
