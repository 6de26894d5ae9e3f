// Requests that protobuf cannot read (a string field holding invalid
// UTF-8, or a damaged message) become INVALID_ARGUMENT naming the field,
// instead of gRPC's bare UNIMPLEMENTED.
//
// gRPC's callback API drops the status of a failed deserialization, so the
// request types of rectrack.v1.Tracker get their own SerializationTraits:
// when a request cannot be read, the handler receives an empty request
// carrying the problem (see WireProblem), and rectrackd refuses the call
// with it. Included at the end of the generated tracker.pb.h (see
// proto/CMakeLists.txt), so every file that sees the request types sees
// these traits too.
#pragma once

#include <grpcpp/impl/codegen/proto_utils.h>

#include <string>

namespace rectrack::wire {

// Unknown-field number that carries the problem (the largest field number
// protobuf allows; no rectrack message uses it).
inline constexpr int kProblemField = 536870911;

// Reads `buffer` into `message`. OK unless the buffer cannot be read at
// all; a request that is not a valid message becomes an empty message with
// the problem recorded (see WireProblem).
grpc::Status Deserialize(grpc::ByteBuffer* buffer,
                         google::protobuf::Message* message);

// The problem Deserialize recorded in `message`, or "" if none, e.g.
// "commands[0].open_review.title is not valid UTF-8".
std::string WireProblem(const google::protobuf::Message& message);

}  // namespace rectrack::wire

#define RECTRACK_WIRE_CHECKED(Type)                                          \
  template <>                                                                \
  class grpc::SerializationTraits<Type, void> {                              \
   public:                                                                   \
    static grpc::Status Serialize(const grpc::protobuf::MessageLite& msg,    \
                                  grpc::ByteBuffer* bb, bool* own_buffer) {  \
      return grpc::GenericSerialize<grpc::ProtoBufferWriter, Type>(          \
          msg, bb, own_buffer);                                              \
    }                                                                        \
    static grpc::Status Deserialize(grpc::ByteBuffer* buffer,                \
                                    grpc::protobuf::MessageLite* msg) {      \
      return ::rectrack::wire::Deserialize(buffer, static_cast<Type*>(msg)); \
    }                                                                        \
  }

RECTRACK_WIRE_CHECKED(rectrack::v1::ApplyRequest);
RECTRACK_WIRE_CHECKED(rectrack::v1::BulkApplyRequest);
RECTRACK_WIRE_CHECKED(rectrack::v1::GetReviewRequest);
RECTRACK_WIRE_CHECKED(rectrack::v1::GetRecommendationRequest);
RECTRACK_WIRE_CHECKED(rectrack::v1::GetActionRequest);
RECTRACK_WIRE_CHECKED(rectrack::v1::ListReviewsRequest);
RECTRACK_WIRE_CHECKED(rectrack::v1::ListActionsRequest);
RECTRACK_WIRE_CHECKED(rectrack::v1::GetReportRequest);
RECTRACK_WIRE_CHECKED(rectrack::v1::GetHistoryRequest);
RECTRACK_WIRE_CHECKED(rectrack::v1::ReadEventsRequest);
RECTRACK_WIRE_CHECKED(rectrack::v1::WatchRequest);
RECTRACK_WIRE_CHECKED(rectrack::v1::VerifyRequest);
RECTRACK_WIRE_CHECKED(rectrack::v1::BackupRequest);
