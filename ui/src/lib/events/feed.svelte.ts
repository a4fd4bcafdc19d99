// The event list's data: pages from `event_list` patched by live `events-captured` batches.
// Invariant: we subscribe before the first list call and merge by id, so an event that lands
// between the two is neither lost nor shown twice; items stay sorted newest first.
import { call, listen, type Unlisten } from "../backend";
import type { ForwardAttempt, EventListReq, EventSummary } from "../bindings";

export type Filters = {
  endpoint: string;
  method: string;
  provider: string;
  signatureStatus: string;
  search: string;
};

export const emptyFilters = (): Filters => ({
  endpoint: "",
  method: "",
  provider: "",
  signatureStatus: "",
  search: "",
});

const PAGE = 300;

/** Whether a live event passes the non-search filters (search is answered by the backend). */
export function matches(ev: EventSummary, f: Filters): boolean {
  return (
    (!f.endpoint || ev.endpoint === f.endpoint) &&
    (!f.method || ev.method.toUpperCase() === f.method.toUpperCase()) &&
    (!f.provider || ev.provider === f.provider) &&
    (!f.signatureStatus || ev.signatureStatus === f.signatureStatus)
  );
}

/** Merge `incoming` into `items` (both newest first), dropping ids already present. */
export function mergeById(items: EventSummary[], incoming: EventSummary[]): EventSummary[] {
  if (incoming.length === 0) return items;
  const seen = new Set(items.map((e) => e.id));
  const fresh = incoming.filter((e) => !seen.has(e.id) && (seen.add(e.id), true));
  if (fresh.length === 0) return items;
  return [...fresh, ...items].sort((a, b) => b.id - a.id);
}

export class EventFeed {
  items = $state.raw<EventSummary[]>([]);
  filters = $state<Filters>(emptyFilters());
  paused = $state(false);
  held = $state(0);
  loading = $state(false);
  exhausted = $state(false);
  /** New events per endpoint that arrived while another endpoint was being looked at. */
  unread = $state<Record<string, number>>({});
  onError: (e: unknown) => void = () => {};

  private heldBack: EventSummary[] = [];
  private generation = 0;
  private arrivedDuringLoad: EventSummary[] | null = null;
  private unlisten: Unlisten[] = [];
  private searchTimer: ReturnType<typeof setTimeout> | null = null;

  async start(): Promise<void> {
    this.unlisten.push(await listen("events-captured", (batch) => this.onLive(batch)));
    this.unlisten.push(await listen("events-reload", () => void this.reload()));
    this.unlisten.push(await listen("forward-attempted", (a) => void this.onForwarded(a)));
    await this.reload();
  }

  stop(): void {
    for (const u of this.unlisten) u();
    this.unlisten = [];
  }

  private request(before: number | null): EventListReq {
    const f = this.filters;
    const opt = (v: string) => (v.trim() ? v.trim() : undefined);
    return {
      endpoint: opt(f.endpoint),
      method: opt(f.method),
      provider: opt(f.provider),
      signatureStatus: opt(f.signatureStatus),
      search: opt(f.search),
      before: before ?? undefined,
      limit: PAGE,
    };
  }

  /** An endpoint that answers providers with its target's answer stores 502 until the first try
   * comes back, then what the provider really got: re-read such a row once that try is in. */
  async onForwarded(a: ForwardAttempt): Promise<void> {
    const shown = this.items.find((e) => e.id === a.eventId);
    if (a.attempt !== 1 || !shown || shown.responseStatus !== 502) return;
    try {
      const { summary } = await call("event_get", { id: a.eventId });
      this.items = this.items.map((e) => (e.id === summary.id ? summary : e));
    } catch (e) {
      this.onError(e);
    }
  }

  onLive(batch: EventSummary[]): void {
    for (const ev of batch) {
      if (this.filters.endpoint && ev.endpoint !== this.filters.endpoint) {
        this.unread = { ...this.unread, [ev.endpoint]: (this.unread[ev.endpoint] ?? 0) + 1 };
      }
    }
    if (this.paused) {
      this.heldBack.push(...batch);
      this.held = this.heldBack.length;
      return;
    }
    this.apply(batch);
  }

  private apply(batch: EventSummary[]): void {
    if (this.filters.search.trim()) {
      // Full-text matching happens in the store: ask again, shortly.
      if (this.searchTimer) clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => void this.reload(), 250);
      return;
    }
    const wanted = batch.filter((e) => matches(e, this.filters)).reverse();
    if (this.arrivedDuringLoad) this.arrivedDuringLoad.push(...wanted);
    this.items = mergeById(this.items, wanted);
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused) {
      const held = this.heldBack;
      this.heldBack = [];
      this.held = 0;
      this.apply(held);
    }
  }

  markRead(endpoint: string): void {
    if (this.unread[endpoint]) this.unread = { ...this.unread, [endpoint]: 0 };
  }

  async reload(): Promise<void> {
    const gen = ++this.generation;
    this.arrivedDuringLoad = [];
    this.loading = true;
    try {
      const page = await call("event_list", this.request(null));
      if (gen !== this.generation) return;
      this.items = mergeById(page, this.arrivedDuringLoad);
      this.exhausted = page.length < PAGE;
    } catch (e) {
      if (gen === this.generation) this.onError(e);
    } finally {
      if (gen === this.generation) {
        this.arrivedDuringLoad = null;
        this.loading = false;
      }
    }
  }

  async loadMore(): Promise<void> {
    if (this.loading || this.exhausted || this.items.length === 0) return;
    const gen = this.generation;
    this.loading = true;
    try {
      const last = this.items[this.items.length - 1].id;
      const page = await call("event_list", this.request(last));
      if (gen !== this.generation) return;
      this.items = mergeById(this.items, page);
      this.exhausted = page.length < PAGE;
    } catch (e) {
      this.onError(e);
    } finally {
      if (gen === this.generation) this.loading = false;
    }
  }
}
