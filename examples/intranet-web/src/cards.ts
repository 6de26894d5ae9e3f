// The page's cards: one per action the lead leads (where it stands), and
// one per update asked of them (where the update stands, with the form to
// answer it while it can be answered).
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { ActionStatus, Rag, UpdateStatus, type Action } from "./gen/rectrack/v1/domain_pb";
import type { Answer } from "./api";
import { canAnswer, dayWords, ragWords, statusWords, updateStateWords } from "./words";

function make<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text = "",
  className = "",
): HTMLElementTagNameMap[K] {
  const made = document.createElement(tag);
  if (text !== "") made.textContent = text;
  if (className !== "") made.className = className;
  return made;
}

function row(list: HTMLDListElement, term: string, value: string): HTMLElement {
  const dd = make("dd", value);
  list.append(make("dt", term), dd);
  return dd;
}

function lastUpdate(action: Action): string {
  const kept = action.progress.filter((p) => !p.retracted);
  const last = kept[kept.length - 1];
  if (last === undefined) return "none yet";
  const when =
    (last.reportedOn && dayWords(last.reportedOn)) ||
    (last.recordedAt ? timestampDate(last.recordedAt).toLocaleDateString("en-GB") : "");
  return when ? `${last.text} (${when})` : last.text;
}

function heading(action: Action, reference: string): HTMLElement {
  const title = make("h3", action.text);
  title.append(make("span", reference, "ref"));
  return title;
}

// An action the lead leads: its target, status, RAG, overdue and latest
// note, and whether an update is asked of it (answered in "Updates asked
// of you").
export function actionCard(action: Action, reference: string): HTMLElement {
  const standing = action.standing;
  const [ragText, ragClass] = ragWords[standing?.rag ?? Rag.UNSPECIFIED];
  const article = make("article", "", `action rag-${ragClass}`);
  article.dataset.actionId = action.id;
  const facts = make("dl");
  row(facts, "Target", action.timescale?.text || "none given");
  row(facts, "Status", statusWords[action.status]);
  row(facts, "RAG", ragText);
  if (standing?.overdue) row(facts, "Overdue by", `${standing.daysOverdue} days`);
  row(facts, "Latest update", lastUpdate(action));
  article.append(heading(action, reference), facts);
  const asked = action.updateRequest;
  if (asked !== undefined && canAnswer(asked)) {
    const link = make("a", `An update is asked for the meeting of ${dayWords(asked.meeting)}: answer it`);
    link.href = `#update-${action.id}`;
    article.append(make("p", "", "asked"));
    article.lastElementChild?.append(link);
  }
  return article;
}

const proposable = [
  ActionStatus.NOT_STARTED,
  ActionStatus.IN_PROGRESS,
  ActionStatus.BLOCKED,
  ActionStatus.COMPLETED,
  ActionStatus.CANCELLED,
];

function field(labelText: string, control: HTMLElement, hint = ""): HTMLLabelElement {
  const label = make("label", labelText);
  if (hint !== "") label.append(make("span", hint, "hint"));
  label.append(control);
  return label;
}

// The form to answer an update; `send` records the answer and throws what
// went wrong.
function answerForm(
  action: Action,
  needApproval: boolean,
  send: (answer: Answer) => Promise<void>,
): HTMLFormElement {
  const form = make("form", "", "update");
  const text = make("textarea");
  text.name = "progress";
  text.required = true;
  const status = make("select");
  status.name = "status";
  status.append(new Option(`No change (now ${statusWords[action.status]})`, ""));
  for (const s of proposable) {
    if (s !== action.status) status.append(new Option(statusWords[s], String(s)));
  }
  const timescale = make("input");
  timescale.name = "timescale";
  timescale.placeholder = "e.g. March 2027";
  const reason = make("input");
  reason.name = "reason";
  // A new target needs its reason.
  timescale.addEventListener("input", () => {
    reason.required = timescale.value.trim() !== "";
  });
  const button = make("button", needApproval ? "Submit for approval" : "Send update");
  button.type = "submit";
  const result = make("p", "", "result");
  result.setAttribute("role", "status");
  result.setAttribute("aria-live", "polite");
  result.tabIndex = -1;
  form.append(
    field("What has been done since the last update?", text),
    field("Propose a new status (optional)", status),
    field("Propose a new target (optional)", timescale, `Now: ${action.timescale?.text || "none given"}`),
    field("Why the target should change (needed with a new target)", reason),
    button,
    result,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const answer: Answer = { text: text.value.trim() };
    if (answer.text === "") return;
    if (status.value !== "") answer.status = Number(status.value) as ActionStatus;
    if (timescale.value.trim() !== "") {
      answer.timescale = timescale.value.trim();
      answer.reason = reason.value.trim();
    }
    button.disabled = true;
    result.className = "result";
    result.textContent = "Sending…";
    send(answer)
      .catch((error: unknown) => {
        result.className = "result failed";
        result.textContent = `Not sent: ${String(error instanceof Error ? error.message : error)}`;
        result.focus();
      })
      .finally(() => {
        button.disabled = false;
      });
  });
  return form;
}

// An update asked of the lead: the meeting, the due day (and whether it is
// overdue), where it stands, the reviewer's comment when returned, the
// answer given, and the form while it can be answered.
export function updateCard(
  action: Action,
  reference: string,
  needApproval: boolean,
  send: (answer: Answer) => Promise<void>,
): HTMLElement {
  const asked = action.updateRequest;
  const article = make("article", "", "action update-request");
  article.id = `update-${action.id}`;
  article.dataset.actionId = action.id;
  if (asked === undefined) return article;
  const [state, stateText] = updateStateWords[asked.status];
  article.dataset.state = state;
  article.classList.add(`state-${state}`);
  if (asked.overdue) article.classList.add("rag-red");
  const facts = make("dl");
  row(facts, "Meeting", dayWords(asked.meeting));
  row(facts, "Due", asked.overdue ? `${dayWords(asked.due)} (overdue)` : dayWords(asked.due));
  row(facts, "State", stateText).className = "state";
  const who = asked.decidedBy ? ` (${asked.decidedBy})` : "";
  if (asked.status === UpdateStatus.RETURNED) {
    row(facts, "Reviewer's comment", `${asked.comment}${who}`).className = "comment";
  } else if (asked.status === UpdateStatus.APPROVED && needApproval && asked.comment !== "") {
    row(facts, "Approver's comment", `${asked.comment}${who}`).className = "comment";
  }
  const given = asked.answer;
  if (given !== undefined && given.text !== "") {
    row(facts, "Your answer", `${given.text} (${dayWords(given.answeredOn)})`).className = "answer";
    if (given.status !== ActionStatus.UNSPECIFIED) row(facts, "Proposed status", statusWords[given.status]);
    if (given.hasTimescale) row(facts, "Proposed target", `${given.timescale} (${given.reason})`);
  }
  article.append(heading(action, reference), facts);
  if (canAnswer(asked)) article.append(answerForm(action, needApproval, send));
  return article;
}
