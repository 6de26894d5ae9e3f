#include "server/service/tracker_service.h"

#include <utility>

#include "common/grpc_status.h"

namespace rectrack::service {
namespace {

// Until authentication arrives every caller is recorded as "anonymous".
// The actor is never taken from the request.
std::string Actor(grpc::CallbackServerContext* /*context*/) {
  return "anonymous";
}

grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* context,
                                 const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

// Finishes a unary call with `result`, moved into `*response` when OK.
template <typename T>
grpc::ServerUnaryReactor* Reply(grpc::CallbackServerContext* context,
                                absl::StatusOr<T> result, T* response) {
  if (result.ok()) {
    *response = *std::move(result);
  }
  return Finish(context, result.status());
}

template <typename Item, typename Field>
void CopyAll(std::vector<Item> items, Field* field) {
  field->Reserve(static_cast<int>(items.size()));
  for (Item& item : items) {
    *field->Add() = std::move(item);
  }
}

}  // namespace

grpc::ServerUnaryReactor* TrackerService::Apply(
    grpc::CallbackServerContext* context, const v1::ApplyRequest* request,
    v1::ApplyResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  tracker_->Apply(*request, Actor(context),
                  [reactor, response](absl::StatusOr<v1::ApplyResponse> r) {
                    if (r.ok()) {
                      *response = *std::move(r);
                    }
                    reactor->Finish(ToGrpcStatus(r.status()));
                  });
  return reactor;
}

grpc::ServerUnaryReactor* TrackerService::GetReview(
    grpc::CallbackServerContext* context, const v1::GetReviewRequest* request,
    v1::Review* response) {
  return Reply(context, tracker_->GetReview(request->id()), response);
}

grpc::ServerUnaryReactor* TrackerService::GetRecommendation(
    grpc::CallbackServerContext* context,
    const v1::GetRecommendationRequest* request, v1::Recommendation* response) {
  return Reply(context, tracker_->GetRecommendation(request->id()), response);
}

grpc::ServerUnaryReactor* TrackerService::GetAction(
    grpc::CallbackServerContext* context, const v1::GetActionRequest* request,
    v1::Action* response) {
  return Reply(context, tracker_->GetAction(request->id()), response);
}

grpc::ServerUnaryReactor* TrackerService::ListReviews(
    grpc::CallbackServerContext* context,
    const v1::ListReviewsRequest* /*request*/,
    v1::ListReviewsResponse* response) {
  auto reviews = tracker_->ListReviews();
  if (reviews.ok()) {
    CopyAll(*std::move(reviews), response->mutable_reviews());
  }
  return Finish(context, reviews.status());
}

grpc::ServerUnaryReactor* TrackerService::ListActions(
    grpc::CallbackServerContext* context, const v1::ListActionsRequest* request,
    v1::ListActionsResponse* response) {
  auto actions = tracker_->ListActions(*request);
  if (actions.ok()) {
    CopyAll(*std::move(actions), response->mutable_actions());
  }
  return Finish(context, actions.status());
}

grpc::ServerUnaryReactor* TrackerService::GetHistory(
    grpc::CallbackServerContext* context, const v1::GetHistoryRequest* request,
    v1::GetHistoryResponse* response) {
  auto events = tracker_->GetHistory(request->id());
  if (events.ok()) {
    CopyAll(*std::move(events), response->mutable_events());
  }
  return Finish(context, events.status());
}

grpc::ServerUnaryReactor* TrackerService::ReadEvents(
    grpc::CallbackServerContext* context, const v1::ReadEventsRequest* request,
    v1::ReadEventsResponse* response) {
  return Reply(context,
               tracker_->ReadEvents(request->from_position(), request->limit()),
               response);
}

}  // namespace rectrack::service
