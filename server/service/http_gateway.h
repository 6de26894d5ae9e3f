// rectrackd's HTTP port (--http-listen): the Connect protocol and gRPC-Web
// for browsers and scripts, /healthz, /metrics and, with --http-static, a
// directory of static files. Every RPC is forwarded to the server's own
// in-process gRPC channel, so it meets the same service code,
// authentication, roles, limits, access log and errors as a gRPC call; the
// gateway only translates between the two wires.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "server/service/http_connect.h"
#include "server/service/in_process.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace rectrack::service {

struct HttpGatewayOptions {
  // host:port; port 0 picks a free port.
  std::string listen;
  // TLS as for gRPC (the same files): with tls_client_ca, clients must
  // present a certificate signed by it.
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  // Served at / (index.html for /) when not empty.
  std::string static_dir;
  // Origins allowed to call from a browser on another origin (CORS), e.g.
  // "https://intranet.example.gov.uk"; "*" allows any.
  std::vector<std::string> cors_origins;
  // Sent with every forwarded call so Access knows it came through here
  // (and may trust the client certificate named beside it).
  std::string gateway_secret;
  // Most streams (Watch) open at once over HTTP; each holds a thread.
  int max_streams = 48;
  // The body of /metrics (Prometheus text), if set.
  std::function<std::string()> metrics;
  // True while the server is serving (for /healthz).
  std::function<bool()> serving;
};

class HttpGateway {
  using MethodDescriptor = google::protobuf::MethodDescriptor;

 public:
  // Binds and starts serving on a thread of its own. UNAVAILABLE if the
  // address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpGateway>> Start(
      HttpGatewayOptions options, std::shared_ptr<grpc::Channel> channel);
  ~HttpGateway();

  int port() const { return port_; }
  // Streams (Watch) open over HTTP now.
  int open_streams() const { return streams_.load(std::memory_order_relaxed); }
  // Stops accepting and waits for requests in progress. Idempotent.
  void Stop();

 private:
  HttpGateway(HttpGatewayOptions options,
              std::shared_ptr<grpc::Channel> channel);
  void Route();
  void HandleRpc(const httplib::Request& req, httplib::Response& res);
  // The metadata of the forwarded call; INVALID_ARGUMENT for a header gRPC
  // cannot carry.
  grpc::Status Forwarded(const httplib::Request& req,
                         const MethodDescriptor& method,
                         CallOptions* options) const;
  void Stream(const httplib::Request& req, const MethodDescriptor& method,
              const connect::WireFormat& format, const CallOptions& options,
              httplib::Response& res);

  HttpGatewayOptions options_;
  InProcessCaller caller_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> streams_{0};
};

}  // namespace rectrack::service
