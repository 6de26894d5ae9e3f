// One JSON log line per call: method, status code, duration, and the
// caller's x-request-id metadata when given. Never the request body.
#pragma once

#include <grpcpp/support/server_interceptor.h>

#include "common/clock.h"

namespace rectrack::service {

class AccessLogFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // `clock` stamps the lines; not owned.
  explicit AccessLogFactory(Clock* clock) : clock_(clock) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  Clock* clock_;
};

}  // namespace rectrack::service
