// Calls into this rectrackd's own gRPC server through its in-process
// channel, with serialized messages (a generic stub). The HTTP gateway and
// reflection v1 use it, so what they serve goes through exactly the same
// service code, authentication, interceptors and limits as a gRPC call.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/completion_queue.h>
#include <grpcpp/generic/generic_stub.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace rectrack::service {

// What the caller sends besides the messages.
struct CallOptions {
  // "/package.Service/Method".
  std::string method;
  // Request metadata; keys lower case.
  std::vector<std::pair<std::string, std::string>> metadata;
  absl::Time deadline = absl::InfiniteFuture();
};

// One call (any shape), driven by blocking steps on a queue of its own.
// Not thread-safe: one thread drives it, except Cancel.
class InProcessCall {
 public:
  // The call has started once Start returns true.
  InProcessCall(grpc::GenericStub* stub, const CallOptions& options);
  ~InProcessCall();
  InProcessCall(const InProcessCall&) = delete;
  InProcessCall& operator=(const InProcessCall&) = delete;

  bool Start();
  // Sends one message; false if the call has ended.
  bool Write(const std::string& bytes);
  // Says the client sends no more.
  bool WritesDone();
  // The next message; nothing at the end of the stream (then Finish).
  // With a `poll` interval, returns nothing and sets `*waiting` when no
  // message came within it; call Read again to go on waiting.
  std::optional<std::string> Read(std::optional<absl::Duration> poll = {},
                                  bool* waiting = nullptr);
  // The call's status (its details in error_details()).
  grpc::Status Finish();
  // Ends the call early (from any thread).
  void Cancel() { context_.TryCancel(); }

 private:
  // Waits for the operation tagged `tag`; false if it failed.
  bool Await(void* tag);

  grpc::ClientContext context_;
  grpc::CompletionQueue queue_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
  grpc::ByteBuffer read_buffer_;
  bool read_pending_ = false;
  bool started_ = false;
  bool finished_ = false;
};

// A unary call's outcome.
struct UnaryResult {
  grpc::Status status;
  std::string response;
};

class InProcessCaller {
 public:
  explicit InProcessCaller(std::shared_ptr<grpc::Channel> channel)
      : channel_(std::move(channel)), stub_(channel_) {}

  UnaryResult Unary(const CallOptions& options, const std::string& request);
  std::unique_ptr<InProcessCall> Open(const CallOptions& options) {
    return std::make_unique<InProcessCall>(&stub_, options);
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  grpc::GenericStub stub_;
};

}  // namespace rectrack::service
