// Holes an outside review found (issue 16), each tried against a real
// rectrackd process as an attacker would: an officer reaching another
// lead's action through a padded id, unknown enum values, and officer
// permissions that must hold at commit, not only when a request arrives.
#include <grpcpp/grpcpp.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rectrack/v1/tracker.grpc.pb.h"
#include "tests/daemon.h"
#include "tests/test_util.h"

namespace rectrack {
namespace {

using ::testing::HasSubstr;
using Stub = v1::Tracker::Stub;

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // As if started by hand from a shell: others may read what is made.
    umask(022);
    const std::string data = dir_.Sub("data");
    admin_token_ = testing::AddToken(RECTRACKD, data, "clerk", "scrutiny");
    officer_token_ =
        testing::AddToken(RECTRACKD, data, "jsmith", "officer", "Jane Smith");
    ASSERT_FALSE(admin_token_.empty());
    ASSERT_FALSE(officer_token_.empty());
    daemon_ = std::make_unique<testing::Daemon>(RECTRACKD, dir_.path());
    ASSERT_TRUE(daemon_->Start())
        << testing::ReadFile(dir_.Sub("rectrackd.log"));
    scrutiny_ = StubFor(admin_token_);
    officer_ = StubFor(officer_token_);
    // action-1 is Jane Smith's, action-2 Tom Jones's.
    v1::ApplyRequest seed;
    auto* open = seed.add_commands()->mutable_open_review();
    open->set_title("Play areas");
    open->set_committee("Overview and Scrutiny");
    auto* rec = seed.add_commands()->mutable_add_recommendation();
    rec->set_review_id("$0");
    rec->set_ref("1");
    rec->set_text("Improve play areas");
    auto* response = seed.add_commands()->mutable_record_response();
    response->set_recommendation_id("$1");
    response->set_decision(v1::DECISION_ACCEPTED);
    response->set_text("Agreed");
    *seed.add_commands() = AddAction("Jane Smith");
    *seed.add_commands() = AddAction("Tom Jones");
    ASSERT_TRUE(Apply(*scrutiny_, seed).ok());
  }

  void TearDown() override {
    if (daemon_ != nullptr) daemon_->Stop();
  }

  std::unique_ptr<Stub> StubFor(const std::string& token) {
    client::ConnectOptions options;
    options.token = token;
    return v1::Tracker::NewStub(client::Connect(daemon_->address(), options));
  }

  static v1::Command AddAction(const std::string& lead) {
    v1::Command c;
    c.mutable_add_action()->set_recommendation_id("rec-1");
    c.mutable_add_action()->set_text("Publish the play strategy");
    c.mutable_add_action()->add_leads(lead);
    return c;
  }
  static v1::Command Progress(const std::string& id) {
    v1::Command c;
    c.mutable_report_progress()->set_id(id);
    c.mutable_report_progress()->set_text("Done, says the officer");
    return c;
  }
  static v1::Command Cancel(const std::string& id) {
    v1::Command c;
    c.mutable_set_action_status()->set_id(id);
    c.mutable_set_action_status()->set_status(v1::ACTION_STATUS_CANCELLED);
    return c;
  }
  static v1::ApplyRequest One(v1::Command c) {
    v1::ApplyRequest r;
    *r.add_commands() = std::move(c);
    return r;
  }

  static grpc::Status Apply(Stub& stub, const v1::ApplyRequest& request) {
    grpc::ClientContext ctx;
    ctx.set_deadline(testing::In(20));
    v1::ApplyResponse response;
    return stub.Apply(&ctx, request, &response);
  }

  v1::Action GetAction(const std::string& id) {
    grpc::ClientContext ctx;
    ctx.set_deadline(testing::In(20));
    v1::GetActionRequest request;
    request.set_id(id);
    v1::Action action;
    grpc::Status s = scrutiny_->GetAction(&ctx, request, &action);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return action;
  }

  bool DaemonAlive() { return waitpid(daemon_->pid(), nullptr, WNOHANG) == 0; }

  testing::TempDir dir_;
  std::unique_ptr<testing::Daemon> daemon_;
  std::string admin_token_, officer_token_;
  std::unique_ptr<Stub> scrutiny_, officer_;
};

TEST_F(SecurityTest, PaddedIdsDoNotReachAnotherLeadsAction) {
  for (const char* id : {" action-2", "action-2 ", "action-2\t", "action-2\n",
                         "\taction-2", "action-+2"}) {
    SCOPED_TRACE(absl::StrCat("id \"", id, "\""));
    for (const v1::Command& c : {Progress(id), Cancel(id)}) {
      grpc::Status s = Apply(*officer_, One(c));
      EXPECT_NE(s.error_code(), grpc::StatusCode::OK);
      if (s.error_code() != grpc::StatusCode::INVALID_ARGUMENT) {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << s.error_message();
        EXPECT_THAT(s.error_message(), HasSubstr("not led by Jane Smith"));
      }
    }
  }
  v1::Action theirs = GetAction("action-2");
  EXPECT_EQ(theirs.status(), v1::ACTION_STATUS_NOT_STARTED);
  EXPECT_EQ(theirs.version(), 1u);
  // The same padding on the officer's own action reaches that action.
  EXPECT_TRUE(Apply(*officer_, One(Progress(" action-1\n"))).ok());
  EXPECT_EQ(GetAction("action-1").version(), 2u);
}

TEST_F(SecurityTest, UnknownEnumValuesAreRefusedAndTheServerGoesOn) {
  struct Case {
    Stub* stub;
    v1::Command command;
    bool dry_run;
    std::string field;
  };
  std::vector<Case> cases;
  for (int value : {99, -5}) {
    for (bool dry_run : {true, false}) {
      v1::Command c = Cancel("action-1");  // the officer's own action
      c.mutable_set_action_status()->set_status(
          static_cast<v1::ActionStatus>(value));
      cases.push_back(
          {officer_.get(), c, dry_run, "commands[0].set_action_status.status"});
    }
  }
  v1::Command rec_status;
  rec_status.mutable_set_recommendation_status()->set_recommendation_id(
      "rec-1");
  rec_status.mutable_set_recommendation_status()->set_status(
      static_cast<v1::RecommendationStatus>(99));
  cases.push_back({scrutiny_.get(), rec_status, false,
                   "commands[0].set_recommendation_status.status"});
  v1::Command decision;
  decision.mutable_record_response()->set_recommendation_id("rec-1");
  decision.mutable_record_response()->set_decision(
      static_cast<v1::Decision>(1000));
  decision.mutable_record_response()->set_text("Agreed");
  cases.push_back({scrutiny_.get(), decision, true,
                   "commands[0].record_response.decision"});
  for (const Case& c : cases) {
    SCOPED_TRACE(c.command.ShortDebugString());
    v1::ApplyRequest request = One(c.command);
    request.set_dry_run(c.dry_run);
    grpc::Status s = Apply(*c.stub, request);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(c.field));
    EXPECT_THAT(s.error_message(), HasSubstr("is not a known value"));
    ASSERT_TRUE(DaemonAlive()) << testing::ReadFile(dir_.Sub("rectrackd.log"));
  }
  // A query's enum too.
  grpc::ClientContext ctx;
  v1::ListActionsRequest list;
  list.set_rag(static_cast<v1::Rag>(42));
  v1::ListActionsResponse listed;
  grpc::Status s = officer_->ListActions(&ctx, list, &listed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("rag"));
  EXPECT_EQ(GetAction("action-1").status(), v1::ACTION_STATUS_NOT_STARTED);
}

// An all-or-nothing BulkApply whose one chunk is sent, then held open while
// `meanwhile` runs, then closed. Returns the stream's final status.
grpc::Status HeldBulkApply(Stub& stub, const v1::ApplyRequest& chunk,
                           const std::function<void()>& meanwhile) {
  grpc::ClientContext ctx;
  ctx.set_deadline(testing::In(30));
  auto stream = stub.BulkApply(&ctx);
  v1::BulkApplyRequest request;
  request.set_all_or_nothing(true);
  *request.mutable_chunk() = chunk;
  if (!stream->Write(request)) return stream->Finish();
  // Time for the server to take the chunk in (where the lead used to be
  // checked); the check must instead see the state at commit. Whatever the
  // timing, the change must be refused.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  meanwhile();
  stream->WritesDone();
  v1::BulkApplyResponse response;
  while (stream->Read(&response)) {
  }
  return stream->Finish();
}

TEST_F(SecurityTest, OfficerPermissionIsCheckedWhenTheChangeIsWritten) {
  // (a) Progress on action-3 before it exists; scrutiny then creates
  // action-3 for someone else.
  grpc::Status early = HeldBulkApply(*officer_, One(Progress("action-3")), [&] {
    ASSERT_TRUE(Apply(*scrutiny_, One(AddAction("Tom Jones"))).ok());
  });
  EXPECT_EQ(early.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << early.error_message();
  EXPECT_EQ(GetAction("action-3").version(), 1u);

  // (b) Cancelling its own action after scrutiny has given it to another.
  grpc::Status late = HeldBulkApply(*officer_, One(Cancel("action-1")), [&] {
    v1::Command move;
    move.mutable_update_action()->set_id("action-1");
    move.mutable_update_action()->set_set_leads(true);
    move.mutable_update_action()->add_leads("Tom Jones");
    ASSERT_TRUE(Apply(*scrutiny_, One(move)).ok());
  });
  EXPECT_EQ(late.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << late.error_message();
  EXPECT_THAT(late.error_message(), HasSubstr("not led by Jane Smith"));
  EXPECT_EQ(GetAction("action-1").status(), v1::ACTION_STATUS_NOT_STARTED);
}

TEST_F(SecurityTest, ErrorMessagesAreOursAndTheLogStaysJson) {
  // A request carrying the field rectrackd uses inside for "this request
  // cannot be read", with words of the caller's choosing.
  v1::ApplyRequest request;
  auto* open = request.add_commands()->mutable_open_review();
  open->set_title("Parks");
  open->set_committee("Overview and Scrutiny");
  request.set_dry_run(true);
  request.GetReflection()->MutableUnknownFields(&request)->AddLengthDelimited(
      536870911, "Your account is locked: call 0900");
  grpc::Status s = Apply(*scrutiny_, request);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr("0900")));
  // Text that is not UTF-8: refused naming the field, and protobuf's own
  // complaint goes into the JSON log rather than beside it.
  v1::ApplyRequest bad = One(Progress("action-1"));
  bad.mutable_commands(0)->mutable_report_progress()->set_text("caf\xe9");
  s = Apply(*officer_, bad);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("report_progress.text"));
  const std::string log = testing::ReadFile(dir_.Sub("rectrackd.log"));
  int lines = 0;
  for (absl::string_view line : absl::StrSplit(log, '\n', absl::SkipEmpty())) {
    EXPECT_TRUE(absl::StartsWith(line, "{") && absl::EndsWith(line, "}"))
        << line;
    ++lines;
  }
  EXPECT_GT(lines, 2);
  EXPECT_THAT(log, HasSubstr("protobuf: "));
}

// Memory per call is bounded in bytes (issue 16, item 5).
class MemoryBoundTest : public SecurityTest {
 protected:
  // `count` events of ~64 KB each, by scrutiny: reviews with long titles,
  // so that no entity's state grows with them.
  void AddLargeEvents(int count) {
    for (int i = 0; i < count; i += 50) {
      v1::ApplyRequest request;
      for (int k = i; k < std::min(count, i + 50); ++k) {
        auto* open = request.add_commands()->mutable_open_review();
        open->set_title(std::string(64000, static_cast<char>('a' + k % 26)));
        open->set_committee("Overview and Scrutiny");
      }
      ASSERT_TRUE(Apply(*scrutiny_, request).ok());
    }
  }
};

TEST_F(MemoryBoundTest, ReadEventsPagesAreBoundedInBytes) {
  AddLargeEvents(200);  // 12.8 MB of events
  grpc::ClientContext ctx;
  v1::ReadEventsRequest request;
  request.set_from_position(1);
  request.set_limit(10000);
  v1::ReadEventsResponse page;
  ASSERT_TRUE(scrutiny_->ReadEvents(&ctx, request, &page).ok());
  EXPECT_GT(page.events_size(), 10);
  EXPECT_LT(page.events_size(), 200);
  EXPECT_LE(page.ByteSizeLong(), (size_t{2} << 20) + 70000);
  EXPECT_GT(page.last_position(),
            page.events(page.events_size() - 1).position());
}

TEST_F(MemoryBoundTest, StalledWatchersArePausedNotBuffered) {
  AddLargeEvents(300);  // 19 MB of events for every watcher to catch up on
  const double before = testing::MemoryMiB(daemon_->pid()).first;
  constexpr int kWatchers = 100;
  // Watchers on their own connections that start a watch from position 1
  // and never read a message.
  std::vector<std::unique_ptr<Stub>> stubs;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::WatchResponse>>> readers;
  for (int i = 0; i < kWatchers; ++i) {
    client::ConnectOptions options;
    options.token = officer_token_;
    grpc::ChannelArguments args;
    stubs.push_back(
        v1::Tracker::NewStub(client::Connect(daemon_->address(), options)));
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    v1::WatchRequest request;
    request.set_from_position(1);
    readers.push_back(stubs.back()->Watch(contexts.back().get(), request));
  }
  // Give every watch time to read and send what flow control lets it.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const double during = testing::MemoryMiB(daemon_->pid()).first;
  // Each paused watch holds at most its 256 KiB read-ahead and gRPC's
  // window; README states 100 stalled watchers add under 150 MiB.
  EXPECT_LT(during - before, 150.0)
      << "before " << before << " MiB, with " << kWatchers
      << " stalled watchers " << during << " MiB";
  std::printf(
      "rectrackd RSS: %.0f MiB before, %.0f MiB with %d stalled "
      "watchers\n",
      before, during, kWatchers);
  for (auto& ctx : contexts) ctx->TryCancel();
  for (auto& reader : readers) reader->Finish();
  // Writes go on for everyone else meanwhile and after.
  EXPECT_TRUE(Apply(*officer_, One(Progress("action-1"))).ok());
}

TEST_F(MemoryBoundTest, HeldAllOrNothingBytesAreCappedPerCaller) {
  // ~140 MB of progress in one all-or-nothing stream, 12.8 MB a chunk.
  grpc::ClientContext ctx;
  ctx.set_deadline(testing::In(60));
  auto stream = officer_->BulkApply(&ctx);
  bool refused_early = false;
  for (int chunk = 0; chunk < 11 && !refused_early; ++chunk) {
    v1::BulkApplyRequest request;
    request.set_all_or_nothing(true);
    for (int k = 0; k < 200; ++k) {
      v1::Command c = Progress("action-1");
      c.mutable_report_progress()->set_text(std::string(64000, 'x'));
      *request.mutable_chunk()->add_commands() = std::move(c);
    }
    refused_early = !stream->Write(request);
  }
  stream->WritesDone();
  v1::BulkApplyResponse response;
  while (stream->Read(&response)) {
  }
  grpc::Status s = stream->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("128 MiB"));
  EXPECT_THAT(s.error_message(), HasSubstr("nothing was applied"));
  EXPECT_EQ(GetAction("action-1").version(), 1u);
  // Released when the stream ended: a small batch goes through.
  grpc::Status small =
      HeldBulkApply(*officer_, One(Progress("action-1")), [] {});
  EXPECT_TRUE(small.ok()) << small.error_message();
}

TEST_F(SecurityTest, TheDataDirectoryIsRectrackdsAloneWhateverTheUmask) {
  // SetUp made tokens and wrote through a running rectrackd under umask 022.
  int checked = 0;
  namespace fs = std::filesystem;
  const fs::path data = dir_.Sub("data");
  EXPECT_EQ(fs::status(data).permissions() &
                (fs::perms::group_all | fs::perms::others_all),
            fs::perms::none);
  for (const auto& entry : fs::recursive_directory_iterator(data)) {
    SCOPED_TRACE(entry.path().string());
    EXPECT_EQ(entry.status().permissions() &
                  (fs::perms::group_all | fs::perms::others_all),
              fs::perms::none);
    ++checked;
  }
  EXPECT_GT(checked, 5);  // the tokens file and RocksDB's files at least
}

}  // namespace
}  // namespace rectrack
