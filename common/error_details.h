// Error details: google.rpc messages carried as absl::Status payloads, keyed
// by their type URL, so that the code that finds a problem can say which
// field, resource or reason it is about without knowing gRPC. ToGrpcStatus
// (grpc_status.h) sends them as google.rpc.Status in grpc-status-details-bin;
// the HTTP gateway copies them into Connect's "details".
#pragma once

#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace rectrack {

// ErrorInfo.domain of every reason rectrackd gives.
inline constexpr char kErrorDomain[] = "rectrack";

// `status` with one more BadRequest field violation (the payload's others
// are kept). `field` is a path in the request ("commands[2].add_action.text"
// once the decider has placed it; "text" inside a command); `reason` a
// stable UPPER_SNAKE word, or "".
absl::Status WithFieldViolation(absl::Status status, absl::string_view field,
                                absl::string_view reason = "");

// `status` with ErrorInfo{reason, "rectrack", metadata}, replacing any
// earlier ErrorInfo.
absl::Status WithErrorInfo(
    absl::Status status, absl::string_view reason,
    const std::map<std::string, std::string>& metadata = {});

// `status` with ResourceInfo{type, name}.
absl::Status WithResourceInfo(absl::Status status, absl::string_view type,
                              absl::string_view name);

// `status` with another message and the same code and details.
absl::Status Reworded(const absl::Status& status, absl::string_view message);

// The BadRequest payload, if any.
std::optional<google::rpc::BadRequest> BadRequestOf(const absl::Status& status);
// Replaces the BadRequest payload (none if it has no violations).
void SetBadRequest(absl::Status* status, const google::rpc::BadRequest& bad);

// The whole status as google.rpc.Status: code, message and every payload as
// an Any (in type-URL order).
google::rpc::Status ToRpcStatus(const absl::Status& status);

// The inverse: code, message and every detail as a payload.
absl::Status FromRpcStatus(const google::rpc::Status& status);

}  // namespace rectrack
