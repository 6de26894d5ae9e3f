#include "client/cli/rpc.h"

#include <chrono>
#include <iostream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/render/format.h"
#include "common/grpc_status.h"

namespace rectrack::cli {

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

void Print(const Context& ctx, const google::protobuf::Message& response,
           const std::string& text) {
  if (ctx.json) {
    std::cout << ToJson(response) << "\n";
  } else {
    std::cout << text;
  }
}

absl::StatusOr<v1::ApplyResponse> ApplyOne(Context& ctx, v1::Command command) {
  v1::ApplyRequest request;
  if (auto id = ctx.Get("--request-id")) {
    request.set_request_id(*id);
  }
  if (auto version = ctx.Number("--expect-version")) {
    command.set_expected_version(*version);
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

absl::Status PrintChange(Context& ctx,
                         absl::StatusOr<v1::ApplyResponse> response,
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

absl::Status ChangeOne(
    Context& ctx, const std::string& what, const std::string& done,
    const std::function<absl::Status(const std::string& id,
                                     v1::Command* command)>& build) {
  absl::StatusOr<std::string> id = OneId(ctx, what);
  if (!id.ok()) return id.status();
  v1::Command command;
  absl::Status built = build(*id, &command);
  if (!built.ok()) return built;
  return PrintChange(ctx, ApplyOne(ctx, std::move(command)), done);
}

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

}  // namespace rectrack::cli
