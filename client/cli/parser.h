// rectrack's command line through CLI11: the command tree built from the
// command declarations, and what a given line asks for.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/cli/command.h"
#include "client/cli/context.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace rectrack::cli {

// What a command line asks for: help, or a command to run.
struct Invocation {
  // Help to print instead of running a command, and the exit code after
  // it: 0 when asked for with --help, 2 when the line named no command.
  std::string help;
  int help_exit_code = 0;
  // Otherwise the command, its words and what followed them, and its
  // options as CLI11 read and checked them.
  const CommandSpec* command = nullptr;
  std::vector<std::string> words;
  std::vector<std::string> positional;
  std::unique_ptr<Options> options;
};

// An option's names as typed: "--output", "-o".
std::vector<std::string> OptionNames(const CLI::Option& option);

class CommandLine {
 public:
  // A CLI11 subcommand per noun and per command in `commands`, each command
  // with its options, the global ones and, for changes, --request-id and
  // --expect-version.
  explicit CommandLine(const std::vector<CommandSpec>& commands);
  ~CommandLine();
  CommandLine(const CommandLine&) = delete;
  CommandLine& operator=(const CommandLine&) = delete;

  // Reads `args` (without the program's name); call it once. A usage error
  // for anything wrong with them (an unknown command or option, a missing
  // or bad value), found before anything is sent.
  absl::StatusOr<Invocation> Parse(const std::vector<std::string>& args);

  // The command tree, for `rectrack completion`.
  const CLI::App& tree() const { return *root_; }

 private:
  void AddCommand(const CommandSpec& spec);
  // Fills names_ from `app` and everything below it.
  void IndexNames(const CLI::App& app);

  // What the words of a line name: the command path they start with, and
  // what follows it.
  struct Arranged;
  absl::StatusOr<Arranged> Arrange(const std::vector<std::string>& args) const;
  // What the parsed tree asks for. `missing_required` and `parse_error`:
  // what CLI11 refused, if anything.
  absl::StatusOr<Invocation> Resolve(const Arranged& line,
                                     bool missing_required,
                                     const std::string& parse_error) const;
  absl::Status UnknownOption(const CLI::App& app,
                             const std::string& name) const;
  absl::Status UnknownCommand(const std::vector<std::string>& words) const;

  struct Name {
    std::string canonical;  // the long name, "--output" for "-o"
    bool takes_value;
  };

  const std::vector<CommandSpec>& commands_;
  std::unique_ptr<CLI::App> root_;
  std::map<const CLI::App*, const CommandSpec*> specs_;
  // Every option name anywhere in the tree.
  std::map<std::string, Name> names_;
};

}  // namespace rectrack::cli
