// Command-line parsing for the rectrack CLI: positional words and --options
// in any order, "--name value" or "--name=value", repeatable options.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace rectrack::cli {

struct ParsedArgs {
  std::vector<std::string> positional;
  // Every value given for each option, in order.
  std::map<std::string, std::vector<std::string>> options;
  std::set<std::string> flags;

  bool Has(const std::string& name) const {
    return options.count(name) > 0 || flags.count(name) > 0;
  }
  // The last value of an option, if given.
  std::optional<std::string> Get(const std::string& name) const;
  std::vector<std::string> GetAll(const std::string& name) const;
};

// `value_options` take a value; `flag_options` do not. Anything else that
// starts with "--" is refused with INVALID_ARGUMENT naming it. A lone "--"
// ends the options.
absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::set<std::string>& value_options,
                                     const std::set<std::string>& flag_options);

}  // namespace rectrack::cli
