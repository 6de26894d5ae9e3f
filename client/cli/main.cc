// rectrack: the command-line client of rectrackd.
#include <string>
#include <vector>

#include "client/cli/run.h"

int main(int argc, char** argv) {
  return rectrack::cli::Run(std::vector<std::string>(argv + 1, argv + argc));
}
