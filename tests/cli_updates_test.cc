// The update cycle through the real rectrack CLI against a real rectrackd
// (with access tokens): people add/list/import, updates
// request/list/answer/approve/return/outbox, --json and --help. The server
// runs on the real clock, so the dates are worked out from today.
#include <fstream>

#include "absl/time/clock.h"
#include "common/dates.h"
#include "tests/cli_fixture.h"

namespace rectrack::cli_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class CliUpdatesTest : public CliTest {
 protected:
  CliResult As(const std::string& token, std::vector<std::string> args) {
    args.push_back("--token");
    args.push_back(token);
    return Cli(std::move(args));
  }
};

TEST_F(CliUpdatesTest, TheCycleFromTheCommandLine) {
  const std::string gemma = testing::AddToken(
      RECTRACKD, dir_.Sub("data"), "gemma", "officer", "Gemma Barron");
  ASSERT_FALSE(gemma.empty());
  {
    std::ofstream csv(dir_.Sub("people.csv"));
    csv << "name,email\n\"Gemma Barron\",gemma.barron@council.example\n"
           "Tom Jones , tom.jones@council.example\n";
  }
  CliResult imported = Cli({"people", "import", dir_.Sub("people.csv")});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_THAT(imported.out, HasSubstr("Read 2 people: 2 added or changed"));
  CliResult again = Cli({"people", "import", dir_.Sub("people.csv")});
  EXPECT_THAT(again.out, HasSubstr("0 added or changed, 2 already"));
  CliResult people = Cli({"people", "list"});
  EXPECT_THAT(people.out,
              HasSubstr("person-1  Gemma Barron  <gemma.barron@council."
                        "example>"));
  CliResult people_json = Cli({"people", "list", "--json"});
  EXPECT_THAT(people_json.out, HasSubstr("\"email\": \"tom.jones@council."
                                         "example\""));
  CliResult bad = Cli({"people", "add", "Ann Lee", "--email", "nowhere"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("is not an email address"));

  const std::string today = DayOf(absl::Now());
  const std::string meeting = AddDays(today, 30);
  Created({"review", "open", "--title", "Review of Partnerships", "--committee",
           "Strategic Leadership O&S"});
  Created({"review", "schedule", "review-1", "--date", meeting});
  Created({"rec", "add", "review-1", "--ref", "A", "--text",
           "That partnerships be listed"});
  Created({"rec", "respond", "rec-1", "--decision", "accepted", "--text",
           "Agreed"});
  Created({"action", "add", "rec-1", "--text", "List every partnership",
           "--lead", "Gemma Barron", "--due", "March 2030"});
  Created({"action", "add", "rec-1", "--text", "Publish the list", "--lead",
           "Tom Jones", "--due", "April 2030"});

  CliResult asked = Cli({"updates", "request", "review-1"});
  ASSERT_EQ(asked.exit_code, 0) << asked.err;
  EXPECT_THAT(asked.out, StartsWith("Asked for 2 updates on review-1."));
  CliResult twice = Cli({"updates", "request", "review-1"});
  EXPECT_THAT(twice.out, StartsWith("Asked for 0 updates on review-1"));
  CliResult toms = Cli({"updates", "list", "--lead", "tom jones"});
  EXPECT_THAT(toms.out,
              HasSubstr("action-2  open  due " + AddDays(meeting, -14) +
                        " for meeting " + meeting));
  EXPECT_THAT(toms.out, Not(HasSubstr("action-1")));

  CliResult answered =
      As(gemma, {"updates", "answer", "action-1", "--text",
                 "Forty partnerships listed", "--status", "in-progress"});
  ASSERT_EQ(answered.exit_code, 0) << answered.err;
  CliResult not_hers =
      As(gemma, {"updates", "answer", "action-2", "--text", "Done"});
  EXPECT_EQ(not_hers.exit_code, 1);
  EXPECT_THAT(not_hers.err, HasSubstr("PERMISSION_DENIED"));
  CliResult self_approve = As(gemma, {"updates", "approve", "action-1"});
  EXPECT_THAT(self_approve.err, HasSubstr("PERMISSION_DENIED"));
  CliResult waiting = Cli({"updates", "list", "--status", "answered"});
  EXPECT_THAT(waiting.out, HasSubstr("action-1  answered, waiting"));
  EXPECT_THAT(waiting.out, HasSubstr("Forty partnerships listed"));
  CliResult before = Cli({"action", "show", "action-1"});
  EXPECT_THAT(before.out, Not(HasSubstr("Forty partnerships listed")));

  Created({"updates", "approve", "action-1"});
  CliResult after = Cli({"action", "show", "action-1"});
  EXPECT_THAT(after.out, HasSubstr("Forty partnerships listed"));
  EXPECT_THAT(after.out, HasSubstr("in-progress"));
  CliResult history = Cli({"history", "action-1"});
  EXPECT_THAT(history.out, HasSubstr("approved by"));

  // Without a mail server, the outbox shows what would go.
  CliResult outbox = Cli({"updates", "outbox"});
  ASSERT_EQ(outbox.exit_code, 0) << outbox.err;
  EXPECT_THAT(outbox.out, HasSubstr("DUE  request  to Tom Jones "
                                    "<tom.jones@council.example>"));
  EXPECT_THAT(outbox.out, HasSubstr("rectrack updates answer action-2"));
  CliResult outbox_json = Cli({"updates", "outbox", "--json"});
  EXPECT_THAT(outbox_json.out, HasSubstr("\"kind\": \"request\""));
}

TEST_F(CliUpdatesTest, EveryVerbHasHelpInPlainWords) {
  for (const auto& words :
       std::vector<std::vector<std::string>>{{"people", "add"},
                                             {"people", "list"},
                                             {"people", "import"},
                                             {"updates", "request"},
                                             {"updates", "list"},
                                             {"updates", "answer"},
                                             {"updates", "approve"},
                                             {"updates", "return"},
                                             {"updates", "outbox"}}) {
    std::vector<std::string> args = words;
    args.push_back("--help");
    CliResult r = Cli(args, false);
    const std::string name = absl::StrJoin(words, " ");
    EXPECT_EQ(r.exit_code, 0) << name;
    EXPECT_THAT(r.out, StartsWith("Usage: rectrack " + name)) << name;
    EXPECT_THAT(r.out, HasSubstr("--json")) << name;
  }
}

}  // namespace
}  // namespace rectrack::cli_test
