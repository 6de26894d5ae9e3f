#include "server/service/reflection_v1.h"

#include <optional>
#include <string>

namespace rectrack::service {

grpc::Status ReflectionV1::ServerReflectionInfo(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<grpc::reflection::v1::ServerReflectionResponse,
                             grpc::reflection::v1::ServerReflectionRequest>*
        stream) {
  InProcessCaller* caller = caller_.load();
  if (caller == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "the server is still starting; try again");
  }
  CallOptions options;
  options.method =
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
  std::unique_ptr<InProcessCall> call = caller->Open(options);
  if (!call->Start()) return call->Finish();
  grpc::reflection::v1::ServerReflectionRequest request;
  while (stream->Read(&request)) {
    if (!call->Write(request.SerializeAsString())) break;
    std::optional<std::string> answer = call->Read();
    if (!answer.has_value()) break;
    grpc::reflection::v1::ServerReflectionResponse response;
    if (!response.ParseFromString(*answer) || !stream->Write(response)) break;
  }
  if (context->IsCancelled()) {
    call->Cancel();
  } else {
    call->WritesDone();
  }
  return call->Finish();
}

}  // namespace rectrack::service
