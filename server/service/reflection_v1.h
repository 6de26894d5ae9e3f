// Server reflection v1 (grpc.reflection.v1). gRPC 1.51's plugin serves only
// v1alpha; the two are identical on the wire, so each v1 request is passed
// to the v1alpha service through the in-process channel and its answer
// passed back: both versions give the same answers by construction.
#pragma once

#include <atomic>

#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "server/service/in_process.h"

namespace rectrack::service {

class ReflectionV1 final
    : public grpc::reflection::v1::ServerReflection::Service {
 public:
  // Calls before SetCaller are refused with UNAVAILABLE.
  void SetCaller(InProcessCaller* caller) { caller_ = caller; }

  grpc::Status ServerReflectionInfo(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<grpc::reflection::v1::ServerReflectionResponse,
                               grpc::reflection::v1::ServerReflectionRequest>*
          stream) override;

 private:
  std::atomic<InProcessCaller*> caller_{nullptr};
};

}  // namespace rectrack::service
