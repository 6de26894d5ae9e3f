// The table model's readers (.docx, HTML, pasted text) and the plan
// interpreter, without a server: what they read and the commands they build.
#include <fstream>
#include <sstream>

#include "client/import/plan.h"
#include "client/import/plan_internal.h"
#include "client/import/table.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace rectrack::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Sample(const std::string& name) {
  std::ifstream in(std::string(RECTRACK_SAMPLES) + "/plans/" + name,
                   std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(PlanReaderTest, DocxKeepsWordsRowsCellsMergesAndParagraphs) {
  absl::StatusOr<Document> doc =
      ReadDocx(Sample("bromsgrove-audit-tracker.docx"));
  ASSERT_TRUE(doc.ok()) << doc.status();
  const Table* table = nullptr;
  std::vector<std::string> paragraphs;
  for (const DocumentBlock& b : doc->blocks) {
    if (b.table.has_value()) table = &*b.table;
    if (!b.table.has_value() && !b.paragraph.empty()) {
      paragraphs.push_back(b.paragraph);
    }
  }
  ASSERT_NE(table, nullptr);
  EXPECT_THAT(paragraphs, ElementsAre("Appendix A",
                                      "Internal Audit Recommendation "
                                      "Tracker - priority one findings"));
  ASSERT_EQ(table->rows.size(), 6u);
  EXPECT_EQ(table->rows[3].where, "table 1 row 4");
  EXPECT_THAT(table->rows[3].cells[3].paragraphs,
              ElementsAre("Weekly reconciliation to be introduced",
                          "Spot checks by internal audit"));
  // Row 6 continues rows 5's reference, finding and lead (vMerge).
  EXPECT_TRUE(table->rows[5].cells[0].merged_above);
  EXPECT_TRUE(table->rows[5].cells[4].merged_above);
  EXPECT_FALSE(table->rows[5].cells[3].merged_above);
  EXPECT_EQ(table->rows[4].cells[2].Text(),
            "Refunds are made without a second signature.");
}

TEST(PlanReaderTest, HtmlRowspanAndColspanLandOnTheGrid) {
  absl::StatusOr<Document> doc = ReadHtmlDocument(
      "<p>Title</p><table><tr><th colspan=2>Recommendation</th><th>Lead</th>"
      "</tr><tr><td rowspan=2>1</td><td>Text <b>bold</b><br>line two</td>"
      "<td>Ann</td></tr><tr><td>More</td><td>Bo</td></tr></table>");
  ASSERT_TRUE(doc.ok());
  ASSERT_EQ(doc->blocks.size(), 2u);
  EXPECT_EQ(doc->blocks[0].paragraph, "Title");
  const Table& t = *doc->blocks[1].table;
  EXPECT_EQ(t.rows[0].cells[0].span, 2);
  EXPECT_THAT(t.rows[1].cells[1].paragraphs,
              ElementsAre("Text bold", "line two"));
  ASSERT_EQ(t.rows[2].cells.size(), 3u);
  EXPECT_TRUE(t.rows[2].cells[0].merged_above);
  EXPECT_EQ(t.rows[2].cells[2].Text(), "Bo");
}

TEST(PlanReaderTest, AWebTrackersMoreLinkIsNotPartOfTheText) {
  absl::StatusOr<Document> doc = ReadHtmlDocument(
      "<table><tr><td>The review will look at\xE2\x80\xA6 <a href=x>more</a>"
      "</td><td>Ann Moore</td></tr></table>");
  ASSERT_TRUE(doc.ok());
  const Table& t = *doc->blocks[0].table;
  EXPECT_EQ(t.rows[0].cells[0].Text(), "The review will look at\xE2\x80\xA6");
  EXPECT_EQ(t.rows[0].cells[1].Text(), "Ann Moore");
}

TEST(PlanReaderTest, PastedTextReadsTabsAndPipes) {
  absl::StatusOr<Document> doc =
      ReadPastedText("Heading\n| a | b |\n|---|---|\n| c | d |\n\nx\ty\n");
  ASSERT_TRUE(doc.ok());
  ASSERT_EQ(doc->blocks.size(), 2u);
  EXPECT_EQ(doc->blocks[0].paragraph, "Heading");
  const Table& t = *doc->blocks[1].table;
  ASSERT_EQ(t.rows.size(), 3u);  // a blank line does not end a table
  EXPECT_EQ(t.rows[1].cells[1].Text(), "d");
  EXPECT_EQ(t.rows[2].where, "line 6");
}

TEST(PlanReaderTest, DetectsTheFormatFromTheContent) {
  EXPECT_EQ(DetectPlanFormat(Sample("bromsgrove-audit-tracker.docx"), "x"),
            "docx");
  EXPECT_EQ(DetectPlanFormat("<html><table>", "plan.txt"), "html");
  EXPECT_EQ(DetectPlanFormat("a\tb\n", "plan.tsv"), "text");
  EXPECT_FALSE(ReadDocx("PK\x03\x04 not really a zip").ok());
}

// The date fields of the commands a plan becomes.
std::vector<std::string> Dates(const PlanReading& reading) {
  std::vector<std::string> out;
  for (const FileCommand& fc : reading.commands) {
    if (fc.command.has_record_response()) {
      out.push_back("response " + fc.command.record_response().responded_on());
    }
    if (fc.command.has_report_progress()) {
      out.push_back("progress " + fc.command.report_progress().reported_on());
    }
  }
  return out;
}

TEST(PlanReaderTest, DatesComeFromTheDocumentOrStayEmpty) {
  PlanOptions options;
  absl::StatusOr<PlanReading> dated = ReadPlan(
      "Topic: Parks\nMeeting Date: 3rd March 2025\n"
      "No\tRecommendation\tAccepted?\tAction\tLead\tProgress\n"
      "1\tThat parks open later.\tYes\tChange the hours\tAnn Lee\tHeld\n"
      "2\tThat cafes open.\tYes\tLet a contract\tBo Chan\t"
      "Action update (October 2024): Tender out\n",
      "plan.txt", options);
  ASSERT_TRUE(dated.ok()) << dated.status();
  EXPECT_EQ(dated->commands[0].command.open_review().title(), "Parks");
  EXPECT_THAT(Dates(*dated),
              ElementsAre("response 2025-03-03", "progress 2025-03-03",
                          "response 2025-03-03", "progress 1 October 2024"));
  absl::StatusOr<PlanReading> undated = ReadPlan(
      "Parks\nNo\tRecommendation\tAccepted?\tAction\tLead\tProgress\n"
      "1\tThat parks open later.\tYes\tChange the hours\tAnn Lee\tHeld\n",
      "plan.txt", options);
  ASSERT_TRUE(undated.ok()) << undated.status();
  EXPECT_THAT(Dates(*undated), ElementsAre("response ", "progress "));
}

TEST(PlanReaderTest, ADateOfUpdateColumnDatesTheProgress) {
  PlanOptions options;
  absl::StatusOr<PlanReading> r = ReadPlan(
      "Plan\nNo\tRecommendation\tAction\tLead\tProgress\tDate of update\n"
      "1\tThat parks open later.\tChange the hours\tAnn Lee\tHeld\t"
      "12/03/2025\n",
      "plan.txt", options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Dates(*r), ElementsAre("progress 2025-03-12"));
}

TEST(PlanReaderTest, LabelsInsideCellsAndSubItemsInheritingTheirParentsLead) {
  PlanOptions options;
  absl::StatusOr<PlanReading> r = ReadPlan(
      "Plan\nRef\tRecommendation\tResponse / action\tTimescale\n"
      "R2\tThat a review be held.\tLead Officer: J. Smith The review will "
      "start in May.\tMay 2025\n"
      "R2.1\tThat its terms be published.\tThe terms will go online.\t"
      "June 2025\n",
      "plan.txt", options);
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<std::string> actions;
  for (const FileCommand& fc : r->commands) {
    if (fc.command.has_add_action()) {
      const v1::AddAction& a = fc.command.add_action();
      actions.push_back(a.text() + " | " + a.leads(0));
    }
  }
  EXPECT_THAT(actions, ElementsAre("The review will start in May. | J. Smith",
                                   "The terms will go online. | J. Smith"));
}

TEST(PlanReaderTest, SmallTablesBeforeThePlanAreNotThePlan) {
  PlanOptions options;
  absl::StatusOr<PlanReading> r = ReadPlan(
      "<table><tr><th>Update</th><th>Date</th><th>Completed?</th></tr>"
      "<tr><td>1st</td><td>27 November 2007</td><td></td></tr></table>"
      "<table><tr><th>Recommendation</th><th>Lead officer</th>"
      "<th>Timescale</th></tr><tr><td>1. That the web pages be updated."
      "</td><td>Gemma Barron</td><td>Sept 10</td></tr></table>",
      "plan.html", options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->columns[0], HasSubstr("table 1 (2 rows): not "));
  EXPECT_EQ(r->commands[1].command.add_recommendation().ref(), "1");
  EXPECT_EQ(r->where[1], "table 2 row 2");
}

TEST(PlanReaderTest, ARecommendationAsAHeadingAboveItsOwnTableOfActions) {
  PlanOptions options;
  const std::string table =
      "<table><tr><th>Action</th><th>Lead</th><th>Timescale</th></tr>";
  absl::StatusOr<PlanReading> r = ReadPlan(
      "<h1>Parks review</h1><p>Recommendation 1: That parks open later.</p>" +
          table +
          "<tr><td>Change the hours</td><td>Ann Lee</td><td>May 2025</td>"
          "</tr></table><p>Recommendation 2: That cafes open.</p>" +
          table +
          "<tr><td>Let a contract</td><td>Bo Chan</td><td>June 2025</td>"
          "</tr><tr><td>Open the cafe</td><td>Bo Chan</td><td>July 2025</td>"
          "</tr></table>",
      "plan.html", options);
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<std::string> read;
  for (const FileCommand& fc : r->commands) {
    if (fc.command.has_add_recommendation()) {
      read.push_back("rec " + fc.command.add_recommendation().ref() + ": " +
                     fc.command.add_recommendation().text());
    }
    if (fc.command.has_add_action()) {
      read.push_back("action " + fc.command.add_action().text());
    }
  }
  EXPECT_THAT(read,
              ElementsAre("rec 1: That parks open later.",
                          "action Change the hours", "rec 2: That cafes open.",
                          "action Let a contract", "action Open the cafe"));
}

// What a reading records, a line per recommendation and action.
std::vector<std::string> Read(const PlanReading& reading) {
  std::vector<std::string> read;
  for (const FileCommand& fc : reading.commands) {
    const v1::Command& c = fc.command;
    if (c.has_add_recommendation()) {
      read.push_back("rec " + c.add_recommendation().ref() + ": " +
                     c.add_recommendation().text());
    }
    if (c.has_record_response()) {
      read.push_back("decision " +
                     v1::Decision_Name(c.record_response().decision()));
    }
    if (c.has_add_action()) {
      read.push_back("action " + c.add_action().text() + " | " +
                     (c.add_action().leads().empty()
                          ? std::string()
                          : c.add_action().leads(0)) +
                     " | " + c.add_action().timescale());
    }
    if (c.has_report_progress()) {
      read.push_back("progress " + c.report_progress().text());
    }
  }
  return read;
}

constexpr char kPlanHeader[] =
    "<tr><th>Ref</th><th>Recommendation</th><th>Agreed action</th>"
    "<th>Lead officer</th><th>Target date</th></tr>";

TEST(PlanReaderTest, ARowSplitByAPageBreakIsOneRow) {
  // Word's table goes on over the page with its header repeated; the
  // first row there starts with an empty cell and carries on the cut text.
  absl::StatusOr<PlanReading> r = ReadPlan(
      std::string("<p>Audit tracker</p><table>") + kPlanHeader +
          "<tr><td>22 PAY 02</td><td>Leaver forms should be checked.</td>"
          "<td>A second check will be added and the</td><td>Payroll "
          "Manager</td><td>31/03/2024</td></tr></table><p>Page 1 of 2</p>"
          "<table>" +
          kPlanHeader +
          "<tr><td></td><td></td><td>checklist issued to managers.</td>"
          "<td></td><td></td></tr><tr><td>23 CT 01</td><td>Discounts "
          "should be reviewed.</td><td>A rolling review.</td><td>Revenues "
          "Manager</td><td>30/06/2024</td></tr></table>",
      "plan.html", PlanOptions());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Read(*r), ElementsAre("rec 22 PAY 02: Leaver forms should be "
                                    "checked.",
                                    "action A second check will be added and "
                                    "the checklist issued to managers. | "
                                    "Payroll Manager | 31/03/2024",
                                    "rec 23 CT 01: Discounts should be "
                                    "reviewed.",
                                    "action A rolling review. | Revenues "
                                    "Manager | 30/06/2024"));
  EXPECT_THAT(r->unsure, testing::Contains(HasSubstr(
                             "table 2 row 2 starts with an empty cell and "
                             "goes on from table 1 row 2")));
  EXPECT_TRUE(r->problems.empty());
}

TEST(PlanReaderTest, AnEmptyFirstCellWithoutAPageBreakIsAnotherAction) {
  absl::StatusOr<PlanReading> r = ReadPlan(
      std::string("<table>") + kPlanHeader +
          "<tr><td>1</td><td>That fees be frozen.</td><td>Freeze the fees."
          "</td><td>Ann Lee</td><td>May 2025</td></tr><tr><td></td><td></td>"
          "<td>Tell the traders.</td><td>Bo Chan</td><td>June 2025</td></tr>"
          "</table>",
      "plan.html", PlanOptions());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Read(*r),
              ElementsAre("rec 1: That fees be frozen.",
                          "action Freeze the fees. | Ann Lee | May 2025",
                          "action Tell the traders. | Bo Chan | June 2025"));
}

TEST(PlanReaderTest, APageWhoseColumnsAreShiftedIsMatchedByContent) {
  // The second page lost the reference column: its cells sit one column
  // to the left, without a heading.
  absl::StatusOr<PlanReading> r = ReadPlan(
      std::string("<table>") + kPlanHeader +
          "<tr><td>1</td><td>That fees be frozen for a year.</td><td>Freeze "
          "the fees in the budget.</td><td>Ann Lee</td><td>May 2025</td></tr>"
          "</table><table><tr><td>2. That the charges be reviewed in "
          "spring.</td><td>Report on the charges to cabinet.</td><td>Bo Chan"
          "</td><td>June 2025</td></tr></table>",
      "plan.html", PlanOptions());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(
      Read(*r),
      ElementsAre("rec 1: That fees be frozen for a year.",
                  "action Freeze the fees in the budget. | Ann Lee | May 2025",
                  "rec 2: That the charges be reviewed in spring.",
                  "action Report on the charges to cabinet. | Bo Chan | June "
                  "2025"));
  EXPECT_THAT(r->unsure,
              testing::Contains(HasSubstr("columns matched to the ones before "
                                          "by what they hold")));
}

TEST(PlanReaderTest, LetteredItemsInOneCellAreSeparateRecommendations) {
  absl::StatusOr<PlanReading> r = ReadPlan(
      "Minute 91\nRecommendation\tResponse\tLead Officer\tTimetable\n"
      "It was resolved that: a) the fees be frozen for a year; and b) the "
      "charges be reviewed in May.\t<p>Agreed</p><p>Not agreed</p>\t"
      "Ann Lee\tMay 2025\n",
      "plan.txt", PlanOptions());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Read(*r), ElementsAre("rec a: the fees be frozen for a year",
                                    "decision DECISION_ACCEPTED",
                                    "action Agreed | Ann Lee | May 2025",
                                    "rec b: the charges be reviewed in May.",
                                    "decision DECISION_REJECTED"));
  EXPECT_THAT(r->unsure, testing::Contains(HasSubstr(
                             "holds the items a, b, read as 2 "
                             "recommendations (the words before them, \"It "
                             "was resolved that:\", are not part of any)")));
  std::optional<LetteredItems> roman = SplitLetteredItems(
      "recommends that: (i) targets are set; and (ii) KPIs are used.");
  ASSERT_TRUE(roman.has_value());
  EXPECT_THAT(
      roman->items,
      ElementsAre(
          std::make_pair(std::string("i"), std::string("targets are set")),
          std::make_pair(std::string("ii"), std::string("KPIs are used."))));
  // A cross-reference is not a list.
  EXPECT_FALSE(SplitLetteredItems("Under section 9F(a) and (b) of the Act.")
                   .has_value());
  EXPECT_FALSE(SplitLetteredItems("a) only one item here.").has_value());
}

TEST(PlanReaderTest, ADocumentWithNoPlanTableIsRefused) {
  PlanOptions options;
  absl::StatusOr<PlanReading> r =
      ReadPlan("<p>Minutes</p><table><tr><td>Apologies</td></tr></table>",
               "minutes.html", options);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(),
              HasSubstr("no action-plan table was found"));
}

TEST(PlanReaderTest, AThemeRowAcrossTheTableHeadsTheRowsBelow) {
  // A row of one cell spanning the table (or alone in the reference column
  // of pasted text) names the theme of the rows under it.
  absl::StatusOr<PlanReading> html = ReadPlan(
      std::string("<table>") + kPlanHeader +
          "<tr><td colspan=\"5\">Theme 1: Governance of the service</td></tr>"
          "<tr><td>1.1</td><td>That the board meets monthly.</td><td>Set "
          "the dates.</td><td>Ann Lee</td><td>May 2025</td></tr>"
          "<tr><td colspan=\"5\">Theme 2: Data quality</td></tr>"
          "<tr><td>2.1</td><td>That the data be audited.</td><td>Commission "
          "an audit.</td><td>Bo Chan</td><td>June 2025</td></tr></table>",
      "plan.html", PlanOptions());
  ASSERT_TRUE(html.ok()) << html.status();
  const std::vector<std::string> want = {
      "rec 1.1: That the board meets monthly.",
      "action Set the dates. | Ann Lee | May 2025",
      "rec 2.1: That the data be audited.",
      "action Commission an audit. | Bo Chan | June 2025"};
  EXPECT_EQ(Read(*html), want);
  EXPECT_TRUE(html->problems.empty());
  EXPECT_THAT(html->unsure,
              testing::Contains(HasSubstr("\"Theme 2: Data quality\" read as "
                                          "a heading over the rows below")));

  absl::StatusOr<PlanReading> text = ReadPlan(
      "Ref\tRecommendation\tAgreed action\tLead officer\tTarget date\n"
      "Theme 1: Governance of the service\t\t\t\t\n"
      "1.1\tThat the board meets monthly.\tSet the dates.\tAnn Lee\tMay "
      "2025\n"
      "Theme 2: Data quality\t\t\t\t\n"
      "2.1\tThat the data be audited.\tCommission an audit.\tBo Chan\tJune "
      "2025\n",
      "plan.txt", PlanOptions());
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(Read(*text), want);

  // A spanning row that opens with a reference is a recommendation.
  absl::StatusOr<PlanReading> rec = ReadPlan(
      std::string("<table>") + kPlanHeader +
          "<tr><td colspan=\"5\">Recommendation 3: That fees be frozen.</td>"
          "</tr><tr><td></td><td></td><td>Freeze the fees.</td><td>Ann "
          "Lee</td><td>May 2025</td></tr></table>",
      "plan.html", PlanOptions());
  ASSERT_TRUE(rec.ok()) << rec.status();
  EXPECT_THAT(Read(*rec), testing::Contains(HasSubstr("rec 3")));
}

TEST(PlanReaderTest, StatusWordsOfAPlansOwnKey) {
  EXPECT_EQ(StatusWord("Delivered"), v1::ACTION_STATUS_COMPLETED);
  EXPECT_EQ(StatusWord("On Track to deliver"), v1::ACTION_STATUS_IN_PROGRESS);
  EXPECT_EQ(StatusWord("Not on track to deliver"),
            v1::ACTION_STATUS_IN_PROGRESS);
  EXPECT_EQ(StatusWord("Some issues - narrative disclosure"),
            v1::ACTION_STATUS_IN_PROGRESS);
  EXPECT_EQ(StatusWord("Behind schedule"), v1::ACTION_STATUS_IN_PROGRESS);
  // Prose that opens with such a word is a progress note, not a status.
  EXPECT_EQ(StatusWord("Delivered the first two of the five training "
                       "sessions; the rest follow in spring"),
            std::nullopt);
}

TEST(PlanReaderTest, TimeWordsAreWholeWords) {
  EXPECT_FALSE(LooksLikeTimescale("Financial Reporting"));
  EXPECT_FALSE(LooksLikeTimescale("Led by the Director"));
  EXPECT_FALSE(LooksLikeTimescale("Yearbook Committee"));
  EXPECT_TRUE(LooksLikeTimescale("Financial year 2025/26"));
  EXPECT_TRUE(LooksLikeTimescale("By the end of the year"));
  EXPECT_TRUE(LooksLikeTimescale("Within 6 months"));
  EXPECT_TRUE(LooksLikeTimescale("Ongoing"));
  EXPECT_TRUE(LooksLikeTimescale("Q3"));
}

TEST(PlanReaderTest, AndInsideAPostIsNotASecondLead) {
  EXPECT_THAT(SplitLeads("Director of Finance and Corporate Resources"),
              ElementsAre("Director of Finance and Corporate Resources"));
  EXPECT_THAT(SplitLeads("Head of Housing and Community Safety"),
              ElementsAre("Head of Housing and Community Safety"));
  EXPECT_THAT(SplitLeads("Head of Finance and Corporate Director of Place"),
              ElementsAre("Head of Finance", "Corporate Director of Place"));
  EXPECT_THAT(SplitLeads("Jo Bloggs and Sam Smith"),
              ElementsAre("Jo Bloggs", "Sam Smith"));
  EXPECT_THAT(SplitLeads("Chief Executive and Senior Management Team"),
              ElementsAre("Chief Executive", "Senior Management Team"));
}

TEST(PlanReaderTest, APassiveSentenceAboveThePlanAcceptsItsRecommendations) {
  TitleBlock block =
      ReadTitleBlock({"Cancer Action Plan",
                      "All the recommendations have been recognised "
                      "and accepted by the Trust."});
  EXPECT_EQ(block.decision, v1::DECISION_ACCEPTED);
  TitleBlock not_accepted = ReadTitleBlock(
      {"The recommendations have not been accepted by the Board."});
  EXPECT_NE(not_accepted.decision, v1::DECISION_ACCEPTED);
}

TEST(PlanReaderTest, RecommendationsListedAboveATableOfActionsByNumber) {
  // The findings are a numbered list above the plan; the table gives only
  // each one's number, action, lead and timescale.
  absl::StatusOr<PlanReading> r = ReadPlan(
      "<p>Areas for development:</p><p>\xE2\x80\x93 1.1 raising "
      "expectations of pupils</p><p>\xE2\x80\x93 1.2 checking pupils' "
      "learning</p><table><tr><th>Ref</th><th>Action</th><th>Lead</th>"
      "<th>Timescale</th></tr><tr><td>1.1</td><td>Agree expectations for "
      "every lesson.</td><td>Headteacher</td><td>September 2017</td></tr>"
      "<tr><td>1.2</td><td>Use short assessments.</td><td>Deputy "
      "Headteacher</td><td>October 2017</td></tr><tr><td>1.3</td><td>Review "
      "the marking policy.</td><td>Headteacher</td><td>December 2017</td>"
      "</tr></table>",
      "plan.html", PlanOptions());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(
      Read(*r),
      ElementsAre("rec 1.1: raising expectations of pupils",
                  "action Agree expectations for every lesson. | Headteacher "
                  "| September 2017",
                  "rec 1.2: checking pupils' learning",
                  "action Use short assessments. | Deputy Headteacher | "
                  "October 2017",
                  // not listed: the action is its own recommendation
                  "rec 1.3: Review the marking policy.",
                  "action Review the marking policy. | Headteacher | December "
                  "2017"));
}

TEST(PlanReaderTest, OneRecommendationPerColumnIsReadColumnByColumn) {
  absl::StatusOr<PlanReading> r = ReadPlan(
      "<table><tr><th>Priority 1</th><th>Priority 2</th></tr><tr><td><p>"
      "Improve the impact of the school's leaders by:</p><p>checking the "
      "quality of teaching every half term</p><p>training middle leaders to "
      "lead their subjects</p></td><td><p>Improve the teaching of "
      "mathematics by:</p><p>sharing good practice between year "
      "groups</p></td></tr></table>",
      "plan.html", PlanOptions());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(
      Read(*r),
      ElementsAre(
          "rec 1: Improve the impact of the school's leaders by:",
          "action checking the quality of teaching every half term | Not "
          "stated | ",
          "action training middle leaders to lead their subjects | Not "
          "stated | ",
          "rec 2: Improve the teaching of mathematics by:",
          "action sharing good practice between year groups | Not stated | "));
  EXPECT_THAT(r->unsure,
              testing::Contains(HasSubstr("one recommendation per column")));
  // Headings that are not one word numbered 1, 2, ... are columns.
  absl::StatusOr<PlanReading> usual = ReadPlan(
      "<table><tr><th>Recommendation</th><th>Action</th></tr><tr><td>That "
      "fees be frozen.</td><td>Freeze the fees.</td></tr></table>",
      "plan.html", PlanOptions());
  ASSERT_TRUE(usual.ok()) << usual.status();
  EXPECT_THAT(Read(*usual), testing::Contains("rec 1: That fees be frozen."));
}

TEST(PlanReaderTest, AShortRowThatNamesRolesIsStillARow) {
  // Only a row that says what the header says is the header repeated on a
  // new page; a row of short cells naming roles is a recommendation.
  absl::StatusOr<PlanReading> r = ReadPlan(
      "<table><tr><th>Ref</th><th>Recommendation</th><th>Action</th>"
      "<th>Lead</th><th>Timescale</th></tr><tr><td>1</td><td>Publish the "
      "plan.</td><td>Agree the action plan</td><td>Service Lead</td><td>March "
      "2026</td></tr><tr><td>REF</td><td>Recommendation</td><td>Action</td>"
      "<td>Lead</td><td>Timescale</td></tr><tr><td>2</td><td>Review the "
      "lead roles.</td><td>Action plan review</td><td>Service Lead</td><td>"
      "April 2026</td></tr></table>",
      "plan.html", PlanOptions());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Read(*r),
              ElementsAre("rec 1: Publish the plan.",
                          "action Agree the action plan | Service Lead | March "
                          "2026",
                          "rec 2: Review the lead roles.",
                          "action Action plan review | Service Lead | April "
                          "2026"));
}

TEST(PlanReaderTest, ACommentThatOpensByRejectingDecidesOverTheProposal) {
  // A proposed plan: the committee's comment decides each proposal.
  absl::StatusOr<PlanReading> r = ReadPlan(
      "<table><tr><th></th><th>Recommendation</th><th>Proposed action</th>"
      "<th>Who</th><th>When</th><th>Scrutiny comments</th></tr><tr><td>1."
      "</td><td>The council should name substitutes on committees.</td><td>"
      "Members to decide on named substitutes.</td><td>Council</td><td>"
      "March 2025</td><td>Recommendation not agreed. Members were concerned "
      "for small groups.</td></tr><tr><td>2.</td><td>The council should "
      "train the chairs of committees.</td><td>Run a training day.</td><td>"
      "Democratic Services Manager</td><td>May 2025</td><td>Recommendation "
      "is supported by the committee, which did not want an outside "
      "trainer.</td></tr></table>",
      "plan.html", PlanOptions());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(
      Read(*r),
      ElementsAre("rec 1: The council should name substitutes on committees.",
                  "decision DECISION_REJECTED",
                  "rec 2: The council should train the chairs of committees.",
                  "decision DECISION_ACCEPTED",
                  "action Run a training day. | Democratic Services Manager | "
                  "May 2025"));
  EXPECT_THAT(r->unsure, testing::Contains(HasSubstr(
                             "recommendation 1 is rejected, so its proposed "
                             "actions are kept in the response")));
  for (const FileCommand& fc : r->commands) {
    if (fc.command.has_record_response() &&
        fc.command.record_response().decision() == v1::DECISION_REJECTED) {
      EXPECT_THAT(fc.command.record_response().reason(),
                  HasSubstr("Proposed action, not taken up: Members to "
                            "decide on named substitutes."));
    }
  }
}

TEST(PlanReaderTest, AnAnswerThatAgreesButRefusesAPartIsPartlyAccepted) {
  EXPECT_EQ(DecisionInText("I agree plain English matters, but the two terms "
                           "mean different things, so we will not use trend"),
            v1::DECISION_PARTIALLY_ACCEPTED);
  EXPECT_EQ(DecisionInText("Agreed, but the budget cannot fund a second post"),
            v1::DECISION_PARTIALLY_ACCEPTED);
  EXPECT_EQ(DecisionInText("Agreed, but the work will take until March"),
            v1::DECISION_ACCEPTED);
  EXPECT_EQ(DecisionInText("Not agreed, but we will not rule it out"),
            v1::DECISION_REJECTED);
}

TEST(PlanReaderTest, TheColumnNumberedDeeperHoldsTheRecommendations) {
  EXPECT_TRUE(LooksLikeRef("1.1.1"));
  EXPECT_FALSE(LooksLikeRef("12.03.2011"));
  EXPECT_FALSE(LooksLikeRef("2024-03-12"));
  // Statements 1.1.1, 1.1.2 under key lines 1.1, 1.2: the statements are
  // what is assessed and acted on.
  absl::StatusOr<PlanReading> r = ReadPlan(
      "Area\tKey line\tStatement\tContact\tAction plan\tDue date\n"
      "Accounts\t1.1 The council produces its accounts on time and "
      "well\t1.1.1 The accounts were prepared to the statutory "
      "timetable.\tAnn Lee\tKeep the timetable under review\t31/03/2007\n"
      "\t\t1.1.2 The auditor received auditable accounts on the agreed "
      "day.\tAnn Lee\tAgree the day with the auditor\t30/06/2007\n"
      "\t1.2 The council is accountable to the public for its money\t1.2.1 "
      "The council publishes summary accounts people can follow.\tBo "
      "Chan\tPublish plain summary accounts\t30/09/2006\n",
      "plan.txt", PlanOptions());
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<std::string> recs;
  for (const std::string& line : Read(*r)) {
    if (line.rfind("rec ", 0) == 0) recs.push_back(line.substr(0, 10));
  }
  EXPECT_THAT(recs, ElementsAre("rec 1.1.1:", "rec 1.1.2:", "rec 1.2.1:"));
}

TEST(PlanReaderTest, ADateCompletedColumnCompletesTheAction) {
  absl::StatusOr<PlanReading> r = ReadPlan(
      "<table><tr><th>Ref</th><th>Recommendation</th><th>Action</th><th>"
      "Lead</th><th>Target completion date</th><th>Date completed</th></tr>"
      "<tr><td>1</td><td>That fees be frozen.</td><td>Freeze the fees.</td>"
      "<td>Ann Lee</td><td>31/12/2006</td><td>15/12/2006</td></tr><tr><td>2"
      "</td><td>That cafes open.</td><td>Let a contract.</td><td>Bo Chan</td>"
      "<td>31/03/2007</td><td></td></tr></table>",
      "plan.html", PlanOptions());
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<std::string> seen;
  for (const FileCommand& fc : r->commands) {
    if (fc.command.has_add_action()) {
      seen.push_back("action due " + fc.command.add_action().timescale());
    }
    if (fc.command.has_set_action_status()) {
      seen.push_back(
          v1::ActionStatus_Name(fc.command.set_action_status().status()) +
          " on " + fc.command.set_action_status().effective_on());
    }
  }
  EXPECT_THAT(seen, ElementsAre("action due 31/12/2006",
                                "ACTION_STATUS_COMPLETED on 2006-12-15",
                                "action due 31/03/2007"));
}

TEST(PlanReaderTest, ASummaryOrAKeyBeforeThePlanIsNotThePlan) {
  // A table of counts and a key of decision words come before the plan:
  // only the table headed with the plan's columns is read.
  absl::StatusOr<PlanReading> r = ReadPlan(
      "<table><tr><th>Report</th><th>Actions raised</th><th>Closed</th>"
      "<th>Open</th></tr><tr><td>Procurement (2022/23)</td><td>4</td><td>3"
      "</td><td>1</td></tr></table><table><tr><th>Term</th><th>Definition"
      "</th></tr><tr><td>Agreed</td><td>All of the recommendation is agreed "
      "and affordable.</td></tr></table><table><tr><th>Ref</th><th>"
      "Recommendation</th><th>Management action</th><th>Responsible officer"
      "</th><th>Due date</th></tr><tr><td>PRO.1</td><td>The contracts "
      "register should be reviewed every quarter.</td><td>Review the "
      "register each quarter.</td><td>Head of Finance</td><td>31 March "
      "2025</td></tr></table>",
      "plan.html", PlanOptions());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Read(*r), ElementsAre("rec PRO.1: The contracts register should "
                                    "be reviewed every quarter.",
                                    "action Review the register each quarter. "
                                    "| Head of Finance | 31 March 2025"));
  EXPECT_THAT(r->columns, testing::Contains(HasSubstr(
                              "table 1 (2 rows): not the plan: it comes "
                              "before table 3")));
}

TEST(PlanReaderTest, ActionTakenOrPlannedHoldsTheNumberedSteps) {
  EXPECT_EQ(HeaderRole("Action Taken/Planned"), Role::kAction);
  EXPECT_EQ(HeaderRole("Action taken"), Role::kTaken);
  EXPECT_EQ(WithoutStepNumber("3. Run more programme groups"),
            "Run more programme groups");
  EXPECT_EQ(WithoutStepNumber("2024 budget set"), "2024 budget set");
  EXPECT_EQ(WithoutStepNumber("1.5 million saved"), "1.5 million saved");
  EXPECT_TRUE(IsBullet("\xE2\x80\x93 Deliver training"));  // an en dash
  absl::StatusOr<PlanReading> r = ReadPlan(
      "<table><tr><th>No.</th><th>Recommendation</th><th>Response</th><th>"
      "Action Taken/Planned</th><th>Responsible Owner</th><th>Target Date"
      "</th></tr><tr><td>1</td><td>The service should improve its risk "
      "work.</td><td>Agreed: the risk work needs to improve.</td><td><p>1. "
      "Deliver refresher training.</p><p>2. Introduce monthly checks.</p>"
      "</td><td>Head of Operations</td><td>31/12/2019</td></tr></table>",
      "plan.html", PlanOptions());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(
      Read(*r),
      ElementsAre("rec 1: The service should improve its risk work.",
                  "decision DECISION_ACCEPTED",
                  "action Deliver refresher training. | Head of Operations | "
                  "31/12/2019",
                  "action Introduce monthly checks. | Head of Operations | "
                  "31/12/2019"));
}

TEST(PlanReaderTest, ARevisedTargetIsARevisionOfTheFirst) {
  absl::StatusOr<PlanReading> r = ReadPlan(
      "<table><tr><th>Ref</th><th>Recommendation</th><th>Management action"
      "</th><th>Responsible officer</th><th>Original due date</th><th>"
      "Revised due date</th></tr><tr><td>PRO.1</td><td>The register should "
      "be reviewed.</td><td>Review it each quarter.</td><td>Head of Finance"
      "</td><td>31 March 2024</td><td>31 December 2024</td></tr><tr><td>"
      "WFP.2</td><td>Leavers should be offered exit interviews.</td><td>"
      "Report the findings.</td><td>Head of HR</td><td>30 September 2024"
      "</td><td></td></tr></table>",
      "plan.html", PlanOptions());
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<std::string> seen;
  for (const FileCommand& fc : r->commands) {
    if (fc.command.has_add_action()) {
      seen.push_back("due " + fc.command.add_action().timescale());
    }
    if (fc.command.has_update_action()) {
      seen.push_back("revised " + fc.command.update_action().timescale() +
                     ": " + fc.command.update_action().reason());
    }
  }
  EXPECT_THAT(seen, ElementsAre("due 31 March 2024",
                                "revised 31 December 2024: a revised target "
                                "in the imported plan (first set as 31 March "
                                "2024)",
                                "due 30 September 2024"));
}

TEST(PlanReaderTest, ARecommendationWrittenAfterItsTextAboveItsBlock) {
  EXPECT_EQ(
      TrailingRef("Speed up decisions. (Recommendation 2)"),
      std::make_pair(std::string("2"), std::string("Speed up decisions.")));
  EXPECT_EQ(TrailingRef("Costs rose (see annex)"), std::nullopt);
  EXPECT_EQ(HeaderRole("Progress to date"), Role::kTaken);
  EXPECT_EQ(HeaderRole("Outcome target"), Role::kNone);
  EXPECT_EQ(WithoutStepNumber("1.1 Keep the service focused"),
            "Keep the service focused");
  EXPECT_EQ(WithoutStepNumber("2024 budget"), "2024 budget");
  // Each block of actions under its recommendation's line; "Outcome" is
  // what the action is for, and the progress is under "Progress to date".
  absl::StatusOr<PlanReading> r = ReadPlan(
      "Improvement plan\n"
      "Make decisions faster so that national targets are met. "
      "(Recommendation 1)\n"
      "OUTCOME\tACTION REQUIRED\tBY WHEN\tRESPONSIBILITY\tOUTCOME "
      "TARGET\tPROGRESS TO DATE\n"
      "Faster decisions for major applications.\t1.1 Offer meetings "
      "before applications\tApril 2005\tHead of Planning\t60% in 13 "
      "weeks\tMeetings started in May.\n",
      "plan.txt", PlanOptions());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Read(*r), ElementsAre("rec 1: Make decisions faster so that "
                                    "national targets are met.",
                                    "action Offer meetings before applications "
                                    "| Head of Planning | April 2005",
                                    "progress Meetings started in May."));
}

}  // namespace
}  // namespace rectrack::cli
