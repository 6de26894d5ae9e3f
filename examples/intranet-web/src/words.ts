// Words the page shows for the tracker's values and errors, for a council
// officer rather than a developer.
import { ConnectError, Code } from "@connectrpc/connect";
import { ActionStatus, Rag, UpdateStatus, type UpdateRequest } from "./gen/rectrack/v1/domain_pb";

export const statusWords: Record<ActionStatus, string> = {
  [ActionStatus.UNSPECIFIED]: "not given",
  [ActionStatus.NOT_STARTED]: "not started",
  [ActionStatus.IN_PROGRESS]: "in progress",
  [ActionStatus.COMPLETED]: "completed",
  [ActionStatus.BLOCKED]: "blocked",
  [ActionStatus.CANCELLED]: "cancelled",
};

// Words, and the class that colours the card's edge.
export const ragWords: Record<Rag, [string, string]> = {
  [Rag.UNSPECIFIED]: ["not rated", "none"],
  [Rag.GREEN]: ["green", "green"],
  [Rag.AMBER]: ["amber", "amber"],
  [Rag.RED]: ["red", "red"],
  [Rag.NO_TARGET]: ["no target date", "none"],
  [Rag.NOT_RATED]: ["not rated", "none"],
};

// One word for where an update stands (also its data-state on the page),
// and the sentence that says it.
export const updateStateWords: Record<UpdateStatus, [string, string]> = {
  [UpdateStatus.UNSPECIFIED]: ["none", "no update asked"],
  [UpdateStatus.OPEN]: ["asked", "asked, waiting for your answer"],
  [UpdateStatus.ANSWERED]: ["submitted", "submitted, waiting for the scrutiny team to approve it"],
  [UpdateStatus.APPROVED]: ["approved", "approved: your answer is in the record"],
  [UpdateStatus.RETURNED]: ["returned", "returned to you: please answer again"],
};

// Whether the lead may (still or again) answer.
export function canAnswer(request: UpdateRequest): boolean {
  return request.status === UpdateStatus.OPEN || request.status === UpdateStatus.RETURNED;
}

// 2026-12-17 as "17 December 2026" (the day only: no time zone shifts it).
export function dayWords(day: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (match === null) return day || "not given";
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toLocaleDateString("en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
}

// The stable reason rectrackd puts in the error's ErrorInfo (sent in
// Connect's "details", with its JSON form as "debug"), or "".
function reasonOf(error: ConnectError): string {
  for (const detail of error.details) {
    if ("type" in detail && detail.type === "google.rpc.ErrorInfo") {
      const debug = detail.debug as { reason?: unknown } | undefined;
      if (typeof debug?.reason === "string") return debug.reason;
    }
  }
  return "";
}

// The fields a BadRequest names, e.g. "commands[0].answer_update.reason".
function fieldsOf(error: ConnectError): string[] {
  const fields: string[] = [];
  for (const detail of error.details) {
    if ("type" in detail && detail.type === "google.rpc.BadRequest") {
      const debug = detail.debug as { fieldViolations?: { field?: string }[] } | undefined;
      for (const v of debug?.fieldViolations ?? []) fields.push(v.field ?? "");
    }
  }
  return fields;
}

const fieldWords: Record<string, string> = {
  text: "what has been done",
  reason: "the reason for the new target",
  timescale: "the new target",
  answered_on: "the date",
};

// What went wrong, in words for the person at the page. `serverUrl` is
// named when the tracker could not be reached at all.
export function explain(error: unknown, serverUrl: string): string {
  if (!(error instanceof ConnectError)) {
    return `The tracker could not be reached at ${serverUrl} (${String(error)}).`;
  }
  switch (reasonOf(error)) {
    case "NOT_LEAD":
      return (
        "You are not named as a lead of this action, so you cannot answer for it. " +
        "If it should be yours, ask the scrutiny team to add you as its lead."
      );
    case "NO_UPDATE_ASKED":
    case "NO_ANSWER_WAITING":
      return (
        "No update is waiting for your answer on this action any more " +
        "(it may have been answered or approved meanwhile). Show your actions again to see where it stands."
      );
    case "VERSION_MISMATCH":
      return "Someone changed this action while you were writing. Show your actions again, then send your answer.";
    case "TOKEN_INVALID":
      return "The tracker does not recognise your access token: check it, or ask the scrutiny team for a new one.";
  }
  const field = fieldsOf(error)
    .map((f) => f.split(".").pop() ?? "")
    .find((f) => f in fieldWords);
  if (field !== undefined && error.code === Code.InvalidArgument) {
    return `Please fill in ${fieldWords[field]} (${error.rawMessage}).`;
  }
  switch (error.code) {
    case Code.Unauthenticated:
      return "The tracker needs an access token: enter the one the scrutiny team gave you.";
    case Code.PermissionDenied:
      return `Your access token does not allow this: ${error.rawMessage}`;
    case Code.Unavailable:
      return `The tracker is not answering at ${serverUrl} just now; try again in a minute.`;
    default:
      return error.rawMessage;
  }
}
