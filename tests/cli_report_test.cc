// End to end through the CLI and a real rectrackd: a clerk imports the
// SCRAIP sample, records what the document did not say, signs off with the
// guardrails, corrects a mistake and prints the committee report.
#include <fstream>

#include "tests/cli_fixture.h"

namespace rectrack::cli_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string SamplePath(const std::string& name) {
  return std::string(RECTRACK_SAMPLES) + "/" + name;
}

TEST_F(CliTest, ImportedResponsesAreDateNotRecordedUntilTheClerkDatesThem) {
  CliResult imported =
      Cli({"import", SamplePath("scraip-review-of-partnerships.txt"),
           "--format", "plan"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  CliResult report = Cli({"report", "review-1"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  EXPECT_THAT(report.out,
              HasSubstr("Responses: 0 on time, 0 late, 0 awaited (0 past "
                        "due), 9 date not recorded"));
  EXPECT_THAT(report.out, HasSubstr("Response time: responded, date not "
                                    "recorded"));
  EXPECT_THAT(report.out, Not(HasSubstr("LATE")));
  EXPECT_THAT(report.out, HasSubstr("Recommendation A. "));
  EXPECT_THAT(report.out, HasSubstr("Cabinet member / portfolio: The Leader"));
  EXPECT_THAT(report.out, HasSubstr("Published: 17 May 2007"));

  // The real dates, from the Cabinet minutes: rec-1 answered in time (due
  // 17 July 2007), rec-2 late; the response in force counts.
  ASSERT_EQ(Cli({"rec", "respond", "rec-1", "--decision", "accepted", "--text",
                 "Agreed", "--on", "2007-07-10"})
                .exit_code,
            0);
  ASSERT_EQ(Cli({"rec", "respond", "rec-2", "--decision", "accepted", "--text",
                 "Agreed", "--on", "2007-09-03"})
                .exit_code,
            0);
  report = Cli({"report", "review-1"});
  EXPECT_THAT(report.out,
              HasSubstr("Responses: 1 on time, 1 late, 0 awaited (0 past "
                        "due), 7 date not recorded"));
  EXPECT_THAT(report.out,
              HasSubstr("responded 10 July 2007, 54 days after publication, "
                        "on time (due 17 July 2007)"));
}

TEST_F(CliTest, SignOffGuardrailOverrideAndCorrectionThroughTheCli) {
  std::string review =
      Created({"review", "open", "--title", "Parks", "--committee", "Place O&S",
               "--published", "2010-03-15"});
  std::string rec =
      Created({"rec", "add", review, "--ref", "A", "--text",
               "That parks open later", "--portfolio", "Cllr Green"});
  ASSERT_EQ(Cli({"rec", "respond", rec, "--decision", "accepted", "--text",
                 "Agreed", "--on", "2010-04-20"})
                .exit_code,
            0);
  std::string action =
      Created({"action", "add", rec, "--text", "Extend opening hours", "--lead",
               "Ann Lee", "--due", "Sept 2010", "--on", "2010-04-21"});
  CliResult refused = Cli(
      {"rec", "status", rec, "--status", "signed-off", "--on", "2010-10-01"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err,
              HasSubstr("cannot be signed off while its actions are not "
                        "completed or cancelled: action-1 (not started)"));
  CliResult overridden =
      Cli({"rec", "status", rec, "--status", "signed-off", "--on", "2010-10-01",
           "--override-reason", "Committee satisfied the hours are agreed"});
  ASSERT_EQ(overridden.exit_code, 0) << overridden.err;
  CliResult report = Cli({"report", review, "--format", "md"});
  EXPECT_THAT(report.out,
              HasSubstr("signed off on 1 October 2010 (signed off although "
                        "not all done: Committee satisfied the hours are "
                        "agreed)"));

  CliResult corrected = Cli({"correct", rec, "--status", "in-progress",
                             "--reason", "Signed off at the wrong meeting"});
  ASSERT_EQ(corrected.exit_code, 0) << corrected.err;
  report = Cli({"report", review});
  EXPECT_THAT(report.out, HasSubstr("Status: in progress"));
  CliResult history = Cli({"history", rec});
  EXPECT_THAT(history.out, HasSubstr("Record of rec-1 corrected by "));
  EXPECT_THAT(history.out,
              HasSubstr("(it said: status signed off on 2010-10-01)"));
  EXPECT_THAT(history.out, HasSubstr("Signed off at the wrong meeting"));

  ASSERT_EQ(Cli({"action", "progress", action, "--text", "Typed in error",
                 "--on", "2010-05-01"})
                .exit_code,
            0);
  CliResult retracted = Cli({"retract", action, "--progress", "1", "--reason",
                             "Meant for another action"});
  ASSERT_EQ(retracted.exit_code, 0) << retracted.err;
  CliResult show = Cli({"action", "show", action});
  EXPECT_THAT(show.out, HasSubstr("1. 2010-05-01  Typed in error  (by "));
  EXPECT_THAT(show.out, HasSubstr("[retracted: Meant for another action]"));
  EXPECT_THAT(Cli({"report", review}).out, Not(HasSubstr("Typed in error")));

  CliResult future = Cli(
      {"action", "progress", action, "--text", "Done", "--on", "2099-01-01"});
  EXPECT_NE(future.exit_code, 0);
  EXPECT_THAT(future.err,
              HasSubstr("reported_on: 2099-01-01 is in the future"));
}

// The workbook opens in a real spreadsheet reader (Debian's openpyxl) with
// every action and its RAG colour.
TEST_F(CliTest, ExcelReportOpensWithEveryActionAndItsRagColour) {
  CliResult imported =
      Cli({"import", SamplePath("cyp-partnerships-action-plan.tsv"),
           "--committee", "Scrutiny and Overview Committee"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  ASSERT_EQ(
      Cli({"action", "status", "action-1", "--status", "completed"}).exit_code,
      0);
  CliResult no_file = Cli({"report", "review-1", "--format", "xlsx"});
  EXPECT_EQ(no_file.exit_code, 2);
  EXPECT_THAT(no_file.err, HasSubstr("give --output FILE.xlsx"));
  const std::string xlsx = dir_.Sub("report.xlsx");
  CliResult r = Cli({"report", "review-1", "--format", "xlsx", "-o", xlsx});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string script = dir_.Sub("check.py");
  {
    std::ofstream out(script);
    out << R"(import sys
from openpyxl import load_workbook
book = load_workbook(sys.argv[1])
assert book.sheetnames == ["Recommendations", "Exceptions", "Changes"], book.sheetnames
sheet = book["Recommendations"]
header = [c.value for c in sheet[1]]
assert header[5] == "Action" and header[9] == "RAG", header
rows = [r for r in sheet.iter_rows(min_row=2) if r[5].value]
fills = {}
for r in rows:
    fills.setdefault(r[9].value, set()).add(r[9].fill.fgColor.rgb[-6:])
print(len(rows), sorted((k, sorted(v)) for k, v in fills.items()))
assert len(rows) == 28, len(rows)
assert fills["RED"] == {"C0392B"}, fills
assert fills["GREEN"] == {"2E8B57"}, fills
assert len(list(book["Exceptions"].iter_rows(min_row=2))) > 0
)";
  }
  const std::string out = dir_.Sub("check.out");
  int code = ExitCode(Spawn("/usr/bin/python3", {script, xlsx}, out, out));
  EXPECT_EQ(code, 0) << ReadFile(out);
  EXPECT_THAT(ReadFile(out), HasSubstr("28 [('GREEN', ['2E8B57']), ('RED'"));
}

}  // namespace
}  // namespace rectrack::cli_test
