// The fixture of the access tests (access_test.cc, transport_test.cc): an
// in-process server with its own data directory, FakeClock and free port,
// and one token per role.
#pragma once

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
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rectrack/v1/tracker.grpc.pb.h"
#include "server/service/server.h"
#include "server/service/tokens.h"
#include "tests/test_util.h"

namespace rectrack::service::access_test {

using Stub = v1::Tracker::Stub;

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline v1::Command OpenReview(const std::string& title) {
  v1::Command c;
  c.mutable_open_review()->set_title(title);
  c.mutable_open_review()->set_committee("Overview and Scrutiny");
  return c;
}

inline v1::Command Progress(const std::string& action) {
  v1::Command c;
  c.mutable_report_progress()->set_id(action);
  c.mutable_report_progress()->set_text("Consultation under way");
  c.mutable_report_progress()->set_reported_on("2023-11-01");
  return c;
}

inline v1::Command Answer(const std::string& action) {
  v1::Command c;
  c.mutable_answer_update()->set_id(action);
  c.mutable_answer_update()->set_text("Play areas surveyed");
  return c;
}

inline v1::Command Status(const std::string& action) {
  v1::Command c;
  c.mutable_set_action_status()->set_id(action);
  c.mutable_set_action_status()->set_status(v1::ACTION_STATUS_IN_PROGRESS);
  return c;
}

inline v1::Command AddAction(const std::string& rec, const std::string& lead) {
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
    if (options.listen == ServerOptions().listen)
      options.listen = "127.0.0.1:0";
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

  // A new action led by Jane Smith with an update asked of its lead (by
  // the admin) for a meeting in 2030.
  std::string AskedAction() {
    const std::string action = NewAction("Jane Smith");
    v1::Command ask;
    ask.mutable_request_updates()->set_review_id(review_);
    ++asked_;
    ask.mutable_request_updates()->set_meeting(
        absl::StrFormat("2030-%02d-%02d", 1 + asked_ / 28, 1 + asked_ % 28));
    EXPECT_TRUE(Apply(*admin_, {ask}).ok());
    return action;
  }

  testing::TempDir dir_;
  int asked_ = 0;
  FakeClock clock_{absl::FromUnixSeconds(1700000000)};
  std::map<Role, std::string> tokens_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<Stub> admin_;
  std::string review_, rec_, action_;
  int backups_ = 0;
};

template <typename Request, typename Response>
inline grpc::Status Unary(grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                       const Request&,
                                                       Response*),
                          Stub& stub, const Request& request) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  Response response;
  return (stub.*method)(&ctx, request, &response);
}

inline grpc::Status Bulk(Stub& stub, v1::Command command) {
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

}  // namespace rectrack::service::access_test
