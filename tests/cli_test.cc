// End-to-end tests: the real rectrackd process on a free port with its own
// data directory, driven by the real rectrack CLI (and, for the crash test,
// by concurrent gRPC clients).
#include <fcntl.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "client/client.h"
#include "tests/daemon.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rectrack/v1/tracker.grpc.pb.h"
#include "tests/test_util.h"

namespace rectrack {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Starts `binary` with `args` in a child process: stdout to `out` and
// stderr to `err` (files, appended; "" leaves them as they are), with
// `env` ("NAME=value") added to the environment. Returns the child's pid.
pid_t Spawn(const char* binary, const std::vector<std::string>& args,
            const std::string& out, const std::string& err,
            const std::vector<std::string>& env = {}) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  for (auto [path, fd] : {std::make_pair(&out, 1), std::make_pair(&err, 2)}) {
    if (!path->empty()) {
      dup2(open(path->c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644), fd);
    }
  }
  for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
  std::vector<std::string> all = {binary};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(binary, argv.data());
  _exit(127);
}

// Waits for child `pid`; its exit code, or -1 if it did not exit normally.
int ExitCode(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A rectrackd child process.
class Daemon {
 public:
  explicit Daemon(std::string data_dir) : data_dir_(std::move(data_dir)) {}
  ~Daemon() { Stop(); }

  // Starts the server and waits until it reports its port. Returns false
  // (with the server's stderr in `error()`) if it exits instead. The suite
  // runs with access control on: the first start makes an admin token
  // (with rectrackd token add), which token() returns.
  bool Start(std::vector<std::string> extra_args = {}, bool with_token = true) {
    if (with_token && token_.empty()) {
      static std::atomic<int> made{0};
      token_ = testing::AddAdminToken(RECTRACKD, data_dir_,
                                      absl::StrCat("test-admin-", ++made));
      if (token_.empty()) return false;
    }
    port_file_ = data_dir_ + ".port";
    log_file_ = data_dir_ + ".log";
    unlink(port_file_.c_str());
    std::vector<std::string> args = {"--listen",  "127.0.0.1:0",
                                     "--data-dir", data_dir_,
                                     "--port-file", port_file_};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    pid_ = Spawn(RECTRACKD, args, log_file_, log_file_);
    for (int i = 0; i < 600; ++i) {
      std::string port = ReadFile(port_file_);
      if (!port.empty()) {
        port_ = std::stoi(port);
        return true;
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // SIGTERM and wait; returns the exit code.
  int Stop() { return Signal(SIGTERM); }
  int Kill9() { return Signal(SIGKILL); }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  const std::string& token() const { return token_; }
  // Calls with `token` instead of making one at the first start.
  void set_token(std::string token) { token_ = std::move(token); }
  // Uses `other`'s tokens (the running server picks them up at once).
  void ShareTokens(const Daemon& other) {
    std::filesystem::create_directories(data_dir_);
    std::filesystem::copy_file(other.data_dir_ + "/tokens",
                               data_dir_ + "/tokens",
                               std::filesystem::copy_options::overwrite_existing);
    token_ = other.token_;
  }
  // A channel to this server with its admin token.
  std::shared_ptr<grpc::Channel> Channel() const {
    client::ConnectOptions options;
    options.token = token_;
    return client::Connect(address(), options);
  }
  std::string log() const { return ReadFile(log_file_); }
  int exit_status() const { return exit_status_; }

 private:
  int Signal(int sig) {
    if (pid_ <= 0) {
      return exit_status_;
    }
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_status_;
  }

  std::string data_dir_;
  std::string token_;
  std::string port_file_;
  std::string log_file_;
  pid_t pid_ = -1;
  int port_ = 0;
  int exit_status_ = -1;
};

struct CliResult {
  int exit_code;
  std::string out;
  std::string err;
  // The last line of stdout (where created ids go).
  std::string LastLine() const {
    std::vector<std::string> lines =
        absl::StrSplit(absl::StripSuffix(out, "\n"), '\n');
    return lines.empty() ? "" : lines.back();
  }
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<Daemon>(dir_.Sub("data"));
    ASSERT_TRUE(daemon_->Start()) << daemon_->log();
  }

  // Runs the CLI against the test server with `args`.
  CliResult Cli(std::vector<std::string> args, bool with_server = true) {
    if (with_server) {
      args.push_back("--server");
      args.push_back(daemon_->address());
    }
    std::string out = dir_.Sub("cli.out");
    std::string err = dir_.Sub("cli.err");
    std::filesystem::remove(out);
    std::filesystem::remove(err);
    std::vector<std::string> env;
    if (daemon_ != nullptr && !daemon_->token().empty()) {
      env.push_back("RECTRACK_TOKEN=" + daemon_->token());
    }
    int code = ExitCode(Spawn(RECTRACK_CLI, args, out, err, env));
    return {code, ReadFile(out), ReadFile(err)};
  }

  // Runs a command that must succeed; returns the id on its last line.
  std::string Created(std::vector<std::string> args) {
    CliResult r = Cli(std::move(args));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.LastLine();
  }

  testing::TempDir dir_;
  std::unique_ptr<Daemon> daemon_;
};

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
  EXPECT_THAT(history.out, HasSubstr("RecommendationAdded"));
  EXPECT_THAT(history.out, HasSubstr("ResponseRecorded"));
  EXPECT_THAT(history.out, HasSubstr("effective 2007-11-27"));

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
            "--rag: \"purple\" is not one of green, amber, red"},
           {{"report", "review-1", "--format", "pdf"},
            "--format: \"pdf\" is not one of text, md, csv, html, json"},
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
  EXPECT_THAT(complete({""}), HasSubstr("review\nrec\naction\nactions\n"));
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
  EXPECT_THAT(csv.out, StartsWith("kind,key,id,review,recommendation,ref,"));
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
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(listed.out, &actions)
                  .ok());
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
  EXPECT_THAT(text.out, HasSubstr("Timescale: March 11 (2011-03-01 to 2011-03-31)"));
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
  EXPECT_THAT(lines[0], ::testing::StartsWith("review_id,rec_id,ref,"));
  EXPECT_EQ(lines.size(), 1u + 28u);  // every recommendation has actions
  EXPECT_THAT(csv.out, HasSubstr(",March 11,2011-03-31,not-started,red,yes,"));

  std::string html_path = dir_.Sub("report.html");
  CliResult html = Cli({"report", "review-1", "--format", "html", "-o",
                        html_path});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  std::string page = ReadFile(html_path);
  EXPECT_THAT(page, ::testing::StartsWith("<!DOCTYPE html>"));
  EXPECT_THAT(page, HasSubstr("@page { size: A4"));
  EXPECT_THAT(page, HasSubstr("aria-label=\"Actions by RAG rating\""));
  EXPECT_THAT(page, HasSubstr("aria-label=\"Recommendations by status over time\""));
  EXPECT_THAT(page, ::testing::Not(HasSubstr("<script")));

  CliResult json = Cli({"report", "review-2", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  v1::Report report;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.out, &report)
                  .ok());
  EXPECT_EQ(report.review().published_on(), "2007-05-17");
  EXPECT_GT(report.items_size(), 5);
  EXPECT_EQ(report.items(0).response_timing().due_on(), "2007-07-17");

  // Before anything was imported there was no review to report on.
  CliResult early = Cli({"report", "review-1", "--as-of", "2001-01-01"});
  EXPECT_EQ(early.exit_code, 1);
  EXPECT_THAT(early.err, HasSubstr("review-1 did not exist yet at 2001-01-01"));
  CliResult bad = Cli({"report", "review-1", "--format", "pdf"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("\"pdf\" is not one of text, md, csv, html, json"));
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
  EXPECT_THAT(show.out, HasSubstr("action-1  [not-started]  due: March 2011  "
                                  "lead: Jo Bloggs\n    - Bid for funding"));
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
  pid_t pid = Spawn(RECTRACK_CLI,
                    {"import", file, "--chunk", "10", "--server",
                     daemon_->address()},
                    "/dev/null", "/dev/null",
                    {"RECTRACK_TOKEN=" + daemon_->token()});
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

// A backup taken while clients write restores to a state that passes
// verify and holds the log as it was, event for event.
TEST_F(CliTest, BackupUnderWriteLoadRestoresToAVerifiedState) {
  Created({"review", "open", "--title", "T", "--committee", "C"});
  Created({"rec", "add", "review-1", "--ref", "1", "--text", "x"});
  std::atomic<bool> stop{false};
  std::atomic<int> writes{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&] {
      auto stub = v1::Tracker::NewStub(daemon_->Channel());
      while (!stop.load()) {
        v1::ApplyRequest req;
        auto* add = req.add_commands()->mutable_add_action();
        add->set_recommendation_id("rec-1");
        add->set_text("work");
        add->add_leads("Ann");
        auto* p = req.add_commands()->mutable_report_progress();
        p->set_id("$0");
        p->set_text("started");
        v1::ApplyResponse resp;
        grpc::ClientContext ctx;
        if (stub->Apply(&ctx, req, &resp).ok()) ++writes;
      }
    });
  }
  // Bounded waits: a broken server fails the assertions below instead of
  // hanging the test.
  auto wait_for_writes = [&](int n) {
    for (int i = 0; i < 5000 && writes.load() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  };
  wait_for_writes(20);
  std::string backup_dir = dir_.Sub("backup");
  CliResult backup = Cli({"admin", "backup", backup_dir, "--json"});
  int writes_at_backup = writes.load();
  wait_for_writes(writes_at_backup + 20);
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_THAT(backup.out, HasSubstr("\"backupId\": 1"));

  // Backups hold no tokens: the restored server starts open on loopback,
  // then takes the original's tokens without a restart.
  Daemon restored(dir_.Sub("restored"));
  ASSERT_TRUE(restored.Start({"--restore-from", backup_dir}, false))
      << restored.log();
  restored.ShareTokens(*daemon_);
  CliResult verify =
      Cli({"admin", "verify", "--server", restored.address()}, false);
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_THAT(verify.out, HasSubstr("All consistent."));
  // Every restored event is the original event at that position.
  auto read_log = [token = daemon_->token()](const std::string& address) {
    client::ConnectOptions options;
    options.token = token;
    auto stub = v1::Tracker::NewStub(client::Connect(address, options));
    v1::ReadEventsRequest req;
    req.set_limit(10000);
    v1::ReadEventsResponse resp;
    grpc::ClientContext ctx;
    EXPECT_TRUE(stub->ReadEvents(&ctx, req, &resp).ok());
    return resp;
  };
  v1::ReadEventsResponse original = read_log(daemon_->address());
  v1::ReadEventsResponse copy = read_log(restored.address());
  ASSERT_GE(copy.events_size(), 40);
  ASSERT_LT(copy.events_size(), original.events_size());
  for (int i = 0; i < copy.events_size(); ++i) {
    ASSERT_EQ(copy.events(i).SerializeAsString(),
              original.events(i).SerializeAsString())
        << "event #" << i + 1 << " differs";
  }
  // The original still verifies after all that writing.
  EXPECT_EQ(Cli({"admin", "verify"}).exit_code, 0);
  // Restoring over existing data is refused.
  Daemon over(dir_.Sub("data2"));
  ASSERT_TRUE(over.Start());
  over.Stop();
  Daemon again(dir_.Sub("data2"));
  EXPECT_FALSE(again.Start({"--restore-from", backup_dir}));
  EXPECT_THAT(again.log(), HasSubstr("is not empty"));
}

TEST_F(CliTest, ServerLogsOneJsonLinePerCallWithoutBodies) {
  Created({"review", "open", "--title", "Secret title", "--committee", "C"});
  Cli({"rec", "show", "rec-9"});
  EXPECT_EQ(daemon_->Stop(), 0);
  std::string log = daemon_->log();
  std::vector<std::string> lines =
      absl::StrSplit(absl::StripSuffix(log, "\n"), '\n');
  ASSERT_GE(lines.size(), 5u);
  for (const std::string& line : lines) {
    EXPECT_THAT(line, StartsWith("{\"time\":\"")) << line;
    EXPECT_EQ(line.back(), '}') << line;
  }
  EXPECT_THAT(log, HasSubstr("\"msg\":\"call\",\"method\":\"/"
                             "rectrack.v1.Tracker/Apply\",\"status\":\"OK\","
                             "\"duration_ms\":"));
  EXPECT_THAT(log, HasSubstr("\"method\":\"/rectrack.v1.Tracker/"
                             "GetRecommendation\",\"status\":\"NOT_FOUND\""));
  EXPECT_THAT(log, HasSubstr("\"msg\":\"stopped; database closed cleanly\""));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("Secret title")));
  // Nor any part of a token's secret.
  std::string secret = daemon_->token().substr(daemon_->token().rfind('_') + 1);
  ASSERT_EQ(secret.size(), 64u);
  EXPECT_THAT(log, ::testing::Not(HasSubstr(secret.substr(0, 16))));
  EXPECT_THAT(log, HasSubstr("every call needs an access token"));
}

// Runs rectrackd (not as a server) with `args`; stdout and stderr.
CliResult Rectrackd(const std::vector<std::string>& args,
                    const std::string& scratch) {
  std::filesystem::remove(scratch + ".out");
  std::filesystem::remove(scratch + ".err");
  int code =
      ExitCode(Spawn(RECTRACKD, args, scratch + ".out", scratch + ".err"));
  return {code, ReadFile(scratch + ".out"), ReadFile(scratch + ".err")};
}

TEST_F(CliTest, TokensAreManagedWithRectrackdAndUsedByTheCli) {
  const std::string data = dir_.Sub("data");
  const std::string scratch = dir_.Sub("rectrackd");
  CliResult added = Rectrackd({"token", "add", "jsmith", "--role", "officer",
                               "--lead", "Jane Smith", "--data-dir", data},
                              scratch);
  ASSERT_EQ(added.exit_code, 0) << added.err;
  std::string token(absl::StripAsciiWhitespace(added.out));
  EXPECT_THAT(token, StartsWith("rt_"));
  EXPECT_THAT(added.err, HasSubstr("only time"));
  // Only a salted hash is kept.
  EXPECT_THAT(ReadFile(data + "/tokens"),
              ::testing::Not(HasSubstr(token.substr(16))));

  CliResult list = Rectrackd({"token", "list", "--data-dir", data}, scratch);
  EXPECT_THAT(list.out, HasSubstr("jsmith"));
  EXPECT_THAT(list.out, HasSubstr("officer"));
  EXPECT_THAT(list.out, HasSubstr("Jane Smith"));
  EXPECT_THAT(list.out, ::testing::Not(HasSubstr(token.substr(16))));

  // Mistakes are named.
  CliResult no_lead = Rectrackd(
      {"token", "add", "x", "--role", "officer", "--data-dir", data}, scratch);
  EXPECT_EQ(no_lead.exit_code, 1);
  EXPECT_THAT(no_lead.err, HasSubstr("needs --lead"));
  CliResult bad_role = Rectrackd(
      {"token", "add", "x", "--role", "boss", "--data-dir", data}, scratch);
  EXPECT_EQ(bad_role.exit_code, 2);
  EXPECT_THAT(bad_role.err, HasSubstr("choose viewer, officer, scrutiny or admin"));

  // The officer's token works from --token (beating RECTRACK_TOKEN, which
  // holds the admin's) for its own action, and not for another's.
  Created({"review", "open", "--title", "Parks", "--committee", "C"});
  Created({"rec", "add", "review-1", "--ref", "1", "--text", "Play"});
  Created({"rec", "respond", "rec-1", "--decision", "accepted", "--text", "Y"});
  Created({"action", "add", "rec-1", "--text", "Mine", "--lead", "Jane Smith"});
  Created({"action", "add", "rec-1", "--text", "Theirs", "--lead", "Tom"});
  CliResult own = Cli({"action", "progress", "action-1", "--text", "Begun",
                       "--token", token});
  EXPECT_EQ(own.exit_code, 0) << own.err;
  CliResult other = Cli({"action", "progress", "action-2", "--text", "Begun",
                         "--token", token});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_THAT(other.err, StartsWith("error: PERMISSION_DENIED: "));
  EXPECT_THAT(other.err, HasSubstr("update own actions"));
  CliResult history = Cli({"history", "action-1", "--json"});
  EXPECT_THAT(history.out, HasSubstr("\"actor\": \"jsmith\""));

  // Revoked while the server runs: refused at once.
  CliResult revoked =
      Rectrackd({"token", "revoke", "jsmith", "--data-dir", data}, scratch);
  EXPECT_EQ(revoked.exit_code, 0) << revoked.err;
  CliResult after = Cli({"review", "list", "--token", token});
  EXPECT_EQ(after.exit_code, 1);
  EXPECT_THAT(after.err, StartsWith("error: UNAUTHENTICATED: "));
  CliResult none = Cli({"review", "list", "--token", ""});
  EXPECT_THAT(none.err, HasSubstr("RECTRACK_TOKEN"));
}

// Runs rectrackd with `args` and `env` until it writes its port file;
// returns its pid (or -1), leaving it running.
pid_t StartWith(const std::vector<std::string>& args,
                const std::vector<std::string>& env, const std::string& log,
                const std::string& port_file) {
  pid_t pid = Spawn(RECTRACKD, args, "", log, env);
  for (int i = 0; i < 600; ++i) {
    if (!ReadFile(port_file).empty()) return pid;
    if (waitpid(pid, nullptr, WNOHANG) == pid) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return -1;
}

TEST_F(CliTest, SettingsComeFromConfigFileEnvironmentAndFlags) {
  std::string config = dir_.Sub("rectrack.conf");
  std::ofstream(config) << "# test settings\nlisten = 127.0.0.1:0\n"
                        << "data-dir = " << dir_.Sub("from-config") << "\n";
  std::string port_file = dir_.Sub("p1");
  pid_t pid = StartWith({"--config", config, "--port-file", port_file}, {},
                        dir_.Sub("log1"), port_file);
  ASSERT_GT(pid, 0) << ReadFile(dir_.Sub("log1"));
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  EXPECT_TRUE(std::filesystem::exists(dir_.Sub("from-config") + "/CURRENT"));

  // The environment beats the file; a flag beats the environment.
  std::string env_dir = "RECTRACK_DATA_DIR=" + dir_.Sub("from-env");
  port_file = dir_.Sub("p2");
  pid = StartWith({"--port-file", port_file},
                  {"RECTRACK_CONFIG=" + config, env_dir}, dir_.Sub("log2"),
                  port_file);
  ASSERT_GT(pid, 0) << ReadFile(dir_.Sub("log2"));
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  EXPECT_TRUE(std::filesystem::exists(dir_.Sub("from-env") + "/CURRENT"));
  port_file = dir_.Sub("p3");
  pid = StartWith({"--port-file", port_file, "--data-dir", dir_.Sub("flag")},
                  {"RECTRACK_CONFIG=" + config, env_dir}, dir_.Sub("log3"),
                  port_file);
  ASSERT_GT(pid, 0) << ReadFile(dir_.Sub("log3"));
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  EXPECT_TRUE(std::filesystem::exists(dir_.Sub("flag") + "/CURRENT"));

  std::ofstream(config, std::ios::trunc)
      << "listen = 127.0.0.1:0\ncolour = red\n";
  EXPECT_EQ(
      StartWith({"--config", config}, {}, dir_.Sub("log4"), dir_.Sub("never")),
      -1);
  EXPECT_THAT(ReadFile(dir_.Sub("log4")), HasSubstr("line 2: expected"));
}

TEST_F(CliTest, DocumentWithoutAnActionPlanIsRefused) {
  CliResult r = Cli({"import", SamplePath("cabinet-report-no-table.txt"),
                     "--format", "plan"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("error: INVALID_ARGUMENT: no action-plan "
                                "table was found"));
  EXPECT_THAT(Cli({"events"}).out, HasSubstr("the log ends at #0"));
}

// Several clients write multi-command requests while the server is killed
// with SIGKILL. After a restart every acknowledged event is at the position
// it was acknowledged with, no request is half-applied, and positions and
// versions have no gaps.
TEST_F(CliTest, KillNineLosesNoAcknowledgedRequest) {
  std::string review =
      Created({"review", "open", "--title", "Crash", "--committee", "C"});
  std::string rec =
      Created({"rec", "add", review, "--ref", "1", "--text", "x"});

  constexpr int kClients = 4;
  constexpr int kCommandsPerRequest = 3;
  std::mutex mu;
  std::map<uint64_t, std::string> acknowledged;  // position → stream
  std::atomic<bool> stop{false};
  std::atomic<int> requests_acked{0};
  std::vector<v1::ApplyRequest> unacknowledged;
  // Kill at a different moment each run.
  const int kill_after = 50 + static_cast<int>(std::random_device()() % 250);
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto stub = v1::Tracker::NewStub(daemon_->Channel());
      for (int i = 0; !stop.load(); ++i) {
        v1::ApplyRequest req;
        req.set_request_id(absl::StrCat("client", c, "-", i));
        auto* add = req.add_commands()->mutable_add_action();
        add->set_recommendation_id(rec);
        add->set_text(absl::StrCat("action ", c, "/", i));
        add->add_leads("Lead");
        for (int k = 1; k < kCommandsPerRequest; ++k) {
          auto* p = req.add_commands()->mutable_report_progress();
          p->set_id("$0");
          p->set_text(absl::StrCat("update ", k));
        }
        v1::ApplyResponse resp;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
        if (!stub->Apply(&ctx, req, &resp).ok()) {
          std::lock_guard<std::mutex> lock(mu);
          unacknowledged.push_back(req);  // the server is gone
          return;
        }
        std::lock_guard<std::mutex> lock(mu);
        for (const auto& r : resp.results()) {
          acknowledged[r.position()] = r.entity_id();
        }
        ++requests_acked;
      }
    });
  }
  for (int i = 0; i < 4000 && requests_acked.load() < kill_after; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  daemon_->Kill9();
  stop = true;
  for (auto& t : clients) t.join();

  // The clients retry with their own token: request ids are the caller's.
  const std::string token = daemon_->token();
  daemon_ = std::make_unique<Daemon>(dir_.Sub("data"));
  daemon_->set_token(token);
  ASSERT_TRUE(daemon_->Start()) << daemon_->log();
  auto stub = v1::Tracker::NewStub(daemon_->Channel());
  // Retrying what was never acknowledged applies it at most once.
  for (const v1::ApplyRequest& req : unacknowledged) {
    v1::ApplyResponse resp;
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub->Apply(&ctx, req, &resp).ok());
    ASSERT_EQ(resp.results_size(), kCommandsPerRequest);
    v1::ApplyResponse again;
    grpc::ClientContext ctx2;
    ASSERT_TRUE(stub->Apply(&ctx2, req, &again).ok());
    EXPECT_TRUE(again.replayed());
    EXPECT_EQ(again.results(0).position(), resp.results(0).position());
  }
  std::vector<v1::Event> log;
  for (uint64_t from = 1;;) {
    v1::ReadEventsRequest req;
    req.set_from_position(from);
    req.set_limit(10000);
    v1::ReadEventsResponse resp;
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub->ReadEvents(&ctx, req, &resp).ok());
    if (resp.events().empty()) break;
    for (const auto& e : resp.events()) log.push_back(e);
    from = log.back().position() + 1;
  }
  std::map<uint64_t, std::string> stored;
  std::map<std::string, int> events_per_request;
  std::map<std::string, uint64_t> last_version;
  for (size_t i = 0; i < log.size(); ++i) {
    const v1::Event& e = log[i];
    EXPECT_EQ(e.position(), i + 1) << "gap in the global log";
    EXPECT_EQ(e.version(), last_version[e.stream()] + 1)
        << "gap in stream " << e.stream();
    last_version[e.stream()] = e.version();
    stored[e.position()] = e.stream();
    if (!e.request_id().empty()) ++events_per_request[e.request_id()];
  }
  for (const auto& [position, stream] : acknowledged) {
    ASSERT_TRUE(stored.count(position)) << "lost acknowledged #" << position;
    EXPECT_EQ(stored[position], stream);
  }
  for (const auto& [request, count] : events_per_request) {
    EXPECT_EQ(count, kCommandsPerRequest) << "half-applied request " << request;
  }
  EXPECT_GE(acknowledged.size(),
            static_cast<size_t>(kill_after) * kCommandsPerRequest);
  EXPECT_LE(unacknowledged.size(), static_cast<size_t>(kClients));
}

}  // namespace
}  // namespace rectrack
