#include "server/service/http_connect.h"

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/log.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/status.pb.h"

namespace rectrack::service::connect {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::Message;
using google::protobuf::MessageFactory;

std::unique_ptr<Message> NewMessage(const Descriptor& type) {
  const Message* prototype =
      MessageFactory::generated_factory()->GetPrototype(&type);
  return std::unique_ptr<Message>(prototype->New());
}

// The "details" array of Connect's error.
std::string DetailsJson(const grpc::Status& status) {
  google::rpc::Status rpc;
  if (status.error_details().empty() ||
      !rpc.ParseFromString(status.error_details()) || rpc.details().empty()) {
    return "";
  }
  std::string out = ",\"details\":[";
  for (int i = 0; i < rpc.details_size(); ++i) {
    const google::protobuf::Any& any = rpc.details(i);
    absl::string_view type = any.type_url();
    if (size_t slash = type.rfind('/'); slash != absl::string_view::npos) {
      type.remove_prefix(slash + 1);
    }
    // Connect sends binary values in standard base64 without padding.
    std::string value = absl::Base64Escape(any.value());
    while (!value.empty() && value.back() == '=') value.pop_back();
    absl::StrAppend(&out, i == 0 ? "" : ",", "{\"type\":", JsonQuote(type),
                    ",\"value\":", JsonQuote(value));
    if (const Descriptor* d =
            DescriptorPool::generated_pool()->FindMessageTypeByName(
                std::string(type))) {
      absl::StatusOr<std::string> debug = FromBinary(*d, any.value(), true);
      if (debug.ok()) absl::StrAppend(&out, ",\"debug\":", *debug);
    }
    out += "}";
  }
  return out + "]";
}

// grpc-message is percent-encoded (gRPC's HTTP/2 rules).
std::string PercentEncoded(absl::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c >= 0x20 && c <= 0x7e && c != '%') {
      out += static_cast<char>(c);
    } else {
      absl::StrAppend(&out, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return out;
}

}  // namespace

std::optional<WireFormat> ParseContentType(absl::string_view content_type) {
  absl::string_view type = content_type.substr(0, content_type.find(';'));
  std::string t = absl::AsciiStrToLower(absl::StripAsciiWhitespace(type));
  if (t == "application/json") return WireFormat{Protocol::kConnectUnary, true};
  if (t == "application/proto") {
    return WireFormat{Protocol::kConnectUnary, false};
  }
  if (t == "application/connect+json") {
    return WireFormat{Protocol::kConnectStreaming, true};
  }
  if (t == "application/connect+proto") {
    return WireFormat{Protocol::kConnectStreaming, false};
  }
  if (t == "application/grpc-web" || t == "application/grpc-web+proto") {
    return WireFormat{Protocol::kGrpcWeb, false};
  }
  if (t == "application/grpc-web+json") {
    return WireFormat{Protocol::kGrpcWeb, true};
  }
  return std::nullopt;
}

std::string ContentType(const WireFormat& format) {
  switch (format.protocol) {
    case Protocol::kConnectUnary:
      return format.json ? "application/json" : "application/proto";
    case Protocol::kConnectStreaming:
      return format.json ? "application/connect+json"
                         : "application/connect+proto";
    case Protocol::kGrpcWeb:
      return format.json ? "application/grpc-web+json"
                         : "application/grpc-web+proto";
  }
  return "application/json";
}

absl::StatusOr<std::string> ToBinary(const Descriptor& type,
                                     absl::string_view body, bool json) {
  if (!json) return std::string(body);
  std::unique_ptr<Message> message = NewMessage(type);
  if (!absl::StripAsciiWhitespace(body).empty()) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    auto status = google::protobuf::util::JsonStringToMessage(
        google::protobuf::StringPiece(body.data(), body.size()), message.get(),
        options);
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the JSON body is not a ", type.full_name(), ": ",
          std::string(status.message()),
          " (field names are the proto's in lowerCamelCase or as written, "
          "enum values by name, 64-bit numbers as strings)"));
    }
  }
  return message->SerializeAsString();
}

absl::StatusOr<std::string> FromBinary(const Descriptor& type,
                                       const std::string& bytes, bool json) {
  if (!json) return bytes;
  std::unique_ptr<Message> message = NewMessage(type);
  if (!message->ParseFromString(bytes)) {
    return absl::InternalError(
        absl::StrCat("the server's ", type.full_name(), " could not be read"));
  }
  std::string out;
  auto status = google::protobuf::util::MessageToJsonString(*message, &out);
  if (!status.ok()) {
    return absl::InternalError(std::string(status.message()));
  }
  return out;
}

std::string Envelope(uint8_t flags, absl::string_view data) {
  std::string out;
  out.reserve(5 + data.size());
  out += static_cast<char>(flags);
  const auto size = static_cast<uint32_t>(data.size());
  for (int shift = 24; shift >= 0; shift -= 8) {
    out += static_cast<char>((size >> shift) & 0xff);
  }
  out.append(data.data(), data.size());
  return out;
}

std::optional<Frame> TakeFrame(absl::string_view* input) {
  if (input->size() < 5) return std::nullopt;
  uint32_t size = 0;
  for (int i = 1; i <= 4; ++i) {
    size = (size << 8) | static_cast<unsigned char>((*input)[i]);
  }
  if (input->size() - 5 < size) return std::nullopt;
  Frame frame;
  frame.flags = static_cast<uint8_t>((*input)[0]);
  frame.data = std::string(input->substr(5, size));
  input->remove_prefix(5 + size);
  return frame;
}

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "ok";
    case grpc::StatusCode::CANCELLED:
      return "canceled";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "invalid_argument";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "deadline_exceeded";
    case grpc::StatusCode::NOT_FOUND:
      return "not_found";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "already_exists";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "permission_denied";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "resource_exhausted";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "failed_precondition";
    case grpc::StatusCode::ABORTED:
      return "aborted";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "out_of_range";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "unimplemented";
    case grpc::StatusCode::INTERNAL:
      return "internal";
    case grpc::StatusCode::UNAVAILABLE:
      return "unavailable";
    case grpc::StatusCode::DATA_LOSS:
      return "data_loss";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "unauthenticated";
    default:
      return "unknown";
  }
}

int HttpStatus(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    default:
      return 500;
  }
}

std::string ErrorJson(const grpc::Status& status) {
  return absl::StrCat("{\"code\":", JsonQuote(CodeName(status.error_code())),
                      ",\"message\":", JsonQuote(status.error_message()),
                      DetailsJson(status), "}");
}

std::string EndStreamJson(const grpc::Status& status) {
  if (status.ok()) return "{}";
  return absl::StrCat("{\"error\":", ErrorJson(status), "}");
}

std::string GrpcWebTrailers(const grpc::Status& status) {
  std::string out = absl::StrCat(
      "grpc-status:", static_cast<int>(status.error_code()), "\r\n");
  if (!status.error_message().empty()) {
    absl::StrAppend(
        &out, "grpc-message:", PercentEncoded(status.error_message()), "\r\n");
  }
  if (!status.error_details().empty()) {
    absl::StrAppend(&out, "grpc-status-details-bin:",
                    absl::Base64Escape(status.error_details()), "\r\n");
  }
  return out;
}

grpc::Status BadRequestStatus(const std::string& message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message);
}

}  // namespace rectrack::service::connect
