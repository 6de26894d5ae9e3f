// End-to-end tests of the command line itself: a whole flow, --json,
// errors, help, "did you mean", completion, and a restart.
#include "tests/cli_fixture.h"

namespace rectrack::cli_test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST_F(CliTest, WholeFlowFromReviewToSignOff) {
  std::string review =
      Created({"review", "open", "--title", "Review of Partnerships",
               "--committee", "Strategic Leadership O&S", "--council",
               "Example District Council", "--published", "17 May 2007"});
  EXPECT_EQ(review, "review-1");
  Cli({"review", "schedule", review, "--date", "2007-11-27", "--note",
       "1st update"});
  std::string rec =
      Created({"rec", "add", review, "--ref", "A", "--text",
               "That the definition be adopted", "--portfolio", "The Leader"});
  EXPECT_EQ(rec, "rec-1");
  Created({"rec", "respond", rec, "--decision", "accepted", "--text",
           "Agreed; officers will adopt it", "--by", "The Leader", "--on",
           "2007-06-01"});
  std::string action = Created(
      {"action", "add", rec, "--text", "Message to all members", "--lead",
       "Leader", "--lead", "Chief Executive", "--due", "July 10"});
  EXPECT_EQ(action, "action-1");
  Created({"action", "progress", action, "--text", "Message drafted", "--on",
           "2010-07-05"});
  Created({"action", "status", action, "--status", "completed", "--note",
           "Sent to all members"});
  Created({"rec", "status", rec, "--status", "implemented"});
  Created(
      {"rec", "status", rec, "--status", "signed-off", "--on", "2007-11-27"});

  CliResult show = Cli({"review", "show", review});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("Review of Partnerships"));
  EXPECT_THAT(show.out, HasSubstr("Published: 2007-05-17"));
  EXPECT_THAT(show.out, HasSubstr("2007-11-27 (1st update)"));
  EXPECT_THAT(show.out, HasSubstr("rec-1  Recommendation A  [signed-off]"));
  EXPECT_THAT(show.out,
              HasSubstr("Response (accepted, The Leader, 2007-06-01)"));
  EXPECT_THAT(show.out, HasSubstr("action-1  [completed]  due: July 10  "
                                  "lead: Leader; Chief Executive"));
  EXPECT_THAT(show.out,
              HasSubstr("Latest progress (2010-07-05): Message drafted"));

  CliResult list = Cli({"actions", "--lead", "chief executive"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("action-1  rec-1  completed"));
  CliResult none = Cli({"actions", "--status", "blocked"});
  EXPECT_THAT(none.out, HasSubstr("No actions match."));

  CliResult history = Cli({"history", rec});
  EXPECT_EQ(history.exit_code, 0) << history.err;
  // Readable lines: the day it took effect, what happened, who recorded it.
  EXPECT_THAT(history.out, HasSubstr("RecommendationAdded"));
  EXPECT_THAT(history.out,
              HasSubstr("Executive's response to rec-1 recorded: accepted"));
  EXPECT_THAT(history.out, HasSubstr("27 November 2007  rec-1 now signed off"));
  CliResult full = Cli({"history", rec, "--full"});
  EXPECT_THAT(full.out, HasSubstr("effective 2007-11-27"));

  CliResult events = Cli({"events", "--from", "2", "--limit", "3"});
  EXPECT_EQ(events.exit_code, 0) << events.err;
  EXPECT_THAT(events.out, StartsWith("#2 "));
  EXPECT_THAT(events.out, HasSubstr("3 events shown; the log ends at #9"));
}

TEST_F(CliTest, JsonIsAcceptedAnywhereOnTheLine) {
  Created({"review", "open", "--title", "T", "--committee", "C"});
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"--json", "review", "list"},
                                             {"review", "--json", "list"},
                                             {"review", "list", "--json"}}) {
    CliResult r = Cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, StartsWith("{"));
    EXPECT_THAT(r.out, HasSubstr("\"title\": \"T\""));
  }
  CliResult created =
      Cli({"--json", "rec", "add", "review-1", "--ref", "1", "--text", "x"});
  EXPECT_THAT(created.out, HasSubstr("\"entityId\": \"rec-1\""));
}

TEST_F(CliTest, ErrorsNameTheProblemAndExitNonZero) {
  CliResult missing = Cli({"review", "open", "--committee", "C"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "error: INVALID_ARGUMENT: title is required\n");
  EXPECT_EQ(missing.out, "");

  CliResult not_found = Cli({"rec", "show", "rec-42"});
  EXPECT_EQ(not_found.exit_code, 1);
  EXPECT_EQ(not_found.err,
            "error: NOT_FOUND: recommendation rec-42 does not exist\n");

  CliResult bad_word =
      Cli({"action", "status", "action-1", "--status", "done"});
  EXPECT_EQ(bad_word.exit_code, 2);
  EXPECT_THAT(bad_word.err, StartsWith("error: INVALID_ARGUMENT: --status: "
                                       "\"done\" is not one of not-started"));

  CliResult unknown_option = Cli({"review", "list", "--title", "x"});
  EXPECT_EQ(unknown_option.exit_code, 2);
  EXPECT_THAT(unknown_option.err,
              HasSubstr("--title does not apply to rectrack review list"));

  CliResult no_id = Cli({"review", "show"});
  EXPECT_EQ(no_id.exit_code, 2);
  EXPECT_THAT(no_id.err, HasSubstr("give the review id"));

  Created({"review", "open", "--title", "T", "--committee", "C"});
  Created({"rec", "add", "review-1", "--ref", "1", "--text", "x"});
  CliResult no_reason = Cli(
      {"rec", "respond", "rec-1", "--decision", "rejected", "--text", "No"});
  EXPECT_EQ(no_reason.exit_code, 1);
  EXPECT_THAT(no_reason.err,
              HasSubstr("INVALID_ARGUMENT: reason is required: a rejection"));
  Created({"rec", "respond", "rec-1", "--decision", "rejected", "--text", "No",
           "--reason", "Too costly"});
  CliResult on_rejected =
      Cli({"action", "add", "rec-1", "--text", "t", "--lead", "l"});
  EXPECT_EQ(on_rejected.exit_code, 1);
  EXPECT_THAT(on_rejected.err, StartsWith("error: FAILED_PRECONDITION: "));

  CliResult stale =
      Cli({"rec", "amend", "rec-1", "--text", "y", "--expect-version", "1"});
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_THAT(stale.err, StartsWith("error: ABORTED: rec-1 is at version 2"));
}

TEST_F(CliTest, UnreachableServerIsExplained) {
  CliResult r = Cli({"review", "list", "--server", "127.0.0.1:1"}, false);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("error: UNAVAILABLE: cannot reach rectrackd "
                                "at 127.0.0.1:1"));
}

TEST_F(CliTest, EverySubcommandHasHelp) {
  for (const auto& words : std::vector<std::vector<std::string>>{
           {"review", "open"},   {"review", "list"},
           {"review", "show"},   {"review", "schedule"},
           {"review", "close"},  {"rec", "add"},
           {"rec", "amend"},     {"rec", "respond"},
           {"rec", "status"},    {"rec", "show"},
           {"action", "add"},    {"action", "update"},
           {"action", "status"}, {"action", "progress"},
           {"action", "show"},   {"actions"},
           {"history"},          {"events"},
           {"import"},           {"export"},
           {"admin", "verify"},  {"admin", "backup"}}) {
    std::vector<std::string> args = words;
    args.push_back("--help");
    CliResult r = Cli(args, false);
    std::string name = absl::StrJoin(words, " ");
    EXPECT_EQ(r.exit_code, 0) << name;
    EXPECT_THAT(r.out, StartsWith("Usage: rectrack " + name)) << name;
  }
  CliResult top = Cli({"--help"}, false);
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_THAT(top.out, HasSubstr("action progress"));
}

TEST_F(CliTest, MistypedCommandsAndOptionsNameTheRightOne) {
  CliResult option =
      Cli({"review", "open", "--titel", "T", "--committee", "C"});
  EXPECT_EQ(option.exit_code, 2);
  EXPECT_EQ(option.err,
            "error: INVALID_ARGUMENT: unknown option --titel; did you mean "
            "--title? see rectrack review open --help\n");
  CliResult verb = Cli({"review", "opne", "--title", "T"});
  EXPECT_EQ(verb.exit_code, 2);
  EXPECT_EQ(verb.err,
            "error: INVALID_ARGUMENT: unknown command \"review opne\"; did "
            "you mean rectrack review open? see rectrack --help\n");
  CliResult noun = Cli({"reveiw", "list"});
  EXPECT_EQ(noun.exit_code, 2);
  EXPECT_THAT(noun.err, HasSubstr("did you mean rectrack review list?"));
  CliResult global = Cli({"rec", "show", "rec-1", "--jsno"});
  EXPECT_THAT(global.err, HasSubstr("did you mean --json?"));
  // Nothing near enough: no guess.
  CliResult far = Cli({"review", "list", "--colour", "red"});
  EXPECT_EQ(far.err,
            "error: INVALID_ARGUMENT: unknown option --colour; see rectrack "
            "review list --help\n");
  EXPECT_THAT(Cli({"events"}).out, HasSubstr("the log ends at #0"));
}

TEST_F(CliTest, MissingAndBadOptionsAreRefusedBeforeAnyCall) {
  // Nothing listens on port 1: a command that called the server would say
  // "cannot reach rectrackd".
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {{"rec", "respond", "rec-1", "--decision", "accepted"},
            "--text is required; see rectrack rec respond --help"},
           {{"rec", "respond", "rec-1", "--text", "Agreed"},
            "--decision is required; see rectrack rec respond --help"},
           {{"action", "add", "rec-1", "--text", "t"},
            "--lead is required; see rectrack action add --help"},
           {{"review", "schedule", "review-1", "--note", "n"},
            "--date is required; see rectrack review schedule --help"},
           {{"events", "--limit", "ten"}, "--limit: \"ten\" is not a number"},
           {{"events", "--from=-1"}, "--from: \"-1\" is not a number"},
           {{"actions", "--due-soon-days", "0"},
            "--due-soon-days: \"0\" is not a number of days"},
           {{"import", "plan.jsonl", "--chunk", "many"},
            "--chunk: give a number of commands from 1 to 10000"},
           {{"rec", "amend", "rec-1", "--text", "t", "--expect-version", "v2"},
            "--expect-version: \"v2\" is not a version number"},
           {{"actions", "--rag", "purple"},
            "--rag: \"purple\" is not one of green, amber, red, no-target, "
            "not-rated"},
           {{"report", "review-1", "--format", "pdf"},
            "--format: \"pdf\" is not one of text, md, csv, html, xlsx, json"},
       }) {
    std::vector<std::string> args = c.args;
    args.insert(args.end(), {"--server", "127.0.0.1:1"});
    CliResult r = Cli(args, false);
    std::string line = absl::StrJoin(c.args, " ");
    EXPECT_EQ(r.exit_code, 2) << line;
    EXPECT_EQ(r.err, "error: INVALID_ARGUMENT: " + c.error + "\n") << line;
  }
  // Help needs none of them.
  CliResult help = Cli({"rec", "respond", "--help"}, false);
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_THAT(help.out, StartsWith("Usage: rectrack rec respond REC"));
}

TEST_F(CliTest, CommandOptionsMayComeBeforeTheCommandWords) {
  std::vector<std::string> args = {
      "--request-id", "open-1",      "--title=T", "review",
      "open",         "--committee", "C"};
  EXPECT_EQ(Created(args), "review-1");
  CliResult again = Cli(args);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("already recorded earlier"));
  CliResult listed = Cli({"-h", "review", "list"}, false);
  EXPECT_THAT(listed.out, StartsWith("Usage: rectrack review list"));
}

TEST_F(CliTest, BashCompletionComesFromTheCommandDefinitions) {
  CliResult script = Cli({"completion", "bash"}, false);
  ASSERT_EQ(script.exit_code, 0) << script.err;
  EXPECT_THAT(script.out, HasSubstr("review"));
  EXPECT_THAT(script.out, HasSubstr("--committee"));
  std::string file = dir_.Sub("rectrack.bash");
  std::ofstream(file) << script.out;
  EXPECT_EQ(ExitCode(Spawn("/bin/bash", {"-n", file}, "", "")), 0);

  // Completes as bash does: COMP_WORDS are the words typed, the last (at
  // COMP_CWORD) the one being completed; COMPREPLY what is offered.
  auto complete = [&](const std::vector<std::string>& words) {
    std::string out = dir_.Sub("complete.out");
    std::filesystem::remove(out);
    std::vector<std::string> args = {
        "-c",
        "source \"$0\"; COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); "
        "_rectrack; printf '%s\\n' \"${COMPREPLY[@]}\"",
        file, "rectrack"};
    args.insert(args.end(), words.begin(), words.end());
    EXPECT_EQ(ExitCode(Spawn("/bin/bash", args, out, "")), 0);
    return ReadFile(out);
  };
  EXPECT_THAT(complete({""}),
              HasSubstr("review\nrec\naction\ncorrect\nretract\nactions\n"));
  EXPECT_EQ(complete({"rev"}), "review\n");
  EXPECT_EQ(complete({"review", "op"}), "open\n");
  EXPECT_EQ(complete({"review", "open", "--com"}), "--committee\n");
  EXPECT_EQ(complete({"--server", "h:1", "rec", "respond", "rec-1",
                      "--decision", "part"}),
            "partially-accepted\n");
  EXPECT_EQ(complete({"action", "status", "action-1", "--status", "c"}),
            "completed\ncancelled\n");
  EXPECT_EQ(complete({"report", "review-1", "--format", "m"}), "md\n");
  // The value of an option is not a command word.
  EXPECT_EQ(complete({"--review", "rec", "act"}), "action\nactions\n");
}

TEST_F(CliTest, StateAndHistorySurviveARestart) {
  Created({"review", "open", "--title", "Kept", "--committee", "C"});
  Created({"rec", "add", "review-1", "--ref", "1", "--text", "x"});
  Created({"action", "add", "rec-1", "--text", "t", "--lead", "Ann"});
  Created({"action", "progress", "action-1", "--text", "first"});
  std::string before = Cli({"review", "show", "review-1"}).out;
  std::string history_before = Cli({"history", "action-1"}).out;

  EXPECT_EQ(daemon_->Stop(), 0);
  EXPECT_THAT(daemon_->log(), HasSubstr("database closed cleanly"));
  daemon_ = std::make_unique<Daemon>(dir_.Sub("data"));
  ASSERT_TRUE(daemon_->Start()) << daemon_->log();

  EXPECT_EQ(Cli({"review", "show", "review-1"}).out, before);
  EXPECT_EQ(Cli({"history", "action-1"}).out, history_before);
  // Ids continue where they left off.
  EXPECT_EQ(Created({"action", "add", "rec-1", "--text", "u", "--lead", "Bo"}),
            "action-2");
}

TEST_F(CliTest, SecondServerOnTheSameDataDirIsRefused) {
  Daemon second(dir_.Sub("data"));
  EXPECT_FALSE(second.Start());
  EXPECT_NE(second.exit_status(), 0);
  EXPECT_THAT(second.log(), HasSubstr("in use by another rectrackd"));
}

}  // namespace
}  // namespace rectrack::cli_test
