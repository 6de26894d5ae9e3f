#include "server/service/tracker_service.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/grpc_status.h"
#include "rectrack/wire_check.h"

namespace rectrack::service {
namespace {

grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* context,
                                 const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

// The caller's deadline, if it set one.
absl::Time DeadlineOf(const grpc::CallbackServerContext& context) {
  auto deadline = context.deadline();
  if (deadline >= std::chrono::system_clock::time_point::max() -
                      std::chrono::hours(24 * 365)) {
    return absl::InfiniteFuture();
  }
  return absl::FromChrono(deadline);
}

// Every handler starts here: who is calling, and may they? Ends the call
// with the refusal if not. The actor of every event is the principal's,
// never a request field.
// (`principal` names the variable it declares, so it cannot be
// parenthesised.)
// NOLINTBEGIN(bugprone-macro-parentheses)
#define RECTRACK_ADMIT(principal, rpc, request) \
  absl::StatusOr<Principal> principal =         \
      access_->Admit(*context, rpc, request);   \
  if (!principal.ok()) return Finish(context, principal.status())
// NOLINTEND(bugprone-macro-parentheses)

// Finishes a unary call with `result`, moved into `*response` when OK.
template <typename T>
grpc::ServerUnaryReactor* Reply(grpc::CallbackServerContext* context,
                                absl::StatusOr<T> result, T* response) {
  const absl::Status status = result.status();
  if (status.ok()) *response = *std::move(result);
  return Finish(context, status);
}

template <typename Item, typename Field>
void CopyAll(std::vector<Item> items, Field* field) {
  field->Reserve(static_cast<int>(items.size()));
  for (Item& item : items) {
    *field->Add() = std::move(item);
  }
}

// One BulkApply stream. Chunks are read one at a time: a chunk is applied,
// its acknowledgement written, and only then the next chunk read, so the
// order of the stream is the order of the log.
class BulkApplyReactor final
    : public grpc::ServerBidiReactor<v1::BulkApplyRequest,
                                     v1::BulkApplyResponse> {
 public:
  BulkApplyReactor(grpc::CallbackServerContext* context,
                   domain::Tracker* tracker, Access* access,
                   HeldBytes* held_bytes, absl::StatusOr<Principal> principal)
      : context_(context),
        tracker_(tracker),
        access_(access),
        held_bytes_(held_bytes) {
    if (!principal.ok()) {
      Finish(ToGrpcStatus(principal.status()));
      return;
    }
    actor_ = Access::ActorOf(*principal);
    principal_ = *std::move(principal);
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client has sent everything, or gone away
      if (context_->IsCancelled()) {
        Finish(grpc::Status(grpc::StatusCode::CANCELLED,
                            "the client cancelled; held chunks were not "
                            "applied"));
      } else if (all_or_nothing_) {
        ApplyAllHeld();
      } else {
        Finish(grpc::Status::OK);
      }
      return;
    }
    if (chunks_seen_ == 0) {
      all_or_nothing_ = request_.all_or_nothing();
    }
    uint64_t index = chunks_seen_++;
    if (std::string problem = wire::WireProblem(request_); !problem.empty()) {
      Finish(ToGrpcStatus(absl::InvalidArgumentError(
          absl::StrCat("chunk ", index, ": ", problem))));
      return;
    }
    if (absl::Status s = access_->AdmitCommands(request_.chunk()); !s.ok()) {
      Finish(ToGrpcStatus(absl::Status(
          s.code(),
          absl::StrCat("chunk ", index, ": ", s.message(),
                       all_or_nothing_ ? "; nothing was applied"
                                       : "; earlier chunks were applied"))));
      return;
    }
    if (all_or_nothing_) {
      held_commands_ += request_.chunk().commands_size();
      if (held_commands_ > domain::kMaxCommandsAllOrNothing) {
        Finish(ToGrpcStatus(absl::ResourceExhaustedError(absl::StrCat(
            "an all-or-nothing batch may hold at most ",
            domain::kMaxCommandsAllOrNothing,
            " commands; nothing was applied. Send it without all_or_nothing, "
            "chunk by chunk"))));
        return;
      }
      const size_t bytes = request_.chunk().ByteSizeLong();
      if (!held_bytes_->Reserve(principal_.actor, bytes)) {
        Finish(ToGrpcStatus(absl::ResourceExhaustedError(absl::StrCat(
            "chunk ", index,
            ": your open all-or-nothing batches would hold "
            "more than ",
            kMaxHeldBytesPerCaller >> 20,
            " MiB of commands; nothing was applied. Send it without "
            "all_or_nothing, chunk by chunk, or in smaller batches"))));
        return;
      }
      reserved_ += bytes;
      held_.push_back(std::move(*request_.mutable_chunk()));
      StartRead(&request_);
      return;
    }
    tracker_->Apply(
        request_.chunk(), actor_,
        [this, index](absl::StatusOr<v1::ApplyResponse> r) {
          if (!r.ok()) {
            Finish(ToGrpcStatus(absl::Status(
                r.status().code(),
                absl::StrCat("chunk ", index, ": ", r.status().message()))));
            return;
          }
          response_.set_chunk_index(index);
          *response_.mutable_result() = *std::move(r);
          StartWrite(&response_);
        });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
      return;
    }
    if (all_or_nothing_) {
      WriteNextHeldResult();
    } else {
      StartRead(&request_);
    }
  }

  void OnDone() override {
    held_bytes_->Release(principal_.actor, reserved_);
    delete this;
  }

 private:
  void ApplyAllHeld() {
    tracker_->ApplyAll(
        std::move(held_), actor_,
        [this](absl::StatusOr<std::vector<v1::ApplyResponse>> r) {
          if (!r.ok()) {
            Finish(ToGrpcStatus(r.status()));
            return;
          }
          held_results_ = *std::move(r);
          WriteNextHeldResult();
        });
  }

  void WriteNextHeldResult() {
    if (next_result_ >= held_results_.size()) {
      Finish(grpc::Status::OK);
      return;
    }
    response_.set_chunk_index(next_result_);
    *response_.mutable_result() = std::move(held_results_[next_result_]);
    ++next_result_;
    StartWrite(&response_);
  }

  grpc::CallbackServerContext* context_;
  domain::Tracker* tracker_;
  Access* access_;
  HeldBytes* held_bytes_;
  size_t reserved_ = 0;  // in held_bytes_
  Principal principal_;
  domain::Actor actor_{""};
  v1::BulkApplyRequest request_;
  v1::BulkApplyResponse response_;
  uint64_t chunks_seen_ = 0;
  bool all_or_nothing_ = false;
  size_t held_commands_ = 0;
  std::vector<v1::ApplyRequest> held_;
  std::vector<v1::ApplyResponse> held_results_;
  size_t next_result_ = 0;
};

}  // namespace

bool HeldBytes::Reserve(const std::string& caller, size_t bytes) {
  absl::MutexLock lock(&mu_);
  size_t& held = held_[caller];
  if (held + bytes > kMaxHeldBytesPerCaller) {
    if (held == 0) held_.erase(caller);
    return false;
  }
  held += bytes;
  return true;
}

void HeldBytes::Release(const std::string& caller, size_t bytes) {
  if (bytes == 0) return;
  absl::MutexLock lock(&mu_);
  auto it = held_.find(caller);
  if (it == held_.end()) return;
  it->second -= std::min(bytes, it->second);
  if (it->second == 0) held_.erase(it);
}

grpc::ServerBidiReactor<v1::BulkApplyRequest, v1::BulkApplyResponse>*
TrackerService::BulkApply(grpc::CallbackServerContext* context) {
  return new BulkApplyReactor(context, tracker_, access_, &held_bytes_,
                              access_->Admit(*context, "BulkApply", nullptr));
}

grpc::ServerUnaryReactor* TrackerService::Apply(
    grpc::CallbackServerContext* context, const v1::ApplyRequest* request,
    v1::ApplyResponse* response) {
  RECTRACK_ADMIT(principal, "Apply", request);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  tracker_->Apply(
      *request, Access::ActorOf(*principal),
      [reactor, response](absl::StatusOr<v1::ApplyResponse> r) {
        const absl::Status status = r.status();
        if (status.ok()) *response = *std::move(r);
        reactor->Finish(ToGrpcStatus(status));
      },
      DeadlineOf(*context));
  return reactor;
}

grpc::ServerUnaryReactor* TrackerService::GetReview(
    grpc::CallbackServerContext* context, const v1::GetReviewRequest* request,
    v1::Review* response) {
  RECTRACK_ADMIT(principal, "GetReview", request);
  return Reply(context, tracker_->GetReview(*request), response);
}

grpc::ServerUnaryReactor* TrackerService::GetRecommendation(
    grpc::CallbackServerContext* context,
    const v1::GetRecommendationRequest* request, v1::Recommendation* response) {
  RECTRACK_ADMIT(principal, "GetRecommendation", request);
  return Reply(context, tracker_->GetRecommendation(*request), response);
}

grpc::ServerUnaryReactor* TrackerService::GetAction(
    grpc::CallbackServerContext* context, const v1::GetActionRequest* request,
    v1::Action* response) {
  RECTRACK_ADMIT(principal, "GetAction", request);
  return Reply(context, tracker_->GetAction(*request), response);
}

grpc::ServerUnaryReactor* TrackerService::ListReviews(
    grpc::CallbackServerContext* context, const v1::ListReviewsRequest* request,
    v1::ListReviewsResponse* response) {
  RECTRACK_ADMIT(principal, "ListReviews", request);
  return Reply(context, tracker_->ListReviews(*request), response);
}

grpc::ServerUnaryReactor* TrackerService::ListPeople(
    grpc::CallbackServerContext* context, const v1::ListPeopleRequest* request,
    v1::ListPeopleResponse* response) {
  RECTRACK_ADMIT(principal, "ListPeople", request);
  return Reply(context, tracker_->ListPeople(), response);
}

grpc::ServerUnaryReactor* TrackerService::ListUpdates(
    grpc::CallbackServerContext* context, const v1::ListUpdatesRequest* request,
    v1::ListUpdatesResponse* response) {
  RECTRACK_ADMIT(principal, "ListUpdates", request);
  return Reply(context, tracker_->ListUpdates(*request), response);
}

grpc::ServerUnaryReactor* TrackerService::ListOutbox(
    grpc::CallbackServerContext* context, const v1::ListOutboxRequest* request,
    v1::ListOutboxResponse* response) {
  RECTRACK_ADMIT(principal, "ListOutbox", request);
  return Reply(context, tracker_->ListOutbox(*request), response);
}

grpc::ServerUnaryReactor* TrackerService::ListRecommendations(
    grpc::CallbackServerContext* context,
    const v1::ListRecommendationsRequest* request,
    v1::ListRecommendationsResponse* response) {
  RECTRACK_ADMIT(principal, "ListRecommendations", request);
  return Reply(context, tracker_->ListRecommendations(*request), response);
}

grpc::ServerUnaryReactor* TrackerService::ListActions(
    grpc::CallbackServerContext* context, const v1::ListActionsRequest* request,
    v1::ListActionsResponse* response) {
  RECTRACK_ADMIT(principal, "ListActions", request);
  return Reply(context, tracker_->ListActions(*request), response);
}

grpc::ServerUnaryReactor* TrackerService::GetReport(
    grpc::CallbackServerContext* context, const v1::GetReportRequest* request,
    v1::Report* response) {
  RECTRACK_ADMIT(principal, "GetReport", request);
  return Reply(context, tracker_->GetReport(*request), response);
}

grpc::ServerUnaryReactor* TrackerService::GetHistory(
    grpc::CallbackServerContext* context, const v1::GetHistoryRequest* request,
    v1::GetHistoryResponse* response) {
  RECTRACK_ADMIT(principal, "GetHistory", request);
  auto events = tracker_->GetHistory(request->id());
  const absl::Status status = events.status();
  if (status.ok()) CopyAll(*std::move(events), response->mutable_events());
  return Finish(context, status);
}

grpc::ServerUnaryReactor* TrackerService::ReadEvents(
    grpc::CallbackServerContext* context, const v1::ReadEventsRequest* request,
    v1::ReadEventsResponse* response) {
  RECTRACK_ADMIT(principal, "ReadEvents", request);
  if (absl::Status resume = tracker_->CheckResumePoint(request->from_position(),
                                                       request->after_hash());
      !resume.ok()) {
    return Finish(context, resume);
  }
  return Reply(context,
               tracker_->ReadEvents(request->from_position(), request->limit()),
               response);
}

grpc::Status TrackerService::Watch(
    grpc::ServerContext* context, const v1::WatchRequest* request,
    grpc::ServerWriter<v1::WatchResponse>* writer) {
  constexpr uint32_t kPage = 500;
  if (absl::StatusOr<Principal> principal =
          access_->Admit(*context, "Watch", request);
      !principal.ok()) {
    return ToGrpcStatus(principal.status());
  }
  // Each watch holds a thread: refuse beyond the limit rather than queue.
  struct Slot {
    std::atomic<int>* count;
    ~Slot() { --*count; }
  } slot{&watchers_};
  if (++watchers_ > max_watchers_) {
    return ToGrpcStatus(absl::ResourceExhaustedError(absl::StrCat(
        "the server already serves ", max_watchers_,
        " watches, its limit; try again later, or share one watch between "
        "your programs")));
  }
  if (!request->review_id().empty()) {
    absl::Status exists = tracker_->GetReview(request->review_id()).status();
    if (!exists.ok()) return ToGrpcStatus(exists);
  }
  if (absl::Status resume = tracker_->CheckResumePoint(request->from_position(),
                                                       request->after_hash());
      !resume.ok()) {
    return ToGrpcStatus(resume);
  }
  const std::set<std::string> types(request->types().begin(),
                                    request->types().end());
  uint64_t next = std::max<uint64_t>(request->from_position(), 1);
  std::optional<uint64_t> catch_up_end;  // the log's end when we started
  bool caught_up_sent = false;
  while (true) {
    if (context->IsCancelled()) {
      return grpc::Status(grpc::StatusCode::CANCELLED,
                          "the watch was cancelled");
    }
    absl::StatusOr<v1::ReadEventsResponse> page =
        tracker_->ReadEvents(next, kPage, kWatchPageBytes);
    if (!page.ok()) return ToGrpcStatus(page.status());
    if (!catch_up_end.has_value()) catch_up_end = page->last_position();
    for (v1::Event& event : *page->mutable_events()) {
      next = event.position() + 1;
      if (!types.empty() && !types.count(event.type())) continue;
      if (!request->review_id().empty()) {
        absl::StatusOr<bool> belongs =
            tracker_->BelongsToReview(event, request->review_id());
        if (!belongs.ok()) return ToGrpcStatus(belongs.status());
        if (!*belongs) continue;
      }
      v1::WatchResponse response;
      *response.mutable_event() = std::move(event);
      if (!writer->Write(response)) {
        return grpc::Status(grpc::StatusCode::CANCELLED,
                            "the client went away");
      }
    }
    if (!caught_up_sent && next > *catch_up_end) {
      v1::WatchResponse marker;
      marker.mutable_caught_up()->set_position(*catch_up_end);
      caught_up_sent = true;
      if (!writer->Write(marker)) {
        return grpc::Status(grpc::StatusCode::CANCELLED,
                            "the client went away");
      }
    }
    if (!page->events().empty()) continue;  // there may be more to read
    if (!tracker_->accepting()) {
      return ToGrpcStatus(absl::UnavailableError(absl::StrCat(
          "the server is shutting down; watch again from position ", next,
          " once it is back")));
    }
    // Sleep until the log grows (or a second passes, to notice a cancel).
    auto grew = std::make_shared<absl::Notification>();
    uint64_t ticket = tracker_->WakeAfter(next - 1, [grew] { grew->Notify(); });
    grew->WaitForNotificationWithTimeout(absl::Seconds(1));
    tracker_->CancelWake(ticket);
  }
}

grpc::ServerUnaryReactor* TrackerService::Verify(
    grpc::CallbackServerContext* context, const v1::VerifyRequest* request,
    v1::VerifyResponse* response) {
  RECTRACK_ADMIT(principal, "Verify", request);
  // A caller that gives up (Ctrl-C, deadline) stops the check.
  domain::VerifyOptions options;
  options.progress = [context](const v1::VerifyProgress&) {
    return !context->IsCancelled();
  };
  return Reply(context, tracker_->Verify(options), response);
}

grpc::Status TrackerService::VerifyWithProgress(
    grpc::ServerContext* context, const v1::VerifyWithProgressRequest* request,
    grpc::ServerWriter<v1::VerifyProgress>* writer) {
  if (absl::StatusOr<Principal> principal =
          access_->Admit(*context, "VerifyWithProgress", request);
      !principal.ok()) {
    return ToGrpcStatus(principal.status());
  }
  // Each message goes out as verify reaches it; the report comes in the
  // last one. A cancelled call (or one whose client went away) stops the
  // check, which removes its scratch database.
  domain::VerifyOptions options;
  options.progress = [context, writer](const v1::VerifyProgress& progress) {
    return !context->IsCancelled() && writer->Write(progress);
  };
  absl::StatusOr<v1::VerifyResponse> report = tracker_->Verify(options);
  if (!report.ok() && context->IsCancelled()) {
    return grpc::Status(grpc::StatusCode::CANCELLED, "the check was cancelled");
  }
  return ToGrpcStatus(report.status());
}

grpc::ServerUnaryReactor* TrackerService::Backup(
    grpc::CallbackServerContext* context, const v1::BackupRequest* request,
    v1::BackupResponse* response) {
  RECTRACK_ADMIT(principal, "Backup", request);
  return Reply(context, tracker_->Backup(request->directory()), response);
}

}  // namespace rectrack::service
