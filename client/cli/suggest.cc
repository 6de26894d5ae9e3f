#include "client/cli/suggest.h"

#include <algorithm>

namespace rectrack::cli {

size_t EditDistance(const std::string& a, const std::string& b) {
  // Optimal string alignment: Levenshtein with transpositions, row by row.
  std::vector<std::vector<size_t>> d(a.size() + 1,
                                     std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t replace = d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, replace});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::optional<std::string> Closest(const std::string& word,
                                   const std::vector<std::string>& candidates) {
  constexpr size_t kMaxEdits = 2;
  // The dashes of an option are not part of what was mistyped.
  const size_t letters =
      word.size() - std::min(word.find_first_not_of('-'), word.size());
  std::optional<std::string> best;
  size_t best_distance = std::min(kMaxEdits + 1, letters);
  for (const std::string& candidate : candidates) {
    size_t distance = EditDistance(word, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace rectrack::cli
