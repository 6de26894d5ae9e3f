// ParseTimescale: every timescale in the samples and many more, as a
// person reads them.
#include "server/domain/timescale.h"

#include <string>

#include "gtest/gtest.h"

namespace rectrack::domain {
namespace {

struct Row {
  const char* text;
  const char* reference;
  const char* earliest;
  const char* latest;
  bool tentative;
  bool ongoing;
  bool unparsed;
};

constexpr char kRef[] = "2010-06-17";  // the CYP plan's date

const Row kRows[] = {
    // Not on the calendar (found by fuzzing): no dates, unparsed.
    {"10/112010/11", kRef, "", "", false, false, true},
    {"2010-13-45", kRef, "", "", false, false, true},
    {"31/06/2010", kRef, "", "", false, false, true},
    // An impossible date is unread, never rolled over into the next month.
    {"31/02/2010", kRef, "", "", false, false, true},
    {"31 Feb 2010", kRef, "", "", false, false, true},
    {"30th February 2011", kRef, "", "", false, false, true},
    {"2010-02-30", kRef, "", "", false, false, true},
    {"tbc", kRef, "", "", true, false, true},
    {"when resources allow", kRef, "", "", false, false, true},
    {"2011-2010", kRef, "", "", false, false, true},
    // Every timing in tests/data/cyp-partnerships-action-plan.tsv.
    {"May 10", kRef, "2010-05-01", "2010-05-31", false, false, false},
    {"March 11", kRef, "2011-03-01", "2011-03-31", false, false, false},
    {"Sept 10", kRef, "2010-09-01", "2010-09-30", false, false, false},
    {"Dec 10?", kRef, "2010-12-01", "2010-12-31", true, false, false},
    {"July 10", kRef, "2010-07-01", "2010-07-31", false, false, false},
    {"Sept 10?", kRef, "2010-09-01", "2010-09-30", true, false, false},
    // The shapes ARCHITECTURE.md lists.
    {"Autumn 2006", "", "2006-09-01", "2006-11-30", false, false, false},
    {"June-Aug 2010", "", "2010-06-01", "2010-08-31", false, false, false},
    {"June to August 2010", "", "2010-06-01", "2010-08-31", false, false,
     false},
    {"Report to 6 April 2006 Scrutiny Board", "", "2006-04-06", "2006-04-06",
     false, false, false},
    {"July 2006 cycle of Scrutiny Board", "", "2006-07-01", "2006-07-31", false,
     false, false},
    {"Ongoing", kRef, "", "", false, true, false},
    {"ongoing - reviewed annually", kRef, "", "", false, true, false},
    // Months and years.
    {"October 2008", "", "2008-10-01", "2008-10-31", false, false, false},
    {"Feb 12", kRef, "2012-02-01", "2012-02-29", false, false, false},
    {"sept 07", "2007-05-17", "2007-09-01", "2007-09-30", false, false, false},
    {"Nov 10 - Jan 11", kRef, "2010-11-01", "2011-01-31", false, false, false},
    {"2011", "", "2011-01-01", "2011-12-31", false, false, false},
    {"2010-2011", "", "2010-01-01", "2011-12-31", false, false, false},
    // Seasons; winter runs over the year end.
    {"Spring 2011", "", "2011-03-01", "2011-05-31", false, false, false},
    {"Summer 2010", "", "2010-06-01", "2010-08-31", false, false, false},
    {"Winter 2010", "", "2010-12-01", "2011-02-28", false, false, false},
    {"Winter 2010/11", "", "2010-12-01", "2011-02-28", false, false, false},
    // Quarters, financial (April to March) and calendar.
    {"Q3 2024/25", "", "2024-10-01", "2024-12-31", false, false, false},
    {"Q4 2024/25", "", "2025-01-01", "2025-03-31", false, false, false},
    {"Q1 2025/26", "", "2025-04-01", "2025-06-30", false, false, false},
    {"Q1 2025", "", "2025-01-01", "2025-03-31", false, false, false},
    {"2024/25", "", "2024-04-01", "2025-03-31", false, false, false},
    // Deadlines: only the last day is known.
    {"end of March 2011", "", "", "2011-03-31", false, false, false},
    {"By September 2010", "", "", "2010-09-30", false, false, false},
    {"by 31/12/2010", "", "", "2010-12-31", false, false, false},
    {"before Christmas 2010", "", "", "2010-12-31", false, false, false},
    // Full dates, UK and ISO.
    {"17/05/2007", "", "2007-05-17", "2007-05-17", false, false, false},
    {"2007-05-17", "", "2007-05-17", "2007-05-17", false, false, false},
    {"17 May 2007", "", "2007-05-17", "2007-05-17", false, false, false},
    {"17th May 2007", "", "2007-05-17", "2007-05-17", false, false, false},
    {"1st update 27 November 2007", "", "2007-11-27", "2007-11-27", false,
     false, false},
    // Thirds of a year.
    {"early 2011", "", "2011-01-01", "2011-04-30", false, false, false},
    {"mid 2010", "", "2010-05-01", "2010-08-31", false, false, false},
    {"late 2010", "", "2010-09-01", "2010-12-31", false, false, false},
    // Immediate: the reference day.
    {"Immediate", kRef, "2010-06-17", "2010-06-17", false, false, false},
    {"Immediately", kRef, "2010-06-17", "2010-06-17", false, false, false},
    // Hedged or unreadable text is kept and flagged, never refused.
    {"TBC", kRef, "", "", true, false, true},
    {"to be confirmed", kRef, "", "", true, false, true},
    {"When resources allow", kRef, "", "", false, false, true},
    {"Immediate", "", "", "", false, false, true},
    {"", kRef, "", "", false, false, false},
    {"   ", kRef, "", "", false, false, false},
};

TEST(ParseTimescaleTest, ReadsWhatAPersonReads) {
  for (const Row& row : kRows) {
    TimescaleWindow w = ParseTimescale(row.text, row.reference);
    SCOPED_TRACE(std::string("\"") + row.text + "\"");
    EXPECT_EQ(w.earliest, row.earliest);
    EXPECT_EQ(w.latest, row.latest);
    EXPECT_EQ(w.tentative, row.tentative);
    EXPECT_EQ(w.ongoing, row.ongoing);
    EXPECT_EQ(w.unparsed, row.unparsed);
  }
}

TEST(ParseTimescaleTest, JunkNeverFails) {
  for (const std::string& junk :
       {std::string(100000, 'x'), std::string("\xff\xfe\x01\x02"),
        std::string("31/02/2010"), std::string("Q9 2010"),
        std::string("99/99/9999"), std::string("-/-/-"),
        std::string("2010/xx")}) {
    TimescaleWindow w = ParseTimescale(junk, "2010-06-17");
    // Whatever it reads, a window never ends before it starts.
    if (!w.earliest.empty() && !w.latest.empty()) {
      EXPECT_LE(w.earliest, w.latest) << junk.substr(0, 20);
    }
  }
}

}  // namespace
}  // namespace rectrack::domain
