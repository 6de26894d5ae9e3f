// Counters and histograms for /metrics (Prometheus text format), updated
// with relaxed atomics only: a call on the hot path takes no lock and
// allocates nothing. Reading them for a scrape is not atomic across
// series, which Prometheus tolerates (each series is monotonic).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace rectrack {

// A histogram with fixed buckets. Values are whole numbers of a unit (e.g.
// nanoseconds, or requests) and are shown divided by `scale` (1e9 shows
// nanoseconds as seconds, as Prometheus names durations).
class Histogram {
 public:
  // `bounds`: ascending upper bounds, in the unit shown (seconds for
  // scale 1e9).
  Histogram(const std::vector<double>& bounds, double scale);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void Observe(uint64_t value);
  uint64_t count() const;

  // Appends NAME_bucket{LABELS,le="..."}, NAME_sum{LABELS} and
  // NAME_count{LABELS} lines; `labels` is empty or `key="value",...`.
  void Write(absl::string_view name, absl::string_view labels,
             std::string* out) const;

 private:
  std::vector<uint64_t> bounds_;  // in the unit observed
  std::vector<double> shown_;     // the same, as shown
  double scale_;
  // Not cumulative: buckets_[i] counts values in (bounds_[i-1], bounds_[i]];
  // the last counts values above every bound.
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<uint64_t> sum_{0};
};

// Bounds for call and write latencies, in seconds: 100 µs to 10 s.
std::vector<double> LatencyBounds();

// Appends "# HELP NAME HELP\n# TYPE NAME TYPE\n".
void WriteMetricHeader(absl::string_view name, absl::string_view type,
                       absl::string_view help, std::string* out);
// Appends "NAME{LABELS} VALUE\n" (no braces when `labels` is empty).
void WriteSample(absl::string_view name, absl::string_view labels, double value,
                 std::string* out);
// A label value with \, " and newline escaped as the text format asks.
std::string LabelValue(absl::string_view value);

}  // namespace rectrack
