// "Did you mean ...?" for a mistyped command or option.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace rectrack::cli {

// The edits (insert, delete, replace, swap two neighbours) that turn `a`
// into `b`.
size_t EditDistance(const std::string& a, const std::string& b);

// The candidate closest to `word`, if it is at most two edits away and the
// edits change less than the whole word ("-x" suggests nothing, not "-h").
// The first of equally close candidates.
std::optional<std::string> Closest(const std::string& word,
                                   const std::vector<std::string>& candidates);

}  // namespace rectrack::cli
