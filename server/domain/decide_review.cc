#include <utility>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/status_macros.h"
#include "server/domain/decider.h"
#include "server/domain/derived.h"
#include "server/domain/rules.h"

namespace rectrack::domain {
namespace {

// A review's change cannot be dated before the review was published.
absl::Status NotBeforeReview(const std::string& day, const v1::Review& review) {
  return NotBefore(day, "effective_on", review.effective_from(),
                   "the review was published");
}

}  // namespace

absl::Status RequestDecider::OpenReview(const v1::OpenReview& c) {
  RECTRACK_RETURN_IF_ERROR(Required(c.title(), "title"));
  RECTRACK_RETURN_IF_ERROR(Required(c.committee(), "committee"));
  v1::EventPayload p;
  v1::OpenReview* e = p.mutable_review_opened();
  e->set_title(Trimmed(c.title()));
  e->set_committee(Trimmed(c.committee()));
  e->set_council(Trimmed(c.council()));
  RECTRACK_ASSIGN_OR_RETURN(*e->mutable_published_on(),
                            OptionalDate(c.published_on(), "published_on"));
  RECTRACK_ASSIGN_OR_RETURN(std::string id, NewId(EntityKind::kReview));
  return Record(id, "ReviewOpened", e->published_on(), std::move(p), {});
}

absl::Status RequestDecider::ScheduleReportBack(
    const v1::ScheduleReportBack& c) {
  RECTRACK_ASSIGN_OR_RETURN(v1::Review review,
                            LoadReview(c.review_id(), "review_id"));
  RECTRACK_RETURN_IF_ERROR(CheckReviewOpen(review));
  RECTRACK_RETURN_IF_ERROR(CheckVersion(review.id(), review.version()));
  RECTRACK_RETURN_IF_ERROR(Required(c.date(), "date"));
  v1::EventPayload p;
  v1::ScheduleReportBack* e = p.mutable_report_back_scheduled();
  e->set_review_id(review.id());
  RECTRACK_ASSIGN_OR_RETURN(*e->mutable_date(),
                            NormalizeDate(c.date(), "date"));
  e->set_note(Trimmed(c.note()));
  RECTRACK_ASSIGN_OR_RETURN(*e->mutable_effective_on(),
                            PastDate(c.effective_on(), "effective_on"));
  RECTRACK_RETURN_IF_ERROR(NotBeforeReview(e->effective_on(), review));
  EntityStates states;
  states.reviews[review.id()] = review;
  return Record(review.id(), "ReportBackScheduled", e->effective_on(),
                std::move(p), std::move(states));
}

absl::Status RequestDecider::CloseReview(const v1::CloseReview& c) {
  RECTRACK_ASSIGN_OR_RETURN(v1::Review review,
                            LoadReview(c.review_id(), "review_id"));
  RECTRACK_RETURN_IF_ERROR(CheckVersion(review.id(), review.version()));
  if (review.status() == v1::REVIEW_STATUS_CLOSED) {
    return absl::FailedPreconditionError(
        absl::StrCat("review ", review.id(), " is already closed"));
  }
  v1::EventPayload p;
  v1::CloseReview* e = p.mutable_review_closed();
  e->set_review_id(review.id());
  e->set_note(Trimmed(c.note()));
  RECTRACK_ASSIGN_OR_RETURN(*e->mutable_effective_on(),
                            PastDate(c.effective_on(), "effective_on"));
  RECTRACK_RETURN_IF_ERROR(NotBeforeReview(e->effective_on(), review));
  EntityStates states;
  states.reviews[review.id()] = review;
  return Record(review.id(), "ReviewClosed", e->effective_on(), std::move(p),
                std::move(states));
}

}  // namespace rectrack::domain
