// rectrack's command line, from the arguments to the exit code.
#pragma once

#include <string>
#include <vector>

namespace rectrack::cli {

// Runs the command `args` (without the program's name) names; the exit code.
int Run(const std::vector<std::string>& args);

}  // namespace rectrack::cli
