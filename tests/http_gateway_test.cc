// rectrackd's HTTP port against a real rectrackd process with a real HTTP
// client (libcurl): the Connect protocol's JSON and binary calls, streams,
// gRPC-Web, errors with their details, tokens, CORS and /healthz; and the
// gRPC conventions of the same server: reflection v1 and v1alpha listing
// every service (health too), and google.rpc.Status details in
// grpc-status-details-bin.
#include <curl/curl.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "gtest/gtest.h"
#include "rectrack/v1/tracker.grpc.pb.h"
#include "tests/daemon.h"
#include "tests/test_util.h"

namespace rectrack {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

struct HttpReply {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower case
};

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t CollectHeader(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = absl::AsciiStrToLower(line.substr(0, colon));
    std::string value(absl::StripAsciiWhitespace(line.substr(colon + 1)));
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * n;
}

// One HTTP request with libcurl; `method` "POST", "GET" or "OPTIONS".
HttpReply Http(const std::string& method, const std::string& url,
               const std::string& body,
               const std::vector<std::string>& headers) {
  HttpReply reply;
  CURL* curl = curl_easy_init();
  curl_slist* list = nullptr;
  for (const std::string& h : headers)
    list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, CollectHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
  CURLcode rc = curl_easy_perform(curl);
  EXPECT_EQ(rc, CURLE_OK) << curl_easy_strerror(rc) << " " << url;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return reply;
}

std::string Envelope(uint8_t flags, const std::string& data) {
  std::string out(1, static_cast<char>(flags));
  for (int shift = 24; shift >= 0; shift -= 8) {
    out += static_cast<char>((data.size() >> shift) & 0xff);
  }
  return out + data;
}

// The frames of a streamed body: (flags, data).
std::vector<std::pair<int, std::string>> Frames(const std::string& body) {
  std::vector<std::pair<int, std::string>> frames;
  size_t at = 0;
  while (at + 5 <= body.size()) {
    uint32_t size = 0;
    for (int i = 1; i <= 4; ++i) {
      size = (size << 8) | static_cast<unsigned char>(body[at + i]);
    }
    frames.emplace_back(static_cast<unsigned char>(body[at]),
                        body.substr(at + 5, size));
    at += 5 + size;
  }
  return frames;
}

class HttpGatewayTest : public ::testing::Test {
 protected:
  void Start(const std::vector<std::string>& extra = {}) {
    daemon_ = std::make_unique<testing::Daemon>(RECTRACKD, dir_.path());
    std::vector<std::string> args = {"--http-listen", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    ASSERT_TRUE(daemon_->Start(args))
        << testing::ReadFile(dir_.Sub("rectrackd.log"));
    ASSERT_GT(daemon_->http_port(), 0);
  }
  void TearDown() override {
    if (daemon_ != nullptr) daemon_->Stop();
  }

  std::string Url(const std::string& path) const {
    return absl::StrCat("http://127.0.0.1:", daemon_->http_port(), path);
  }
  HttpReply Call(const std::string& method, const std::string& json,
                 std::vector<std::string> headers = {}) {
    headers.push_back("content-type: application/json");
    return Http("POST", Url("/rectrack.v1.Tracker/" + method), json, headers);
  }

  std::unique_ptr<v1::Tracker::Stub> Stub(const std::string& token = "") {
    client::ConnectOptions options;
    options.token = token;
    return v1::Tracker::NewStub(client::Connect(daemon_->address(), options));
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::Daemon> daemon_;
};

// Three commands that each fail in a dry run, on different fields.
constexpr char kThreeFailures[] = R"({"dryRun": true, "commands": [
  {"openReview": {"title": " ", "committee": "Overview and Scrutiny"}},
  {"addRecommendation": {"reviewId": "review-42", "ref": "A", "text": "Parks"}},
  {"reportProgress": {"id": "action-1", "text": "Done", "reportedOn": "31/31/2020"}}
]})";

void ExpectThreeViolations(const google::rpc::BadRequest& bad) {
  ASSERT_EQ(bad.field_violations_size(), 3) << bad.DebugString();
  EXPECT_EQ(bad.field_violations(0).field(), "commands[0].open_review.title");
  EXPECT_EQ(bad.field_violations(0).reason(), "FIELD_REQUIRED");
  EXPECT_EQ(bad.field_violations(1).field(),
            "commands[1].add_recommendation.review_id");
  EXPECT_EQ(bad.field_violations(1).reason(), "NOT_FOUND");
  EXPECT_THAT(bad.field_violations(1).description(), HasSubstr("review-42"));
  EXPECT_EQ(bad.field_violations(2).field(), "commands[2].report_progress.id");
  EXPECT_THAT(bad.field_violations(2).description(), HasSubstr("action-1"));
}

TEST_F(HttpGatewayTest, JsonCallsGoThroughTheTracker) {
  Start();
  HttpReply empty = Call("ListReviews", "{}");
  EXPECT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(empty.headers["content-type"], "application/json");
  EXPECT_EQ(empty.body, "{}");

  HttpReply applied = Call("Apply", R"({"commands": [{"openReview": {
      "title": "Review of Partnerships", "committee": "Strategic Leadership",
      "publishedOn": "2007-05-17"}}]})");
  ASSERT_EQ(applied.status, 200) << applied.body;
  EXPECT_THAT(applied.body, HasSubstr(R"("entityId":"review-1")"));

  HttpReply listed = Call("ListReviews", "{}");
  EXPECT_THAT(listed.body, HasSubstr(R"("title":"Review of Partnerships")"));
  // The same review over gRPC: one tracker behind both ports.
  grpc::ClientContext ctx;
  v1::GetReviewRequest get;
  get.set_id("review-1");
  v1::Review review;
  ASSERT_TRUE(Stub()->GetReview(&ctx, get, &review).ok());
  EXPECT_EQ(review.committee(), "Strategic Leadership");
  // The access log records the HTTP call like any other.
  EXPECT_THAT(testing::ReadFile(dir_.Sub("rectrackd.log")),
              HasSubstr("/rectrack.v1.Tracker/ListReviews"));
}

TEST_F(HttpGatewayTest, BinaryProtoAndGrpcWeb) {
  Start();
  v1::GetReviewRequest get;
  get.set_id("review-1");
  HttpReply missing =
      Http("POST", Url("/rectrack.v1.Tracker/GetReview"),
           get.SerializeAsString(), {"content-type: application/proto"});
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr(R"("code":"not_found")"));

  HttpReply web =
      Http("POST", Url("/rectrack.v1.Tracker/ListReviews"), Envelope(0, ""),
           {"content-type: application/grpc-web+proto"});
  EXPECT_EQ(web.status, 200);
  auto frames = Frames(web.body);
  ASSERT_EQ(frames.size(), 2u) << web.body;
  EXPECT_EQ(frames[0].first, 0);
  EXPECT_EQ(frames[1].first, 0x80);
  EXPECT_THAT(frames[1].second, HasSubstr("grpc-status:0"));
}

TEST_F(HttpGatewayTest, ErrorsAreConnectErrorsWithDetails) {
  Start();
  HttpReply missing = Call("GetReview", R"({"id": "review-9"})");
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr(R"("code":"not_found")"));
  EXPECT_THAT(missing.body, HasSubstr("review-9 does not exist"));
  EXPECT_THAT(missing.body, HasSubstr(R"("type":"google.rpc.ResourceInfo")"));
  EXPECT_THAT(missing.body, HasSubstr(R"("resourceName":"review-9")"));

  HttpReply unknown = Call("ListReviews", R"({"pageSise": 3})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_THAT(unknown.body, HasSubstr(R"("code":"invalid_argument")"));
  EXPECT_THAT(unknown.body, HasSubstr("pageSise"));

  HttpReply no_method = Call("DropEverything", "{}");
  EXPECT_EQ(no_method.status, 404);
  EXPECT_THAT(no_method.body, HasSubstr(R"("code":"unimplemented")"));

  HttpReply bad_type = Http("POST", Url("/rectrack.v1.Tracker/ListReviews"),
                            "{}", {"content-type: text/plain"});
  EXPECT_EQ(bad_type.status, 415);
  EXPECT_THAT(bad_type.body, HasSubstr("application/json"));
}

TEST_F(HttpGatewayTest, DryRunReportsEveryFailingFieldOverHttp) {
  Start();
  HttpReply reply = Call("Apply", kThreeFailures);
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_THAT(reply.body, HasSubstr(R"("code":"invalid_argument")"));
  EXPECT_THAT(reply.body, HasSubstr(R"("type":"google.rpc.BadRequest")"));
  // The detail's bytes, as a Connect client decodes them.
  size_t at = reply.body.find(R"("type":"google.rpc.BadRequest","value":")");
  ASSERT_NE(at, std::string::npos);
  at = reply.body.find("\"value\":\"", at) + 9;
  std::string value = reply.body.substr(at, reply.body.find('"', at) - at);
  std::string bytes;
  ASSERT_TRUE(absl::Base64Unescape(value, &bytes));
  google::rpc::BadRequest bad;
  ASSERT_TRUE(bad.ParseFromString(bytes));
  ExpectThreeViolations(bad);
}

TEST_F(HttpGatewayTest, DryRunReportsEveryFailingFieldOverGrpc) {
  Start();
  v1::ApplyRequest request;
  auto* open = request.add_commands()->mutable_open_review();
  open->set_title(" ");
  open->set_committee("Overview and Scrutiny");
  auto* rec = request.add_commands()->mutable_add_recommendation();
  rec->set_review_id("review-42");
  rec->set_ref("A");
  rec->set_text("Parks");
  auto* progress = request.add_commands()->mutable_report_progress();
  progress->set_id("action-1");
  progress->set_text("Done");
  progress->set_reported_on("31/31/2020");
  request.set_dry_run(true);
  grpc::ClientContext ctx;
  v1::ApplyResponse response;
  grpc::Status status = Stub()->Apply(&ctx, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details()));
  EXPECT_EQ(details.code(), 3);
  google::rpc::BadRequest bad;
  bool found = false;
  for (const auto& any : details.details()) {
    if (any.UnpackTo(&bad)) found = true;
  }
  ASSERT_TRUE(found) << details.DebugString();
  ExpectThreeViolations(bad);
}

TEST_F(HttpGatewayTest, VersionMismatchHasAStableReason) {
  Start();
  ASSERT_EQ(Call("Apply", R"({"commands": [{"openReview": {"title": "T",
      "committee": "C"}}]})")
                .status,
            200);
  HttpReply stale = Call("Apply", R"({"commands": [{"expectedVersion": "7",
      "scheduleReportBack": {"reviewId": "review-1", "date": "2026-01-05"}}]})");
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_THAT(stale.body, HasSubstr(R"("code":"aborted")"));
  EXPECT_THAT(stale.body, HasSubstr(R"("reason":"VERSION_MISMATCH")"));
  EXPECT_THAT(stale.body, HasSubstr(R"("actualVersion":"1")"));
}

TEST_F(HttpGatewayTest, ListingsArePagedFilteredAndCapped) {
  Start();
  // Three reviews of two committees; four recommendations in review-1.
  HttpReply seeded = Call("Apply", R"({"commands": [
    {"openReview": {"title": "Parks", "committee": "Place Scrutiny"}},
    {"openReview": {"title": "Libraries", "committee": "People Scrutiny"}},
    {"openReview": {"title": "Play areas", "committee": "place scrutiny"}},
    {"addRecommendation": {"reviewId": "$0", "ref": "1", "text": "a",
                           "portfolio": "Leader"}},
    {"addRecommendation": {"reviewId": "$0", "ref": "2", "text": "b",
                           "portfolio": "Environment"}},
    {"addRecommendation": {"reviewId": "$0", "ref": "3", "text": "c",
                           "portfolio": "leader"}},
    {"addRecommendation": {"reviewId": "$1", "ref": "1", "text": "d",
                           "portfolio": "Leader"}},
    {"recordResponse": {"recommendationId": "$6", "decision": "DECISION_REJECTED",
                        "text": "No", "reason": "Cost"}}]})");
  ASSERT_EQ(seeded.status, 200) << seeded.body;

  HttpReply page1 = Call("ListReviews", R"({"pageSize": 2})");
  EXPECT_THAT(page1.body, HasSubstr(R"("nextPageToken":"after:review-2")"));
  EXPECT_THAT(page1.body, Not(HasSubstr("Play areas")));
  HttpReply page2 =
      Call("ListReviews", R"({"pageSize": 2, "pageToken": "after:review-2"})");
  EXPECT_THAT(page2.body, HasSubstr("Play areas"));
  EXPECT_THAT(page2.body, Not(HasSubstr("nextPageToken")));
  HttpReply place = Call("ListReviews", R"({"committee": "PLACE SCRUTINY"})");
  EXPECT_THAT(place.body, HasSubstr("Parks"));
  EXPECT_THAT(place.body, HasSubstr("Play areas"));
  EXPECT_THAT(place.body, Not(HasSubstr("Libraries")));

  HttpReply by_review =
      Call("ListRecommendations", R"({"reviewId": "review-1"})");
  EXPECT_THAT(by_review.body, HasSubstr(R"("id":"rec-3")"));
  EXPECT_THAT(by_review.body, Not(HasSubstr(R"("id":"rec-4")")));
  HttpReply leader = Call("ListRecommendations", R"({"portfolio": "LEADER",
      "status": "RECOMMENDATION_STATUS_AWAITING_RESPONSE"})");
  EXPECT_THAT(leader.body, HasSubstr(R"("id":"rec-1")"));
  EXPECT_THAT(leader.body, HasSubstr(R"("id":"rec-3")"));
  EXPECT_THAT(leader.body, Not(HasSubstr(R"("id":"rec-2")")));
  EXPECT_THAT(leader.body, Not(HasSubstr(R"("id":"rec-4")")));  // rejected
  HttpReply paged = Call("ListRecommendations", R"({"pageSize": 3})");
  EXPECT_THAT(paged.body, HasSubstr(R"("nextPageToken":"after:rec-3")"));
  HttpReply missing =
      Call("ListRecommendations", R"({"reviewId": "review-9"})");
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr(R"("field":"review_id")"));

  // AIP-158: a page size above the maximum is read as the maximum.
  for (const char* method :
       {"ListReviews", "ListRecommendations", "ListActions"}) {
    HttpReply big = Call(method, R"({"pageSize": 5000})");
    EXPECT_EQ(big.status, 200) << method << ": " << big.body;
  }
  HttpReply bad_token = Call("ListReviews", R"({"pageToken": "after:rec-1"})");
  EXPECT_EQ(bad_token.status, 400);
  EXPECT_THAT(bad_token.body, HasSubstr("page_token"));
}

TEST_F(HttpGatewayTest, TokensAreNeededAsOnTheGrpcPort) {
  const std::string viewer =
      testing::AddToken(RECTRACKD, dir_.Sub("data"), "web", "viewer");
  ASSERT_FALSE(viewer.empty());
  Start();
  HttpReply refused = Call("ListReviews", "{}");
  EXPECT_EQ(refused.status, 401);
  EXPECT_THAT(refused.body, HasSubstr(R"("code":"unauthenticated")"));
  EXPECT_THAT(refused.body, HasSubstr(R"("reason":"TOKEN_REQUIRED")"));

  HttpReply wrong = Call("ListReviews", "{}", {"authorization: Bearer rt_x_y"});
  EXPECT_EQ(wrong.status, 401);

  HttpReply allowed =
      Call("ListReviews", "{}", {"authorization: Bearer " + viewer});
  EXPECT_EQ(allowed.status, 200) << allowed.body;

  HttpReply denied = Call("Verify", "{}", {"authorization: Bearer " + viewer});
  EXPECT_EQ(denied.status, 403);
  EXPECT_THAT(denied.body, HasSubstr(R"("reason":"PERMISSION_MISSING")"));

  // The gateway's own header cannot be forged from outside, on either port.
  HttpReply forged =
      Call("ListReviews", "{}",
           {"x-rectrack-gateway: guess", "authorization: Bearer " + viewer});
  EXPECT_EQ(forged.status, 200);  // HTTP headers are not passed through
  grpc::ClientContext ctx;
  ctx.AddMetadata("x-rectrack-gateway", "guess");
  v1::ListReviewsResponse reviews;
  grpc::Status s = Stub(viewer)->ListReviews(&ctx, {}, &reviews);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(HttpGatewayTest, WatchIsAConnectServerStream) {
  Start();
  ASSERT_EQ(Call("Apply", R"({"commands": [{"openReview": {"title": "T",
      "committee": "C"}}]})")
                .status,
            200);
  // Watch never ends by itself: the client stops once caught up.
  struct Seen {
    std::string body;
  } seen;
  CURL* curl = curl_easy_init();
  curl_slist* list =
      curl_slist_append(nullptr, "content-type: application/connect+json");
  std::string body = Envelope(0, R"({"fromPosition": "1"})");
  std::string url = Url("/rectrack.v1.Tracker/Watch");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION,
      +[](char* data, size_t size, size_t n, void* out) -> size_t {
        auto* s = static_cast<Seen*>(out);
        s->body.append(data, size * n);
        // Stop (by failing the write) once the caught-up marker came.
        return absl::StrContains(s->body, "caughtUp") ? 0 : size * n;
      });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &seen);
  curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  EXPECT_EQ(code, 200);
  auto frames = Frames(seen.body);
  ASSERT_EQ(frames.size(), 2u) << seen.body;
  EXPECT_THAT(frames[0].second, HasSubstr(R"("type":"ReviewOpened")"));
  EXPECT_THAT(frames[1].second, HasSubstr(R"("caughtUp":{"position":"1"})"));

  // A stream's error ends it with Connect's end-of-stream message.
  HttpReply missing =
      Http("POST", url, Envelope(0, R"({"reviewId": "review-5"})"),
           {"content-type: application/connect+json"});
  EXPECT_EQ(missing.status, 200);
  frames = Frames(missing.body);
  ASSERT_EQ(frames.size(), 1u) << missing.body;
  EXPECT_EQ(frames[0].first, 2);
  EXPECT_THAT(frames[0].second, HasSubstr(R"({"error":{"code":"not_found")"));
}

TEST_F(HttpGatewayTest, CorsForNamedOriginsOnly) {
  Start({"--http-cors-origins", "https://intranet.example.gov.uk"});
  HttpReply preflight =
      Http("OPTIONS", Url("/rectrack.v1.Tracker/ListReviews"), "",
           {"Origin: https://intranet.example.gov.uk",
            "Access-Control-Request-Method: POST",
            "Access-Control-Request-Headers: content-type, authorization"});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.headers["access-control-allow-origin"],
            "https://intranet.example.gov.uk");
  EXPECT_THAT(preflight.headers["access-control-allow-headers"],
              HasSubstr("authorization"));
  HttpReply call =
      Call("ListReviews", "{}", {"Origin: https://intranet.example.gov.uk"});
  EXPECT_EQ(call.headers["access-control-allow-origin"],
            "https://intranet.example.gov.uk");

  HttpReply other = Http(
      "OPTIONS", Url("/rectrack.v1.Tracker/ListReviews"), "",
      {"Origin: https://evil.example", "Access-Control-Request-Method: POST"});
  EXPECT_EQ(other.headers.count("access-control-allow-origin"), 0u);
}

TEST_F(HttpGatewayTest, HealthzAndHealthOverConnect) {
  Start();
  HttpReply health = Http("GET", Url("/healthz"), "", {});
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "SERVING\n");
  HttpReply check = Http("POST", Url("/grpc.health.v1.Health/Check"), "{}",
                         {"content-type: application/json"});
  EXPECT_EQ(check.status, 200);
  EXPECT_EQ(check.body, R"({"status":"SERVING"})");
}

TEST_F(HttpGatewayTest, PlaintextHttpOffLoopbackIsRefused) {
  daemon_ = std::make_unique<testing::Daemon>(RECTRACKD, dir_.path());
  EXPECT_FALSE(daemon_->Start({"--http-listen", "0.0.0.0:0"}));
  EXPECT_THAT(testing::ReadFile(dir_.Sub("rectrackd.log")),
              HasSubstr("refusing to serve on 0.0.0.0:0 without TLS"));
  daemon_.reset();
}

// Every service served, listed and described by reflection v1 and v1alpha.
std::vector<std::string> ListServices(std::shared_ptr<grpc::Channel> channel,
                                      bool v1) {
  grpc::reflection::v1::ServerReflectionRequest request;
  request.set_list_services("");
  grpc::ClientContext ctx;
  ctx.set_deadline(testing::In(20));
  grpc::GenericStub stub(channel);
  // v1alpha has the same messages on the wire: call it by name.
  const std::string method =
      v1 ? "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"
         : "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(&ctx, method, &cq);
  void* tag = nullptr;
  bool ok = false;
  call->StartCall(reinterpret_cast<void*>(1));
  cq.Next(&tag, &ok);
  std::string bytes = request.SerializeAsString();
  grpc::Slice slice(bytes.data(), bytes.size());
  call->Write(grpc::ByteBuffer(&slice, 1), reinterpret_cast<void*>(2));
  cq.Next(&tag, &ok);
  call->WritesDone(reinterpret_cast<void*>(3));
  cq.Next(&tag, &ok);
  grpc::ByteBuffer answer;
  call->Read(&answer, reinterpret_cast<void*>(4));
  cq.Next(&tag, &ok);
  std::vector<std::string> names;
  if (ok) {
    grpc::Slice got;
    (void)answer.DumpToSingleSlice(&got);
    grpc::reflection::v1::ServerReflectionResponse response;
    response.ParseFromString(
        std::string(reinterpret_cast<const char*>(got.begin()), got.size()));
    for (const auto& s : response.list_services_response().service()) {
      names.push_back(s.name());
    }
  }
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  cq.Next(&tag, &ok);
  std::sort(names.begin(), names.end());
  return names;
}

TEST_F(HttpGatewayTest, ReflectionV1AndV1AlphaListEveryService) {
  Start();
  auto channel = grpc::CreateChannel(daemon_->address(),
                                     grpc::InsecureChannelCredentials());
  const std::vector<std::string> expected = {
      "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection", "rectrack.v1.Tracker"};
  EXPECT_EQ(ListServices(channel, true), expected);
  EXPECT_EQ(ListServices(channel, false), expected);

  // Health is described, as buf curl --list-methods needs.
  auto stub = grpc::reflection::v1::ServerReflection::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(testing::In(20));
  auto stream = stub->ServerReflectionInfo(&ctx);
  for (const char* symbol : {"grpc.health.v1.Health", "rectrack.v1.Tracker"}) {
    grpc::reflection::v1::ServerReflectionRequest request;
    request.set_file_containing_symbol(symbol);
    ASSERT_TRUE(stream->Write(request));
    grpc::reflection::v1::ServerReflectionResponse response;
    ASSERT_TRUE(stream->Read(&response));
    ASSERT_TRUE(response.has_file_descriptor_response())
        << symbol << ": " << response.DebugString();
    google::protobuf::FileDescriptorProto file;
    ASSERT_TRUE(file.ParseFromString(
        response.file_descriptor_response().file_descriptor_proto(0)));
    EXPECT_THAT(file.package(), Not(::testing::IsEmpty()));
  }
  grpc::reflection::v1::ServerReflectionRequest unknown;
  unknown.set_file_containing_symbol("no.such.Service");
  ASSERT_TRUE(stream->Write(unknown));
  grpc::reflection::v1::ServerReflectionResponse response;
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_EQ(response.error_response().error_code(),
            static_cast<int>(grpc::StatusCode::NOT_FOUND));
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

}  // namespace
}  // namespace rectrack
