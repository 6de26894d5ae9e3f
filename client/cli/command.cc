#include "client/cli/command.h"

#include <google/protobuf/descriptor.h>

#include <utility>

#include "client/render/format.h"

namespace rectrack::cli {

std::string OptionSpec::Name() const {
  return names.substr(0, names.find(','));
}

OptionSpec OptionSpec::Required() const {
  OptionSpec copy = *this;
  copy.required = true;
  return copy;
}

OptionSpec Flag(std::string names) {
  OptionSpec spec;
  spec.names = std::move(names);
  spec.kind = OptionSpec::Kind::kFlag;
  return spec;
}

OptionSpec Text(std::string names, std::string placeholder) {
  OptionSpec spec;
  spec.names = std::move(names);
  spec.placeholder = std::move(placeholder);
  return spec;
}

OptionSpec Repeated(std::string names) {
  OptionSpec spec = Text(std::move(names));
  spec.kind = OptionSpec::Kind::kRepeated;
  return spec;
}

OptionSpec Number(std::string names, std::string error, uint64_t min,
                  uint64_t max) {
  OptionSpec spec = Text(std::move(names), "N");
  spec.kind = OptionSpec::Kind::kNumber;
  spec.error = std::move(error);
  spec.min = min;
  spec.max = max;
  return spec;
}

OptionSpec Choice(std::string names,
                  const google::protobuf::EnumDescriptor* type) {
  std::vector<std::string> words;
  for (int i = 0; i < type->value_count(); ++i) {
    if (type->value(i)->number() != 0) {
      words.push_back(EnumWord(type, type->value(i)->number()));
    }
  }
  OptionSpec spec = Choice(std::move(names), std::move(words));
  spec.enum_type = type;
  return spec;
}

OptionSpec Choice(std::string names, std::vector<std::string> words,
                  std::vector<std::string> aliases, std::string error) {
  OptionSpec spec = Text(std::move(names));
  spec.kind = OptionSpec::Kind::kChoice;
  spec.choices = std::move(words);
  spec.aliases = std::move(aliases);
  spec.error = std::move(error);
  return spec;
}

const std::vector<OptionSpec>& GlobalOptions() {
  static const auto* options = new std::vector<OptionSpec>{
      Text("--server", "HOST:PORT"),
      Text("--token"),
      Text("--tls-ca", "FILE"),
      Text("--tls-cert", "FILE"),
      Text("--tls-key", "FILE"),
      Flag("--json"),
      Flag("--tls"),
      Flag("--help,-h"),
  };
  return *options;
}

const std::vector<OptionSpec>& ChangeOptions() {
  static const auto* options = new std::vector<OptionSpec>{
      Text("--request-id"),
      Number("--expect-version", "\"$0\" is not a version number"),
  };
  return *options;
}

}  // namespace rectrack::cli
