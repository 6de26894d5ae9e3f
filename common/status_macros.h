// Early-return helpers for absl::Status (Abseil 20220623 ships none).
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Returns from the current function if `expr` is not OK.
#define RECTRACK_RETURN_IF_ERROR(expr)      \
  do {                                      \
    absl::Status rectrack_status_ = (expr); \
    if (!rectrack_status_.ok()) {           \
      return rectrack_status_;              \
    }                                       \
  } while (0)

#define RECTRACK_CONCAT_INNER(a, b) a##b
#define RECTRACK_CONCAT(a, b) RECTRACK_CONCAT_INNER(a, b)

// `lhs` = value of the StatusOr `rexpr`, or returns its error.
#define RECTRACK_ASSIGN_OR_RETURN(lhs, rexpr)                              \
  RECTRACK_ASSIGN_OR_RETURN_IMPL(RECTRACK_CONCAT(rectrack_sor_, __LINE__), \
                                 lhs, rexpr)
#define RECTRACK_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                   \
  if (!tmp.ok()) {                                      \
    return tmp.status();                                \
  }                                                     \
  lhs = std::move(tmp).value()
