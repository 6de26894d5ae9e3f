#include "common/error_details.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"

namespace rectrack {
namespace {

template <typename T>
std::string TypeUrl() {
  return "type.googleapis.com/" + T::descriptor()->full_name();
}

template <typename T>
std::optional<T> PayloadOf(const absl::Status& status) {
  absl::optional<absl::Cord> bytes = status.GetPayload(TypeUrl<T>());
  if (!bytes.has_value()) return std::nullopt;
  T message;
  if (!message.ParseFromString(std::string(*bytes))) return std::nullopt;
  return message;
}

template <typename T>
void SetPayload(absl::Status* status, const T& message) {
  status->SetPayload(TypeUrl<T>(), absl::Cord(message.SerializeAsString()));
}

}  // namespace

absl::Status WithFieldViolation(absl::Status status, absl::string_view field,
                                absl::string_view reason) {
  if (status.ok()) return status;
  google::rpc::BadRequest bad =
      BadRequestOf(status).value_or(google::rpc::BadRequest());
  google::rpc::BadRequest::FieldViolation* v = bad.add_field_violations();
  v->set_field(std::string(field));
  v->set_description(std::string(status.message()));
  v->set_reason(std::string(reason));
  SetPayload(&status, bad);
  return status;
}

absl::Status WithErrorInfo(absl::Status status, absl::string_view reason,
                           const std::map<std::string, std::string>& metadata) {
  if (status.ok()) return status;
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(kErrorDomain);
  for (const auto& [key, value] : metadata) {
    (*info.mutable_metadata())[key] = value;
  }
  SetPayload(&status, info);
  return status;
}

absl::Status WithResourceInfo(absl::Status status, absl::string_view type,
                              absl::string_view name) {
  if (status.ok()) return status;
  google::rpc::ResourceInfo info;
  info.set_resource_type(std::string(type));
  info.set_resource_name(std::string(name));
  info.set_description(std::string(status.message()));
  SetPayload(&status, info);
  return status;
}

absl::Status Reworded(const absl::Status& status, absl::string_view message) {
  absl::Status out(status.code(), message);
  status.ForEachPayload([&out](absl::string_view url, const absl::Cord& bytes) {
    out.SetPayload(url, bytes);
  });
  return out;
}

std::optional<google::rpc::BadRequest> BadRequestOf(
    const absl::Status& status) {
  return PayloadOf<google::rpc::BadRequest>(status);
}

void SetBadRequest(absl::Status* status, const google::rpc::BadRequest& bad) {
  if (bad.field_violations().empty()) {
    status->ErasePayload(TypeUrl<google::rpc::BadRequest>());
  } else {
    SetPayload(status, bad);
  }
}

google::rpc::Status ToRpcStatus(const absl::Status& status) {
  google::rpc::Status out;
  out.set_code(static_cast<int>(status.code()));
  out.set_message(std::string(status.message()));
  std::vector<std::pair<std::string, std::string>> payloads;
  status.ForEachPayload(
      [&payloads](absl::string_view url, const absl::Cord& bytes) {
        payloads.emplace_back(std::string(url), std::string(bytes));
      });
  std::sort(payloads.begin(), payloads.end());
  for (auto& [url, bytes] : payloads) {
    google::protobuf::Any* any = out.add_details();
    any->set_type_url(url);
    any->set_value(std::move(bytes));
  }
  return out;
}

absl::Status FromRpcStatus(const google::rpc::Status& status) {
  absl::Status out(static_cast<absl::StatusCode>(status.code()),
                   status.message());
  for (const google::protobuf::Any& any : status.details()) {
    out.SetPayload(any.type_url(), absl::Cord(any.value()));
  }
  return out;
}

}  // namespace rectrack
