// How to reach rectrackd: --server, --token (or RECTRACK_TOKEN) and the
// --tls options.
#pragma once

#include "absl/status/statusor.h"
#include "client/cli/context.h"
#include "client/client.h"

namespace rectrack::cli {

// --token (or RECTRACK_TOKEN) and the --tls options. A PEM file that cannot
// be read is a usage error.
absl::StatusOr<client::ConnectOptions> ConnectOptionsOf(const Options& args);

}  // namespace rectrack::cli
