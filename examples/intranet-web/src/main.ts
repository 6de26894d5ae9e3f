// The page for leads: who they are and their token, then their open and
// overdue actions (as rectrackd works them out: RAG, days overdue) with a
// box on each to send a progress update. Calls rectrackd's HTTP port with
// the Connect protocol (JSON), through a client generated from proto/.
//
// Where it calls: the page's own origin (rectrackd --http-static), or
// ?server=https://rectrack.example:8443 when served from elsewhere (that
// server must then list this page's origin in --http-cors-origins).
// ?lead=NAME fills in the name; #token=TOKEN the token (a fragment is never
// sent to a web server, so it stays out of access logs).
import { createClient, ConnectError, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Tracker } from "./gen/rectrack/v1/tracker_pb";
import { ActionStatus, Rag, type Action } from "./gen/rectrack/v1/domain_pb";

const params = new URLSearchParams(window.location.search);
const serverUrl = params.get("server") ?? window.location.origin;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
}

const leadInput = element<HTMLInputElement>("lead");
const tokenInput = element<HTMLInputElement>("token");
const statusLine = element<HTMLParagraphElement>("status");

// The token is kept for this tab only (sessionStorage), never in a cookie.
const fragmentToken = new URLSearchParams(window.location.hash.slice(1)).get("token");
tokenInput.value = fragmentToken ?? sessionStorage.getItem("rectrack-token") ?? "";
leadInput.value = params.get("lead") ?? localStorage.getItem("rectrack-lead") ?? "";

const withToken: Interceptor = (next) => async (req) => {
  const token = tokenInput.value.trim();
  if (token !== "") req.header.set("authorization", `Bearer ${token}`);
  return next(req);
};

const client = createClient(
  Tracker,
  createConnectTransport({ baseUrl: serverUrl, interceptors: [withToken] }),
);

function say(text: string, isError = false): void {
  statusLine.textContent = text;
  statusLine.classList.toggle("error", isError);
}

// What went wrong, in words for the person at the page.
function explain(error: unknown): string {
  if (error instanceof ConnectError) {
    if (error.code === 16) {
      return "The tracker needs an access token: enter the one the scrutiny team gave you.";
    }
    if (error.code === 7) return `Not allowed: ${error.rawMessage}`;
    return error.rawMessage;
  }
  return `The tracker could not be reached at ${serverUrl} (${String(error)}).`;
}

async function actionsLedBy(lead: string): Promise<Action[]> {
  const actions: Action[] = [];
  let pageToken = "";
  do {
    const page = await client.listActions({ leads: [lead], pageSize: 1000, pageToken });
    actions.push(...page.actions);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return actions;
}

function isOpen(action: Action): boolean {
  return (
    action.status !== ActionStatus.COMPLETED && action.status !== ActionStatus.CANCELLED
  );
}

const statusWords: Record<ActionStatus, string> = {
  [ActionStatus.UNSPECIFIED]: "not given",
  [ActionStatus.NOT_STARTED]: "not started",
  [ActionStatus.IN_PROGRESS]: "in progress",
  [ActionStatus.COMPLETED]: "completed",
  [ActionStatus.BLOCKED]: "blocked",
  [ActionStatus.CANCELLED]: "cancelled",
};
const ragWords: Record<Rag, [string, string]> = {
  [Rag.UNSPECIFIED]: ["not rated", "none"],
  [Rag.GREEN]: ["green", "green"],
  [Rag.AMBER]: ["amber", "amber"],
  [Rag.RED]: ["red", "red"],
  [Rag.NO_TARGET]: ["no target date", "none"],
  [Rag.NOT_RATED]: ["not rated", "none"],
};

function row(list: HTMLDListElement, term: string, value: string): void {
  const dt = document.createElement("dt");
  dt.textContent = term;
  const dd = document.createElement("dd");
  dd.textContent = value;
  list.append(dt, dd);
}

function lastUpdate(action: Action): string {
  const kept = action.progress.filter((p) => !p.retracted);
  const last = kept[kept.length - 1];
  if (last === undefined) return "none yet";
  const when =
    last.reportedOn ||
    (last.recordedAt ? timestampDate(last.recordedAt).toLocaleDateString("en-GB") : "");
  return when ? `${last.text} (${when})` : last.text;
}

function updateForm(action: Action): HTMLFormElement {
  const form = document.createElement("form");
  form.className = "update";
  const label = document.createElement("label");
  label.textContent = "What has been done since the last update?";
  const text = document.createElement("textarea");
  text.name = "progress";
  text.required = true;
  label.append(text);
  const send = document.createElement("button");
  send.type = "submit";
  send.textContent = "Send update";
  const result = document.createElement("p");
  result.setAttribute("role", "status");
  form.append(label, send, result);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void sendUpdate(action, text, send, result);
  });
  return form;
}

// A random request id. crypto.randomUUID needs a secure context (HTTPS or
// loopback); an intranet server on plain HTTP has only getRandomValues.
function requestId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sendUpdate(
  action: Action,
  text: HTMLTextAreaElement,
  send: HTMLButtonElement,
  result: HTMLParagraphElement,
): Promise<void> {
  const note = text.value.trim();
  if (note === "") return;
  send.disabled = true;
  result.className = "";
  result.textContent = "Sending…";
  try {
    // The request id makes a retried click record the update once.
    await client.apply({
      requestId: `lead-page-${requestId()}`,
      commands: [{ op: { case: "reportProgress", value: { id: action.id, text: note } } }],
    });
    result.className = "sent";
    result.textContent = `Update recorded on ${action.id}.`;
    text.value = "";
  } catch (error) {
    result.className = "failed";
    result.textContent = `Not recorded: ${explain(error)}`;
  } finally {
    send.disabled = false;
  }
}

function card(action: Action): HTMLElement {
  const standing = action.standing;
  const [ragText, ragClass] = ragWords[standing?.rag ?? Rag.UNSPECIFIED];
  const article = document.createElement("article");
  article.className = `action rag-${ragClass}`;
  article.dataset.actionId = action.id;
  const title = document.createElement("h3");
  title.textContent = `${action.id}: ${action.text}`;
  const facts = document.createElement("dl");
  row(facts, "Recommendation", action.recommendationId);
  row(facts, "Target", action.timescale?.text || "none given");
  row(facts, "Status", statusWords[action.status]);
  row(facts, "RAG", ragText);
  if (standing?.overdue) row(facts, "Overdue by", `${standing.daysOverdue} days`);
  row(facts, "Latest update", lastUpdate(action));
  article.append(title, facts, updateForm(action));
  return article;
}

function show(listId: string, countId: string, actions: Action[]): void {
  const list = element<HTMLDivElement>(listId);
  list.replaceChildren(...actions.map(card));
  element<HTMLSpanElement>(countId).textContent = `(${actions.length})`;
  element<HTMLElement>(`${listId}-section`).hidden = false;
}

async function showActions(): Promise<void> {
  const lead = leadInput.value.trim();
  if (lead === "") return;
  localStorage.setItem("rectrack-lead", lead);
  sessionStorage.setItem("rectrack-token", tokenInput.value.trim());
  say("Reading your actions…");
  try {
    const open = (await actionsLedBy(lead)).filter(isOpen);
    const overdue = open.filter((a) => a.standing?.overdue);
    show("overdue", "overdue-count", overdue);
    show("open", "open-count", open.filter((a) => !a.standing?.overdue));
    say(
      open.length === 0
        ? `No open actions are led by ${lead}. Check the name is spelt as on the plan.`
        : `${open.length} open actions led by ${lead}, ${overdue.length} overdue.`,
    );
  } catch (error) {
    say(explain(error), true);
  }
}

element<HTMLFormElement>("who").addEventListener("submit", (event) => {
  event.preventDefault();
  void showActions();
});
if (leadInput.value !== "") void showActions();
