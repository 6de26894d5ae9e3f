#include "client/import/transfer.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>
#include <google/protobuf/util/json_util.h>

#include <functional>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace rectrack::cli {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Calls `fn` on every set string field of `message`, recursively.
absl::Status ForEachString(
    Message* message,
    const std::function<absl::Status(std::string* value)>& fn) {
  const google::protobuf::Reflection* reflection = message->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
          absl::Status s = ForEachString(
              reflection->MutableRepeatedMessage(message, field, i), fn);
          if (!s.ok()) return s;
        }
      } else {
        absl::Status s =
            ForEachString(reflection->MutableMessage(message, field), fn);
        if (!s.ok()) return s;
      }
    } else if (field->type() == FieldDescriptor::TYPE_STRING) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
          std::string value = reflection->GetRepeatedString(*message, field, i);
          absl::Status s = fn(&value);
          if (!s.ok()) return s;
          reflection->SetRepeatedString(message, field, i, value);
        }
      } else {
        std::string value = reflection->GetString(*message, field);
        absl::Status s = fn(&value);
        if (!s.ok()) return s;
        reflection->SetString(message, field, value);
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<FileCommand>> ParseJsonl(absl::string_view content) {
  std::vector<FileCommand> out;
  std::vector<std::string> problems;
  if (content.size() >= 3 && content.substr(0, 3) == "\xEF\xBB\xBF") {
    content.remove_prefix(3);  // a UTF-8 byte order mark
  }
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(content, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) {
      continue;
    }
    if (line.size() > kMaxLineBytes) {
      problems.push_back(absl::StrCat("line ", line_number, " is ", line.size(),
                                      " bytes long; a command may take at "
                                      "most 1 MiB"));
      break;
    }
    FileCommand fc{line_number, v1::Command()};
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    auto status = google::protobuf::util::JsonStringToMessage(
        std::string(line), &fc.command, options);
    if (!status.ok()) {
      // The parser's first line says what is wrong; the rest echoes input.
      std::string why = status.message().as_string();
      problems.push_back(absl::StrCat(
          "line ", line_number,
          ": not a command in JSON: ", why.substr(0, why.find('\n'))));
    } else if (fc.command.op_case() == v1::Command::OP_NOT_SET) {
      problems.push_back(absl::StrCat(
          "line ", line_number,
          ": the command is empty; set one operation, such as openReview"));
    } else {
      out.push_back(std::move(fc));
    }
    if (problems.size() >= 50) {
      problems.push_back("(stopped after 50 problems)");
      break;
    }
  }
  if (!problems.empty()) {
    return absl::InvalidArgumentError(absl::StrJoin(problems, "\n"));
  }
  if (out.empty()) {
    return absl::InvalidArgumentError("the file holds no commands");
  }
  return out;
}

absl::Status RebaseReferences(v1::Command* command, size_t chunk_start,
                              const std::vector<std::string>& created) {
  return ForEachString(command, [&](std::string* value) -> absl::Status {
    if (value->size() < 2 || (*value)[0] != '$') {
      return absl::OkStatus();
    }
    size_t n = 0;
    if (!absl::SimpleAtoi(value->substr(1), &n)) {
      return absl::OkStatus();  // not a reference; the server will say so
    }
    if (n >= chunk_start) {
      *value = absl::StrCat("$", n - chunk_start);
    } else if (n < created.size() && !created[n].empty()) {
      *value = created[n];
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "\"$", n, "\" refers to a command that created nothing"));
    }
    return absl::OkStatus();
  });
}

v1::Command CommandFromEvent(const v1::Event& event) {
  v1::Command command;
  // EventPayload and Command number their operations alike.
  const Message& payload = event.payload();
  const google::protobuf::Reflection* from = payload.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  from->ListFields(payload, &fields);
  for (const FieldDescriptor* field : fields) {
    const FieldDescriptor* target =
        command.GetDescriptor()->FindFieldByNumber(field->number());
    if (target != nullptr && target->message_type() == field->message_type()) {
      command.GetReflection()
          ->MutableMessage(&command, target)
          ->CopyFrom(from->GetMessage(payload, field));
    }
  }
  return command;
}

std::string StableHash(absl::string_view bytes) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return absl::StrFormat("%016x", h);
}

}  // namespace rectrack::cli
