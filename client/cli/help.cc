#include "client/cli/help.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/cli/context.h"
#include "client/render/format.h"

namespace rectrack::cli {

std::string CommandHelp(const CommandSpec& spec) {
  std::string out = absl::StrCat("Usage: rectrack ", spec.name,
                                 spec.arguments.empty() ? "" : " ",
                                 spec.arguments, "\n\n", spec.summary, "\n");
  if (spec.changes) {
    absl::StrAppend(
        &out,
        "\nPrints the id it changed or created alone on the last line.\n"
        "  --request-id ID      make a retry safe: the same id is applied "
        "once\n"
        "  --expect-version N   refuse if the entity changed since version "
        "N\n");
  }
  absl::StrAppend(&out,
                  "\nDates may be written 2007-05-17, 17/05/2007 or \"17 May "
                  "2007\".\nCommon options: --server HOST:PORT (default ",
                  kDefaultServer, "), --json, --help\n");
  return out;
}

std::string MainHelp(const std::vector<CommandSpec>& commands) {
  std::string out =
      "rectrack - track what happens to scrutiny recommendations\n\n"
      "Usage: rectrack COMMAND [ARGS] [--server HOST:PORT] [--json]\n\n"
      "Commands:\n";
  std::vector<std::vector<std::string>> rows;
  rows.reserve(commands.size());
  for (const CommandSpec& spec : commands) {
    rows.push_back({"  " + spec.name, spec.summary});
  }
  out += FormatTable({"", ""}, rows).substr(1);  // drop the empty header line
  absl::StrAppend(
      &out,
      "\nOptions anywhere on the line:\n"
      "  --server HOST:PORT  the rectrackd to talk to (default ",
      kDefaultServer,
      ")\n"
      "  --json              print the API's JSON instead of tables\n"
      "  --token TOKEN       the access token from the tracker's "
      "administrator\n"
      "                      (better: set RECTRACK_TOKEN, which others on "
      "this\n"
      "                      machine cannot see in the process list)\n"
      "  --tls               talk TLS, trusting the system's certificate "
      "authorities\n"
      "  --tls-ca FILE       talk TLS, trusting the CA certificate (PEM) in "
      "FILE\n"
      "  --tls-cert FILE     with --tls-key: this client's certificate and "
      "key\n"
      "  --tls-key FILE      (PEM) for servers that ask for one (mutual "
      "TLS)\n"
      "  --help              help for any command, e.g. rectrack action add "
      "--help\n\n"
      "On failure prints \"error: CODE: message\" and exits non-zero.\n");
  return out;
}

std::string GroupHelp(const std::vector<CommandSpec>& commands,
                      const std::string& noun) {
  std::string listed;
  for (const CommandSpec& spec : commands) {
    if (absl::StartsWith(spec.name, noun + " ")) {
      absl::StrAppend(&listed, "  rectrack ", spec.name, " ", spec.arguments,
                      "\n");
    }
  }
  return listed.empty() ? "" : absl::StrCat("Commands:\n", listed);
}

}  // namespace rectrack::cli
