#include "server/service/in_process.h"

#include <grpcpp/support/byte_buffer.h>

namespace rectrack::service {
namespace {

// Tags of the call's operations; each is awaited before the next starts,
// except a Read left waiting by a poll.
char kStartTag, kWriteTag, kWritesDoneTag, kReadTag, kFinishTag;

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes.data(), bytes.size());
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromBuffer(const grpc::ByteBuffer& buffer) {
  grpc::Slice slice;
  // One slice holding everything (Dump copies once).
  if (!buffer.TrySingleSlice(&slice).ok()) {
    (void)buffer.DumpToSingleSlice(&slice);
  }
  return std::string(reinterpret_cast<const char*>(slice.begin()),
                     slice.size());
}

}  // namespace

InProcessCall::InProcessCall(grpc::GenericStub* stub,
                             const CallOptions& options) {
  for (const auto& [key, value] : options.metadata) {
    context_.AddMetadata(key, value);
  }
  if (options.deadline != absl::InfiniteFuture()) {
    context_.set_deadline(absl::ToChronoTime(options.deadline));
  }
  call_ = stub->PrepareCall(&context_, options.method, &queue_);
}

InProcessCall::~InProcessCall() {
  if (started_ && !finished_) {
    context_.TryCancel();
    Finish();
  }
  queue_.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (queue_.Next(&tag, &ok)) {
  }
}

bool InProcessCall::Await(void* tag) {
  void* got = nullptr;
  bool ok = false;
  while (queue_.Next(&got, &ok)) {
    if (got == &kReadTag) read_pending_ = false;
    if (got == tag) return ok;
  }
  return false;
}

bool InProcessCall::Start() {
  call_->StartCall(&kStartTag);
  started_ = Await(&kStartTag);
  return started_;
}

bool InProcessCall::Write(const std::string& bytes) {
  call_->Write(ToBuffer(bytes), &kWriteTag);
  return Await(&kWriteTag);
}

bool InProcessCall::WritesDone() {
  call_->WritesDone(&kWritesDoneTag);
  return Await(&kWritesDoneTag);
}

std::optional<std::string> InProcessCall::Read(
    std::optional<absl::Duration> poll, bool* waiting) {
  if (waiting != nullptr) *waiting = false;
  if (!read_pending_) {
    call_->Read(&read_buffer_, &kReadTag);
    read_pending_ = true;
  }
  if (!poll.has_value()) {
    if (!Await(&kReadTag)) return std::nullopt;
    return FromBuffer(read_buffer_);
  }
  void* got = nullptr;
  bool ok = false;
  switch (
      queue_.AsyncNext(&got, &ok, absl::ToChronoTime(absl::Now() + *poll))) {
    case grpc::CompletionQueue::TIMEOUT:
      if (waiting != nullptr) *waiting = true;
      return std::nullopt;
    case grpc::CompletionQueue::GOT_EVENT:
      read_pending_ = false;
      if (!ok) return std::nullopt;
      return FromBuffer(read_buffer_);
    case grpc::CompletionQueue::SHUTDOWN:
      break;
  }
  return std::nullopt;
}

grpc::Status InProcessCall::Finish() {
  grpc::Status status;
  if (finished_) return status;
  finished_ = true;
  if (read_pending_) {
    // A read left waiting ends once the call does; drain it first.
    context_.TryCancel();
    Await(&kReadTag);
  }
  call_->Finish(&status, &kFinishTag);
  Await(&kFinishTag);
  return status;
}

UnaryResult InProcessCaller::Unary(const CallOptions& options,
                                   const std::string& request) {
  InProcessCall call(&stub_, options);
  UnaryResult result;
  if (call.Start() && call.Write(request) && call.WritesDone()) {
    std::optional<std::string> response = call.Read();
    if (response.has_value()) result.response = *std::move(response);
  }
  result.status = call.Finish();
  return result;
}

}  // namespace rectrack::service
