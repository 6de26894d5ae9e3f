// The one place where absl::Status and grpc::Status meet.
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace rectrack {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

// "INVALID_ARGUMENT", "NOT_FOUND", … as gRPC spells the code.
const char* CodeName(absl::StatusCode code);

}  // namespace rectrack
