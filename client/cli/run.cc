#include "client/cli/run.h"

#include <iostream>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/args.h"
#include "client/cli/commands.h"
#include "client/cli/connection.h"
#include "client/cli/context.h"
#include "client/cli/help.h"

namespace rectrack::cli {
namespace {

class ParsedOptions : public Options {
 public:
  explicit ParsedOptions(ParsedArgs args) : args_(std::move(args)) {}
  std::optional<std::string> Get(const std::string& name) const override {
    return args_.Get(name);
  }
  std::vector<std::string> GetAll(const std::string& name) const override {
    return args_.GetAll(name);
  }
  bool Has(const std::string& name) const override { return args_.Has(name); }

 private:
  ParsedArgs args_;
};

void AddNames(const std::vector<OptionSpec>& options,
              std::set<std::string>* values, std::set<std::string>* flags) {
  for (const OptionSpec& o : options) {
    (o.kind == OptionSpec::Kind::kFlag ? flags : values)->insert(o.Name());
  }
}

bool Applies(const CommandSpec& spec, const std::string& name) {
  std::vector<const std::vector<OptionSpec>*> lists = {&spec.options,
                                                       &GlobalOptions()};
  if (spec.changes) lists.push_back(&ChangeOptions());
  for (const auto* list : lists) {
    for (const OptionSpec& o : *list) {
      if (o.Name() == name) return true;
    }
  }
  return false;
}

}  // namespace

int Run(const std::vector<std::string>& argv) {
  std::set<std::string> value_options;
  std::set<std::string> flags;
  AddNames(GlobalOptions(), &value_options, &flags);
  AddNames(ChangeOptions(), &value_options, &flags);
  for (const CommandSpec& spec : AllCommands()) {
    AddNames(spec.options, &value_options, &flags);
  }
  auto parsed = ParseArgs(argv, value_options, flags);
  if (!parsed.ok()) {
    return PrintError(Usage(
        absl::StrCat(parsed.status().message(), "; see rectrack --help")));
  }
  const auto& words = parsed->positional;
  const CommandSpec* spec = nullptr;
  for (const CommandSpec& candidate : AllCommands()) {
    std::string two = words.size() >= 2 ? words[0] + " " + words[1] : "";
    if ((!words.empty() && candidate.name == words[0]) ||
        candidate.name == two) {
      spec = &candidate;
      break;
    }
  }
  if (spec == nullptr) {
    if (words.empty()) {
      std::cout << MainHelp(AllCommands());
      return parsed->Has("--help") ? 0 : kExitUsage;
    }
    // "rectrack review --help" lists that group's commands.
    std::string group_help = GroupHelp(AllCommands(), words[0]);
    if (!group_help.empty() && (parsed->Has("--help") || words.size() == 1)) {
      std::cout << group_help;
      return parsed->Has("--help") ? 0 : kExitUsage;
    }
    return PrintError(
        Usage(absl::StrCat("unknown command \"", absl::StrJoin(words, " "),
                           "\"; see rectrack --help")));
  }
  if (parsed->Has("--help")) {
    std::cout << CommandHelp(*spec);
    return 0;
  }
  std::vector<std::string> given;
  for (const auto& [name, values] : parsed->options) given.push_back(name);
  given.insert(given.end(), parsed->flags.begin(), parsed->flags.end());
  for (const std::string& name : given) {
    if (!Applies(*spec, name)) {
      return PrintError(
          Usage(absl::StrCat(name, " does not apply to rectrack ", spec->name,
                             "; see rectrack ", spec->name, " --help")));
    }
  }

  Context ctx;
  ctx.words = absl::StrSplit(spec->name, ' ');
  ctx.positional.assign(words.begin() + ctx.words.size(), words.end());
  ParsedOptions options(*std::move(parsed));
  ctx.options = &options;
  ctx.server = ctx.Get("--server").value_or(kDefaultServer);
  ctx.json = ctx.Has("--json");
  absl::StatusOr<client::ConnectOptions> connect = ConnectOptionsOf(options);
  if (!connect.ok()) return PrintError(connect.status());
  ctx.channel = client::Connect(ctx.server, *connect);
  auto stub = v1::Tracker::NewStub(ctx.channel);
  ctx.stub = stub.get();
  absl::Status status = spec->run(ctx);
  return status.ok() ? 0 : PrintError(status);
}

}  // namespace rectrack::cli
