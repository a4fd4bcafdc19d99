// The replay editor's pure logic: the header table taken from what an exact replay would send,
// the form turned back into the smallest set of edits (nothing changed: an exact replay), the
// answer's status badge, and the confirmation a non-loopback target needs. Unit-tested.
import { BackendError } from "../backend";
import type { Header, ReplayEdits } from "../bindings";
import type { Tone } from "../events/format";

/** Headers the engine sets for the target itself; the table does not offer them. */
const SET_FOR_TARGET = ["host", "content-length"];

export type HeaderRow = { name: string; value: string };

/** The editable table: the headers an exact replay sends, minus those set for the target. */
export function headerRows(sent: Header[]): HeaderRow[] {
  return sent.filter((h) => !SET_FOR_TARGET.includes(h.name.toLowerCase())).map((h) => ({ name: h.name, value: h.value }));
}

/** Whether two tables send the same headers (names compare case-insensitively, order counts). */
export function sameRows(a: HeaderRow[], b: HeaderRow[]): boolean {
  return a.length === b.length && a.every((r, i) => r.name.toLowerCase() === b[i].name.toLowerCase() && r.value === b[i].value);
}

/** The path after the slug (the whole path for an event the default endpoint caught). */
export function pathAfterSlug(slug: string, path: string): string {
  const prefix = `/${slug}`;
  if (path === prefix) return "";
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path;
}

/** The editor's path+query field for a captured request. */
export function pathAndQuery(slug: string, path: string, query: string): string {
  const rest = pathAfterSlug(slug, path);
  return query ? `${rest}?${query}` : rest;
}

export type EditorForm = {
  method: string;
  path: string;
  rows: HeaderRow[];
  /** The body text; `null`: keep the captured bytes (a binary body not replaced). */
  body: string | null;
};

/** Only what differs from the captured request; blank rows are ignored. */
export function buildEdits(form: EditorForm, original: EditorForm): ReplayEdits {
  const edits: ReplayEdits = {};
  const method = form.method.trim().toUpperCase();
  if (method && method !== original.method.toUpperCase()) edits.method = method;
  if (form.path !== original.path) edits.path = form.path;
  const rows = form.rows.filter((r) => r.name.trim() !== "").map((r) => ({ name: r.name.trim(), value: r.value }));
  if (!sameRows(rows, original.rows)) edits.headers = rows;
  if (form.body !== null && form.body !== original.body) edits.body = form.body;
  return edits;
}

/**
 * The target to send: the typed one only when it differs from the one the engine resolved (a
 * route, the remembered target, the forward target…). Otherwise the engine resolves it again,
 * and nothing is remembered, so an unchanged editor never pins where later replays go.
 */
export function chosenTarget(typed: string, resolved: string): string | undefined {
  const t = typed.trim();
  return t && t !== resolved.trim() ? t : undefined;
}

/** Badge for an attempt: the status, or that there was no answer. */
export function statusBadge(status: number | null): { label: string; tone: Tone } {
  if (status === null) return { label: "no answer", tone: "bad" };
  if (status >= 200 && status < 300) return { label: String(status), tone: "ok" };
  if (status >= 500) return { label: String(status), tone: "bad" };
  return { label: String(status), tone: "warn" };
}

export function formatLatency(ms: number | null): string {
  if (ms === null) return "";
  if (ms < 1) return "<1 ms";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** The host of a URL, for the confirmation question (the URL itself when it does not parse). */
export function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

/**
 * Send; when the backend refuses a non-loopback target (`remote_target`), ask the user and,
 * if they agree, send again with their consent. `null`: they declined.
 */
export async function withRemoteConsent<T>(
  send: (allowRemote: boolean) => Promise<T>,
  ask: (reason: string) => Promise<boolean>,
): Promise<T | null> {
  try {
    return await send(false);
  } catch (e) {
    const err = BackendError.from(e);
    if (err.code !== "remote_target") throw err;
    if (!(await ask(err.message))) return null;
    return await send(true);
  }
}
