// The Connect protocol's wire rules (https://connectrpc.com/docs/protocol),
// and gRPC-Web's, as pure functions: content types, envelopes, JSON in
// protobuf's own mapping, and errors. The gateway (http_gateway.cc) moves
// the bytes; nothing here does I/O.
#pragma once

#include <grpcpp/support/status.h>

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace rectrack::service::connect {

// How a request's messages are written, from its content type.
enum class Protocol {
  kConnectUnary,      // application/json, application/proto
  kConnectStreaming,  // application/connect+json, application/connect+proto
  kGrpcWeb,           // application/grpc-web(+proto|+json)
};

struct WireFormat {
  Protocol protocol = Protocol::kConnectUnary;
  bool json = true;
};

// The format of `content_type` (parameters such as "; charset=utf-8"
// ignored); nothing if it is none of the above.
std::optional<WireFormat> ParseContentType(absl::string_view content_type);

// The content type answering in `format`.
std::string ContentType(const WireFormat& format);

// Message bytes (protobuf binary) from the body's form, and back. JSON
// uses protobuf's JSON mapping (lowerCamelCase names, enums by name, int64
// as strings); an unknown field is refused, naming it.
absl::StatusOr<std::string> ToBinary(const google::protobuf::Descriptor& type,
                                     absl::string_view body, bool json);
absl::StatusOr<std::string> FromBinary(const google::protobuf::Descriptor& type,
                                       const std::string& bytes, bool json);

// Streaming envelopes: one flags byte, a 4-byte big-endian length, data.
inline constexpr uint8_t kEndStreamFlag = 0x02;  // Connect's last message
inline constexpr uint8_t kTrailersFlag = 0x80;   // gRPC-Web's trailers
inline constexpr uint8_t kCompressedFlag = 0x01;
std::string Envelope(uint8_t flags, absl::string_view data);

struct Frame {
  uint8_t flags = 0;
  std::string data;
};
// Takes the first frame off `*input`; nothing if `*input` holds no whole
// frame (then `*input` is unchanged).
std::optional<Frame> TakeFrame(absl::string_view* input);

// "invalid_argument", "not_found", ... (Connect's names of the codes).
const char* CodeName(grpc::StatusCode code);
// The HTTP status of a unary error with `code`, as Connect maps it.
int HttpStatus(grpc::StatusCode code);

// Connect's JSON error: {"code", "message", "details": [{"type", "value",
// "debug"}]} with the google.rpc.Status details of `status`
// (status.error_details()), each with its JSON form as "debug".
std::string ErrorJson(const grpc::Status& status);

// The end-of-stream message of a Connect stream: {} or {"error": ...}.
std::string EndStreamJson(const grpc::Status& status);

// gRPC-Web's trailers frame body ("grpc-status: N\r\n...").
std::string GrpcWebTrailers(const grpc::Status& status);

// A status meaning the request could not be read at all, for errors found
// before a call is made.
grpc::Status BadRequestStatus(const std::string& message);

}  // namespace rectrack::service::connect
