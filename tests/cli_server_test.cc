// End-to-end tests of rectrackd as run by an administrator: backups under
// load, the JSON log, tokens, settings, and kill -9 under writers.
#include "tests/cli_fixture.h"

namespace rectrack::cli_test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

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

// admin verify --show-progress: a line per progress message on stderr (when
// stderr is not a terminal), the report on stdout.
TEST_F(CliTest, AdminVerifyShowsItsProgressOnStderr) {
  Created({"review", "open", "--title", "Review of Parks", "--committee",
           "Scrutiny", "--published", "2024-01-10"});
  CliResult verify =
      Cli({"admin", "verify", "--show-progress", "--timeout", "60"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_THAT(verify.out, HasSubstr("Checked 1 events"));
  EXPECT_THAT(verify.out, HasSubstr("All consistent."));
  EXPECT_THAT(verify.err,
              HasSubstr("verify: reading the log (0 of 1 events read)\n"));
  EXPECT_THAT(verify.err, HasSubstr("verify: checking stored request results"));
  // Without --show-progress and not on a terminal, nothing on stderr.
  CliResult quiet = Cli({"admin", "verify"});
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err, "");
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
  EXPECT_THAT(bad_role.err,
              HasSubstr("choose viewer, officer, scrutiny or admin"));

  // The officer's token works from --token (beating RECTRACK_TOKEN, which
  // holds the admin's) for its own action, and not for another's.
  Created({"review", "open", "--title", "Parks", "--committee", "C"});
  Created({"rec", "add", "review-1", "--ref", "1", "--text", "Play"});
  Created({"rec", "respond", "rec-1", "--decision", "accepted", "--text", "Y"});
  Created({"action", "add", "rec-1", "--text", "Mine", "--lead", "Jane Smith"});
  Created({"action", "add", "rec-1", "--text", "Theirs", "--lead", "Tom"});
  CliResult own = Cli(
      {"action", "progress", "action-1", "--text", "Begun", "--token", token});
  EXPECT_EQ(own.exit_code, 0) << own.err;
  CliResult other = Cli(
      {"action", "progress", "action-2", "--text", "Begun", "--token", token});
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
}  // namespace rectrack::cli_test
