#include "client/cli/connection.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace rectrack::cli {

absl::StatusOr<client::ConnectOptions> ConnectOptionsOf(const Options& args) {
  client::ConnectOptions options;
  if (auto token = args.Get("--token")) {
    options.token = *token;
  } else if (const char* env = std::getenv("RECTRACK_TOKEN")) {
    options.token = env;
  }
  options.token = std::string(absl::StripAsciiWhitespace(options.token));
  auto read = [&](const char* flag, std::string* pem) -> absl::Status {
    auto path = args.Get(flag);
    if (!path) return absl::OkStatus();
    std::ifstream in(*path);
    std::stringstream text;
    text << in.rdbuf();
    if (!in || text.str().empty()) {
      return Usage(absl::StrCat("cannot read ", flag, " ", *path,
                                ": it must be a readable PEM file"));
    }
    *pem = text.str();
    options.tls = true;
    return absl::OkStatus();
  };
  for (auto [flag, pem] : {std::make_pair("--tls-ca", &options.tls_ca_pem),
                           std::make_pair("--tls-cert", &options.tls_cert_pem),
                           std::make_pair("--tls-key", &options.tls_key_pem)}) {
    if (absl::Status s = read(flag, pem); !s.ok()) return s;
  }
  if (options.tls_cert_pem.empty() != options.tls_key_pem.empty()) {
    return Usage("--tls-cert and --tls-key go together: give both or neither");
  }
  if (args.Has("--tls")) options.tls = true;
  return options;
}

}  // namespace rectrack::cli
