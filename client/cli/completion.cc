#include "client/cli/completion.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <map>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "client/cli/commands.h"
#include "client/cli/context.h"
#include "client/cli/parser.h"

namespace rectrack::cli {
namespace {

// `text` as one bash word in single quotes.
std::string Quoted(const std::string& text) {
  return absl::StrCat("'", absl::StrReplaceAll(text, {{"'", "'\\''"}}), "'");
}

// What completes the value of `option`: its choices, or FILE / DIR for
// paths; "" for anything.
std::string ValueWords(const CLI::Option& option) {
  std::string type = option.get_type_name();
  if (type == "FILE" || type == "DIR") return type;
  if (type.find('|') != std::string::npos) {
    return absl::StrReplaceAll(type, {{"|", " "}});
  }
  return "";
}

// What the walk over the tree finds, for the script's lookup functions.
struct Tables {
  std::string commands;    // case arms: path → its subcommands
  std::string options;     // path → its option names
  std::string positional;  // path → FILE or DIR
  // Option name → path → ValueWords ("" where it has none).
  std::map<std::string, std::map<std::string, std::string>> values;
  std::set<std::string> takes_value;
};

void Arm(std::string* table, const std::string& key, const std::string& words) {
  absl::StrAppend(table, "    ", key, ") echo ", Quoted(words), " ;;\n");
}

void Walk(const CLI::App& app, const std::string& path, Tables* tables) {
  std::vector<std::string> subcommands;
  for (const CLI::App* sub : app.get_subcommands({})) {
    subcommands.push_back(sub->get_name());
  }
  if (!subcommands.empty()) {
    Arm(&tables->commands, Quoted(path), absl::StrJoin(subcommands, " "));
  }
  std::vector<std::string> names;
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_positional()) {
      // Named after what it is: FILE, DIR, REVIEW, ...
      std::string what = option->get_name();
      if (what == "FILE" || what == "DIR") {
        Arm(&tables->positional, Quoted(path), what);
      }
      continue;
    }
    for (const std::string& name : OptionNames(*option)) {
      names.push_back(name);
      if (option->get_items_expected_max() == 0) continue;
      tables->takes_value.insert(name);
      tables->values[name][path] = ValueWords(*option);
    }
  }
  Arm(&tables->options, Quoted(path), absl::StrJoin(names, " "));
  for (const CLI::App* sub : app.get_subcommands({})) {
    Walk(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(),
         tables);
  }
}

// The arms of _rectrack_values, keyed "PATH OPTION": one for every path
// where an option's values are the same everywhere (--tls-ca FILE), else
// one per path (--status differs between rec status and action status).
std::string ValueArms(const Tables& tables) {
  std::string arms;
  for (const auto& [name, by_path] : tables.values) {
    std::set<std::string> distinct;
    for (const auto& [path, words] : by_path) distinct.insert(words);
    if (distinct.size() == 1) {
      if (!distinct.begin()->empty()) {
        Arm(&arms, absl::StrCat("*", Quoted(absl::StrCat(" ", name))),
            *distinct.begin());
      }
      continue;
    }
    for (const auto& [path, words] : by_path) {
      if (!words.empty()) {
        Arm(&arms, Quoted(absl::StrCat(path, " ", name)), words);
      }
    }
  }
  return arms;
}

// The part of the script that does not depend on the tree: find the
// command path among the words typed so far (skipping options and their
// values), then offer what may come next.
constexpr char kCompleter[] = R"(_rectrack() {
  local cur=${COMP_WORDS[COMP_CWORD]} path="" value_of="" word i
  # "--format=" is three words to bash: the option, "=" and the value.
  [[ $cur == "=" ]] && cur=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [[ -n $value_of ]]; then
      [[ $word == "=" ]] || value_of=""
      continue
    fi
    case $word in
      --) break ;;
      -?*) [[ $word != *=* && " $_rectrack_takes_value " == *" $word "* ]] &&
             value_of=$word ;;
      *) [[ " $(_rectrack_commands "$path") " == *" $word "* ]] &&
           path=${path:+$path }$word ;;
    esac
  done
  local offer
  if [[ -n $value_of ]]; then
    offer=$(_rectrack_values "$path $value_of")
  elif [[ $cur == -* ]]; then
    offer=$(_rectrack_options "$path")
  else
    offer=$(_rectrack_commands "$path")
    [[ -z $offer ]] && offer=$(_rectrack_positional "$path")
  fi
  local how=(-W "$offer")
  case $offer in
    FILE) how=(-f) ;;
    DIR) how=(-d) ;;
  esac
  # One file name a line, spaces and all.
  [[ $offer == FILE || $offer == DIR ]] && compopt -o filenames 2>/dev/null
  mapfile -t COMPREPLY < <(compgen "${how[@]}" -- "$cur")
}
complete -F _rectrack rectrack
)";

std::string Function(const std::string& name, const std::string& comment,
                     const std::string& arms) {
  return absl::StrCat("# ", comment, "\n", name, "() {\n  case $1 in\n", arms,
                      "  esac\n}\n\n");
}

absl::Status CompletionBash(Context& ctx) {
  std::cout << BashCompletion(*ctx.commands);
  return absl::OkStatus();
}

}  // namespace

std::string BashCompletion(const CLI::App& tree) {
  Tables tables;
  Walk(tree, "", &tables);
  return absl::StrCat(
      "# bash completion for rectrack, written by `rectrack completion bash`"
      "\n# from its command definitions. Use it with\n"
      "#   source <(rectrack completion bash)\n"
      "# or save it as /etc/bash_completion.d/rectrack.\n\n",
      Function("_rectrack_commands",
               "The words that may follow the command path $1.",
               tables.commands),
      Function("_rectrack_options", "The options of the command path $1.",
               tables.options),
      Function("_rectrack_values",
               "What the value of \"PATH OPTION\" $1 may be: words, FILE or "
               "DIR.",
               ValueArms(tables)),
      Function("_rectrack_positional",
               "FILE or DIR when what follows command $1 is a path.",
               tables.positional),
      "# The options that take a value: the word after one is that value.\n",
      "_rectrack_takes_value=", Quoted(absl::StrJoin(tables.takes_value, " ")),
      "\n\n", kCompleter);
}

void AddCompletionCommands(std::vector<CommandSpec>* commands) {
  commands->push_back(
      {"completion bash",
       "",
       "Print a bash completion script: source <(rectrack completion bash).",
       {},
       CompletionBash});
}

}  // namespace rectrack::cli
