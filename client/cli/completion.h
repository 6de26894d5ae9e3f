// `rectrack completion bash`: a bash completion script made by walking the
// CLI11 command tree, so that it offers exactly the commands and options
// the parser takes.
#pragma once

#include <string>

namespace CLI {
class App;
}  // namespace CLI

namespace rectrack::cli {

// A script that, sourced in bash, completes rectrack's nouns, verbs, each
// command's options, the words of options with a fixed set of values, and
// file names where a FILE or DIR goes.
std::string BashCompletion(const CLI::App& tree);

}  // namespace rectrack::cli
