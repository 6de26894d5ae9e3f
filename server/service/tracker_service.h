// The gRPC adapter: hands each call to domain::Tracker and converts the
// result. Holds no business rules.
#pragma once

#include <atomic>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "rectrack/v1/tracker.grpc.pb.h"
#include "server/domain/tracker.h"
#include "server/service/access.h"

namespace rectrack::service {

// Most bytes of events a Watch stream reads ahead of what it has sent: a
// watcher that stops reading is paused by gRPC's flow control with at most
// this much (and the transport's window) held for it.
inline constexpr size_t kWatchPageBytes = size_t{256} << 10;
// Most bytes of commands one caller may hold in open all-or-nothing
// BulkApply streams, together.
inline constexpr size_t kMaxHeldBytesPerCaller = size_t{128} << 20;

// Bytes held in open all-or-nothing BulkApply streams, per caller.
class HeldBytes {
 public:
  // Adds `bytes` to `caller`'s total; false (nothing added) if it would
  // pass kMaxHeldBytesPerCaller.
  bool Reserve(const std::string& caller, size_t bytes);
  void Release(const std::string& caller, size_t bytes);

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, size_t> held_ ABSL_GUARDED_BY(mu_);
};

// Every method uses the callback API except Watch and VerifyWithProgress,
// long-lived streams that are simplest as blocking loops on gRPC's
// synchronous thread pool.
using TrackerServiceBase = v1::Tracker::WithCallbackMethod_Apply<
    v1::Tracker::WithCallbackMethod_BulkApply<v1::Tracker::WithCallbackMethod_GetReview<
        v1::Tracker::WithCallbackMethod_GetRecommendation<v1::Tracker::WithCallbackMethod_GetAction<
            v1::Tracker::WithCallbackMethod_ListReviews<v1::Tracker::WithCallbackMethod_ListActions<
                v1::Tracker::WithCallbackMethod_GetHistory<
                    v1::Tracker::WithCallbackMethod_ReadEvents<
                        v1::Tracker::WithCallbackMethod_Verify<
                            v1::Tracker::WithCallbackMethod_Backup<
                                v1::Tracker::WithCallbackMethod_GetReport<
                                    v1::Tracker::WithCallbackMethod_ListRecommendations<
                                        v1::Tracker::WithCallbackMethod_ListPeople<
                                            v1::Tracker::WithCallbackMethod_ListUpdates<
                                                v1::Tracker::
                                                    WithCallbackMethod_ListOutbox<
                                                        v1::Tracker::
                                                            Service>>>>>>>>>>>>>>>>;

class TrackerService final : public TrackerServiceBase {
 public:
  // `tracker` and `access` are not owned and must outlive the service.
  // At most `max_watchers` Watch streams run at once.
  TrackerService(domain::Tracker* tracker, Access* access,
                 int max_watchers = 256)
      : tracker_(tracker), access_(access), max_watchers_(max_watchers) {}

  grpc::ServerUnaryReactor* Apply(grpc::CallbackServerContext* context,
                                  const v1::ApplyRequest* request,
                                  v1::ApplyResponse* response) override;
  grpc::ServerBidiReactor<v1::BulkApplyRequest, v1::BulkApplyResponse>*
  BulkApply(grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* GetReview(grpc::CallbackServerContext* context,
                                      const v1::GetReviewRequest* request,
                                      v1::Review* response) override;
  grpc::ServerUnaryReactor* GetRecommendation(
      grpc::CallbackServerContext* context,
      const v1::GetRecommendationRequest* request,
      v1::Recommendation* response) override;
  grpc::ServerUnaryReactor* GetAction(grpc::CallbackServerContext* context,
                                      const v1::GetActionRequest* request,
                                      v1::Action* response) override;
  grpc::ServerUnaryReactor* ListReviews(
      grpc::CallbackServerContext* context,
      const v1::ListReviewsRequest* request,
      v1::ListReviewsResponse* response) override;
  grpc::ServerUnaryReactor* ListRecommendations(
      grpc::CallbackServerContext* context,
      const v1::ListRecommendationsRequest* request,
      v1::ListRecommendationsResponse* response) override;
  grpc::ServerUnaryReactor* ListActions(
      grpc::CallbackServerContext* context,
      const v1::ListActionsRequest* request,
      v1::ListActionsResponse* response) override;
  grpc::ServerUnaryReactor* GetReport(grpc::CallbackServerContext* context,
                                      const v1::GetReportRequest* request,
                                      v1::Report* response) override;
  grpc::ServerUnaryReactor* GetHistory(
      grpc::CallbackServerContext* context,
      const v1::GetHistoryRequest* request,
      v1::GetHistoryResponse* response) override;
  grpc::Status Watch(grpc::ServerContext* context,
                     const v1::WatchRequest* request,
                     grpc::ServerWriter<v1::WatchResponse>* writer) override;
  grpc::ServerUnaryReactor* Verify(grpc::CallbackServerContext* context,
                                   const v1::VerifyRequest* request,
                                   v1::VerifyResponse* response) override;
  grpc::Status VerifyWithProgress(
      grpc::ServerContext* context,
      const v1::VerifyWithProgressRequest* request,
      grpc::ServerWriter<v1::VerifyProgress>* writer) override;
  grpc::ServerUnaryReactor* Backup(grpc::CallbackServerContext* context,
                                   const v1::BackupRequest* request,
                                   v1::BackupResponse* response) override;
  grpc::ServerUnaryReactor* ListPeople(
      grpc::CallbackServerContext* context,
      const v1::ListPeopleRequest* request,
      v1::ListPeopleResponse* response) override;
  grpc::ServerUnaryReactor* ListUpdates(
      grpc::CallbackServerContext* context,
      const v1::ListUpdatesRequest* request,
      v1::ListUpdatesResponse* response) override;
  grpc::ServerUnaryReactor* ListOutbox(
      grpc::CallbackServerContext* context,
      const v1::ListOutboxRequest* request,
      v1::ListOutboxResponse* response) override;
  grpc::ServerUnaryReactor* ReadEvents(
      grpc::CallbackServerContext* context,
      const v1::ReadEventsRequest* request,
      v1::ReadEventsResponse* response) override;

 public:
  // Watch streams open now (for /metrics).
  int watchers() const { return watchers_.load(std::memory_order_relaxed); }

 private:
  domain::Tracker* tracker_;
  Access* access_;
  const int max_watchers_;
  std::atomic<int> watchers_{0};
  HeldBytes held_bytes_;
};

}  // namespace rectrack::service
