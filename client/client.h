// rectrack's C++ client library: the generated stubs of rectrack.v1.Tracker
// plus a thin convenience layer. Use from CMake with
//   find_package(rectrack CONFIG REQUIRED)
//   target_link_libraries(app PRIVATE rectrack::client)
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "rectrack/v1/tracker.grpc.pb.h"

namespace rectrack::client {

// How to reach a rectrackd that asks for a token or TLS.
struct ConnectOptions {
  // Access token (from rectrackd token add), sent on every call as
  // "authorization: Bearer TOKEN". Empty: none.
  std::string token;
  // Use TLS. `tls_ca_pem` is the PEM of the CA that signed the server's
  // certificate (empty: the system's trusted CAs).
  bool tls = false;
  std::string tls_ca_pem;
  // Mutual TLS: this client's PEM certificate chain and private key.
  std::string tls_cert_pem;
  std::string tls_key_pem;
  // The name to expect in the server's certificate when it differs from
  // the host in the address (e.g. connecting by IP address).
  std::string tls_server_name;
  // Any other channel settings (message sizes, keepalive, ...).
  grpc::ChannelArguments arguments;
};

// A channel to `address` with `options`. Thread-safe; share one.
std::shared_ptr<grpc::Channel> Connect(const std::string& address,
                                       const ConnectOptions& options);

// A connection to one rectrackd. Thread-safe; share one per process.
class Client {
 public:
  // Connects (lazily, on the first call) to `address` ("host:port") with
  // `credentials` (plaintext by default). Every call gets `timeout`.
  explicit Client(const std::string& address,
                  const std::shared_ptr<grpc::ChannelCredentials>& credentials =
                      grpc::InsecureChannelCredentials(),
                  std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // Uses `channel` (e.g. from Connect). Every call gets `timeout`.
  explicit Client(std::shared_ptr<grpc::Channel> channel,
                  std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // The generated stub, for everything the helpers below do not cover
  // (BulkApply, Watch, Verify, ...).
  v1::Tracker::Stub& stub() { return *stub_; }

  // Applies `commands` atomically. With a `request_id`, a retry after a
  // failure applies them at most once.
  grpc::Status Apply(const std::vector<v1::Command>& commands,
                     v1::ApplyResponse* response,
                     const std::string& request_id = "");

  grpc::Status GetReview(const std::string& id, v1::Review* review);
  grpc::Status GetRecommendation(const std::string& id,
                                 v1::Recommendation* recommendation);
  grpc::Status GetAction(const std::string& id, v1::Action* action);

 private:
  // A context with this client's deadline.
  std::unique_ptr<grpc::ClientContext> NewContext() const;

  std::unique_ptr<v1::Tracker::Stub> stub_;
  std::chrono::milliseconds timeout_;
};

}  // namespace rectrack::client
