// What the benchmark programs share: scratch directories, an in-process
// rectrackd, and medians.
#pragma once

#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "server/service/server.h"

namespace rectrack::bench {

// A new empty directory under the system's temporary directory.
inline std::string TempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "rectrack-bench-XXXXXX")
          .string();
  return mkdtemp(pattern.data());
}

// A rectrackd on a free loopback port with its database in `dir`/data;
// exits the program if it cannot start.
inline std::unique_ptr<service::Server> StartServer(
    const std::string& dir, Clock* clock = RealClock::Get()) {
  service::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir + "/data";
  options.clock = clock;
  auto server = service::Server::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n",
                 std::string(server.status().message()).c_str());
    std::exit(1);
  }
  return *std::move(server);
}

// The value at fraction `p` (0.5 = median) of `v`; 0 for none.
inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

inline double Median(std::vector<double> v) {
  return Percentile(std::move(v), 0.5);
}

}  // namespace rectrack::bench
