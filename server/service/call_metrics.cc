#include "server/service/call_metrics.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "google/protobuf/descriptor.h"

namespace rectrack::service {
namespace {

using grpc::experimental::InterceptionHookPoints;

class Counting final : public grpc::experimental::Interceptor {
 public:
  Counting(CallMetrics* metrics, int index)
      : metrics_(metrics),
        index_(index),
        start_(std::chrono::steady_clock::now()) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      metrics_->Record(index_, methods->GetSendStatus().error_code(),
                       static_cast<uint64_t>(
                           std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::steady_clock::now() - start_)
                               .count()));
    }
    methods->Proceed();
  }

 private:
  CallMetrics* metrics_;
  const int index_;
  const std::chrono::steady_clock::time_point start_;
};

class CountingFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CountingFactory(CallMetrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new Counting(metrics_, metrics_->IndexOf(info->method()));
  }

 private:
  CallMetrics* metrics_;
};

}  // namespace

CallMetrics::CallMetrics(const std::vector<std::string>& services) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const std::string& name : services) {
    const google::protobuf::ServiceDescriptor* service =
        pool->FindServiceByName(name);
    for (int i = 0; service != nullptr && i < service->method_count(); ++i) {
      auto row = std::make_unique<Row>();
      row->method = absl::StrCat("/", service->full_name(), "/",
                                 service->method(i)->name());
      index_[row->method] = static_cast<int>(rows_.size());
      rows_.push_back(std::move(row));
    }
  }
  rows_.push_back(std::make_unique<Row>());
  rows_.back()->method = "other";
}

int CallMetrics::IndexOf(const char* method) const {
  auto it = method == nullptr ? index_.end() : index_.find(method);
  return it == index_.end() ? static_cast<int>(rows_.size()) - 1 : it->second;
}

void CallMetrics::Record(int index, grpc::StatusCode code,
                         uint64_t nanoseconds) {
  Row& row = *rows_[index];
  const int c = static_cast<int>(code);
  row.calls[c >= 0 && c < kCodes ? c : static_cast<int>(grpc::UNKNOWN)]
      .fetch_add(1, std::memory_order_relaxed);
  row.duration.Observe(nanoseconds);
}

void CallMetrics::Write(std::string* out) const {
  WriteMetricHeader("rectrack_calls_total", "counter",
                    "Calls finished, by method and gRPC status code (HTTP "
                    "calls included: they are forwarded as gRPC calls).",
                    out);
  for (const auto& row : rows_) {
    for (int c = 0; c < kCodes; ++c) {
      const uint64_t n = row->calls[c].load(std::memory_order_relaxed);
      if (n == 0) continue;
      WriteSample(
          "rectrack_calls_total",
          absl::StrCat("method=\"", LabelValue(row->method), "\",code=\"",
                       CodeName(static_cast<absl::StatusCode>(c)), "\""),
          static_cast<double>(n), out);
    }
  }
  WriteMetricHeader("rectrack_call_duration_seconds", "histogram",
                    "Time from a call's arrival to its status, by method.",
                    out);
  for (const auto& row : rows_) {
    if (row->duration.count() == 0) continue;
    row->duration.Write(
        "rectrack_call_duration_seconds",
        absl::StrCat("method=\"", LabelValue(row->method), "\""), out);
  }
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
CallMetrics::InterceptorFactory() {
  return std::make_unique<CountingFactory>(this);
}

}  // namespace rectrack::service
