#include "client/client.h"

namespace rectrack::client {

Client::Client(const std::string& address,
               std::shared_ptr<grpc::ChannelCredentials> credentials,
               std::chrono::milliseconds timeout)
    : stub_(v1::Tracker::NewStub(grpc::CreateChannel(address, credentials))),
      timeout_(timeout) {}

std::unique_ptr<grpc::ClientContext> Client::NewContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout_);
  return context;
}

grpc::Status Client::Apply(const std::vector<v1::Command>& commands,
                           v1::ApplyResponse* response,
                           const std::string& request_id) {
  v1::ApplyRequest request;
  for (const v1::Command& c : commands) *request.add_commands() = c;
  request.set_request_id(request_id);
  return stub_->Apply(NewContext().get(), request, response);
}

grpc::Status Client::GetReview(const std::string& id, v1::Review* review) {
  v1::GetReviewRequest request;
  request.set_id(id);
  return stub_->GetReview(NewContext().get(), request, review);
}

grpc::Status Client::GetRecommendation(const std::string& id,
                                       v1::Recommendation* recommendation) {
  v1::GetRecommendationRequest request;
  request.set_id(id);
  return stub_->GetRecommendation(NewContext().get(), request, recommendation);
}

grpc::Status Client::GetAction(const std::string& id, v1::Action* action) {
  v1::GetActionRequest request;
  request.set_id(id);
  return stub_->GetAction(NewContext().get(), request, action);
}

}  // namespace rectrack::client
