// The help texts, written from the command declarations (not by CLI11's
// formatter, so that they read as they always have).
#pragma once

#include <string>
#include <vector>

#include "client/cli/command.h"

namespace rectrack::cli {

// `rectrack NOUN VERB --help`.
std::string CommandHelp(const CommandSpec& spec);

// `rectrack --help`, and `rectrack` alone: every command.
std::string MainHelp(const std::vector<CommandSpec>& commands);

// `rectrack NOUN --help`, and `rectrack NOUN` alone: the commands of one
// noun, e.g. review. Empty if `noun` has none.
std::string GroupHelp(const std::vector<CommandSpec>& commands,
                      const std::string& noun);

}  // namespace rectrack::cli
