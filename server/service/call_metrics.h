// Calls by method and status code, and their latency, for /metrics: a
// server interceptor that sees every call, over the gRPC port or through
// the HTTP gateway (which forwards to the in-process channel), so both are
// counted once each, by the same code. Updates are relaxed atomics in a
// table built at start-up: no lock and no allocation besides the
// interceptor gRPC asks for.
#pragma once

#include <grpcpp/support/server_interceptor.h>

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/metrics.h"

namespace rectrack::service {

class CallMetrics {
 public:
  // Every method of `services` (full names, e.g. "rectrack.v1.Tracker"),
  // as gRPC names them ("/rectrack.v1.Tracker/Apply"); calls to any other
  // method are counted under "other".
  explicit CallMetrics(const std::vector<std::string>& services);

  // The row of `method` (gRPC's name for it).
  int IndexOf(const char* method) const;
  void Record(int index, grpc::StatusCode code, uint64_t nanoseconds);

  // Appends rectrack_calls_total and rectrack_call_duration_seconds.
  void Write(std::string* out) const;

  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
  InterceptorFactory();

 private:
  static constexpr int kCodes = 17;  // OK .. UNAUTHENTICATED
  struct Row {
    std::string method;
    std::array<std::atomic<uint64_t>, kCodes> calls{};
    Histogram duration{LatencyBounds(), 1e9};
  };
  std::vector<std::unique_ptr<Row>> rows_;  // the last is "other"
  absl::flat_hash_map<std::string, int> index_;
};

}  // namespace rectrack::service
