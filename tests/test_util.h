// Helpers shared by the test suites.
#pragma once

#include <filesystem>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace rectrack::testing {

inline const absl::Status& ToStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& ToStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

// A fresh directory for one test, removed when it goes out of scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace rectrack::testing

// Print the status on failure.
#define ASSERT_OK(expr)                                                     \
  do {                                                                      \
    const absl::Status rectrack_s_ = ::rectrack::testing::ToStatus((expr)); \
    ASSERT_TRUE(rectrack_s_.ok()) << rectrack_s_;                           \
  } while (0)
#define EXPECT_OK(expr)                                                     \
  do {                                                                      \
    const absl::Status rectrack_s_ = ::rectrack::testing::ToStatus((expr)); \
    EXPECT_TRUE(rectrack_s_.ok()) << rectrack_s_;                           \
  } while (0)
