#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/stubs/strutil.h>
#include <google/protobuf/unknown_field_set.h>
#include <google/protobuf/wire_format_lite.h>
#include <grpcpp/support/proto_buffer_reader.h>

#include <map>

#include "rectrack/v1/tracker.pb.h"

namespace rectrack::wire {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;

// Walks the wire form of a `descriptor` message and returns the path of
// the first string field that is not valid UTF-8, or "".
std::string FindBadUtf8(CodedInputStream* in, const Descriptor* descriptor,
                        const std::string& prefix, int depth) {
  std::map<int, int> seen;  // field number -> occurrences so far
  while (uint32_t tag = in->ReadTag()) {
    int number = WireFormatLite::GetTagFieldNumber(tag);
    const FieldDescriptor* field = descriptor->FindFieldByNumber(number);
    if (field == nullptr || WireFormatLite::GetTagWireType(tag) !=
                                WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      if (!WireFormatLite::SkipField(in, tag)) return "";
      continue;
    }
    std::string path = prefix + field->name();
    int index = seen[number]++;
    if (field->is_repeated()) path += "[" + std::to_string(index) + "]";
    uint32_t length = 0;
    if (!in->ReadVarint32(&length)) return "";
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      std::string value;
      if (!in->ReadString(&value, static_cast<int>(length))) return "";
      if (!google::protobuf::internal::IsStructurallyValidUTF8(
              value.data(), static_cast<int>(value.size()))) {
        return path;
      }
    } else if (field->type() == FieldDescriptor::TYPE_MESSAGE && depth < 32) {
      CodedInputStream::Limit limit = in->PushLimit(static_cast<int>(length));
      std::string found =
          FindBadUtf8(in, field->message_type(), path + ".", depth + 1);
      if (!found.empty()) return found;
      in->PopLimit(limit);
    } else if (!in->Skip(static_cast<int>(length))) {
      return "";
    }
  }
  return "";
}

}  // namespace

grpc::Status Deserialize(grpc::ByteBuffer* buffer,
                         google::protobuf::Message* message) {
  // The usual path, straight from the buffer's slices; the copy only shares
  // them, for the rare request that cannot be read.
  grpc::ByteBuffer kept(*buffer);
  if (grpc::GenericDeserialize<grpc::ProtoBufferReader,
                               google::protobuf::Message>(buffer, message)
          .ok()) {
    // The problem field is ours to set: a client that sends it must not
    // choose the words of its own error.
    google::protobuf::UnknownFieldSet* unknown =
        message->GetReflection()->MutableUnknownFields(message);
    if (!unknown->empty()) unknown->DeleteByNumber(kProblemField);
    return grpc::Status::OK;
  }
  std::vector<grpc::Slice> slices;
  grpc::Status dumped = kept.Dump(&slices);
  if (!dumped.ok()) return dumped;
  std::string bytes;
  for (const grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                      static_cast<int>(bytes.size()));
  std::string field = FindBadUtf8(&in, message->GetDescriptor(), "", 0);
  std::string problem =
      field.empty()
          ? "the request is not a valid " + message->GetTypeName() +
                " message; send it with code generated from rectrack's "
                ".proto files"
          : field + " is not valid UTF-8 text; send text as UTF-8";
  message->Clear();
  message->GetReflection()->MutableUnknownFields(message)->AddLengthDelimited(
      kProblemField, problem);
  return grpc::Status::OK;
}

std::string WireProblem(const google::protobuf::Message& message) {
  const google::protobuf::UnknownFieldSet& unknown =
      message.GetReflection()->GetUnknownFields(message);
  for (int i = 0; i < unknown.field_count(); ++i) {
    if (unknown.field(i).number() == kProblemField &&
        unknown.field(i).type() ==
            google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) {
      return unknown.field(i).length_delimited();
    }
  }
  return "";
}

}  // namespace rectrack::wire
