#include "server/service/access_log.h"

#include <chrono>
#include <string>

#include "common/grpc_status.h"
#include "common/log.h"

namespace rectrack::service {
namespace {

using grpc::experimental::InterceptionHookPoints;

class AccessLog final : public grpc::experimental::Interceptor {
 public:
  AccessLog(grpc::experimental::ServerRpcInfo* info, Clock* clock)
      : method_(info->method()),
        clock_(clock),
        start_(std::chrono::steady_clock::now()) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* metadata = methods->GetRecvInitialMetadata();
      auto it = metadata->find("x-request-id");
      if (it != metadata->end()) {
        request_id_.assign(it->second.data(), it->second.size());
      }
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      double ms = std::chrono::duration<double, std::milli>(
                      std::chrono::steady_clock::now() - start_)
                      .count();
      Log(clock_, status.ok() ? "info" : "warning", "call",
          {{"method", method_},
           {"status",
            CodeName(static_cast<absl::StatusCode>(status.error_code()))},
           {"duration_ms", ms},
           {"request_id", request_id_}});
    }
    methods->Proceed();
  }

 private:
  const std::string method_;
  Clock* clock_;
  const std::chrono::steady_clock::time_point start_;
  std::string request_id_;
};

}  // namespace

grpc::experimental::Interceptor* AccessLogFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new AccessLog(info, clock_);
}

}  // namespace rectrack::service
