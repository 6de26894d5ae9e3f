// Who may do what: every RPC of rectrack.v1.Tracker called with every role
// against a real server, tokens added and revoked while it runs, TLS and
// mutual TLS handshakes, and the limits on what a request may hold.
//
// kPermissions below is the source of README.md's permission table: the
// test renders it and fails if the README's copy differs (run with
// RECTRACK_UPDATE_README=1 to rewrite it).
#include <google/protobuf/descriptor.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rectrack/v1/tracker.grpc.pb.h"
#include "server/service/server.h"
#include "server/service/tokens.h"
#include "tests/test_util.h"

namespace rectrack::service {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Stub = v1::Tracker::Stub;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

v1::Command OpenReview(const std::string& title) {
  v1::Command c;
  c.mutable_open_review()->set_title(title);
  c.mutable_open_review()->set_committee("Overview and Scrutiny");
  return c;
}

v1::Command Progress(const std::string& action) {
  v1::Command c;
  c.mutable_report_progress()->set_id(action);
  c.mutable_report_progress()->set_text("Consultation under way");
  c.mutable_report_progress()->set_reported_on("2024-03-01");
  return c;
}

v1::Command Status(const std::string& action) {
  v1::Command c;
  c.mutable_set_action_status()->set_id(action);
  c.mutable_set_action_status()->set_status(v1::ACTION_STATUS_IN_PROGRESS);
  return c;
}

v1::Command AddAction(const std::string& rec, const std::string& lead) {
  v1::Command c;
  c.mutable_add_action()->set_recommendation_id(rec);
  c.mutable_add_action()->set_text("Publish the play strategy");
  c.mutable_add_action()->add_leads(lead);
  c.mutable_add_action()->set_timescale("March 2025");
  return c;
}

// A server with its own data directory, FakeClock and free port, and one
// token per role (the officer leads "Jane Smith").
class AccessTest : public ::testing::Test {
 public:  // the permission table's calls use the fixture
  void SetUp() override {
    for (Role role : kRoles) {
      std::string name = absl::StrCat(RoleName(role), "-user");
      auto token = AddToken(data_dir(), name, role,
                            role == Role::kOfficer
                                ? std::vector<std::string>{"Jane Smith"}
                                : std::vector<std::string>{},
                            "2024-01-01T00:00:00Z");
      ASSERT_OK(token);
      tokens_[role] = *token;
    }
  }

  static constexpr Role kRoles[] = {Role::kViewer, Role::kOfficer,
                                    Role::kScrutiny, Role::kAdmin};

  std::string data_dir() const { return dir_.Sub("data"); }

  void Start(ServerOptions options = ServerOptions()) {
    if (options.listen == ServerOptions().listen) options.listen = "127.0.0.1:0";
    options.data_dir = data_dir();
    options.clock = &clock_;
    auto started = Server::Start(options);
    ASSERT_OK(started);
    server_ = *std::move(started);
  }

  std::unique_ptr<Stub> StubFor(const std::string& token,
                                client::ConnectOptions options = {}) {
    options.token = token;
    return v1::Tracker::NewStub(client::Connect(server_->address(), options));
  }

  static grpc::Status Apply(Stub& stub, std::vector<v1::Command> commands,
                            v1::ApplyResponse* response = nullptr) {
    v1::ApplyRequest request;
    for (auto& c : commands) *request.add_commands() = std::move(c);
    v1::ApplyResponse ignored;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(20));
    return stub.Apply(&ctx, request, response ? response : &ignored);
  }

  // Opens a review with one accepted recommendation (as the admin).
  void Seed() {
    admin_ = StubFor(tokens_[Role::kAdmin]);
    v1::Command rec;
    rec.mutable_add_recommendation()->set_review_id("$0");
    rec.mutable_add_recommendation()->set_ref("1");
    rec.mutable_add_recommendation()->set_text("Improve play areas");
    v1::Command response;
    response.mutable_record_response()->set_recommendation_id("$1");
    response.mutable_record_response()->set_decision(v1::DECISION_ACCEPTED);
    response.mutable_record_response()->set_text("Agreed");
    v1::ApplyResponse r;
    grpc::Status s = Apply(*admin_, {OpenReview("Play"), rec, response}, &r);
    ASSERT_TRUE(s.ok()) << s.error_message();
    review_ = r.results(0).entity_id();
    rec_ = r.results(1).entity_id();
    v1::ApplyResponse a;
    ASSERT_TRUE(Apply(*admin_, {AddAction(rec_, "Jane Smith")}, &a).ok());
    action_ = a.results(0).entity_id();
  }

  // A new action led by `lead`, added by the admin.
  std::string NewAction(const std::string& lead) {
    v1::ApplyResponse r;
    grpc::Status s = Apply(*admin_, {AddAction(rec_, lead)}, &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return s.ok() ? r.results(0).entity_id() : "";
  }

  testing::TempDir dir_;
  FakeClock clock_{absl::FromUnixSeconds(1700000000)};
  std::map<Role, std::string> tokens_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<Stub> admin_;
  std::string review_, rec_, action_;
  int backups_ = 0;
};

// One line of the permission table: an RPC (or a kind of Apply), the roles
// that may make it, and a call that succeeds when allowed.
struct Permitted {
  std::string rpc;
  std::string what;
  std::set<Role> roles;
  std::function<grpc::Status(AccessTest&, Stub&)> call;
};

const std::set<Role> kEveryone = {Role::kViewer, Role::kOfficer,
                                  Role::kScrutiny, Role::kAdmin};
const std::set<Role> kOfficerUp = {Role::kOfficer, Role::kScrutiny,
                                   Role::kAdmin};
const std::set<Role> kScrutinyUp = {Role::kScrutiny, Role::kAdmin};
const std::set<Role> kAdminOnly = {Role::kAdmin};

template <typename Request, typename Response>
grpc::Status Unary(grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                const Request&, Response*),
                   Stub& stub, const Request& request) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  Response response;
  return (stub.*method)(&ctx, request, &response);
}

grpc::Status Bulk(Stub& stub, v1::Command command) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  auto stream = stub.BulkApply(&ctx);
  v1::BulkApplyRequest request;
  *request.mutable_chunk()->add_commands() = std::move(command);
  stream->Write(request);
  stream->WritesDone();
  v1::BulkApplyResponse response;
  int acknowledged = 0;
  while (stream->Read(&response)) ++acknowledged;
  grpc::Status status = stream->Finish();
  if (status.ok() && acknowledged != 1) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "chunk not acknowledged");
  }
  return status;
}

const std::vector<Permitted>& PermissionTable() {
  static const auto* table = new std::vector<Permitted>{
      {"Apply", "open a review (likewise every other change)", kScrutinyUp,
       [](AccessTest&, Stub& s) {
         return AccessTest::Apply(s, {OpenReview("Parks")});
       }},
      {"Apply", "add an action", kScrutinyUp,
       [](AccessTest& t, Stub& s) {
         return AccessTest::Apply(s, {AddAction(t.rec_, "Jane Smith")});
       }},
      {"Apply", "report progress on an action the officer leads", kOfficerUp,
       [](AccessTest& t, Stub& s) {
         return AccessTest::Apply(s, {Progress(t.NewAction("Jane Smith"))});
       }},
      {"Apply", "set the status of an action the officer leads", kOfficerUp,
       [](AccessTest& t, Stub& s) {
         // Leads match whatever their case.
         return AccessTest::Apply(s, {Status(t.NewAction("jane smith"))});
       }},
      {"Apply", "report progress on an action someone else leads",
       kScrutinyUp,
       [](AccessTest& t, Stub& s) {
         return AccessTest::Apply(s, {Progress(t.NewAction("Tom Jones"))});
       }},
      {"BulkApply", "progress on actions the officer leads", kOfficerUp,
       [](AccessTest& t, Stub& s) {
         return Bulk(s, Progress(t.NewAction("Jane Smith")));
       }},
      {"BulkApply", "any other change", kScrutinyUp,
       [](AccessTest&, Stub& s) { return Bulk(s, OpenReview("Libraries")); }},
      {"GetReview", "read a review", kEveryone,
       [](AccessTest& t, Stub& s) {
         v1::GetReviewRequest r;
         r.set_id(t.review_);
         return Unary(&Stub::GetReview, s, r);
       }},
      {"GetRecommendation", "read a recommendation", kEveryone,
       [](AccessTest& t, Stub& s) {
         v1::GetRecommendationRequest r;
         r.set_id(t.rec_);
         return Unary(&Stub::GetRecommendation, s, r);
       }},
      {"GetAction", "read an action", kEveryone,
       [](AccessTest& t, Stub& s) {
         v1::GetActionRequest r;
         r.set_id(t.action_);
         return Unary(&Stub::GetAction, s, r);
       }},
      {"ListReviews", "list reviews", kEveryone,
       [](AccessTest&, Stub& s) {
         return Unary(&Stub::ListReviews, s, v1::ListReviewsRequest());
       }},
      {"ListActions", "query actions (overdue, by lead, ...)", kEveryone,
       [](AccessTest&, Stub& s) {
         v1::ListActionsRequest r;
         r.set_overdue(true);
         return Unary(&Stub::ListActions, s, r);
       }},
      {"GetReport", "a committee report", kEveryone,
       [](AccessTest& t, Stub& s) {
         v1::GetReportRequest r;
         r.set_review_id(t.review_);
         return Unary(&Stub::GetReport, s, r);
       }},
      {"GetHistory", "the history of a review, recommendation or action",
       kEveryone,
       [](AccessTest& t, Stub& s) {
         v1::GetHistoryRequest r;
         r.set_id(t.action_);
         return Unary(&Stub::GetHistory, s, r);
       }},
      {"ReadEvents", "read the event log", kEveryone,
       [](AccessTest&, Stub& s) {
         v1::ReadEventsRequest r;
         r.set_from_position(1);
         return Unary(&Stub::ReadEvents, s, r);
       }},
      {"Watch", "follow changes as they happen", kEveryone,
       [](AccessTest&, Stub& s) {
         grpc::ClientContext ctx;
         ctx.set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(20));
         v1::WatchRequest r;
         r.set_from_position(1);
         auto reader = s.Watch(&ctx, r);
         v1::WatchResponse first;
         if (reader->Read(&first)) {
           ctx.TryCancel();
           reader->Finish();
           return grpc::Status::OK;
         }
         return reader->Finish();
       }},
      {"Verify", "check the database against its log", kAdminOnly,
       [](AccessTest&, Stub& s) {
         return Unary(&Stub::Verify, s, v1::VerifyRequest());
       }},
      {"Backup", "back up the database", kAdminOnly,
       [](AccessTest& t, Stub& s) {
         v1::BackupRequest r;
         r.set_directory(t.dir_.Sub(absl::StrCat("backup", ++t.backups_)));
         return Unary(&Stub::Backup, s, r);
       }},
  };
  return *table;
}

// The table as README.md shows it.
std::string RenderTable() {
  std::string out = "| RPC | what | viewer | officer | scrutiny | admin |\n"
                    "|---|---|:-:|:-:|:-:|:-:|\n";
  for (const Permitted& p : PermissionTable()) {
    absl::StrAppend(&out, "| `", p.rpc, "` | ", p.what, " |");
    for (Role role : AccessTest::kRoles) {
      absl::StrAppend(&out, p.roles.count(role) ? " yes |" : " no |");
    }
    out += "\n";
  }
  return out;
}

TEST_F(AccessTest, EveryRpcWithEveryRoleMatchesThePermissionTable) {
  Start();
  Seed();
  for (const Permitted& p : PermissionTable()) {
    for (Role role : kRoles) {
      SCOPED_TRACE(absl::StrCat(p.rpc, " (", p.what, ") as ", RoleName(role)));
      auto stub = StubFor(tokens_[role]);
      grpc::Status status = p.call(*this, *stub);
      if (p.roles.count(role)) {
        EXPECT_TRUE(status.ok())
            << status.error_code() << ": " << status.error_message();
      } else {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << status.error_message();
        EXPECT_THAT(status.error_message(), HasSubstr("permission \""));
        EXPECT_THAT(status.error_message(),
                    HasSubstr(absl::StrCat(RoleName(role), "-user")));
      }
    }
    // Without a token, or with a forged one, nothing is allowed.
    for (const std::string& token :
         {std::string(), std::string("rt_000000000000_forged")}) {
      SCOPED_TRACE(absl::StrCat(p.rpc, " (", p.what, ") with token \"",
                                token, "\""));
      auto stub = StubFor(token);
      grpc::Status status = p.call(*this, *stub);
      EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
          << status.error_message();
    }
  }
}

TEST_F(AccessTest, EveryRpcOfTheServiceIsInThePermissionTable) {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          v1::Tracker::service_full_name());
  ASSERT_NE(service, nullptr);
  std::set<std::string> listed;
  for (const Permitted& p : PermissionTable()) listed.insert(p.rpc);
  for (int i = 0; i < service->method_count(); ++i) {
    EXPECT_TRUE(listed.count(service->method(i)->name()))
        << service->method(i)->name() << " has no row in the permission table";
  }
}

TEST_F(AccessTest, ReadmePermissionTableIsTheTestedOne) {
  const std::string readme_path = std::string(RECTRACK_SOURCE_DIR) + "/README.md";
  const std::string begin = "<!-- permission table: from tests/access_test.cc -->\n";
  const std::string end = "<!-- end of permission table -->";
  std::string readme = ReadFile(readme_path);
  size_t from = readme.find(begin);
  size_t to = readme.find(end);
  ASSERT_NE(from, std::string::npos) << "README.md lacks: " << begin;
  ASSERT_NE(to, std::string::npos) << "README.md lacks: " << end;
  std::string current = readme.substr(from + begin.size(), to - from - begin.size());
  if (current != RenderTable() && std::getenv("RECTRACK_UPDATE_README")) {
    readme.replace(from + begin.size(), current.size(), RenderTable());
    std::ofstream(readme_path) << readme;
    current = RenderTable();
  }
  EXPECT_EQ(current, RenderTable())
      << "README.md's permission table differs from the tested one; rerun "
         "with RECTRACK_UPDATE_README=1 to rewrite it";
}

TEST_F(AccessTest, EventsNameTheTokenNotAnythingInTheRequest) {
  Start();
  Seed();
  auto officer = StubFor(tokens_[Role::kOfficer]);
  v1::ApplyResponse r;
  ASSERT_TRUE(Apply(*officer, {Progress(action_)}, &r).ok());
  v1::GetHistoryRequest h;
  h.set_id(action_);
  v1::GetHistoryResponse history;
  grpc::ClientContext ctx;
  ASSERT_TRUE(officer->GetHistory(&ctx, h, &history).ok());
  ASSERT_EQ(history.events_size(), 2);
  EXPECT_EQ(history.events(0).actor(), "admin-user");
  EXPECT_EQ(history.events(1).actor(), "officer-user");
}

// Request ids are scoped by caller and by kind of call (issue 16, item 4).
TEST_F(AccessTest, RequestIdsBelongToTheirCallerAndKindOfCall) {
  Start();
  Seed();
  auto scrutiny = StubFor(tokens_[Role::kScrutiny]);
  auto officer = StubFor(tokens_[Role::kOfficer]);
  auto apply = [](Stub& stub, const std::string& id, v1::Command command,
                  v1::ApplyResponse* response) {
    v1::ApplyRequest request;
    request.set_request_id(id);
    *request.add_commands() = std::move(command);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(20));
    return stub.Apply(&ctx, request, response);
  };
  // Scrutiny's request; the officer replaying its id gets its own change,
  // not scrutiny's result.
  v1::ApplyResponse first, replay;
  ASSERT_TRUE(apply(*scrutiny, "R1", Progress(action_), &first).ok());
  ASSERT_TRUE(apply(*officer, "R1", Progress(action_), &replay).ok());
  EXPECT_FALSE(replay.replayed());
  EXPECT_NE(replay.results(0).position(), first.results(0).position());
  // The officer claims an id first: scrutiny's own request with it still
  // applies.
  v1::ApplyResponse claimed, own;
  ASSERT_TRUE(apply(*officer, "R2", Progress(action_), &claimed).ok());
  grpc::Status s = apply(*scrutiny, "R2", Status(action_), &own);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(own.replayed());
  // "bulk:Q" by Apply and Q by an all-or-nothing BulkApply are two requests.
  v1::ApplyResponse bulk_named;
  ASSERT_TRUE(apply(*scrutiny, "bulk:Q", Progress(action_), &bulk_named).ok());
  {
    grpc::ClientContext ctx;
    auto stream = scrutiny->BulkApply(&ctx);
    v1::BulkApplyRequest request;
    request.set_all_or_nothing(true);
    request.mutable_chunk()->set_request_id("Q");
    *request.mutable_chunk()->add_commands() = Progress(action_);
    ASSERT_TRUE(stream->Write(request));
    stream->WritesDone();
    v1::BulkApplyResponse response;
    ASSERT_TRUE(stream->Read(&response));
    EXPECT_FALSE(response.result().replayed());
    EXPECT_NE(response.result().results(0).position(),
              bulk_named.results(0).position());
    EXPECT_TRUE(stream->Finish().ok());
  }
  // A retry by the same caller after a restart still returns the original.
  server_.reset();
  Start();
  scrutiny = StubFor(tokens_[Role::kScrutiny]);
  v1::ApplyResponse retried;
  ASSERT_TRUE(apply(*scrutiny, "R1", Progress(action_), &retried).ok());
  EXPECT_TRUE(retried.replayed());
  EXPECT_EQ(retried.results(0).position(), first.results(0).position());
}

TEST_F(AccessTest, OfficerRefusalNamesTheLeadsAndThePermission) {
  Start();
  Seed();
  std::string other = NewAction("Tom Jones");
  auto officer = StubFor(tokens_[Role::kOfficer]);
  // Own action first, someone else's second: nothing of the request lands.
  grpc::Status s = Apply(*officer, {Progress(action_), Progress(other)});
  ASSERT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(),
              HasSubstr(absl::StrCat("command 1: report_progress on ", other)));
  EXPECT_THAT(s.error_message(), HasSubstr("not led by Jane Smith"));
  EXPECT_THAT(s.error_message(), HasSubstr("permission \"update own actions\""));
  v1::GetActionRequest get;
  get.set_id(action_);
  v1::Action action;
  grpc::ClientContext ctx;
  ASSERT_TRUE(officer->GetAction(&ctx, get, &action).ok());
  EXPECT_EQ(action.progress_size(), 0);
}

TEST_F(AccessTest, TokensAddedAndRevokedTakeEffectWithoutARestart) {
  Start();
  Seed();
  ASSERT_OK(AddToken(data_dir(), "temp-clerk", Role::kScrutiny, {},
                     "2024-01-02T00:00:00Z"));
  // The secret only AddToken's caller saw: fetch it again by adding anew.
  ASSERT_OK(RevokeToken(data_dir(), "temp-clerk"));
  auto token = AddToken(data_dir(), "temp-clerk", Role::kScrutiny, {},
                        "2024-01-02T00:00:00Z");
  ASSERT_OK(token);
  auto clerk = StubFor(*token);
  ASSERT_TRUE(Apply(*clerk, {OpenReview("Housing")}).ok());
  ASSERT_OK(RevokeToken(data_dir(), "temp-clerk"));
  grpc::Status s = Apply(*clerk, {OpenReview("Housing")});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("not valid"));
  // Other tokens are unaffected.
  EXPECT_TRUE(Apply(*admin_, {OpenReview("Housing")}).ok());
}

TEST_F(AccessTest, ADamagedTokenFileLetsNobodyInUntilMended) {
  Start();
  Seed();
  const std::string path = TokensPath(data_dir());
  const std::string good = ReadFile(path);
  std::ofstream(path, std::ios::app) << "junk line\n";
  for (const std::string& token : {tokens_[Role::kAdmin], std::string()}) {
    auto stub = StubFor(token);
    grpc::Status s = Unary(&Stub::ListReviews, *stub, v1::ListReviewsRequest());
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << token;
    EXPECT_THAT(s.error_message(), HasSubstr("token file"));
    // The reason is for the administrator's log, not the caller.
    EXPECT_THAT(s.error_message(), Not(HasSubstr("line")));
  }
  std::ofstream(path, std::ios::trunc) << good;
  EXPECT_TRUE(
      Unary(&Stub::ListReviews, *admin_, v1::ListReviewsRequest()).ok());
}

TEST_F(AccessTest, OpenOnLoopbackUntilTheFirstTokenExists) {
  std::filesystem::remove(TokensPath(data_dir()));  // never had a token
  Start();
  auto anyone = StubFor("");
  v1::ApplyResponse r;
  ASSERT_TRUE(Apply(*anyone, {OpenReview("Open")}, &r).ok());
  EXPECT_THAT(server_->access_summary(), HasSubstr("open"));
  auto token =
      AddToken(data_dir(), "first", Role::kViewer, {}, "2024-01-02T00:00:00Z");
  ASSERT_OK(token);
  grpc::Status s = Apply(*anyone, {OpenReview("Closed now")});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("RECTRACK_TOKEN"));
  EXPECT_THAT(server_->access_summary(), HasSubstr("needs an access token"));
}

TEST_F(AccessTest, RevokingTheLastTokenLeavesTheTrackerClosed) {
  Start();
  Seed();
  for (Role role : kRoles) {
    auto left = RevokeToken(data_dir(), absl::StrCat(RoleName(role), "-user"));
    ASSERT_OK(left);
    EXPECT_EQ(*left, static_cast<size_t>(3 - static_cast<int>(role)));
  }
  // Nobody is let in: not the revoked admin, not an anonymous caller.
  for (const std::string& token : {tokens_[Role::kAdmin], std::string()}) {
    auto stub = StubFor(token);
    grpc::Status s = Unary(&Stub::Verify, *stub, v1::VerifyRequest());
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    s = Unary(&Stub::ListReviews, *stub, v1::ListReviewsRequest());
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    if (token.empty()) {
      EXPECT_THAT(s.error_message(), HasSubstr("every access token"));
      EXPECT_THAT(s.error_message(), HasSubstr("rectrackd token add"));
    }
  }
  EXPECT_THAT(server_->access_summary(), Not(HasSubstr("open")));
  // Also after a restart.
  server_.reset();
  Start();
  EXPECT_EQ(Unary(&Stub::ListReviews, *StubFor(""), v1::ListReviewsRequest())
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // A new token reopens it for its holder only.
  auto token =
      AddToken(data_dir(), "new-admin", Role::kAdmin, {}, "2024-01-02T00:00:00Z");
  ASSERT_OK(token);
  EXPECT_TRUE(
      Unary(&Stub::ListReviews, *StubFor(*token), v1::ListReviewsRequest())
          .ok());
}

TEST_F(AccessTest, NonLoopbackNeedsTlsOrAnExplicitFlagAndThenATokenStill) {
  std::filesystem::remove(TokensPath(data_dir()));  // never had a token
  ServerOptions options;
  options.listen = "0.0.0.0:0";
  options.data_dir = data_dir();
  options.clock = &clock_;
  auto refused = Server::Start(options);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("without TLS"));
  EXPECT_THAT(refused.status().message(), HasSubstr("--allow-plaintext"));

  options.allow_plaintext = true;
  auto started = Server::Start(options);
  ASSERT_OK(started);
  // No tokens: not open, because the address is not loopback.
  auto stub = v1::Tracker::NewStub(client::Connect(
      absl::StrCat("127.0.0.1:", (*started)->port()), {}));
  grpc::Status s =
      Unary(&Stub::ListReviews, *stub, v1::ListReviewsRequest());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("rectrackd token add"));
}

TEST_F(AccessTest, TextIsCheckedForLengthAndControlCharacters) {
  Start();
  Seed();
  grpc::Status s = Apply(*admin_, {OpenReview("Parks\x07 review")});
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("commands[0].open_review.title"));
  EXPECT_THAT(s.error_message(), HasSubstr("control character"));

  v1::Command long_text = AddAction(rec_, "Jane Smith");
  long_text.mutable_add_action()->set_text(std::string(kMaxTextBytes + 1, 'a'));
  s = Apply(*admin_, {OpenReview("Fine"), long_text});
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("commands[1].add_action.text"));
  EXPECT_THAT(s.error_message(), HasSubstr("at most 65536"));

  v1::Command long_lead = AddAction(rec_, std::string(5000, 'b'));
  s = Apply(*admin_, {long_lead});
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("commands[0].add_action.leads[0]"));

  // Newlines and tabs are fine; nothing of the refused requests landed.
  ASSERT_TRUE(Apply(*admin_, {OpenReview("Line one\n\tLine two")}).ok());
  v1::ListReviewsResponse reviews;
  grpc::ClientContext ctx;
  ASSERT_TRUE(
      admin_->ListReviews(&ctx, v1::ListReviewsRequest(), &reviews).ok());
  EXPECT_EQ(reviews.reviews_size(), 2);

  // Reads are checked too.
  v1::GetReviewRequest get;
  get.set_id("review-1\x1b[2J");
  s = Unary(&Stub::GetReview, *admin_, get);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("id holds a control character"));
}

TEST_F(AccessTest, InvalidUtf8IsRefusedNamingTheField) {
  Start();
  Seed();
  // A C++ client can put any bytes in a string field.
  grpc::Status s = Apply(*admin_, {OpenReview("Parks \xc3\x28 review")});
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("commands[0].open_review.title"));
  EXPECT_THAT(s.error_message(), HasSubstr("UTF-8"));
}

// ---------------------------------------------------------------- TLS

// Certificates made with openssl for this test: a CA, a server certificate
// for localhost signed by it, a client certificate (CN=clerk) signed by it,
// and a second CA nobody trusts with its own client certificate.
class TlsTest : public AccessTest {
 protected:
  void SetUp() override {
    AccessTest::SetUp();
    const std::string d = dir_.path();
    std::string script = absl::StrCat(
        "set -e; cd ", d, "\n",
        "cat > san.cnf <<EOF\n"
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
        "EOF\n"
        "for ca in ca rogue; do\n"
        "  openssl req -x509 -newkey rsa:2048 -nodes -keyout $ca.key "
        "-out $ca.pem -days 2 -subj \"/CN=$ca test CA\" 2>/dev/null\n"
        "done\n"
        "openssl req -newkey rsa:2048 -nodes -keyout server.key -out "
        "server.csr -subj /CN=localhost 2>/dev/null\n"
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key "
        "-CAcreateserial -out server.pem -days 2 -extfile san.cnf 2>/dev/null\n"
        "openssl req -newkey rsa:2048 -nodes -keyout clerk.key -out clerk.csr "
        "-subj \"/O=Test Council/CN=clerk\" 2>/dev/null\n"
        "openssl x509 -req -in clerk.csr -CA ca.pem -CAkey ca.key "
        "-CAcreateserial -out clerk.pem -days 2 2>/dev/null\n"
        "openssl req -newkey rsa:2048 -nodes -keyout intruder.key -out "
        "intruder.csr -subj /CN=clerk 2>/dev/null\n"
        "openssl x509 -req -in intruder.csr -CA rogue.pem -CAkey rogue.key "
        "-CAcreateserial -out intruder.pem -days 2 2>/dev/null\n");
    ASSERT_EQ(std::system(script.c_str()), 0) << "openssl failed";
  }

  std::string Pem(const std::string& name) {
    return ReadFile(dir_.Sub(name));
  }

  ServerOptions TlsOptions(bool mutual) {
    ServerOptions options;
    options.tls_cert = dir_.Sub("server.pem");
    options.tls_key = dir_.Sub("server.key");
    if (mutual) options.tls_client_ca = dir_.Sub("ca.pem");
    return options;
  }

  client::ConnectOptions Trusting(const std::string& ca) {
    client::ConnectOptions options;
    options.tls = true;
    options.tls_ca_pem = Pem(ca);
    options.tls_server_name = "localhost";
    return options;
  }

  static grpc::Status List(Stub& stub) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(5));
    v1::ListReviewsResponse r;
    return stub.ListReviews(&ctx, v1::ListReviewsRequest(), &r);
  }
};

TEST_F(TlsTest, TlsHandshakeSucceedsWithTheRightCaAndFailsOtherwise) {
  Start(TlsOptions(false));
  auto good = StubFor(tokens_[Role::kViewer], Trusting("ca.pem"));
  grpc::Status s = List(*good);
  EXPECT_TRUE(s.ok()) << s.error_message();

  auto wrong_ca = StubFor(tokens_[Role::kViewer], Trusting("rogue.pem"));
  EXPECT_EQ(List(*wrong_ca).error_code(), grpc::StatusCode::UNAVAILABLE);

  // A plaintext client gets a clean failure, not a hang.
  auto plaintext = StubFor(tokens_[Role::kViewer]);
  EXPECT_EQ(List(*plaintext).error_code(), grpc::StatusCode::UNAVAILABLE);

  // TLS does not replace the token.
  auto no_token = StubFor("", Trusting("ca.pem"));
  EXPECT_EQ(List(*no_token).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(TlsTest, MutualTlsNamesTheCertificateSubjectAsTheActor) {
  ASSERT_OK(AddToken(data_dir(), "clerk", Role::kScrutiny, {},
                     "2024-01-02T00:00:00Z"));
  Start(TlsOptions(true));
  client::ConnectOptions with_cert = Trusting("ca.pem");
  with_cert.tls_cert_pem = Pem("clerk.pem");
  with_cert.tls_key_pem = Pem("clerk.key");
  auto clerk = StubFor("", with_cert);
  v1::ApplyResponse r;
  grpc::Status s = Apply(*clerk, {OpenReview("Waste")}, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::GetHistoryRequest h;
  h.set_id(r.results(0).entity_id());
  v1::GetHistoryResponse history;
  grpc::ClientContext ctx;
  ASSERT_TRUE(clerk->GetHistory(&ctx, h, &history).ok());
  ASSERT_EQ(history.events_size(), 1);
  EXPECT_THAT(history.events(0).actor(), HasSubstr("CN=clerk"));
  EXPECT_THAT(history.events(0).actor(), HasSubstr("O=Test Council"));

  // No client certificate, or one from a CA the server does not trust:
  // the handshake fails, token or not.
  auto no_cert = StubFor(tokens_[Role::kAdmin], Trusting("ca.pem"));
  EXPECT_EQ(List(*no_cert).error_code(), grpc::StatusCode::UNAVAILABLE);
  client::ConnectOptions intruder = Trusting("ca.pem");
  intruder.tls_cert_pem = Pem("intruder.pem");
  intruder.tls_key_pem = Pem("intruder.key");
  auto rogue = StubFor(tokens_[Role::kAdmin], intruder);
  EXPECT_EQ(List(*rogue).error_code(), grpc::StatusCode::UNAVAILABLE);

  // With a certificate and a token, the token decides the role.
  client::ConnectOptions viewer_with_cert = with_cert;
  auto viewer = StubFor(tokens_[Role::kViewer], viewer_with_cert);
  EXPECT_EQ(Apply(*viewer, {OpenReview("Waste")}).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(TlsTest, BadTlsSettingsAreRefusedAtStart) {
  ServerOptions options = TlsOptions(false);
  options.tls_key.clear();
  options.listen = "127.0.0.1:0";
  options.data_dir = data_dir();
  options.clock = &clock_;
  auto s = Server::Start(options);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr("--tls-key"));
  options = TlsOptions(false);
  options.tls_cert = dir_.Sub("missing.pem");
  options.listen = "127.0.0.1:0";
  options.data_dir = data_dir();
  options.clock = &clock_;
  s = Server::Start(options);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.status().message(), HasSubstr("missing.pem"));
  // A key of another certificate: said so, not "address in use".
  options = TlsOptions(false);
  options.tls_key = dir_.Sub("clerk.key");
  options.listen = "127.0.0.1:0";
  options.data_dir = data_dir();
  options.clock = &clock_;
  s = Server::Start(options);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.status().message(), HasSubstr("does not belong to the certificate"));
  // A certificate file that holds a key instead.
  options.tls_cert = dir_.Sub("server.key");
  s = Server::Start(options);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.status().message(), HasSubstr("holds no PEM certificate"));
}

TEST_F(AccessTest, OnlyNumericLoopbackAddressesAndLocalhostCountAsLoopback) {
  std::filesystem::remove(TokensPath(data_dir()));  // never had a token
  for (std::string listen :
       {"127.0.0.1.nip.io:0", "127.example.org:0", "[127.0.0.1]x:0",
        "ipv4:127.0.0.1.nip.io:0"}) {
    ServerOptions options;
    options.listen = listen;
    options.data_dir = data_dir();
    options.clock = &clock_;
    auto s = Server::Start(options);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition)
        << listen;
    EXPECT_THAT(s.status().message(), HasSubstr("without TLS")) << listen;
  }
  for (std::string listen : {"127.0.0.1:0", "localhost:0", "[::1]:0",
                                    "127.0.0.2:0"}) {
    ServerOptions options;
    options.listen = listen;
    options.data_dir = data_dir();
    options.clock = &clock_;
    auto s = Server::Start(options);
    if (!s.ok() && listen == "[::1]:0" &&
        !absl::StrContains(s.status().message(), "without TLS")) {
      continue;  // a machine without IPv6 cannot bind it at all
    }
    ASSERT_OK(s);
    EXPECT_THAT((*s)->access_summary(), HasSubstr("open")) << listen;
  }
}

}  // namespace
}  // namespace rectrack::service
