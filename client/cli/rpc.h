// Calling rectrackd and printing what it answers.
#pragma once

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/cli/context.h"
#include "rectrack/v1/tracker.grpc.pb.h"

namespace rectrack::cli {

// Runs `rpc` with a 30 s deadline; a server that cannot be reached is
// explained with the address tried.
absl::Status Call(Context& ctx,
                  const std::function<grpc::Status(grpc::ClientContext*)>& rpc);

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
           const std::string& text);

// Sends one command as an Apply request, with --request-id and
// --expect-version when given.
absl::StatusOr<v1::ApplyResponse> ApplyOne(Context& ctx, v1::Command command);

// Prints the outcome of a change: JSON, or `what` and then the entity id
// alone on the last line.
absl::Status PrintChange(Context& ctx,
                         absl::StatusOr<v1::ApplyResponse> response,
                         const std::string& what);

// Every action matching `request`, fetching page after page.
absl::StatusOr<std::vector<v1::Action>> AllActions(
    Context& ctx, v1::ListActionsRequest request);

}  // namespace rectrack::cli
