// rectrack: the command-line client of rectrackd.
#include <string>
#include <vector>

#include "client/cli/run.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // "-o FILE" is the one short option: the same as "--output FILE".
  for (std::string& arg : args) {
    if (arg == "-o") arg = "--output";
    if (arg == "--") break;
  }
  return rectrack::cli::Run(args);
}
