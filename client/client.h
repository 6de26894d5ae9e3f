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

// A connection to one rectrackd. Thread-safe; share one per process.
class Client {
 public:
  // Connects (lazily, on the first call) to `address` ("host:port") with
  // `credentials` (plaintext by default). Every call gets `timeout`.
  explicit Client(const std::string& address,
                  std::shared_ptr<grpc::ChannelCredentials> credentials =
                      grpc::InsecureChannelCredentials(),
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
