// CSV fields as rectrack writes them (client/render/format.h): quoted when
// they must be, safe to open in a spreadsheet, and read back exactly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "client/render/format.h"

namespace rectrack::cli {
namespace {

TEST(CsvFieldTest, FormulaLikeTextGetsAnApostropheAndPlainTextDoesNot) {
  EXPECT_EQ(CsvField("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(CsvField("+44 20 7946 0000"), "'+44 20 7946 0000");
  EXPECT_EQ(CsvField("-Reduce costs"), "'-Reduce costs");
  EXPECT_EQ(CsvField("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvField("\tindented"), "'\tindented");
  EXPECT_EQ(CsvField("-5"), "-5");  // a plain number stays a number
  EXPECT_EQ(CsvField("+12"), "+12");
  EXPECT_EQ(CsvField("Council's plan"), "Council's plan");
  EXPECT_EQ(CsvField("'tis"), "'tis");
  EXPECT_EQ(CsvField("a, b"), "\"a, b\"");
  EXPECT_EQ(CsvField(""), "");
}

TEST(CsvFieldTest, EveryTextReadsBackExactly) {
  for (const std::string& text : std::vector<std::string>{
           "=1+1", "'=1+1", "''=1+1", "'", "''", "'''", "'tis", "-", "-5",
           "'-5", "+", "@", "plain", "", "=", "'@x", "x=1", "\tx", "'\tx"}) {
    std::string field = CsvField(text);
    // Unquote as a CSV reader would.
    if (field.size() >= 2 && field.front() == '"') {
      std::string inner;
      for (size_t i = 1; i + 1 < field.size(); ++i) {
        inner += field[i];
        if (field[i] == '"') ++i;
      }
      field = inner;
    }
    EXPECT_EQ(CsvFieldValue(field), text) << "field " << field;
    // Opened in a spreadsheet, the field never starts a formula.
    if (!field.empty() && field != "-5") {
      EXPECT_EQ(std::string("=+-@\t\r").find(field[0]), std::string::npos)
          << field;
    }
  }
}

TEST(CsvFieldTest, HandMadeFieldsPassThrough) {
  EXPECT_EQ(CsvFieldValue("'tis the season"), "'tis the season");
  EXPECT_EQ(CsvFieldValue("'=SUM(A1)"), "=SUM(A1)");
  EXPECT_EQ(CsvFieldValue("Autumn 2007"), "Autumn 2007");
}

}  // namespace
}  // namespace rectrack::cli
