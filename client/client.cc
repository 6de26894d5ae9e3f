#include "client/client.h"

#include <grpcpp/support/client_interceptor.h>

namespace rectrack::client {
namespace {

// Adds "authorization: Bearer TOKEN" to every call's metadata.
class BearerToken final : public grpc::experimental::Interceptor {
 public:
  explicit BearerToken(const std::string* header) : header_(header) {}
  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::
                PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->insert({"authorization", *header_});
    }
    methods->Proceed();
  }

 private:
  const std::string* header_;
};

class BearerTokenFactory final
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit BearerTokenFactory(const std::string& token)
      : header_("Bearer " + token) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* /*info*/) override {
    return new BearerToken(&header_);
  }

 private:
  const std::string header_;  // lives as long as the channel
};

}  // namespace

std::shared_ptr<grpc::Channel> Connect(const std::string& address,
                                       const ConnectOptions& options) {
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      grpc::InsecureChannelCredentials();
  if (options.tls) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = options.tls_ca_pem;
    ssl.pem_cert_chain = options.tls_cert_pem;
    ssl.pem_private_key = options.tls_key_pem;
    credentials = grpc::SslCredentials(ssl);
  }
  std::vector<
      std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>>
      interceptors;
  grpc::ChannelArguments args = options.arguments;
  if (!options.tls_server_name.empty()) {
    args.SetSslTargetNameOverride(options.tls_server_name);
  }
  if (!options.token.empty()) {
    interceptors.push_back(std::make_unique<BearerTokenFactory>(options.token));
  }
  return grpc::experimental::CreateCustomChannelWithInterceptors(
      address, credentials, args, std::move(interceptors));
}

Client::Client(std::shared_ptr<grpc::Channel> channel,
               std::chrono::milliseconds timeout)
    : stub_(v1::Tracker::NewStub(std::move(channel))), timeout_(timeout) {}

Client::Client(const std::string& address,
               const std::shared_ptr<grpc::ChannelCredentials>& credentials,
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
