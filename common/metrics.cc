#include "common/metrics.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace rectrack {
namespace {

std::string Number(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return absl::StrFormat("%.0f", value);
  }
  return absl::StrFormat("%.9g", value);
}

}  // namespace

Histogram::Histogram(const std::vector<double>& bounds, double scale)
    : shown_(bounds),
      scale_(scale),
      buckets_(new std::atomic<uint64_t>[bounds.size() + 1]) {
  for (double bound : bounds) {
    bounds_.push_back(static_cast<uint64_t>(std::llround(bound * scale)));
  }
  for (size_t i = 0; i <= bounds.size(); ++i) buckets_[i] = 0;
}

void Histogram::Observe(uint64_t value) {
  const size_t i = static_cast<size_t>(
      std::lower_bound(bounds_.begin(), bounds_.end(), value) -
      bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

uint64_t Histogram::count() const {
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
  }
  return total;
}

void Histogram::Write(absl::string_view name, absl::string_view labels,
                      std::string* out) const {
  const std::string sep = labels.empty() ? "" : ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    const std::string le =
        i < bounds_.size() ? Number(shown_[i]) : std::string("+Inf");
    absl::StrAppend(out, name, "_bucket{", labels, sep, "le=\"", le, "\"} ",
                    cumulative, "\n");
  }
  WriteSample(
      absl::StrCat(name, "_sum"), labels,
      static_cast<double>(sum_.load(std::memory_order_relaxed)) / scale_, out);
  WriteSample(absl::StrCat(name, "_count"), labels,
              static_cast<double>(cumulative), out);
}

std::vector<double> LatencyBounds() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

void WriteMetricHeader(absl::string_view name, absl::string_view type,
                       absl::string_view help, std::string* out) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type,
                  "\n");
}

void WriteSample(absl::string_view name, absl::string_view labels, double value,
                 std::string* out) {
  if (labels.empty()) {
    absl::StrAppend(out, name, " ", Number(value), "\n");
  } else {
    absl::StrAppend(out, name, "{", labels, "} ", Number(value), "\n");
  }
}

std::string LabelValue(absl::string_view value) {
  std::string escaped;
  for (char c : value) {
    if (c == '\\' || c == '"') escaped.push_back('\\');
    if (c == '\n') {
      escaped += "\\n";
      continue;
    }
    escaped.push_back(c);
  }
  return escaped;
}

}  // namespace rectrack
