// What a command is: its words, its usage line and summary (the help text),
// its options and the function that runs it. Each noun's file declares its
// commands with these; the parser, the help and the bash completion are all
// built from the same declarations, so they cannot disagree.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace google::protobuf {
class EnumDescriptor;
}  // namespace google::protobuf

namespace rectrack::cli {

struct Context;
using Handler = std::function<absl::Status(Context&)>;

// One option of a command.
struct OptionSpec {
  enum class Kind {
    kFlag,      // no value: --dry-run
    kText,      // one value; given twice, the last counts
    kRepeated,  // every value counts: --lead A --lead B
    kNumber,    // a whole number from `min` to `max`
    kChoice,    // one of `choices`
  };

  // The names, long first: "--output,-o".
  std::string names;
  Kind kind = Kind::kText;
  // Refused before anything is sent when missing.
  bool required = false;
  // What the value is, for the completion: FILE and DIR complete paths.
  std::string placeholder;
  // kNumber: the accepted range.
  uint64_t min = 0;
  uint64_t max = std::numeric_limits<uint64_t>::max();
  // kNumber, kChoice: what is said about a bad value, after "--name: "; $0
  // is the value. Empty for kChoice: "\"$0\" is not one of A, B, C".
  std::string error;
  // kChoice: the words offered, and others also accepted.
  std::vector<std::string> choices;
  std::vector<std::string> aliases;
  // kChoice over a protobuf enum: accepted as ParseEnumWord reads it.
  const google::protobuf::EnumDescriptor* enum_type = nullptr;

  // The long name, "--output".
  std::string Name() const;
  OptionSpec Required() const;
};

OptionSpec Flag(std::string names);
OptionSpec Text(std::string names, std::string placeholder = "");
OptionSpec Repeated(std::string names);
// `error` describes a value that is not a number in [min, max].
OptionSpec Number(std::string names, std::string error, uint64_t min = 0,
                  uint64_t max = std::numeric_limits<uint64_t>::max());
// The values of `type` but its UNSPECIFIED one, as EnumWord writes them.
OptionSpec Choice(std::string names,
                  const google::protobuf::EnumDescriptor* type);
OptionSpec Choice(std::string names, std::vector<std::string> words,
                  std::vector<std::string> aliases = {},
                  std::string error = "");

struct CommandSpec {
  std::string name;       // "review open"
  std::string arguments;  // "--title T --committee C [--council O] ..."
  std::string summary;
  std::vector<OptionSpec> options;
  Handler run;
  bool changes = false;  // takes --request-id / --expect-version
};

// The options every command takes, and those of commands that change
// something.
const std::vector<OptionSpec>& GlobalOptions();
const std::vector<OptionSpec>& ChangeOptions();

}  // namespace rectrack::cli
