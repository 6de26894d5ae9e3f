// The gRPC adapter: hands each call to domain::Tracker and converts the
// result. Holds no business rules.
#pragma once

#include <atomic>

#include "rectrack/v1/tracker.grpc.pb.h"
#include "server/domain/tracker.h"
#include "server/service/access.h"

namespace rectrack::service {

// Every method uses the callback API except Watch, a long-lived stream that
// is simplest as a blocking loop on gRPC's synchronous thread pool.
using TrackerServiceBase = v1::Tracker::WithCallbackMethod_Apply<
    v1::Tracker::WithCallbackMethod_BulkApply<
        v1::Tracker::WithCallbackMethod_GetReview<
            v1::Tracker::WithCallbackMethod_GetRecommendation<
                v1::Tracker::WithCallbackMethod_GetAction<
                    v1::Tracker::WithCallbackMethod_ListReviews<
                        v1::Tracker::WithCallbackMethod_ListActions<
                            v1::Tracker::WithCallbackMethod_GetHistory<
                                v1::Tracker::WithCallbackMethod_ReadEvents<
                                    v1::Tracker::WithCallbackMethod_Verify<
                                        v1::Tracker::WithCallbackMethod_Backup<
                                            v1::Tracker::WithCallbackMethod_GetReport<
                                                v1::Tracker::Service>>>>>>>>>>>>;

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
  grpc::ServerUnaryReactor* Backup(grpc::CallbackServerContext* context,
                                   const v1::BackupRequest* request,
                                   v1::BackupResponse* response) override;
  grpc::ServerUnaryReactor* ReadEvents(
      grpc::CallbackServerContext* context,
      const v1::ReadEventsRequest* request,
      v1::ReadEventsResponse* response) override;

 private:
  domain::Tracker* tracker_;
  Access* access_;
  const int max_watchers_;
  std::atomic<int> watchers_{0};
};

}  // namespace rectrack::service
