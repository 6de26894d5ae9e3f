#include "client/cli/parser.h"

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/strings/substitute.h"
#include "client/cli/help.h"
#include "client/cli/suggest.h"
#include "client/render/format.h"

namespace rectrack::cli {
namespace {

// A command's options as CLI11 holds them after parsing.
class AppOptions : public Options {
 public:
  explicit AppOptions(const CLI::App* app) : app_(app) {}

  std::optional<std::string> Get(const std::string& name) const override {
    const CLI::Option* option = Given(name);
    if (option == nullptr || option->results().empty()) return std::nullopt;
    return option->results().back();
  }
  std::vector<std::string> GetAll(const std::string& name) const override {
    const CLI::Option* option = Given(name);
    return option == nullptr ? std::vector<std::string>{} : option->results();
  }
  bool Has(const std::string& name) const override {
    return Given(name) != nullptr;
  }
  std::optional<uint64_t> Number(const std::string& name) const override {
    const CLI::Option* option = Given(name);
    if (option == nullptr) return std::nullopt;
    return option->as<uint64_t>();
  }

 private:
  // `name` if this command has it and it was given.
  const CLI::Option* Given(const std::string& name) const {
    const CLI::Option* option = app_->get_option_no_throw(name);
    return option != nullptr && option->count() > 0 ? option : nullptr;
  }

  const CLI::App* app_;
};

// A whole number in the option's range, rewritten as digits so that
// CLI11's conversion reads what absl::SimpleAtoi read.
CLI::Validator NumberCheck(const OptionSpec& spec) {
  return CLI::Validator(
      [spec](std::string& value) -> std::string {
        uint64_t n = 0;
        if (!absl::SimpleAtoi(value, &n) || n < spec.min || n > spec.max) {
          return absl::Substitute(spec.error, value);
        }
        value = absl::StrCat(n);
        return "";
      },
      "", "number");
}

CLI::Validator ChoiceCheck(const OptionSpec& spec) {
  return CLI::Validator(
      [spec](std::string& value) -> std::string {
        if (spec.enum_type != nullptr) {
          absl::StatusOr<int> parsed =
              ParseEnumWord(spec.enum_type, value, spec.Name());
          if (parsed.ok()) return "";
          // CLI11 puts the option's name in front itself.
          return std::string(
              absl::StripPrefix(parsed.status().message(), spec.Name() + ": "));
        }
        for (const auto* list : {&spec.choices, &spec.aliases}) {
          for (const std::string& word : *list) {
            if (word == value) return "";
          }
        }
        if (!spec.error.empty()) return absl::Substitute(spec.error, value);
        return absl::StrCat("\"", value, "\" is not one of ",
                            absl::StrJoin(spec.choices, ", "));
      },
      "", "choice");
}

void AddOption(CLI::App* app, const OptionSpec& spec) {
  using Kind = OptionSpec::Kind;
  CLI::Option* option = spec.kind == Kind::kFlag ? app->add_flag(spec.names)
                                                 : app->add_option(spec.names);
  if (spec.kind != Kind::kFlag) {
    option->multi_option_policy(spec.kind == Kind::kRepeated
                                    ? CLI::MultiOptionPolicy::TakeAll
                                    : CLI::MultiOptionPolicy::TakeLast);
  }
  // The value's placeholder; the completion reads FILE, DIR and the choices
  // from it.
  option->type_name(spec.placeholder);
  if (spec.kind == Kind::kNumber) option->check(NumberCheck(spec));
  if (spec.kind == Kind::kChoice) {
    option->check(ChoiceCheck(spec));
    option->type_name(absl::StrJoin(spec.choices, "|"));
  }
  if (spec.required) option->required();
}

// The global options on every level of the tree: rectrack takes them
// anywhere on the line.
CLI::App* WithGlobalOptions(CLI::App* app) {
  for (const OptionSpec& spec : GlobalOptions()) AddOption(app, spec);
  return app;
}

// What follows a command's words, named after its usage line: "REVIEW" for
// "REVIEW --date DATE [--note T]", else "ARGS". The completion completes
// paths for FILE and DIR.
std::string PositionalName(const CommandSpec& spec) {
  std::string first = spec.arguments.substr(0, spec.arguments.find(' '));
  bool upper = !first.empty();
  for (char c : first) upper = upper && absl::ascii_isupper(c);
  return upper ? first : "ARGS";
}

const CLI::App* Child(const CLI::App& app, const std::string& name) {
  auto found = app.get_subcommands(
      [&](const CLI::App* sub) { return sub->get_name() == name; });
  return found.empty() ? nullptr : found.front();
}

bool IsCommand(const CLI::App& app) {
  return app.get_subcommands({}).empty() && app.get_parent() != nullptr;
}

// "review open" for that subcommand, "" for the root.
std::string PathOf(const CLI::App& app) {
  std::vector<std::string> words;
  for (const CLI::App* a = &app; a->get_parent() != nullptr;
       a = a->get_parent()) {
    words.insert(words.begin(), a->get_name());
  }
  return absl::StrJoin(words, " ");
}

std::string SeeHelp(const CLI::App& app) {
  std::string path = PathOf(app);
  return absl::StrCat("see rectrack ", path, path.empty() ? "" : " ", "--help");
}

// An option-like word CLI11 did not take, as its name: "--titel" for
// "--titel=x"; nullopt for "--" and anything else.
std::optional<std::string> LeftOverOption(const std::string& word) {
  if (word.size() < 2 || word[0] != '-' || word == "--") return std::nullopt;
  return word.substr(0, word.find('='));
}

}  // namespace

std::vector<std::string> OptionNames(const CLI::Option& option) {
  std::vector<std::string> names;
  for (const std::string& l : option.get_lnames()) names.push_back("--" + l);
  for (const std::string& s : option.get_snames()) names.push_back("-" + s);
  return names;
}

struct CommandLine::Arranged {
  std::vector<std::string> words;  // every word, the command's first
  size_t command_words = 0;        // how many name the command
  std::vector<std::string> argv;   // the line as CLI11 is given it
};

CommandLine::CommandLine(const std::vector<CommandSpec>& commands)
    : commands_(commands), root_(std::make_unique<CLI::App>("", "rectrack")) {
  // Help is ours (help.h). Subcommands inherit the rest: words CLI11 does
  // not take are left for Resolve to explain, and one command at a time.
  root_->set_help_flag();
  root_->allow_extras();
  root_->require_subcommand(0, 1);
  WithGlobalOptions(root_.get());
  for (const CommandSpec& spec : commands) AddCommand(spec);
  IndexNames(*root_);
}

void CommandLine::AddCommand(const CommandSpec& spec) {
  std::vector<std::string> words = absl::StrSplit(spec.name, ' ');
  CLI::App* parent = root_.get();
  for (size_t i = 0; i + 1 < words.size(); ++i) {  // the noun, made once
    auto nouns = parent->get_subcommands(
        [&](CLI::App* sub) { return sub->get_name() == words[i]; });
    parent = nouns.empty() ? WithGlobalOptions(parent->add_subcommand(words[i]))
                           : nouns.front();
  }
  CLI::App* command = parent->add_subcommand(words.back());
  // Every command takes the words after it; its handler says what is too
  // many (OneId) or ignores them, as before.
  command->add_option(PositionalName(spec))
      ->expected(-1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  for (const OptionSpec& option : spec.options) AddOption(command, option);
  if (spec.changes) {
    for (const OptionSpec& option : ChangeOptions()) {
      AddOption(command, option);
    }
  }
  WithGlobalOptions(command);
  specs_[command] = &spec;
}

void CommandLine::IndexNames(const CLI::App& app) {
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_positional()) continue;
    std::vector<std::string> names = OptionNames(*option);
    for (const std::string& name : names) {
      names_[name] = {names.front(), option->get_items_expected_max() > 0};
    }
  }
  for (const CLI::App* sub : app.get_subcommands({})) IndexNames(*sub);
}

CommandLine::~CommandLine() = default;

// CLI11 reads a subcommand's options only after its name, and takes a word
// that starts with "-" for an option unless it follows "--". rectrack has
// always taken options anywhere on the line and ids after the command
// words, so the line is put in CLI11's order first: the command words, every
// option with its value, then "--" and the rest. Only the names of the
// options in the tree are needed to tell a value from a word.
absl::StatusOr<CommandLine::Arranged> CommandLine::Arrange(
    const std::vector<std::string>& args) const {
  Arranged line;
  std::vector<std::string> options;
  bool options_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_ended || arg == "-" || !absl::StartsWith(arg, "-")) {
      line.words.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    const size_t equals = arg.find('=');
    const std::string name = arg.substr(0, equals);
    auto known = names_.find(name);
    if (known == names_.end() || !known->second.takes_value) {
      if (known != names_.end() && equals != std::string::npos) {
        return Usage(
            absl::StrCat(name, " takes no value; see rectrack --help"));
      }
      options.push_back(arg);  // unknown ones are left for Resolve
      continue;
    }
    options.push_back(name);
    if (equals != std::string::npos) {
      options.push_back(arg.substr(equals + 1));
    } else if (i + 1 < args.size()) {
      options.push_back(args[++i]);
    } else {
      return Usage(absl::StrCat(name, " needs a value; see rectrack --help"));
    }
  }
  const CLI::App* app = root_.get();
  while (line.command_words < line.words.size() && !IsCommand(*app)) {
    const CLI::App* child = Child(*app, line.words[line.command_words]);
    if (child == nullptr) break;
    app = child;
    ++line.command_words;
  }
  line.argv.assign(line.words.begin(), line.words.begin() + line.command_words);
  line.argv.insert(line.argv.end(), options.begin(), options.end());
  // Words after an incomplete command are an unknown command, said by
  // Resolve; CLI11 need not see them.
  if (IsCommand(*app) && line.command_words < line.words.size()) {
    line.argv.push_back("--");
    line.argv.insert(line.argv.end(), line.words.begin() + line.command_words,
                     line.words.end());
  }
  return line;
}

absl::StatusOr<Invocation> CommandLine::Parse(
    const std::vector<std::string>& args) {
  absl::StatusOr<Arranged> line = Arrange(args);
  if (!line.ok()) return line.status();
  // A CLI11 error is said only after what Resolve finds first (help asked
  // for, an unknown option, one that does not apply), as before CLI11.
  bool missing_required = false;
  std::string error;
  try {
    std::vector<std::string> reversed(line->argv.rbegin(), line->argv.rend());
    root_->parse(reversed);
  } catch (const CLI::RequiredError&) {
    missing_required = true;  // Resolve names the option and the command
  } catch (const CLI::ParseError& e) {
    error = e.what();  // e.g. "--limit: \"x\" is not a number"
  }
  return Resolve(*line, missing_required, error);
}

absl::StatusOr<Invocation> CommandLine::Resolve(
    const Arranged& line, bool missing_required,
    const std::string& parse_error) const {
  const CLI::App* app = root_.get();
  while (!app->get_subcommands().empty()) app = app->get_subcommands().front();
  for (const std::string& word : app->remaining()) {
    std::optional<std::string> name = LeftOverOption(word);
    if (name && names_.count(*name) == 0) return UnknownOption(*app, *name);
  }
  Invocation out;
  const bool help = app->get_option_no_throw("--help")->count() > 0;
  const bool more_words = line.command_words < line.words.size();
  if (!IsCommand(*app)) {
    // "rectrack review" and "rectrack review --help" list that noun's
    // commands; "rectrack" alone lists them all.
    if (more_words && (app == root_.get() || !help)) {
      return UnknownCommand(line.words);
    }
    out.help = app == root_.get() ? MainHelp(commands_)
                                  : GroupHelp(commands_, app->get_name());
    out.help_exit_code = help ? 0 : kExitUsage;
    return out;
  }
  const CommandSpec& spec = *specs_.at(app);
  if (help) {
    out.help = CommandHelp(spec);
    return out;
  }
  for (const std::string& word : app->remaining()) {
    if (std::optional<std::string> name = LeftOverOption(word)) {
      return Usage(absl::StrCat(names_.at(*name).canonical,
                                " does not apply to rectrack ", spec.name, "; ",
                                SeeHelp(*app)));
    }
  }
  if (missing_required) {
    for (const CLI::Option* option : app->get_options()) {
      if (option->get_required() && option->count() == 0) {
        return Usage(
            absl::StrCat(option->get_name(), " is required; ", SeeHelp(*app)));
      }
    }
  }
  if (!parse_error.empty()) return Usage(parse_error);
  out.command = &spec;
  out.words = absl::StrSplit(spec.name, ' ');
  out.positional = app->get_option_no_throw(PositionalName(spec))->results();
  out.options = std::make_unique<AppOptions>(app);
  return out;
}

absl::Status CommandLine::UnknownOption(const CLI::App& app,
                                        const std::string& name) const {
  std::vector<std::string> known;
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& each : OptionNames(*option)) known.push_back(each);
  }
  std::optional<std::string> meant = Closest(name, known);
  return Usage(absl::StrCat(
      "unknown option ", name, "; ",
      meant ? absl::StrCat("did you mean ", *meant, "? ") : "", SeeHelp(app)));
}

absl::Status CommandLine::UnknownCommand(
    const std::vector<std::string>& words) const {
  // Each word, or the nearest command word at its level, down to a command.
  std::vector<std::string> meant;
  const CLI::App* app = root_.get();
  for (const std::string& word : words) {
    if (IsCommand(*app)) break;
    std::vector<std::string> names;
    for (const CLI::App* sub : app->get_subcommands({})) {
      names.push_back(sub->get_name());
    }
    const CLI::App* child = Child(*app, word);
    std::optional<std::string> near = child != nullptr
                                          ? std::optional<std::string>(word)
                                          : Closest(word, names);
    if (!near) {
      meant.clear();
      break;
    }
    meant.push_back(*near);
    app = Child(*app, *near);
  }
  return Usage(absl::StrCat(
      "unknown command \"", absl::StrJoin(words, " "), "\"; ",
      meant.empty() ? ""
                    : absl::StrCat("did you mean rectrack ",
                                   absl::StrJoin(meant, " "), "? "),
      "see rectrack --help"));
}

}  // namespace rectrack::cli
