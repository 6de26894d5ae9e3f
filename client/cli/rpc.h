// Calling rectrackd and printing what it answers.
#pragma once

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include <functional>
#include <string>
#include <type_traits>
#include <utility>
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

// Sends the command `build` makes for the one id after the command words
// (an id of `what`, as OneId reads it) and prints the outcome, saying
// `done` ("Closed").
absl::Status ChangeOne(
    Context& ctx, const std::string& what, const std::string& done,
    const std::function<absl::Status(const std::string& id,
                                     v1::Command* command)>& build);

// Whether `Request` has an as_of (GetReviewRequest does, GetHistoryRequest
// does not).
template <typename Request, typename = void>
struct TakesAsOf : std::false_type {};
template <typename Request>
struct TakesAsOf<
    Request, std::void_t<decltype(std::declval<Request&>().mutable_as_of())>>
    : std::true_type {};

// Gets what the one id after the command words names (an id of `what`),
// as it stood at --as-of when given and `request` takes one: sets
// `request`'s id (and as_of) from the command line, then calls `method`.
template <typename Request, typename Response>
absl::Status GetOne(Context& ctx, const std::string& what,
                    grpc::Status (v1::Tracker::Stub::*method)(
                        grpc::ClientContext*, const Request&, Response*),
                    Request* request, Response* response) {
  absl::StatusOr<std::string> id = OneId(ctx, what);
  if (!id.ok()) return id.status();
  request->set_id(*id);
  if constexpr (TakesAsOf<Request>::value) {
    absl::StatusOr<bool> as_of = AsOfOption(ctx, request);
    if (!as_of.ok()) return as_of.status();
  }
  return Unary(ctx, method, *request, response);
}

// What each of `ids` names, with `method`, as it stood at `as_of` unless
// that is null.
template <typename Request, typename Response>
absl::StatusOr<std::vector<Response>> GetEach(
    Context& ctx,
    grpc::Status (v1::Tracker::Stub::*method)(grpc::ClientContext*,
                                              const Request&, Response*),
    const google::protobuf::RepeatedPtrField<std::string>& ids,
    const v1::AsOf* as_of) {
  std::vector<Response> out;
  for (const std::string& id : ids) {
    Request request;
    request.set_id(id);
    if (as_of != nullptr) *request.mutable_as_of() = *as_of;
    Response response;
    absl::Status status = Unary(ctx, method, request, &response);
    if (!status.ok()) return status;
    out.push_back(std::move(response));
  }
  return out;
}

// Every action matching `request`, fetching page after page.
absl::StatusOr<std::vector<v1::Action>> AllActions(
    Context& ctx, v1::ListActionsRequest request);

}  // namespace rectrack::cli
