// Who may do what: every RPC of rectrack.v1.Tracker called with every role
// against a real server, tokens added and revoked while it runs, request
// ids per caller, and the limits on what a request may hold (TLS and
// loopback: transport_test.cc).
//
// kPermissions below is the source of README.md's permission table: the
// test renders it and fails if the README's copy differs (run with
// RECTRACK_UPDATE_README=1 to rewrite it).
#include <google/protobuf/descriptor.h>

#include "tests/access_fixture.h"

namespace rectrack::service::access_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

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
      {"Apply", "report progress on an action someone else leads", kScrutinyUp,
       [](AccessTest& t, Stub& s) {
         return AccessTest::Apply(s, {Progress(t.NewAction("Tom Jones"))});
       }},
      {"Apply", "answer the update asked on an action the officer leads",
       kOfficerUp,
       [](AccessTest& t, Stub& s) {
         const std::string action = t.AskedAction();
         return AccessTest::Apply(s, {Answer(action)});
       }},
      {"Apply", "approve or return an officer's answer", kScrutinyUp,
       [](AccessTest& t, Stub& s) {
         const std::string action = t.AskedAction();
         AccessTest::Apply(*t.admin_, {Answer(action)});
         v1::Command approve;
         approve.mutable_approve_update()->set_id(action);
         return AccessTest::Apply(s, {approve});
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
      {"ListRecommendations", "list recommendations (by review, status, ...)",
       kEveryone,
       [](AccessTest& t, Stub& s) {
         v1::ListRecommendationsRequest r;
         r.set_review_id(t.review_);
         return Unary(&Stub::ListRecommendations, s, r);
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
      {"ListPeople", "the directory of people (leads' addresses)", kEveryone,
       [](AccessTest&, Stub& s) {
         return Unary(&Stub::ListPeople, s, v1::ListPeopleRequest());
       }},
      {"ListUpdates", "the updates asked of leads, and where each stands",
       kEveryone,
       [](AccessTest&, Stub& s) {
         return Unary(&Stub::ListUpdates, s, v1::ListUpdatesRequest());
       }},
      {"ListOutbox", "the update cycle's messages, due and sent", kEveryone,
       [](AccessTest&, Stub& s) {
         return Unary(&Stub::ListOutbox, s, v1::ListOutboxRequest());
       }},
      {"Verify", "check the database against its log", kAdminOnly,
       [](AccessTest&, Stub& s) {
         return Unary(&Stub::Verify, s, v1::VerifyRequest());
       }},
      {"VerifyWithProgress", "check the database, showing progress", kAdminOnly,
       [](AccessTest&, Stub& s) {
         grpc::ClientContext ctx;
         auto reader =
             s.VerifyWithProgress(&ctx, v1::VerifyWithProgressRequest());
         v1::VerifyProgress progress;
         while (reader->Read(&progress)) {
         }
         return reader->Finish();
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
  std::string out =
      "| RPC | what | viewer | officer | scrutiny | admin |\n"
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
      SCOPED_TRACE(
          absl::StrCat(p.rpc, " (", p.what, ") with token \"", token, "\""));
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
  const std::string readme_path =
      std::string(RECTRACK_SOURCE_DIR) + "/README.md";
  const std::string begin =
      "<!-- permission table: from tests/access_test.cc -->\n";
  const std::string end = "<!-- end of permission table -->";
  std::string readme = ReadFile(readme_path);
  size_t from = readme.find(begin);
  size_t to = readme.find(end);
  ASSERT_NE(from, std::string::npos) << "README.md lacks: " << begin;
  ASSERT_NE(to, std::string::npos) << "README.md lacks: " << end;
  std::string current =
      readme.substr(from + begin.size(), to - from - begin.size());
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
  EXPECT_THAT(s.error_message(),
              HasSubstr("permission \"update own actions\""));
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
  auto token = AddToken(data_dir(), "new-admin", Role::kAdmin, {},
                        "2024-01-02T00:00:00Z");
  ASSERT_OK(token);
  EXPECT_TRUE(
      Unary(&Stub::ListReviews, *StubFor(*token), v1::ListReviewsRequest())
          .ok());
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

}  // namespace
}  // namespace rectrack::service::access_test
