// Bulk replay's request from the bar's inputs: a selection or the list's filter, a target
// (blank: each event's own), a rate limit in requests per second. Unit-tested.
import type { EventListReq, ReplayBulkReq } from "../bindings";
import type { Filters } from "../events/feed.svelte";

/** "All matching the filter": the backend's ceiling for one run. */
const ALL = 100_000;

export type BulkInputs = {
  /** Selected ids; `null`: everything matching `filters`. */
  ids: number[] | null;
  filters: Filters;
  target: string;
  /** Requests per second as typed; blank: no limit. */
  rate: string;
  resign: boolean;
};

/** The request, or why the inputs are not usable. */
export function bulkRequest(i: BulkInputs): { req: ReplayBulkReq } | { error: string } {
  let ratePerSecond: number | undefined;
  if (i.rate.trim()) {
    ratePerSecond = Number(i.rate);
    if (!Number.isFinite(ratePerSecond) || ratePerSecond <= 0) return { error: "The rate limit must be a number of requests per second above 0, or empty for none." };
  }
  if (i.ids !== null && i.ids.length === 0) return { error: "Select at least one event, or replay all that match the filter." };
  const req: ReplayBulkReq = { resign: i.resign, allowRemote: false, ratePerSecond, target: i.target.trim() || undefined };
  if (i.ids !== null) req.ids = [...i.ids].sort((a, b) => a - b);
  else {
    req.filter = filterRequest(i.filters);
    req.limit = ALL;
  }
  return { req };
}

function filterRequest(f: Filters): EventListReq {
  const opt = (v: string) => (v.trim() ? v.trim() : undefined);
  return { endpoint: opt(f.endpoint), method: opt(f.method), provider: opt(f.provider), signatureStatus: opt(f.signatureStatus), search: opt(f.search) };
}

/** Percent done, for the progress bar. */
export function percent(done: number, total: number): number {
  return total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0;
}
