// End-to-end tests of import and export: jsonl, csv and council action
// plans, the reports of imported samples, and imports cut short.
#include "tests/cli_fixture.h"

namespace rectrack::cli_test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST_F(CliTest, ExportImportRoundTripAndReimportAddsNothing) {
  Created({"review", "open", "--title", "Round trip", "--committee", "C",
           "--published", "2010-06-17"});
  Created({"rec", "add", "review-1", "--ref", "1", "--text", "First"});
  Created({"rec", "respond", "rec-1", "--decision", "accepted", "--text", "Yes",
           "--on", "2010-07-08"});
  Created({"action", "add", "rec-1", "--text", "Do it", "--lead", "Ann",
           "--due", "Sept 10?"});
  Created({"action", "progress", "action-1", "--text", "Half done", "--on",
           "2010-08-01"});
  std::string file = dir_.Sub("export.jsonl");
  ASSERT_EQ(Cli({"export", "--output", file}).exit_code, 0);
  std::string exported = ReadFile(file);
  EXPECT_THAT(exported,
              StartsWith("{\"openReview\":{\"title\":\"Round trip\""));

  // Into an empty server: same ids, same export.
  Daemon other(dir_.Sub("other"));
  other.ShareTokens(*daemon_);
  ASSERT_TRUE(other.Start()) << other.log();
  CliResult imported =
      Cli({"import", file, "--server", other.address()}, false);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_THAT(imported.out, HasSubstr("5 command(s) applied now"));
  EXPECT_EQ(imported.LastLine(), "review-1");
  CliResult again = Cli({"import", file, "--server", other.address()}, false);
  EXPECT_THAT(again.out, HasSubstr("0 command(s) applied now, 5 had been"));
  CliResult reexported = Cli({"export", "--server", other.address()}, false);
  EXPECT_EQ(reexported.out, exported);
}

TEST_F(CliTest, ImportOfABadFileWritesNothingAndNamesTheLine) {
  std::string bad = dir_.Sub("bad.jsonl");
  std::ofstream(bad)
      << "{\"openReview\":{\"title\":\"T\",\"committee\":\"C\"}}\n\n"
      << "{\"addRecommendation\":{\"reviewId\":\"$0\",\"ref\":\"1\","
         "\"text\":\"x\"}}\n"
      << "{\"addAction\":{\"recommendationId\":\"$1\",\"text\":\"t\"}}\n";
  CliResult r = Cli({"import", bad});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: INVALID_ARGUMENT: line 4: leads: at least one lead is "
            "required\n");
  CliResult dry = Cli({"import", bad, "--dry-run"});
  EXPECT_EQ(dry.err, r.err);
  // A dry run lists every problem, each with its line.
  std::ofstream(bad, std::ios::trunc)
      << "{\"openReview\":{\"title\":\"T\"}}\n"
      << "{\"addRecommendation\":{\"reviewId\":\"$0\",\"ref\":\"1\","
         "\"text\":\"x\"}}\n"
      << "{\"addRecommendation\":{\"reviewId\":\"review-9\",\"ref\":\"2\","
         "\"text\":\"y\"}}\n";
  CliResult all = Cli({"import", bad, "--dry-run"});
  EXPECT_EQ(all.exit_code, 1);
  EXPECT_EQ(all.err,
            "error: INVALID_ARGUMENT: line 1: committee is required\n"
            "line 2: review_id: \"$0\" refers to a command that failed\n"
            "line 3: review review-9 does not exist\n");
  EXPECT_THAT(Cli({"events"}).out, HasSubstr("the log ends at #0"));

  std::string junk = dir_.Sub("junk.jsonl");
  std::ofstream(junk) << "not json\n{\"bogus\": 1}\n\x01\x02\xff\n";
  CliResult j = Cli({"import", junk});
  EXPECT_EQ(j.exit_code, 1);
  EXPECT_THAT(j.err, StartsWith("error: INVALID_ARGUMENT: line 1: not a "
                                "command in JSON"));
  EXPECT_THAT(j.err, HasSubstr("line 2: not a command in JSON: bogus"));
  EXPECT_THAT(j.err, HasSubstr("line 3: "));
  CliResult missing = Cli({"import", dir_.Sub("nope.jsonl")});
  EXPECT_THAT(missing.err, HasSubstr("cannot open"));
  CliResult pdf = Cli({"import", junk, "--format", "pdf"});
  EXPECT_THAT(pdf.err, StartsWith("error: UNIMPLEMENTED: --format pdf is not "
                                  "supported"));
  EXPECT_THAT(Cli({"events"}).out, HasSubstr("the log ends at #0"));
}

TEST_F(CliTest, ChunkedImportCarriesReferencesAcrossChunks) {
  std::string file = dir_.Sub("chunked.jsonl");
  {
    std::ofstream out(file);
    out << "{\"openReview\":{\"title\":\"T\",\"committee\":\"C\"}}\n";
    out << "{\"addRecommendation\":{\"reviewId\":\"$0\",\"ref\":\"1\","
           "\"text\":\"x\"}}\n";
    for (int i = 0; i < 5; ++i) {
      out << "{\"addAction\":{\"recommendationId\":\"$1\",\"text\":\"a" << i
          << "\",\"leads\":[\"Ann\"]}}\n";
    }
  }
  CliResult r = Cli({"import", file, "--chunk", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("in 4 chunk(s)"));
  CliResult actions = Cli({"actions", "--review", "review-1"});
  EXPECT_THAT(actions.out, HasSubstr("action-5  rec-1"));
  // Re-running after an interruption completes without duplicates.
  CliResult again = Cli({"import", file, "--chunk", "2"});
  EXPECT_THAT(again.out, HasSubstr("0 command(s) applied now, 7 had been"));
}

TEST_F(CliTest, CsvImportReadsKeysQuotesAndExportsTheSameColumns) {
  std::string file = dir_.Sub("plan.csv");
  std::ofstream(file, std::ios::binary)
      << "\xEF\xBB\xBF"
      << "Kind,Key,Title,Committee,Review,Ref,Text,Leads,Due,Recommendation,"
         "Decision,On\r\n"
      << "review,R,\"Review of Partnerships, 2007\",Scrutiny,,,,,,,,\r\n"
      << "recommendation,A,,,R,A,\"Compile a database\r\nof \"\"priority\"\" "
         "partnerships\",,,,,\r\n"
      << "response,,,,,,Agreed,,,A,accepted,14 June 2007\r\n"
      << "action,,,,,,Set it up,Head of Scrutiny; Leader,Autumn 2007,A,,\r\n";
  CliResult r = Cli({"import", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.LastLine(), "review-1");
  CliResult show = Cli({"review", "show", "review-1"});
  EXPECT_THAT(show.out, HasSubstr("Review of Partnerships, 2007"));
  EXPECT_THAT(show.out,
              HasSubstr("Compile a database\nof \"priority\" partnerships"));
  EXPECT_THAT(show.out, HasSubstr("Response (accepted, 2007-06-14): Agreed"));
  EXPECT_THAT(show.out, HasSubstr("lead: Head of Scrutiny; Leader"));

  CliResult csv = Cli({"export", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_THAT(csv.out,
              StartsWith("\xEF\xBB\xBFkind,key,id,review,recommendation,ref,"));
  EXPECT_THAT(csv.out, HasSubstr("\"Compile a database\nof \"\"priority\"\" "
                                 "partnerships\""));
  // The export imports into an empty server and exports identically.
  std::string exported = dir_.Sub("export.csv");
  std::ofstream(exported) << csv.out;
  Daemon other(dir_.Sub("other"));
  other.ShareTokens(*daemon_);
  ASSERT_TRUE(other.Start()) << other.log();
  ASSERT_EQ(
      Cli({"import", exported, "--server", other.address()}, false).exit_code,
      0);
  EXPECT_EQ(
      Cli({"export", "--format", "csv", "--server", other.address()}, false)
          .out,
      csv.out);
}

// Text that a spreadsheet would run as a formula is neutralised in the CSV
// export (and read back exactly), and is a plain string in the Excel one.
TEST_F(CliTest, CsvAndExcelExportsAreSafeToOpenInASpreadsheet) {
  const std::string formula = "=HYPERLINK(\"http://example.org\",\"click\")";
  Created({"review", "open", "--title", "Council\u2019s review", "--committee",
           "C", "--published", "2010-06-17"});
  Created({"rec", "add", "review-1", "--ref", "1", "--text", formula});
  Created({"rec", "respond", "rec-1", "--decision", "accepted", "--text",
           "'=already quoted", "--on", "2010-07-08"});
  Created({"action", "add", "rec-1", "--text", "-Reduce the backlog", "--lead",
           "@Ann", "--due", "Sept 10?"});
  CliResult csv = Cli({"export", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_THAT(csv.out, StartsWith("\xEF\xBB\xBFkind,"));
  EXPECT_THAT(csv.out, HasSubstr(",\"'=HYPERLINK(\"\"http://example.org\"\""));
  EXPECT_THAT(csv.out, HasSubstr(",''=already quoted,"));
  EXPECT_THAT(csv.out, HasSubstr(",'-Reduce the backlog,"));
  EXPECT_THAT(csv.out, HasSubstr(",'@Ann,"));
  // Imported into an empty server, the texts are what was typed.
  std::string file = dir_.Sub("export.csv");
  std::ofstream(file, std::ios::binary) << csv.out;
  Daemon other(dir_.Sub("other"));
  other.ShareTokens(*daemon_);
  ASSERT_TRUE(other.Start()) << other.log();
  ASSERT_EQ(Cli({"import", file, "--server", other.address()}, false).exit_code,
            0);
  CliResult show =
      Cli({"review", "show", "review-1", "--server", other.address()}, false);
  EXPECT_THAT(show.out, HasSubstr(formula));
  EXPECT_THAT(show.out, HasSubstr(": '=already quoted"));
  EXPECT_THAT(show.out, HasSubstr("-Reduce the backlog"));
  EXPECT_THAT(show.out, HasSubstr("lead: @Ann"));

  CliResult no_file = Cli({"export", "--format", "xlsx"});
  EXPECT_EQ(no_file.exit_code, 2);
  EXPECT_THAT(no_file.err, HasSubstr("give --output FILE.xlsx"));
  const std::string xlsx = dir_.Sub("export.xlsx");
  CliResult book = Cli({"export", "--format", "xlsx", "-o", xlsx});
  ASSERT_EQ(book.exit_code, 0) << book.err;
  const std::string script = dir_.Sub("check.py");
  std::ofstream(script) << R"(import csv, io, sys
from openpyxl import load_workbook
book = load_workbook(sys.argv[1])
assert book.sheetnames == ["Changes"], book.sheetnames
sheet = book["Changes"]
rows = [[c.value or "" for c in r] for r in sheet.iter_rows()]
text = open(sys.argv[2], encoding="utf-8-sig").read()
expected = list(csv.reader(io.StringIO(text)))
assert rows[0] == expected[0], (rows[0], expected[0])
assert len(rows) == len(expected) == 5, (len(rows), len(expected))
cells = {c.value: c.data_type for r in sheet.iter_rows() for c in r if c.value}
assert cells[sys.argv[3]] == "s", cells
assert "-Reduce the backlog" in cells and "'=already quoted" in cells, cells
assert "Council\u2019s review" in cells, cells
print("ok", len(rows))
)";
  std::ofstream(dir_.Sub("export-again.csv"), std::ios::binary) << csv.out;
  const std::string out = dir_.Sub("check.out");
  int code = ExitCode(
      Spawn("/usr/bin/python3",
            {script, xlsx, dir_.Sub("export-again.csv"), formula}, out, out));
  EXPECT_EQ(code, 0) << ReadFile(out);
  EXPECT_THAT(ReadFile(out), HasSubstr("ok 5"));
}

TEST_F(CliTest, CsvProblemsNameTheLineAndWriteNothing) {
  struct Case {
    std::string content;
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {"kind,colour\nreview,red\n", "line 1: unknown column \"colour\""},
           {"title\nT\n", "line 1: the header has no \"kind\" column"},
           {"kind,text\nreview,\"never closed\n",
            "line 2: a quoted field is never closed"},
           {"kind,title\nreview,\xff\xfe\n",
            "line 2: the text is not valid UTF-8"},
           {"kind,title\nmeeting,x\n",
            "line 2: kind \"meeting\" is not one of"},
           {"kind,recommendation,decision,text\nresponse,rec-1,maybe,x\n",
            "line 2: decision: \"maybe\" is not one of accepted"},
           {"kind,title,committee\nreview,T,C\nrecommendation,,\n",
            "line 3: review_id is required"},
       }) {
    std::string file = dir_.Sub("bad.csv");
    std::ofstream(file, std::ios::binary | std::ios::trunc) << c.content;
    CliResult r = Cli({"import", file});
    EXPECT_EQ(r.exit_code, 1) << c.content;
    EXPECT_THAT(r.err, HasSubstr(c.error)) << c.content;
  }
  EXPECT_THAT(Cli({"events"}).out, HasSubstr("the log ends at #0"));
}

std::string SamplePath(const std::string& name) {
  return std::string(RECTRACK_SAMPLES) + "/" + name;
}

TEST_F(CliTest, ActionPlanTableImportsAsAPersonWouldReadIt) {
  CliResult dry = Cli(
      {"import", SamplePath("cyp-partnerships-action-plan.tsv"), "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out,
              HasSubstr("line 7:     action: Progress to be monitored (lead: "
                        "Cllr B Smith; due: March 11)  [action-2]\n"));
  EXPECT_THAT(dry.out, HasSubstr("creating 1 review(s), 10 recommendation(s), "
                                 "28 action(s) and 2 other change(s). Nothing "
                                 "was written."));
  EXPECT_THAT(Cli({"events"}).out, HasSubstr("the log ends at #0"));
  CliResult r = Cli({"import", SamplePath("cyp-partnerships-action-plan.tsv"),
                     "--committee", "Scrutiny and Overview Committee"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.LastLine(), "review-1");
  auto stub = v1::Tracker::NewStub(daemon_->Channel());
  auto get_review = [&](const std::string& id) {
    grpc::ClientContext ctx;
    v1::GetReviewRequest req;
    req.set_id(id);
    v1::Review out;
    EXPECT_TRUE(stub->GetReview(&ctx, req, &out).ok());
    return out;
  };
  auto get_rec = [&](const std::string& id) {
    grpc::ClientContext ctx;
    v1::GetRecommendationRequest req;
    req.set_id(id);
    v1::Recommendation out;
    EXPECT_TRUE(stub->GetRecommendation(&ctx, req, &out).ok());
    return out;
  };
  auto get_action = [&](const std::string& id) {
    grpc::ClientContext ctx;
    v1::GetActionRequest req;
    req.set_id(id);
    v1::Action out;
    EXPECT_TRUE(stub->GetAction(&ctx, req, &out).ok());
    return out;
  };
  v1::Review review = get_review("review-1");
  EXPECT_EQ(review.title(),
            "Working in Partnership on Services for CYP - Draft Action Plan "
            "for consideration by Cabinet 8 July 2010");
  EXPECT_EQ(review.committee(), "Scrutiny and Overview Committee");
  ASSERT_EQ(review.recommendation_ids_size(), 10);

  v1::Recommendation rec1 = get_rec("rec-1");
  EXPECT_EQ(rec1.ref(), "1");
  EXPECT_THAT(rec1.text(), StartsWith("That the SCDC representatives on the "
                                      "Children's Trust"));
  EXPECT_THAT(rec1.text(), HasSubstr("progress on the CYP Transport Plan is"));
  ASSERT_EQ(rec1.action_ids_size(), 2);
  v1::Action a1 = get_action(rec1.action_ids(0));
  EXPECT_EQ(a1.text(),
            "Issue to be raised at the next appropriate meeting of Children's "
            "Trust");
  EXPECT_THAT(a1.leads(),
              ::testing::ElementsAre("Steve Hampson", "Cllr B Smith"));
  EXPECT_EQ(a1.timescale().text(), "May 10");
  ASSERT_EQ(a1.progress_size(), 1);
  EXPECT_EQ(a1.progress(0).text(), "Now in workplan");
  v1::Action a2 = get_action(rec1.action_ids(1));
  EXPECT_EQ(a2.text(), "Progress to be monitored");
  EXPECT_THAT(a2.leads(), ::testing::ElementsAre("Cllr B Smith"));
  EXPECT_EQ(a2.timescale().text(), "March 11");

  // Recommendation 6 runs over a page break and its header row.
  v1::Recommendation rec6 = get_rec("rec-6");
  EXPECT_EQ(rec6.ref(), "6");
  EXPECT_THAT(rec6.text(), HasSubstr("thorough review of the partnerships, "
                                     "with a view to creating a slimmer"));
  ASSERT_EQ(rec6.action_ids_size(), 2);
  v1::Action a6 = get_action(rec6.action_ids(0));
  EXPECT_EQ(a6.timescale().text(), "Sept 10?");
  ASSERT_EQ(a6.progress_size(), 1);
  EXPECT_EQ(a6.progress(0).text(), "A review is now underway");
  EXPECT_THAT(get_action(rec6.action_ids(1)).leads(),
              ::testing::ElementsAre("Leader"));

  // Several actions in one cell, aligned with their leads and timings.
  v1::Recommendation rec7 = get_rec("rec-7");
  ASSERT_EQ(rec7.action_ids_size(), 5);
  v1::Action a7 = get_action(rec7.action_ids(3));
  EXPECT_EQ(a7.text(),
            "To list at Recommendation 9, add any named substitutes");
  EXPECT_THAT(a7.leads(), ::testing::ElementsAre("Gemma Barron"));
  EXPECT_EQ(a7.timescale().text(), "Sept 10");
  EXPECT_EQ(get_action(rec7.action_ids(4)).timescale().text(), "March 11");
  v1::Recommendation rec10 = get_rec("rec-10");
  ASSERT_EQ(rec10.action_ids_size(), 3);
  EXPECT_THAT(get_action(rec10.action_ids(1)).leads(),
              ::testing::ElementsAre("Chief Executive"));

  // A second import adds nothing.
  CliResult again =
      Cli({"import", SamplePath("cyp-partnerships-action-plan.tsv"),
           "--committee", "Scrutiny and Overview Committee"});
  EXPECT_THAT(again.out, HasSubstr(" 0 command(s) applied now"));
}

TEST_F(CliTest, ReportOfImportedSamplesReadsCorrectlyInEveryFormat) {
  ASSERT_EQ(Cli({"import", SamplePath("cyp-partnerships-action-plan.tsv"),
                 "--committee", "Scrutiny and Overview Committee"})
                .exit_code,
            0);
  ASSERT_EQ(Cli({"import", SamplePath("scraip-review-of-partnerships.txt"),
                 "--format", "plan"})
                .exit_code,
            0);

  // Every timing in the plan reads as a window (or as ongoing).
  CliResult listed = Cli({"actions", "--review", "review-1", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  v1::ListActionsResponse actions;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(listed.out, &actions).ok());
  ASSERT_EQ(actions.actions_size(), 28);
  for (const v1::Action& a : actions.actions()) {
    EXPECT_TRUE(!a.timescale().latest().empty() || a.timescale().ongoing())
        << a.id() << " \"" << a.timescale().text() << "\" was not read";
  }
  // The plan's targets are all in 2010-11: every open action is overdue.
  CliResult overdue =
      Cli({"overdue", "--committee", "scrutiny and overview committee"});
  ASSERT_EQ(overdue.exit_code, 0) << overdue.err;
  EXPECT_THAT(overdue.out, HasSubstr("red"));
  EXPECT_THAT(overdue.out, HasSubstr("Cllr B Smith"));
  CliResult before = Cli({"actions", "--due-before", "2010-01-01"});
  EXPECT_THAT(before.out, HasSubstr("No actions match."));

  CliResult text = Cli({"report", "review-1"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("Progress report: Working in Partnership"));
  EXPECT_THAT(text.out, HasSubstr("Recommendations: 10"));
  EXPECT_THAT(text.out, HasSubstr("Actions: 28"));
  EXPECT_THAT(text.out,
              HasSubstr("Timescale: March 11 (2011-03-01 to 2011-03-31)"));
  EXPECT_THAT(text.out, HasSubstr("Lead: Cllr B Smith"));
  EXPECT_THAT(text.out, HasSubstr("OVERDUE by"));
  EXPECT_THAT(text.out, HasSubstr("All changes"));

  CliResult md = Cli({"report", "review-1", "--format", "md"});
  ASSERT_EQ(md.exit_code, 0) << md.err;
  EXPECT_THAT(md.out, ::testing::StartsWith("# Progress report: "));
  EXPECT_THAT(md.out, HasSubstr("| RAG | Action | Lead | Timescale |"));
  EXPECT_THAT(md.out, HasSubstr("| RED (overdue) | Progress to be monitored | "
                                "Cllr B Smith | March 11 |"));

  CliResult csv = Cli({"report", "review-1", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  std::vector<std::string> lines =
      absl::StrSplit(csv.out, "\r\n", absl::SkipEmpty());
  ASSERT_FALSE(lines.empty());
  // A byte order mark first, so that Excel reads the file as UTF-8.
  EXPECT_THAT(lines[0],
              ::testing::StartsWith("\xEF\xBB\xBFreview_id,rec_id,ref,"));
  EXPECT_EQ(lines.size(), 1u + 28u);  // every recommendation has actions
  EXPECT_THAT(csv.out, HasSubstr(",March 11,2011-03-31,not-started,red,yes,"));

  std::string html_path = dir_.Sub("report.html");
  CliResult html =
      Cli({"report", "review-1", "--format", "html", "-o", html_path});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  std::string page = ReadFile(html_path);
  EXPECT_THAT(page, ::testing::StartsWith("<!DOCTYPE html>"));
  EXPECT_THAT(page, HasSubstr("@page { size: A4"));
  EXPECT_THAT(page, HasSubstr("aria-label=\"Actions by RAG rating\""));
  EXPECT_THAT(page,
              HasSubstr("aria-label=\"Recommendations by status over time\""));
  EXPECT_THAT(page, ::testing::Not(HasSubstr("<script")));

  CliResult json = Cli({"report", "review-2", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  v1::Report report;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(json.out, &report).ok());
  EXPECT_EQ(report.review().published_on(), "2007-05-17");
  EXPECT_GT(report.items_size(), 5);
  EXPECT_EQ(report.items(0).response_timing().due_on(), "2007-07-17");

  // Before anything was imported there was no review to report on.
  CliResult early = Cli({"report", "review-1", "--as-of", "2001-01-01"});
  EXPECT_EQ(early.exit_code, 1);
  EXPECT_THAT(early.err, HasSubstr("review-1 did not exist yet at 2001-01-01"));
  CliResult bad = Cli({"report", "review-1", "--format", "pdf"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(
      bad.err,
      HasSubstr("\"pdf\" is not one of text, md, csv, html, xlsx, json"));
}

TEST_F(CliTest, ScraipLayoutImportsRecommendationsAndResponses) {
  CliResult r = Cli({"import", SamplePath("scraip-review-of-partnerships.txt"),
                     "--format", "plan"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.LastLine(), "review-1");
  CliResult json = Cli({"review", "show", "review-1", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"title\": \"Review of Partnerships\""));
  EXPECT_THAT(json.out,
              HasSubstr("\"committee\": \"Strategic Leadership Overview and "
                        "Scrutiny Committee\""));
  EXPECT_THAT(json.out, HasSubstr("\"publishedOn\": \"2007-05-17\""));
  CliResult show = Cli({"review", "show", "review-1"});
  EXPECT_THAT(show.out,
              HasSubstr("Report-backs: 2007-11-27 (1st update), 2008-04-01 "
                        "(2nd update), 2008-10-01 (3rd update)"));
  EXPECT_THAT(show.out, HasSubstr("rec-1  Recommendation A  [accepted]\n"
                                  "  (i) That the definition above"));
  EXPECT_THAT(show.out, HasSubstr("\n(ii) A central partnership database"));
  EXPECT_THAT(show.out, HasSubstr("Portfolio: The Leader\n  Response "
                                  "(accepted, The Leader): (i) It is very "
                                  "helpful"));
  EXPECT_THAT(show.out, HasSubstr("rec-3  Recommendation G  [accepted]"));
  EXPECT_THAT(show.out, HasSubstr("rec-4  Recommendation C  [rejected]"));
  EXPECT_THAT(show.out, HasSubstr("rec-6  Recommendation E  [accepted]\n"
                                  "  The Review Group recommends"));
  EXPECT_THAT(show.out, HasSubstr("Portfolio: Cllr Hooper\n  Response "
                                  "(accepted, Cllr Hooper): A range of"));
  EXPECT_THAT(show.out,
              HasSubstr("rec-7  Recommendation F  [partially-accepted]"));
  EXPECT_THAT(show.out, HasSubstr("rec-8  Recommendation H  [accepted]\n"
                                  "  (i) The Model Protocol"));
  EXPECT_THAT(show.out, HasSubstr("\n(ii) The checklist in the protocol"));
  EXPECT_THAT(show.out, HasSubstr("rec-9  Recommendation I"));
  EXPECT_THAT(show.out, ::testing::Not(HasSubstr("rec-10")));
  CliResult again =
      Cli({"import", SamplePath("scraip-review-of-partnerships.txt"),
           "--format", "plan"});
  EXPECT_THAT(again.out, HasSubstr(" 0 command(s) applied now"));
}

TEST_F(CliTest, PlanTablesInOtherShapesImportToo) {
  // Columns in another order, an Accepted column, "Lead Officer:" inside a
  // cell, lists and entities, and dated action updates.
  std::string file = dir_.Sub("plan.tsv");
  std::ofstream(file)
      << "Review of Waste Services\n\n"
      << "Timescale\tLead\tRecommendation\tAccepted?\tProposed action\t"
         "Progress\tNo.\n"
      << "March 2011\tLead Officer: Jo Bloggs\tRecycling &amp; "
         "reuse be doubled\tYes\t<ul><li>Bid for funding</li></ul>\t"
         "Action update (October 2010): Bid submitted\t01\n"
      << "\t\tFortnightly collections be kept\tNo\t\t\t02.\n";
  CliResult r = Cli({"import", file, "--committee", "Environment O&S"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  CliResult show = Cli({"review", "show", "review-1"});
  EXPECT_THAT(show.out, StartsWith("review-1  Review of Waste Services\n"
                                   "  Committee: Environment O&S"));
  EXPECT_THAT(show.out, HasSubstr("rec-1  Recommendation 01  [accepted]\n"
                                  "  Recycling & reuse be doubled"));
  // The list's bullet is the cell's layout, not part of the action.
  EXPECT_THAT(show.out, HasSubstr("action-1  [not-started]  due: March 2011  "
                                  "lead: Jo Bloggs\n    Bid for funding"));
  EXPECT_THAT(show.out,
              HasSubstr("Latest progress (2010-10-01): Bid submitted"));
  EXPECT_THAT(show.out, HasSubstr("rec-2  Recommendation 02  [rejected]"));
}

TEST_F(CliTest, HugeLinesAreRefusedNamingTheLimit) {
  std::string file = dir_.Sub("huge.jsonl");
  {
    std::ofstream out(file);
    out << "{\"openReview\":{\"title\":\"T\",\"committee\":\"C\"}}\n";
    out << "{\"openReview\":{\"title\":\"" << std::string(100 << 20, 'x')
        << "\"}}\n";
  }
  CliResult r = Cli({"import", file});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: INVALID_ARGUMENT: line 2 is 104857627 bytes long; a "
            "command may take at most 1 MiB\n");
  EXPECT_THAT(Cli({"events"}).out, HasSubstr("the log ends at #0"));
}

TEST_F(CliTest, ImportKilledHalfWayCompletesOnceWhenRunAgain) {
  std::string file = dir_.Sub("many.jsonl");
  constexpr int kActions = 3000;
  {
    std::ofstream out(file);
    out << "{\"openReview\":{\"title\":\"T\",\"committee\":\"C\"}}\n";
    out << "{\"addRecommendation\":{\"reviewId\":\"$0\",\"ref\":\"1\","
           "\"text\":\"x\"}}\n";
    for (int i = 0; i < kActions; ++i) {
      out << "{\"addAction\":{\"recommendationId\":\"$1\",\"text\":\"a" << i
          << "\",\"leads\":[\"Ann\"]}}\n";
    }
  }
  auto stub = v1::Tracker::NewStub(daemon_->Channel());
  auto last_position = [&] {
    grpc::ClientContext ctx;
    v1::ReadEventsRequest req;
    req.set_limit(1);
    v1::ReadEventsResponse resp;
    EXPECT_TRUE(stub->ReadEvents(&ctx, req, &resp).ok());
    return resp.last_position();
  };
  pid_t pid =
      Spawn(RECTRACK_CLI,
            {"import", file, "--chunk", "10", "--server", daemon_->address()},
            "/dev/null", "/dev/null", {"RECTRACK_TOKEN=" + daemon_->token()});
  for (int i = 0; i < 2000 && last_position() < 50; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  uint64_t before = last_position();
  EXPECT_GT(before, 0u);
  EXPECT_LT(before, static_cast<uint64_t>(kActions + 2));

  CliResult again = Cli({"import", file, "--chunk", "10"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(last_position(), static_cast<uint64_t>(kActions + 2));
  EXPECT_THAT(again.out, HasSubstr("had been imported before"));
  CliResult list = Cli({"actions", "--review", "review-1", "--json"});
  EXPECT_THAT(list.out, HasSubstr("\"id\": \"action-3000\""));
  EXPECT_THAT(list.out, ::testing::Not(HasSubstr("\"id\": \"action-3001\"")));
}

TEST_F(CliTest, DocumentWithoutAnActionPlanIsRefused) {
  CliResult r = Cli({"import", SamplePath("cabinet-report-no-table.txt"),
                     "--format", "plan"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("error: INVALID_ARGUMENT: "));
  EXPECT_THAT(r.err, HasSubstr("cabinet-report-no-table.txt: no action-plan "
                               "table was found"));
  EXPECT_THAT(Cli({"events"}).out, HasSubstr("the log ends at #0"));
}

}  // namespace
}  // namespace rectrack::cli_test
