// The page's calls to rectrackd's HTTP port (Connect protocol, JSON),
// through a client generated from proto/.
//
// Where it calls: the page's own origin (rectrackd --http-static), or
// ?server=https://rectrack.example:8443 when served from elsewhere (that
// server must then list this page's origin in --http-cors-origins).
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { Tracker } from "./gen/rectrack/v1/tracker_pb";
import type { ActionStatus, Action } from "./gen/rectrack/v1/domain_pb";

export const serverUrl =
  new URLSearchParams(window.location.search).get("server") ?? window.location.origin;

// Makes the client send `token()` (when not empty) as a bearer token.
export function connect(token: () => string) {
  const withToken: Interceptor = (next) => async (req) => {
    const value = token();
    if (value !== "") req.header.set("authorization", `Bearer ${value}`);
    return next(req);
  };
  return createClient(
    Tracker,
    createConnectTransport({ baseUrl: serverUrl, interceptors: [withToken] }),
  );
}
export type Client = ReturnType<typeof connect>;

export async function actionsLedBy(client: Client, lead: string): Promise<Action[]> {
  const actions: Action[] = [];
  let pageToken = "";
  do {
    const page = await client.listActions({ leads: [lead], pageSize: 1000, pageToken });
    actions.push(...page.actions);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return actions;
}

// The updates asked of `lead`, and whether this server holds answers for
// approval.
export async function updatesFor(
  client: Client,
  lead: string,
): Promise<{ actions: Action[]; needApproval: boolean }> {
  const response = await client.listUpdates({ lead });
  return { actions: response.actions, needApproval: response.updatesNeedApproval };
}

// References as printed, e.g. "Review of Parks, recommendation R2", for
// an action: its recommendation's ref and its review's title, each read
// once per page load.
export class References {
  private readonly refs = new Map<string, Promise<string>>();
  private readonly titles = new Map<string, Promise<string>>();
  constructor(private readonly client: Client) {}

  async of(action: Action): Promise<string> {
    const [title, ref] = await Promise.all([
      this.once(this.titles, action.reviewId, async (id) => (await this.client.getReview({ id })).title),
      this.once(this.refs, action.recommendationId, async (id) => (await this.client.getRecommendation({ id })).ref),
    ]);
    return `${title}, recommendation ${ref}`;
  }

  private once(
    cache: Map<string, Promise<string>>,
    id: string,
    read: (id: string) => Promise<string>,
  ): Promise<string> {
    let found = cache.get(id);
    if (found === undefined) {
      found = read(id);
      // A failed read is tried again next time.
      found.catch(() => cache.delete(id));
      cache.set(id, found);
    }
    return found;
  }
}

// What a lead writes in answer to an update asked of them.
export interface Answer {
  text: string;
  // Proposed status; undefined: no change proposed.
  status?: ActionStatus;
  // Proposed new target and why (both or neither).
  timescale?: string;
  reason?: string;
}

// A random request id. crypto.randomUUID needs a secure context (HTTPS or
// loopback); an intranet server on plain HTTP has only getRandomValues.
function requestId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Answers the update asked on `actionId` (AnswerUpdate). Each call has a
// request id of its own, so a request the network delivers twice is
// recorded once; a second answer is refused while the first waits for
// approval (NO_UPDATE_ASKED).
export async function answerUpdate(client: Client, actionId: string, answer: Answer): Promise<void> {
  await client.apply({
    requestId: `lead-page-${requestId()}`,
    commands: [
      {
        op: {
          case: "answerUpdate",
          value: {
            id: actionId,
            text: answer.text,
            status: answer.status,
            timescale: answer.timescale,
            reason: answer.reason ?? "",
          },
        },
      },
    ],
  });
}
