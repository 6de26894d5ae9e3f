// The page for leads: who they are and their token, then the updates asked
// of them (answered through the update cycle: a note, and optionally a
// proposed status and a new target with its reason), and their open and
// overdue actions (as rectrackd works them out: RAG, days overdue).
//
// ?lead=NAME fills in the name; #token=TOKEN the token (a fragment is never
// sent to a web server, so it stays out of access logs); ?server=URL calls
// another origin (see api.ts).
import { ActionStatus, type Action } from "./gen/rectrack/v1/domain_pb";
import { actionsLedBy, answerUpdate, connect, References, serverUrl, updatesFor, type Answer } from "./api";
import { actionCard, updateCard } from "./cards";
import { explain } from "./words";

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
leadInput.value =
  new URLSearchParams(window.location.search).get("lead") ?? localStorage.getItem("rectrack-lead") ?? "";

const client = connect(() => tokenInput.value.trim());
const references = new References(client);

function say(text: string, isError = false): void {
  statusLine.textContent = text;
  statusLine.classList.toggle("error", isError);
}

function isOpen(action: Action): boolean {
  return action.status !== ActionStatus.COMPLETED && action.status !== ActionStatus.CANCELLED;
}

function show(listId: string, countId: string, cards: HTMLElement[]): void {
  element<HTMLDivElement>(listId).replaceChildren(...cards);
  element<HTMLSpanElement>(countId).textContent = `(${cards.length})`;
  element<HTMLElement>(`${listId}-section`).hidden = false;
}

function approvalWords(needApproval: boolean): string {
  return needApproval
    ? "Your answers go to the scrutiny team, who approve them before they enter the record " +
        "(or send them back with a comment)."
    : "This tracker takes your answers straight into the record: no approval step.";
}

// Records the answer on `action`, reads the page again and says so on the
// action's new card (moving the focus there); a refusal is thrown in words.
async function send(action: Action, needApproval: boolean, answer: Answer): Promise<void> {
  try {
    await answerUpdate(client, action.id, answer);
  } catch (error) {
    throw new Error(explain(error, serverUrl));
  }
  await showActions();
  const done = needApproval
    ? "Your answer is submitted: the scrutiny team will approve it or send it back."
    : "Your update is in the record.";
  const result = document.querySelector<HTMLElement>(`#update-${CSS.escape(action.id)} .result`);
  const card = document.getElementById(`update-${action.id}`);
  const target = result ?? card?.appendChild(document.createElement("p"));
  if (target) {
    target.className = "result sent";
    target.setAttribute("role", "status");
    target.tabIndex = -1;
    target.textContent = done;
    target.focus();
  }
}

async function showActions(): Promise<void> {
  const lead = leadInput.value.trim();
  if (lead === "") return;
  localStorage.setItem("rectrack-lead", lead);
  sessionStorage.setItem("rectrack-token", tokenInput.value.trim());
  say("Reading your actions…");
  try {
    const [led, asked] = await Promise.all([actionsLedBy(client, lead), updatesFor(client, lead)]);
    const open = led.filter(isOpen);
    const overdue = open.filter((a) => a.standing?.overdue);
    const refs = new Map<string, string>();
    await Promise.all(
      [...open, ...asked.actions].map(async (a) => refs.set(a.id, await references.of(a))),
    );
    element<HTMLParagraphElement>("approval").textContent = approvalWords(asked.needApproval);
    show(
      "updates",
      "updates-count",
      asked.actions.map((a) =>
        updateCard(a, refs.get(a.id) ?? "", asked.needApproval, (answer) =>
          send(a, asked.needApproval, answer),
        ),
      ),
    );
    show("overdue", "overdue-count", overdue.map((a) => actionCard(a, refs.get(a.id) ?? "")));
    show(
      "open",
      "open-count",
      open.filter((a) => !a.standing?.overdue).map((a) => actionCard(a, refs.get(a.id) ?? "")),
    );
    const waiting = asked.actions.filter((a) => a.updateRequest?.overdue).length;
    say(
      open.length === 0 && asked.actions.length === 0
        ? `No open actions are led by ${lead}. Check the name is spelt as on the plan.`
        : `${asked.actions.length} updates asked of ${lead} (${waiting} overdue); ` +
            `${open.length} open actions, ${overdue.length} overdue.`,
    );
  } catch (error) {
    say(explain(error, serverUrl), true);
  }
}

element<HTMLFormElement>("who").addEventListener("submit", (event) => {
  event.preventDefault();
  void showActions();
});
if (leadInput.value !== "") void showActions();
