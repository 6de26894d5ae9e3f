// Reading and writing the files named on the command line.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rectrack::cli {

// Writes `content` to `path` through a file beside it, then renames it over
// `path`: a reader never sees half a file.
absl::Status WriteFileWhole(const std::string& path,
                            const std::string& content);

// Reads a whole file; "-" is standard input.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

}  // namespace rectrack::cli
