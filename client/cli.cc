// rectrack: the command-line client of rectrackd.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "client/args.h"
#include "client/client.h"
#include "client/import/csv.h"
#include "client/import/plan.h"
#include "client/import/transfer.h"
#include "client/render/format.h"
#include "client/render/report.h"
#include "common/dates.h"
#include "common/grpc_status.h"
#include "rectrack/v1/tracker.grpc.pb.h"

namespace rectrack::cli {
namespace {

constexpr char kDefaultServer[] = "127.0.0.1:50051";
constexpr int kExitServerError = 1;
constexpr int kExitUsage = 2;

// Everything a command handler needs.
struct Context {
  ParsedArgs args;
  std::string server;
  bool json = false;
  v1::Tracker::Stub* stub = nullptr;
  std::shared_ptr<grpc::Channel> channel;
};

using Handler = std::function<absl::Status(Context&)>;

struct CommandSpec {
  std::string name;       // "review open"
  std::string arguments;  // "--title T --committee C [--council O] ..."
  std::string summary;
  std::set<std::string> options;  // value options it accepts
  bool changes = false;           // takes --request-id / --expect-version
  Handler run;
  std::set<std::string> flags = {};  // options without a value it accepts
};

const std::set<std::string> kGlobalValueOptions = {
    "--server", "--token", "--tls-ca", "--tls-cert", "--tls-key"};
const std::set<std::string> kGlobalFlags = {"--json", "--help", "--tls"};
const std::set<std::string> kChangeOptions = {"--request-id",
                                              "--expect-version"};

constexpr char kUsagePayload[] = "rectrack.cli/usage";

// A mistake on the command line (as opposed to an error from the server).
absl::Status Usage(const std::string& message) {
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kUsagePayload, absl::Cord("1"));
  return status;
}

// ------------------------------------------------------------- RPC helpers

absl::Status Call(
    Context& ctx,
    const std::function<grpc::Status(grpc::ClientContext*)>& rpc) {
  grpc::ClientContext call;
  call.set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(30));
  grpc::Status status = rpc(&call);
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE &&
      (absl::StrContains(status.error_message(), "connect") ||
       absl::StrContains(status.error_message(), "Connection refused"))) {
    return absl::UnavailableError(absl::StrCat(
        "cannot reach rectrackd at ", ctx.server,
        "; is it running? Start it with rectrackd, or give --server "
        "HOST:PORT"));
  }
  return FromGrpcStatus(status);
}

// Calls one unary RPC, e.g. Unary(ctx, &v1::Tracker::Stub::GetReview, req,
// &review).
template <typename Request, typename Response>
absl::Status Unary(Context& ctx,
                   grpc::Status (v1::Tracker::Stub::*method)(
                       grpc::ClientContext*, const Request&, Response*),
                   const Request& request, Response* response) {
  return Call(ctx, [&](grpc::ClientContext* c) {
    return (ctx.stub->*method)(c, request, response);
  });
}

// Prints `response` as JSON with --json, else `text`.
void Print(const Context& ctx, const google::protobuf::Message& response,
           const std::string& text) {
  if (ctx.json) {
    std::cout << ToJson(response) << "\n";
  } else {
    std::cout << text;
  }
}

// Sends one command as an Apply request, with --request-id and
// --expect-version when given.
absl::StatusOr<v1::ApplyResponse> ApplyOne(Context& ctx, v1::Command command) {
  v1::ApplyRequest request;
  if (auto id = ctx.args.Get("--request-id")) {
    request.set_request_id(*id);
  }
  if (auto v = ctx.args.Get("--expect-version")) {
    uint64_t version = 0;
    if (!absl::SimpleAtoi(*v, &version)) {
      return Usage(absl::StrCat("--expect-version: \"", *v,
                                "\" is not a version number"));
    }
    command.set_expected_version(version);
  }
  *request.add_commands() = std::move(command);
  v1::ApplyResponse response;
  absl::Status status =
      Unary(ctx, &v1::Tracker::Stub::Apply, request, &response);
  if (!status.ok()) {
    return status;
  }
  return response;
}

// Prints the outcome of a change: JSON, or `what` and then the entity id
// alone on the last line.
absl::Status Report(Context& ctx, absl::StatusOr<v1::ApplyResponse> response,
                    const std::string& what) {
  if (!response.ok()) {
    return response.status();
  }
  if (ctx.json) {
    std::cout << ToJson(*response) << "\n";
    return absl::OkStatus();
  }
  const v1::CommandResult& r = response->results(0);
  std::cout << what << " " << r.entity_id() << " (version " << r.version()
            << ", event #" << r.position() << ")"
            << (response->replayed() ? " - already recorded earlier" : "")
            << "\n"
            << r.entity_id() << "\n";
  return absl::OkStatus();
}

absl::StatusOr<std::string> OneId(Context& ctx, const std::string& what) {
  // positional[0..1] are the command words.
  const auto& p = ctx.args.positional;
  size_t words =
      (p[0] == "review" || p[0] == "rec" || p[0] == "action" || p[0] == "admin")
          ? 2
          : 1;
  if (p.size() <= words) {
    static const std::map<std::string, std::string> kExample = {
        {"review", "review-1"},
        {"recommendation", "rec-1"},
        {"action", "action-1"},
        {"entity", "rec-1"},
        {"file", "plan.jsonl"}};
    return Usage(absl::StrCat(
        "give the ", what, what == "file" || what == "directory" ? "" : " id",
        ", e.g. rectrack ", absl::StrJoin(p, " "), " ", kExample.at(what)));
  }
  if (p.size() > words + 1) {
    return Usage(absl::StrCat("unexpected \"", p[words + 1],
                              "\"; put text with spaces in quotes"));
  }
  return p[words];
}

std::string Opt(const Context& ctx, const std::string& name) {
  return ctx.args.Get(name).value_or("");
}

template <typename Enum>
absl::StatusOr<Enum> EnumOption(const Context& ctx, const std::string& name,
                                const google::protobuf::EnumDescriptor* type) {
  auto value = ctx.args.Get(name);
  if (!value.has_value()) {
    return Usage(absl::StrCat(name, " is required"));
  }
  auto parsed = ParseEnumWord(type, *value, name);
  if (!parsed.ok()) {
    return Usage(std::string(parsed.status().message()));
  }
  return static_cast<Enum>(*parsed);
}

// --as-of DATE|TIMESTAMP [--effective] into `as_of`; false when not given.
// A date alone means the end of that day (UTC).
absl::StatusOr<bool> ParseAsOf(const Context& ctx, v1::AsOf* as_of) {
  std::optional<std::string> given = ctx.args.Get("--as-of");
  if (!given.has_value()) {
    if (ctx.args.Has("--effective")) {
      return Usage("--effective needs --as-of DATE");
    }
    return false;
  }
  absl::Time at;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, *given, &at, &error)) {
    SetTimestamp(at, as_of->mutable_at());
  } else {
    absl::StatusOr<std::string> day = NormalizeDate(*given, "--as-of");
    if (!day.ok()) {
      return Usage(absl::StrCat(
          "--as-of: \"", *given,
          "\" is neither a date (2026-05-17, 17/05/2026, 17 May 2026) nor a "
          "time (2026-05-17T14:30:00Z)"));
    }
    SetTimestamp(*StartOfDay(*day) + absl::Hours(24) - absl::Nanoseconds(1),
                 as_of->mutable_at());
  }
  as_of->set_axis(ctx.args.Has("--effective") ? v1::TIME_AXIS_EFFECTIVE
                                               : v1::TIME_AXIS_RECORDED);
  return true;
}

// Sets `request`'s as_of from --as-of / --effective, when given.
template <typename Request>
absl::StatusOr<bool> AsOfOption(const Context& ctx, Request* request) {
  v1::AsOf as_of;
  absl::StatusOr<bool> given = ParseAsOf(ctx, &as_of);
  if (given.ok() && *given) *request->mutable_as_of() = std::move(as_of);
  return given;
}

// Writes `content` to `path` through a file beside it, then renames it over
// `path`: a reader never sees half a file.
absl::Status WriteFileWhole(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    file << content;
    if (!file.flush()) {
      std::remove(tmp.c_str());
      return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int error = errno;
    std::remove(tmp.c_str());
    return absl::UnavailableError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(error)));
  }
  return absl::OkStatus();
}

// Every action matching `request`, fetching page after page.
absl::StatusOr<std::vector<v1::Action>> AllActions(
    Context& ctx, v1::ListActionsRequest request) {
  std::vector<v1::Action> out;
  request.set_page_size(1000);
  while (true) {
    v1::ListActionsResponse page;
    absl::Status status =
        Unary(ctx, &v1::Tracker::Stub::ListActions, request, &page);
    if (!status.ok()) return status;
    for (v1::Action& a : *page.mutable_actions()) out.push_back(std::move(a));
    if (page.next_page_token().empty()) return out;
    request.set_page_token(page.next_page_token());
  }
}

// ---------------------------------------------------------------- handlers

absl::Status ReviewOpen(Context& ctx) {
  v1::Command c;
  v1::OpenReview* o = c.mutable_open_review();
  o->set_title(Opt(ctx, "--title"));
  o->set_committee(Opt(ctx, "--committee"));
  o->set_council(Opt(ctx, "--council"));
  o->set_published_on(Opt(ctx, "--published"));
  return Report(ctx, ApplyOne(ctx, c), "Opened review");
}

absl::Status ReviewList(Context& ctx) {
  v1::ListReviewsResponse response;
  absl::Status status = Unary(ctx, &v1::Tracker::Stub::ListReviews,
                              v1::ListReviewsRequest(), &response);
  if (!status.ok()) return status;
  Print(
      ctx, response,
      FormatReviewList({response.reviews().begin(), response.reviews().end()}));
  return absl::OkStatus();
}

absl::Status ReviewShow(Context& ctx) {
  auto id = OneId(ctx, "review");
  if (!id.ok()) return id.status();
  v1::GetReviewRequest req;
  req.set_id(*id);
  auto has_as_of = AsOfOption(ctx, &req);
  if (!has_as_of.ok()) return has_as_of.status();
  v1::Review review;
  absl::Status status = Unary(ctx, &v1::Tracker::Stub::GetReview, req, &review);
  if (!status.ok()) return status;
  std::vector<v1::Recommendation> recs;
  for (const std::string& rec_id : review.recommendation_ids()) {
    v1::GetRecommendationRequest rreq;
    rreq.set_id(rec_id);
    if (*has_as_of) *rreq.mutable_as_of() = req.as_of();
    v1::Recommendation rec;
    status = Unary(ctx, &v1::Tracker::Stub::GetRecommendation, rreq, &rec);
    if (!status.ok()) return status;
    recs.push_back(std::move(rec));
  }
  v1::ListActionsRequest areq;
  areq.set_review_id(*id);
  if (*has_as_of) *areq.mutable_as_of() = req.as_of();
  v1::ListActionsResponse actions;
  auto all = AllActions(ctx, areq);
  if (!all.ok()) return all.status();
  for (v1::Action& a : *all) *actions.add_actions() = std::move(a);

  if (ctx.json) {
    std::vector<std::string> rec_json;
    for (const auto& r : recs) rec_json.push_back(ToJson(r));
    std::vector<std::string> action_json;
    for (const auto& a : actions.actions()) action_json.push_back(ToJson(a));
    std::cout << "{\n\"review\": " << ToJson(review)
              << ",\n\"recommendations\": [" << absl::StrJoin(rec_json, ",\n")
              << "],\n\"actions\": [" << absl::StrJoin(action_json, ",\n")
              << "]\n}\n";
    return absl::OkStatus();
  }
  std::cout << FormatReview(review);
  if (recs.empty()) {
    std::cout << "\nNo recommendations yet. Add one with: rectrack rec add "
              << review.id() << " --ref 1 --text \"...\"\n";
  }
  for (const auto& rec : recs) {
    std::vector<v1::Action> mine;
    for (const auto& a : actions.actions()) {
      if (a.recommendation_id() == rec.id()) mine.push_back(a);
    }
    std::cout << "\n" << FormatRecommendation(rec, mine);
  }
  return absl::OkStatus();
}

absl::Status ReviewSchedule(Context& ctx) {
  auto id = OneId(ctx, "review");
  if (!id.ok()) return id.status();
  v1::Command c;
  c.mutable_schedule_report_back()->set_review_id(*id);
  c.mutable_schedule_report_back()->set_date(Opt(ctx, "--date"));
  c.mutable_schedule_report_back()->set_note(Opt(ctx, "--note"));
  return Report(ctx, ApplyOne(ctx, c), "Scheduled a report-back for");
}

absl::Status ReviewClose(Context& ctx) {
  auto id = OneId(ctx, "review");
  if (!id.ok()) return id.status();
  v1::Command c;
  c.mutable_close_review()->set_review_id(*id);
  c.mutable_close_review()->set_note(Opt(ctx, "--note"));
  return Report(ctx, ApplyOne(ctx, c), "Closed");
}

absl::Status RecAdd(Context& ctx) {
  auto id = OneId(ctx, "review");
  if (!id.ok()) return id.status();
  v1::Command c;
  v1::AddRecommendation* a = c.mutable_add_recommendation();
  a->set_review_id(*id);
  a->set_ref(Opt(ctx, "--ref"));
  a->set_text(Opt(ctx, "--text"));
  a->set_portfolio(Opt(ctx, "--portfolio"));
  return Report(ctx, ApplyOne(ctx, c), "Added recommendation");
}

absl::Status RecAmend(Context& ctx) {
  auto id = OneId(ctx, "recommendation");
  if (!id.ok()) return id.status();
  v1::Command c;
  v1::AmendRecommendation* a = c.mutable_amend_recommendation();
  a->set_id(*id);
  if (auto v = ctx.args.Get("--text")) a->set_text(*v);
  if (auto v = ctx.args.Get("--ref")) a->set_ref(*v);
  if (auto v = ctx.args.Get("--portfolio")) a->set_portfolio(*v);
  return Report(ctx, ApplyOne(ctx, c), "Amended");
}

absl::Status RecRespond(Context& ctx) {
  auto id = OneId(ctx, "recommendation");
  if (!id.ok()) return id.status();
  auto decision =
      EnumOption<v1::Decision>(ctx, "--decision", v1::Decision_descriptor());
  if (!decision.ok()) return decision.status();
  v1::Command c;
  v1::RecordResponse* r = c.mutable_record_response();
  r->set_recommendation_id(*id);
  r->set_decision(*decision);
  r->set_text(Opt(ctx, "--text"));
  r->set_reason(Opt(ctx, "--reason"));
  r->set_responded_by(Opt(ctx, "--by"));
  r->set_responded_on(Opt(ctx, "--on"));
  return Report(ctx, ApplyOne(ctx, c), "Recorded the response on");
}

absl::Status RecStatus(Context& ctx) {
  auto id = OneId(ctx, "recommendation");
  if (!id.ok()) return id.status();
  auto status = EnumOption<v1::RecommendationStatus>(
      ctx, "--status", v1::RecommendationStatus_descriptor());
  if (!status.ok()) return status.status();
  v1::Command c;
  v1::SetRecommendationStatus* s = c.mutable_set_recommendation_status();
  s->set_recommendation_id(*id);
  s->set_status(*status);
  s->set_note(Opt(ctx, "--note"));
  s->set_effective_on(Opt(ctx, "--on"));
  return Report(ctx, ApplyOne(ctx, c), "Changed the status of");
}

absl::Status RecShow(Context& ctx) {
  auto id = OneId(ctx, "recommendation");
  if (!id.ok()) return id.status();
  v1::GetRecommendationRequest req;
  req.set_id(*id);
  auto has_as_of = AsOfOption(ctx, &req);
  if (!has_as_of.ok()) return has_as_of.status();
  v1::Recommendation rec;
  absl::Status status =
      Unary(ctx, &v1::Tracker::Stub::GetRecommendation, req, &rec);
  if (!status.ok()) return status;
  if (ctx.json) {
    std::cout << ToJson(rec) << "\n";
    return absl::OkStatus();
  }
  std::vector<v1::Action> actions;
  for (const std::string& action_id : rec.action_ids()) {
    v1::GetActionRequest areq;
    areq.set_id(action_id);
    if (*has_as_of) *areq.mutable_as_of() = req.as_of();
    v1::Action action;
    status = Unary(ctx, &v1::Tracker::Stub::GetAction, areq, &action);
    if (!status.ok()) return status;
    actions.push_back(std::move(action));
  }
  std::cout << FormatRecommendation(rec, actions);
  return absl::OkStatus();
}

absl::Status ActionAdd(Context& ctx) {
  auto id = OneId(ctx, "recommendation");
  if (!id.ok()) return id.status();
  v1::Command c;
  v1::AddAction* a = c.mutable_add_action();
  a->set_recommendation_id(*id);
  a->set_text(Opt(ctx, "--text"));
  for (const std::string& lead : ctx.args.GetAll("--lead")) {
    a->add_leads(lead);
  }
  a->set_timescale(Opt(ctx, "--due"));
  return Report(ctx, ApplyOne(ctx, c), "Added action");
}

absl::Status ActionUpdate(Context& ctx) {
  auto id = OneId(ctx, "action");
  if (!id.ok()) return id.status();
  v1::Command c;
  v1::UpdateAction* u = c.mutable_update_action();
  u->set_id(*id);
  if (auto v = ctx.args.Get("--text")) u->set_text(*v);
  if (ctx.args.Has("--lead")) {
    u->set_set_leads(true);
    for (const std::string& lead : ctx.args.GetAll("--lead")) {
      u->add_leads(lead);
    }
  }
  if (auto v = ctx.args.Get("--due")) u->set_timescale(*v);
  u->set_reason(Opt(ctx, "--reason"));
  return Report(ctx, ApplyOne(ctx, c), "Updated");
}

absl::Status ActionStatus(Context& ctx) {
  auto id = OneId(ctx, "action");
  if (!id.ok()) return id.status();
  auto status = EnumOption<v1::ActionStatus>(ctx, "--status",
                                             v1::ActionStatus_descriptor());
  if (!status.ok()) return status.status();
  v1::Command c;
  v1::SetActionStatus* s = c.mutable_set_action_status();
  s->set_id(*id);
  s->set_status(*status);
  s->set_note(Opt(ctx, "--note"));
  s->set_effective_on(Opt(ctx, "--on"));
  return Report(ctx, ApplyOne(ctx, c), "Changed the status of");
}

absl::Status ActionProgress(Context& ctx) {
  auto id = OneId(ctx, "action");
  if (!id.ok()) return id.status();
  v1::Command c;
  c.mutable_report_progress()->set_id(*id);
  c.mutable_report_progress()->set_text(Opt(ctx, "--text"));
  c.mutable_report_progress()->set_reported_on(Opt(ctx, "--on"));
  return Report(ctx, ApplyOne(ctx, c), "Recorded progress on");
}

absl::Status ActionShow(Context& ctx) {
  auto id = OneId(ctx, "action");
  if (!id.ok()) return id.status();
  v1::GetActionRequest req;
  req.set_id(*id);
  auto has_as_of = AsOfOption(ctx, &req);
  if (!has_as_of.ok()) return has_as_of.status();
  v1::Action action;
  absl::Status status = Unary(ctx, &v1::Tracker::Stub::GetAction, req, &action);
  if (!status.ok()) return status;
  if (ctx.json) {
    std::cout << ToJson(action) << "\n";
    return absl::OkStatus();
  }
  std::cout << FormatAction(action, "");
  std::cout << "  Recommendation: " << action.recommendation_id()
            << "   Review: " << action.review_id() << "\n";
  if (action.progress_size() > 0) {
    std::cout << "  Progress:\n";
    for (const v1::ProgressUpdate& p : action.progress()) {
      std::cout << "    " << p.reported_on() << "  " << p.text() << "  (by "
                << p.recorded_by() << ")\n";
    }
  }
  return absl::OkStatus();
}

// The filters `rectrack actions` and `rectrack overdue` share.
absl::StatusOr<v1::ListActionsRequest> ActionFilters(Context& ctx) {
  if (ctx.args.positional.size() > 1) {
    return Usage(absl::StrCat("unexpected \"", ctx.args.positional.back(),
                              "\"; filters are options, e.g. --review "
                              "review-1"));
  }
  v1::ListActionsRequest req;
  req.set_review_id(Opt(ctx, "--review"));
  for (const std::string& lead : ctx.args.GetAll("--lead")) {
    req.add_leads(lead);
  }
  if (ctx.args.Has("--status")) {
    auto status = EnumOption<v1::ActionStatus>(ctx, "--status",
                                               v1::ActionStatus_descriptor());
    if (!status.ok()) return status.status();
    req.set_status(*status);
  }
  if (ctx.args.Has("--rag")) {
    auto rag = EnumOption<v1::Rag>(ctx, "--rag", v1::Rag_descriptor());
    if (!rag.ok()) return rag.status();
    req.set_rag(*rag);
  }
  req.set_overdue(ctx.args.Has("--overdue"));
  req.set_due_soon(ctx.args.Has("--due-soon"));
  req.set_due_before(Opt(ctx, "--due-before"));
  req.set_due_after(Opt(ctx, "--due-after"));
  req.set_committee(Opt(ctx, "--committee"));
  req.set_text(Opt(ctx, "--text"));
  if (auto days = ctx.args.Get("--due-soon-days")) {
    uint32_t n = 0;
    if (!absl::SimpleAtoi(*days, &n) || n == 0) {
      return Usage(absl::StrCat("--due-soon-days: \"", *days,
                                "\" is not a number of days"));
    }
    req.set_due_soon_days(n);
  }
  auto has_as_of = AsOfOption(ctx, &req);
  if (!has_as_of.ok()) return has_as_of.status();
  return req;
}

absl::Status ListAndPrint(Context& ctx, const v1::ListActionsRequest& req) {
  auto actions = AllActions(ctx, req);
  if (!actions.ok()) return actions.status();
  if (ctx.json) {
    v1::ListActionsResponse response;
    for (v1::Action& a : *actions) *response.add_actions() = std::move(a);
    std::cout << ToJson(response) << "\n";
    return absl::OkStatus();
  }
  std::cout << FormatActionList(*actions);
  return absl::OkStatus();
}

absl::Status Actions(Context& ctx) {
  auto req = ActionFilters(ctx);
  if (!req.ok()) return req.status();
  return ListAndPrint(ctx, *req);
}

absl::Status Overdue(Context& ctx) {
  auto req = ActionFilters(ctx);
  if (!req.ok()) return req.status();
  req->set_overdue(true);
  return ListAndPrint(ctx, *req);
}

absl::Status ReportCommand(Context& ctx) {
  auto id = OneId(ctx, "review");
  if (!id.ok()) return id.status();
  v1::GetReportRequest req;
  req.set_review_id(*id);
  auto has_as_of = AsOfOption(ctx, &req);
  if (!has_as_of.ok()) return has_as_of.status();
  req.set_since(Opt(ctx, "--since"));
  if (auto days = ctx.args.Get("--deadline-days")) {
    uint32_t n = 0;
    if (!absl::SimpleAtoi(*days, &n) || n == 0) {
      return Usage(absl::StrCat("--deadline-days: \"", *days,
                                "\" is not a number of days"));
    }
    req.set_response_deadline_days(n);
  }
  std::string format = ctx.args.Get("--format").value_or(
      ctx.json ? std::string("json") : std::string("text"));
  v1::Report report;
  absl::Status status = Unary(ctx, &v1::Tracker::Stub::GetReport, req, &report);
  if (!status.ok()) return status;
  absl::StatusOr<std::string> rendered = RenderReport(report, format);
  if (!rendered.ok()) return Usage(std::string(rendered.status().message()));
  if (auto path = ctx.args.Get("--output")) {
    absl::Status written = WriteFileWhole(*path, *rendered);
    if (!written.ok()) return written;
    std::cerr << "Wrote the " << format << " report of " << *id << " to "
              << *path << "\n";
    return absl::OkStatus();
  }
  std::cout << *rendered;
  return absl::OkStatus();
}

absl::Status History(Context& ctx) {
  auto id = OneId(ctx, "entity");
  if (!id.ok()) return id.status();
  v1::GetHistoryRequest req;
  req.set_id(*id);
  v1::GetHistoryResponse response;
  absl::Status status =
      Unary(ctx, &v1::Tracker::Stub::GetHistory, req, &response);
  if (!status.ok()) return status;
  std::string text;
  for (const v1::Event& e : response.events()) {
    text += FormatEvent(e);
  }
  Print(ctx, response, text);
  return absl::OkStatus();
}

absl::Status Events(Context& ctx) {
  v1::ReadEventsRequest req;
  for (const char* name : {"--from", "--limit"}) {
    if (auto v = ctx.args.Get(name)) {
      uint64_t n = 0;
      if (!absl::SimpleAtoi(*v, &n)) {
        return Usage(absl::StrCat(name, ": \"", *v, "\" is not a number"));
      }
      if (std::string(name) == "--from") {
        req.set_from_position(n);
      } else {
        req.set_limit(static_cast<uint32_t>(std::min<uint64_t>(n, UINT32_MAX)));
      }
    }
  }
  v1::ReadEventsResponse response;
  absl::Status status =
      Unary(ctx, &v1::Tracker::Stub::ReadEvents, req, &response);
  if (!status.ok()) return status;
  std::string text;
  for (const v1::Event& e : response.events()) {
    text += FormatEvent(e);
  }
  absl::StrAppend(&text, "(", response.events_size(),
                  " events shown; the log ends at #", response.last_position(),
                  ")\n");
  Print(ctx, response, text);
  return absl::OkStatus();
}

// Reads a whole file; "-" is standard input.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in;
  std::istream* stream = &std::cin;
  if (path != "-") {
    in.open(path, std::ios::binary);
    if (!in) {
      return absl::NotFoundError(
          absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
    }
    stream = &in;
  }
  std::stringstream buffer;
  buffer << stream->rdbuf();
  return buffer.str();
}

// "chunk C: command M: message" → "line L: message", using where each
// chunk starts in the file.
absl::Status LocateProblem(const absl::Status& status,
                           const std::vector<FileCommand>& commands,
                           const std::vector<size_t>& chunk_starts) {
  absl::string_view message = status.message();
  size_t chunk = 0;
  size_t command = 0;
  auto take = [&](absl::string_view word, size_t* n) {
    absl::string_view rest = message;
    if (!absl::ConsumePrefix(&rest, word)) return false;
    size_t colon = rest.find(": ");
    if (colon == absl::string_view::npos ||
        !absl::SimpleAtoi(rest.substr(0, colon), n)) {
      return false;
    }
    message = rest.substr(colon + 2);
    return true;
  };
  bool named_chunk = take("chunk ", &chunk);
  bool named_command = take("command ", &command);
  // Without either prefix the failing command is known only when there is
  // just one.
  if ((!named_chunk && !named_command && commands.size() != 1) ||
      chunk >= chunk_starts.size()) {
    return status;
  }
  size_t index = chunk_starts[chunk] + command;
  if (index >= commands.size()) {
    return status;
  }
  return absl::Status(status.code(), absl::StrCat("line ", commands[index].line,
                                                  ": ", message));
}

// One line of a dry run's outline: where the command is in the file, what
// it would do, and the id it would get or change.
std::string OutlineLine(const FileCommand& fc, const std::string& id) {
  auto brief = [](const std::string& text) {
    std::string one = absl::StrReplaceAll(text, {{"\n", " "}});
    return one.size() > 70 ? one.substr(0, 67) + "..." : one;
  };
  const v1::Command& c = fc.command;
  std::string what;
  switch (c.op_case()) {
    case v1::Command::kOpenReview:
      what = absl::StrCat("review \"", brief(c.open_review().title()), "\"");
      break;
    case v1::Command::kAddRecommendation:
      what = absl::StrCat("  recommendation ", c.add_recommendation().ref(),
                          ": ", brief(c.add_recommendation().text()));
      break;
    case v1::Command::kRecordResponse:
      what = absl::StrCat(
          "    response: ",
          EnumWord(v1::Decision_descriptor(), c.record_response().decision()));
      break;
    case v1::Command::kAddAction:
      what =
          absl::StrCat("    action: ", brief(c.add_action().text()),
                       " (lead: ", absl::StrJoin(c.add_action().leads(), "; "),
                       c.add_action().timescale().empty() ? "" : "; due: ",
                       c.add_action().timescale(), ")");
      break;
    case v1::Command::kReportProgress:
      what =
          absl::StrCat("      progress: ", brief(c.report_progress().text()));
      break;
    default:
      what = absl::StrCat(
          "  ", c.GetDescriptor()->FindFieldByNumber(c.op_case())->name());
  }
  return absl::StrCat("line ", fc.line, ": ", what, "  [", id, "]\n");
}

absl::Status Watch(Context& ctx) {
  v1::WatchRequest req;
  if (auto v = ctx.args.Get("--from")) {
    uint64_t n = 0;
    if (!absl::SimpleAtoi(*v, &n)) {
      return Usage(absl::StrCat("--from: \"", *v, "\" is not a position"));
    }
    req.set_from_position(n);
  }
  req.set_review_id(Opt(ctx, "--review"));
  for (const std::string& type : ctx.args.GetAll("--type")) {
    req.add_types(type);
  }
  grpc::ClientContext call;  // no deadline: a watch runs until stopped
  auto stream = ctx.stub->Watch(&call, req);
  v1::WatchResponse item;
  uint64_t last = 0;
  while (stream->Read(&item)) {
    if (ctx.json) {
      std::cout << ToJsonLine(item) << std::endl;
    } else if (item.has_caught_up()) {
      std::cout << "-- caught up at #" << item.caught_up().position()
                << "; waiting for new events (Ctrl-C to stop) --" << std::endl;
    } else {
      std::cout << FormatEvent(item.event()) << std::flush;
    }
    if (item.has_event()) last = item.event().position();
  }
  absl::Status status = FromGrpcStatus(stream->Finish());
  if (!status.ok() && last > 0 &&
      !absl::StrContains(status.message(), "from position")) {
    return absl::Status(
        status.code(),
        absl::StrCat(status.message(), " (resume with --from ", last + 1, ")"));
  }
  return status;
}

// grpc.health.v1.Health/Check, which needs no token: for container and
// service-manager health checks.
absl::Status Health(Context& ctx) {
  grpc::GenericStub generic(ctx.channel);
  grpc::Slice empty("", 0);  // HealthCheckRequest{service: ""}
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer reply;
  absl::Notification done;
  grpc::Status status;
  grpc::ClientContext call;
  call.set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(5));
  generic.UnaryCall(&call, "/grpc.health.v1.Health/Check",
                    grpc::StubOptions(), &request, &reply,
                    [&](grpc::Status s) {
                      status = std::move(s);
                      done.Notify();
                    });
  done.WaitForNotification();
  if (!status.ok()) {
    return Call(ctx, [&](grpc::ClientContext*) { return status; });
  }
  std::vector<grpc::Slice> slices;
  reply.Dump(&slices);
  std::string bytes;
  for (const grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  // HealthCheckResponse{status: SERVING} is field 1 = 1.
  if (bytes != std::string("\x08\x01", 2)) {
    return absl::UnavailableError(
        "rectrackd is running but not serving (it is stopping)");
  }
  std::cout << "serving\n";
  return absl::OkStatus();
}

absl::Status AdminVerify(Context& ctx) {
  v1::VerifyResponse report;
  absl::Status status =
      Unary(ctx, &v1::Tracker::Stub::Verify, v1::VerifyRequest(), &report);
  if (!status.ok()) return status;
  std::string text = absl::StrCat(
      "Checked ", report.events_checked(), " events, ",
      report.entities_checked(), " reviews, recommendations and actions, and ",
      report.index_entries_checked(), " index entries.\n");
  for (const std::string& p : report.problems()) {
    absl::StrAppend(&text, "problem: ", p, "\n");
  }
  absl::StrAppend(&text, report.ok() ? "All consistent.\n"
                                     : "NOT consistent: see the problems.\n");
  Print(ctx, report, text);
  if (!report.ok()) {
    return absl::DataLossError(
        absl::StrCat(report.problems_size(), " problem(s) found by verify"));
  }
  return absl::OkStatus();
}

absl::Status AdminBackup(Context& ctx) {
  auto dir = OneId(ctx, "directory");
  if (!dir.ok()) return dir.status();
  v1::BackupRequest req;
  req.set_directory(*dir);
  v1::BackupResponse response;
  absl::Status status = Unary(ctx, &v1::Tracker::Stub::Backup, req, &response);
  if (!status.ok()) return status;
  Print(ctx, response,
        absl::StrCat("Backup ", response.backup_id(), " written to ", *dir,
                     " on the server (holds the log up to at least #",
                     response.last_position(),
                     "). Restore it with: rectrackd --restore-from ", *dir,
                     " --data-dir NEW_DIR\n"));
  return absl::OkStatus();
}

// The server's message, one problem per line, with each problem's place
// in the file.
absl::Status WithLineNumbers(const absl::Status& status,
                             const std::vector<FileCommand>& commands,
                             const std::vector<size_t>& chunk_starts) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(status.message(), '\n')) {
    absl::Status one(status.code(), line);
    lines.emplace_back(LocateProblem(one, commands, chunk_starts).message());
  }
  return absl::Status(status.code(), absl::StrJoin(lines, "\n"));
}

absl::Status Import(Context& ctx) {
  auto path = OneId(ctx, "file");
  if (!path.ok()) return path.status();
  std::string format = ctx.args.Get("--format").value_or("");
  if (format.empty()) {
    // From the file's name.
    for (auto [ending, name] :
         {std::make_pair(".jsonl", "jsonl"), std::make_pair(".csv", "csv"),
          std::make_pair(".tsv", "plan")}) {
      if (absl::EndsWith(*path, ending)) format = name;
    }
  }
  if (format.empty()) {
    return Usage(
        "say which format the file is in: --format jsonl, csv or plan");
  }
  if (format != "jsonl" && format != "csv" && format != "plan") {
    return absl::UnimplementedError(absl::StrCat(
        "--format ", format,
        " is not supported; this version reads jsonl and csv (as rectrack "
        "export writes them) and plan (a council's action-plan table)"));
  }
  if (format != "plan") {
    for (const char* option : {"--title", "--committee", "--review"}) {
      if (ctx.args.Has(option)) {
        return Usage(absl::StrCat(option, " applies to --format plan only"));
      }
    }
  }
  // Messages carry this many commands each.
  size_t chunk_size = 1000;
  if (auto v = ctx.args.Get("--chunk")) {
    if (!absl::SimpleAtoi(*v, &chunk_size) || chunk_size == 0 ||
        chunk_size > 10000) {
      return Usage("--chunk: give a number of commands from 1 to 10000");
    }
  }
  auto content = ReadWholeFile(*path);
  if (!content.ok()) return content.status();
  PlanOptions plan_options{Opt(ctx, "--title"), Opt(ctx, "--committee"),
                           Opt(ctx, "--review")};
  auto commands = format == "csv"    ? CsvToCommands(*content)
                  : format == "plan" ? PlanToCommands(*content, plan_options)
                                     : ParseJsonl(*content);
  if (!commands.ok()) return commands.status();
  const bool dry_run = ctx.args.Has("--dry-run");
  // Up to the server's bound a file lands in one atomic commit: all of it or
  // none. Larger files, or --chunk, commit chunk by chunk (each atomic).
  constexpr size_t kAtomicLimit = 200000;  // kMaxCommandsAllOrNothing
  const bool all_or_nothing =
      !ctx.args.Has("--chunk") && commands->size() <= kAtomicLimit;
  if (dry_run && !all_or_nothing) {
    return Usage(absl::StrCat("--dry-run checks files of up to ", kAtomicLimit,
                              " commands, without --chunk"));
  }
  // Same file, same chunking → same request ids: a re-run appends nothing.
  const std::string import_id =
      absl::StrCat("import-", StableHash(*content), "-", chunk_size);

  std::vector<size_t> chunk_starts;
  for (size_t start = 0; start < commands->size(); start += chunk_size) {
    chunk_starts.push_back(start);
  }
  grpc::ClientContext call;
  auto stream = ctx.stub->BulkApply(&call);
  std::vector<std::string> created(commands->size());
  size_t new_commands = 0;
  size_t replayed_commands = 0;
  bool tty = isatty(fileno(stderr));
  auto record = [&](const v1::BulkApplyResponse& response) {
    size_t start = chunk_starts[response.chunk_index()];
    const v1::ApplyResponse& result = response.result();
    for (int i = 0; i < result.results_size(); ++i) {
      created[start + i] = result.results(i).entity_id();
    }
    (result.replayed() ? replayed_commands : new_commands) +=
        result.results_size();
    if (dry_run) return;
    size_t done = new_commands + replayed_commands;
    if (tty) {
      // A bar that redraws itself on a terminal.
      constexpr size_t kWidth = 30;
      size_t filled = done * kWidth / commands->size();
      std::fprintf(stderr, "\r[%s%s] %3zu%%  %zu of %zu commands",
                   std::string(filled, '#').c_str(),
                   std::string(kWidth - filled, '-').c_str(),
                   done * 100 / commands->size(), done, commands->size());
    } else {
      std::fprintf(stderr, "imported %zu of %zu commands\n", done,
                   commands->size());
    }
  };
  bool stream_ok = true;
  for (size_t c = 0; c < chunk_starts.size() && stream_ok; ++c) {
    v1::BulkApplyRequest request;
    request.set_all_or_nothing(all_or_nothing);
    v1::ApplyRequest* chunk = request.mutable_chunk();
    chunk->set_request_id(absl::StrCat(import_id, "-", c));
    chunk->set_dry_run(dry_run);
    size_t end = std::min(commands->size(), chunk_starts[c] + chunk_size);
    for (size_t i = chunk_starts[c]; i < end; ++i) {
      v1::Command command = (*commands)[i].command;
      if (!all_or_nothing) {
        absl::Status s = RebaseReferences(&command, chunk_starts[c], created);
        if (!s.ok()) {
          call.TryCancel();
          return absl::InvalidArgumentError(
              absl::StrCat("line ", (*commands)[i].line, ": ", s.message()));
        }
      }
      *chunk->add_commands() = std::move(command);
    }
    stream_ok = stream->Write(request);
    if (stream_ok && !all_or_nothing) {
      v1::BulkApplyResponse response;
      stream_ok = stream->Read(&response);
      if (stream_ok) record(response);
    }
  }
  stream->WritesDone();
  v1::BulkApplyResponse response;
  while (stream->Read(&response)) {
    record(response);
  }
  if (tty && !dry_run) std::fputs("\n", stderr);
  absl::Status status =
      Call(ctx, [&](grpc::ClientContext*) { return stream->Finish(); });
  if (!status.ok()) {
    return WithLineNumbers(status, *commands, chunk_starts);
  }
  std::string first_review;
  for (const std::string& id : created) {
    if (absl::StartsWith(id, "review-")) {
      first_review = id;
      break;
    }
  }
  std::map<v1::Command::OpCase, int> ops;
  for (const FileCommand& fc : *commands) ++ops[fc.command.op_case()];
  std::string outline = absl::StrCat(
      ops[v1::Command::kOpenReview], " review(s), ",
      ops[v1::Command::kAddRecommendation], " recommendation(s), ",
      ops[v1::Command::kAddAction], " action(s) and ",
      commands->size() - ops[v1::Command::kOpenReview] -
          ops[v1::Command::kAddRecommendation] - ops[v1::Command::kAddAction],
      " other change(s)");
  if (dry_run) {
    for (size_t i = 0; i < commands->size(); ++i) {
      std::cout << OutlineLine((*commands)[i], created[i]);
    }
    std::cout << "\nDry run: all " << commands->size()
              << " commands would be accepted, creating " << outline
              << ". Nothing was written.\n";
    return absl::OkStatus();
  }
  std::cout << "Imported " << *path << ": " << outline << ", "
            << (all_or_nothing
                    ? "in one atomic commit"
                    : absl::StrCat("in ", chunk_starts.size(), " chunk(s)"))
            << ". " << new_commands << " command(s) applied now, "
            << replayed_commands
            << " had been imported before (nothing added for those).\n";
  if (!first_review.empty()) std::cout << first_review << "\n";
  return absl::OkStatus();
}

absl::Status Export(Context& ctx) {
  if (ctx.args.positional.size() > 1) {
    return Usage(absl::StrCat("unexpected \"", ctx.args.positional[1],
                              "\"; to export one review use --review ID"));
  }
  std::set<std::string> streams;  // empty = everything
  if (auto review = ctx.args.Get("--review")) {
    v1::GetReviewRequest req;
    req.set_id(*review);
    v1::Review r;
    absl::Status s = Unary(ctx, &v1::Tracker::Stub::GetReview, req, &r);
    if (!s.ok()) return s;
    streams.insert(r.id());
    streams.insert(r.recommendation_ids().begin(),
                   r.recommendation_ids().end());
    v1::ListActionsRequest areq;
    areq.set_review_id(r.id());
    auto actions = AllActions(ctx, areq);
    if (!actions.ok()) return actions.status();
    for (const auto& a : *actions) streams.insert(a.id());
  }
  std::string format = ctx.args.Get("--format").value_or("jsonl");
  if (format != "jsonl" && format != "csv") {
    return Usage("--format: give jsonl or csv");
  }
  std::string out = format == "csv" ? CsvHeaderLine() : "";
  for (uint64_t from = 1;;) {
    v1::ReadEventsRequest req;
    req.set_from_position(from);
    req.set_limit(10000);
    v1::ReadEventsResponse resp;
    absl::Status s = Unary(ctx, &v1::Tracker::Stub::ReadEvents, req, &resp);
    if (!s.ok()) return s;
    if (resp.events().empty()) break;
    for (const v1::Event& e : resp.events()) {
      if (streams.empty() || streams.count(e.stream())) {
        v1::Command command = CommandFromEvent(e);
        absl::StrAppend(&out, format == "csv" ? CommandToCsvLine(command)
                                              : ToJsonLine(command) + "\n");
      }
    }
    from = resp.events(resp.events_size() - 1).position() + 1;
  }
  auto target = ctx.args.Get("--output");
  if (!target.has_value() || *target == "-") {
    std::cout << out;
    return absl::OkStatus();
  }
  return WriteFileWhole(*target, out);
}

// --------------------------------------------------------------- the table

const std::vector<CommandSpec>& Commands() {
  static const auto* commands = new std::vector<CommandSpec>{
      {"review open",
       "--title T --committee C [--council O] [--published DATE]",
       "Open a review (a scrutiny report) for tracking.",
       {"--title", "--committee", "--council", "--published"},
       true,
       ReviewOpen},
      {"review list", "", "List every review.", {}, false, ReviewList},
      {"review show",
       "REVIEW [--as-of DATE|TIME [--effective]]",
       "Show the whole tracker for a review: recommendations, responses, "
       "actions and latest progress.",
       {"--as-of"},
       false,
       ReviewShow,
       {"--effective"}},
      {"review schedule",
       "REVIEW --date DATE [--note T]",
       "Add a report-back meeting to the review's schedule.",
       {"--date", "--note"},
       true,
       ReviewSchedule},
      {"review close",
       "REVIEW [--note T]",
       "Close a review: nothing in it changes after this.",
       {"--note"},
       true,
       ReviewClose},
      {"rec add",
       "REVIEW --ref REF --text T [--portfolio P]",
       "Add a recommendation to a review.",
       {"--ref", "--text", "--portfolio"},
       true,
       RecAdd},
      {"rec amend",
       "REC [--text T] [--ref REF] [--portfolio P]",
       "Correct a recommendation's wording.",
       {"--text", "--ref", "--portfolio"},
       true,
       RecAmend},
      {"rec respond",
       "REC --decision accepted|partially-accepted|accepted-in-principle|"
       "noted|rejected --text T [--reason R] [--by NAME] [--on DATE]",
       "Record the executive's response (a rejection needs --reason).",
       {"--decision", "--text", "--reason", "--by", "--on"},
       true,
       RecRespond},
      {"rec status",
       "REC --status in-progress|implemented|signed-off|"
       "closed-not-implemented|superseded|withdrawn [--note T] [--on DATE]",
       "Move a recommendation on; signed-off is the committee's sign-off.",
       {"--status", "--note", "--on"},
       true,
       RecStatus},
      {"rec show",
       "REC [--as-of DATE|TIME [--effective]]",
       "Show a recommendation with its actions.",
       {"--as-of"},
       false,
       RecShow,
       {"--effective"}},
      {"action add",
       "REC --text T --lead NAME [--lead NAME...] [--due TIMESCALE]",
       "Add an action to a recommendation.",
       {"--text", "--lead", "--due"},
       true,
       ActionAdd},
      {"action update",
       "ACTION [--text T] [--lead NAME...] [--due TIMESCALE --reason R]",
       "Change an action's text, leads (replaced) or timescale.",
       {"--text", "--lead", "--due", "--reason"},
       true,
       ActionUpdate},
      {"action status",
       "ACTION --status not-started|in-progress|completed|blocked|cancelled "
       "[--note T] [--on DATE]",
       "Change an action's status.",
       {"--status", "--note", "--on"},
       true,
       ActionStatus},
      {"action progress",
       "ACTION --text T [--on DATE]",
       "Record a dated progress update.",
       {"--text", "--on"},
       true,
       ActionProgress},
      {"action show",
       "ACTION [--as-of DATE|TIME [--effective]]",
       "Show an action with its targets, standing and all its progress.",
       {"--as-of"},
       false,
       ActionShow,
       {"--effective"}},
      {"actions",
       "[--review REVIEW] [--committee C] [--lead NAME...] [--status S] "
       "[--rag red|amber|green] [--overdue] [--due-soon] [--due-before DATE] "
       "[--due-after DATE] [--text WORDS] [--due-soon-days N] "
       "[--as-of DATE|TIME [--effective]]",
       "List actions matching every filter given (any of several --lead).",
       {"--review", "--lead", "--status", "--rag", "--due-before",
        "--due-after", "--committee", "--text", "--due-soon-days", "--as-of"},
       false,
       Actions,
       {"--overdue", "--due-soon", "--effective"}},
      {"overdue",
       "[--lead NAME...] [--committee C] [--review REVIEW] "
       "[--as-of DATE|TIME [--effective]]",
       "List overdue actions: target passed, neither completed nor "
       "cancelled.",
       {"--review", "--lead", "--status", "--rag", "--due-before",
        "--due-after", "--committee", "--text", "--due-soon-days", "--as-of"},
       false,
       Overdue,
       {"--effective"}},
      {"report",
       "REVIEW [--format text|md|csv|html|json] [--output FILE | -o FILE] "
       "[--since DATE] [--as-of DATE|TIME [--effective]] [--deadline-days N]",
       "The committee report-back: every recommendation, response, action, "
       "RAG and latest update; changes since the last report-back; response "
       "times; slippage.",
       {"--format", "--output", "--since", "--as-of", "--deadline-days"},
       false,
       ReportCommand,
       {"--effective"}},
      {"history",
       "ID",
       "Every event of one review, recommendation or action.",
       {},
       false,
       History},
      {"events",
       "[--from N] [--limit N]",
       "The global event log.",
       {"--from", "--limit"},
       false,
       Events},
      {"watch",
       "[--from N] [--review REVIEW] [--type TYPE...]",
       "Print every event from position N, then new events as they happen, "
       "until stopped with Ctrl-C.",
       {"--from", "--review", "--type"},
       false,
       Watch},
      {"health",
       "",
       "Check that rectrackd is up and serving (needs no token); exits "
       "non-zero if not. For health checks of containers and services.",
       {},
       false,
       Health},
      {"admin verify",
       "",
       "Rebuild every projection and index from the event log and compare "
       "them with what is stored; exits non-zero if anything differs.",
       {},
       false,
       AdminVerify},
      {"admin backup",
       "DIR",
       "Write a consistent backup, taken while the server runs, into DIR on "
       "the server's machine.",
       {},
       false,
       AdminBackup},
      {"import",
       "FILE [--format jsonl|csv|plan] [--title T] [--committee C] "
       "[--review REVIEW] [--dry-run] [--chunk N]",
       "Import changes from a file, as export writes them (jsonl: one "
       "Command per line, \"$N\" naming what the file's command N created; "
       "csv: see docs/csv.md), or a council's action-plan table saved as "
       "tab-separated text (plan: see docs/plan-import.md; --title, "
       "--committee and --review say which review it belongs to). A file of "
       "up to 200,000 commands lands whole or not at all; --chunk N commits "
       "N at a time instead. Running it again adds nothing.",
       {"--format", "--chunk", "--title", "--committee", "--review"},
       false,
       Import,
       {"--dry-run"}},
      {"export",
       "[--review REVIEW] [--format jsonl|csv] [--output FILE]",
       "Write the commands that rebuild everything (or one review) as "
       "jsonl; importing them into an empty server gives the same ids.",
       {"--review", "--format", "--output"},
       false,
       Export},
  };
  return *commands;
}

std::string CommandHelp(const CommandSpec& spec) {
  std::string out = absl::StrCat("Usage: rectrack ", spec.name,
                                 spec.arguments.empty() ? "" : " ",
                                 spec.arguments, "\n\n", spec.summary, "\n");
  if (spec.changes) {
    absl::StrAppend(
        &out,
        "\nPrints the id it changed or created alone on the last line.\n"
        "  --request-id ID      make a retry safe: the same id is applied "
        "once\n"
        "  --expect-version N   refuse if the entity changed since version "
        "N\n");
  }
  absl::StrAppend(&out,
                  "\nDates may be written 2007-05-17, 17/05/2007 or \"17 May "
                  "2007\".\nCommon options: --server HOST:PORT (default ",
                  kDefaultServer, "), --json, --help\n");
  return out;
}

std::string MainHelp() {
  std::string out =
      "rectrack - track what happens to scrutiny recommendations\n\n"
      "Usage: rectrack COMMAND [ARGS] [--server HOST:PORT] [--json]\n\n"
      "Commands:\n";
  std::vector<std::vector<std::string>> rows;
  for (const CommandSpec& spec : Commands()) {
    rows.push_back({"  " + spec.name, spec.summary});
  }
  out += FormatTable({"", ""}, rows).substr(1);  // drop the empty header line
  absl::StrAppend(
      &out,
      "\nOptions anywhere on the line:\n"
      "  --server HOST:PORT  the rectrackd to talk to (default ",
      kDefaultServer,
      ")\n"
      "  --json              print the API's JSON instead of tables\n"
      "  --token TOKEN       the access token from the tracker's "
      "administrator\n"
      "                      (better: set RECTRACK_TOKEN, which others on "
      "this\n"
      "                      machine cannot see in the process list)\n"
      "  --tls               talk TLS, trusting the system's certificate "
      "authorities\n"
      "  --tls-ca FILE       talk TLS, trusting the CA certificate (PEM) in "
      "FILE\n"
      "  --tls-cert FILE     with --tls-key: this client's certificate and "
      "key\n"
      "  --tls-key FILE      (PEM) for servers that ask for one (mutual "
      "TLS)\n"
      "  --help              help for any command, e.g. rectrack action add "
      "--help\n\n"
      "On failure prints \"error: CODE: message\" and exits non-zero.\n");
  return out;
}

// --token (or RECTRACK_TOKEN) and the --tls options.
absl::StatusOr<client::ConnectOptions> ConnectOptionsOf(const ParsedArgs& args) {
  client::ConnectOptions options;
  if (auto token = args.Get("--token")) {
    options.token = *token;
  } else if (const char* env = std::getenv("RECTRACK_TOKEN")) {
    options.token = env;
  }
  options.token = std::string(absl::StripAsciiWhitespace(options.token));
  auto read = [&](const char* flag, std::string* pem) -> absl::Status {
    auto path = args.Get(flag);
    if (!path) return absl::OkStatus();
    std::ifstream in(*path);
    std::stringstream text;
    text << in.rdbuf();
    if (!in || text.str().empty()) {
      return Usage(absl::StrCat("cannot read ", flag, " ", *path,
                                ": it must be a readable PEM file"));
    }
    *pem = text.str();
    options.tls = true;
    return absl::OkStatus();
  };
  for (auto [flag, pem] : {std::make_pair("--tls-ca", &options.tls_ca_pem),
                           std::make_pair("--tls-cert", &options.tls_cert_pem),
                           std::make_pair("--tls-key", &options.tls_key_pem)}) {
    if (absl::Status s = read(flag, pem); !s.ok()) return s;
  }
  if (options.tls_cert_pem.empty() != options.tls_key_pem.empty()) {
    return Usage("--tls-cert and --tls-key go together: give both or neither");
  }
  if (args.Has("--tls")) options.tls = true;
  return options;
}

// Prints "error: CODE: message" and returns the exit code.
int PrintError(const absl::Status& status) {
  std::fprintf(stderr, "error: %s: %s\n", CodeName(status.code()),
               std::string(status.message()).c_str());
  return status.GetPayload(kUsagePayload).has_value() ? kExitUsage
                                                      : kExitServerError;
}

int Run(const std::vector<std::string>& argv) {
  std::set<std::string> value_options = kGlobalValueOptions;
  value_options.insert(kChangeOptions.begin(), kChangeOptions.end());
  std::set<std::string> flags = kGlobalFlags;
  for (const CommandSpec& spec : Commands()) {
    value_options.insert(spec.options.begin(), spec.options.end());
    flags.insert(spec.flags.begin(), spec.flags.end());
  }
  auto parsed = ParseArgs(argv, value_options, flags);
  if (!parsed.ok()) {
    return PrintError(Usage(
        absl::StrCat(parsed.status().message(), "; see rectrack --help")));
  }
  const auto& words = parsed->positional;
  const CommandSpec* spec = nullptr;
  for (const CommandSpec& candidate : Commands()) {
    std::string two = words.size() >= 2 ? words[0] + " " + words[1] : "";
    if ((!words.empty() && candidate.name == words[0]) ||
        candidate.name == two) {
      spec = &candidate;
      break;
    }
  }
  if (spec == nullptr) {
    if (words.empty()) {
      std::cout << MainHelp();
      return parsed->Has("--help") ? 0 : kExitUsage;
    }
    // "rectrack review --help" lists that group's commands.
    std::string group_help;
    for (const CommandSpec& candidate : Commands()) {
      if (absl::StartsWith(candidate.name, words[0] + " ")) {
        absl::StrAppend(&group_help, "  rectrack ", candidate.name, " ",
                        candidate.arguments, "\n");
      }
    }
    if (!group_help.empty() && (parsed->Has("--help") || words.size() == 1)) {
      std::cout << "Commands:\n" << group_help;
      return parsed->Has("--help") ? 0 : kExitUsage;
    }
    return PrintError(
        Usage(absl::StrCat("unknown command \"", absl::StrJoin(words, " "),
                           "\"; see rectrack --help")));
  }
  if (parsed->Has("--help")) {
    std::cout << CommandHelp(*spec);
    return 0;
  }
  for (const auto& [name, values] : parsed->options) {
    bool allowed = spec->options.count(name) ||
                   kGlobalValueOptions.count(name) ||
                   (spec->changes && kChangeOptions.count(name));
    if (!allowed) {
      return PrintError(
          Usage(absl::StrCat(name, " does not apply to rectrack ", spec->name,
                             "; see rectrack ", spec->name, " --help")));
    }
  }

  for (const std::string& flag : parsed->flags) {
    if (!kGlobalFlags.count(flag) && !spec->flags.count(flag)) {
      return PrintError(
          Usage(absl::StrCat(flag, " does not apply to rectrack ", spec->name,
                             "; see rectrack ", spec->name, " --help")));
    }
  }

  Context ctx;
  ctx.args = *std::move(parsed);
  ctx.server = ctx.args.Get("--server").value_or(kDefaultServer);
  ctx.json = ctx.args.Has("--json");
  absl::StatusOr<client::ConnectOptions> connect = ConnectOptionsOf(ctx.args);
  if (!connect.ok()) return PrintError(connect.status());
  ctx.channel = client::Connect(ctx.server, *connect);
  auto stub = v1::Tracker::NewStub(ctx.channel);
  ctx.stub = stub.get();
  absl::Status status = spec->run(ctx);
  return status.ok() ? 0 : PrintError(status);
}

}  // namespace
}  // namespace rectrack::cli

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // "-o FILE" is the one short option: the same as "--output FILE".
  for (std::string& arg : args) {
    if (arg == "-o") arg = "--output";
    if (arg == "--") break;
  }
  return rectrack::cli::Run(args);
}
