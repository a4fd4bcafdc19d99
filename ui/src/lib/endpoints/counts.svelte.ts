// Events per endpoint for the sidebar: a snapshot from `event_counts` plus live events.
// Invariant: the snapshot says the newest id it includes (`upto`); a live event counts only when
// its id is above it, and events that arrive while a snapshot is loading are applied on top of
// it, so an event is counted exactly once whichever arrives first.
import { call } from "../backend";
import type { EventSummary } from "../bindings";

export type Counts = { counts: Record<string, number>; upto: number };

/** `base` with the events of `batch` it does not include yet. */
export function addLive(base: Counts, batch: EventSummary[]): Counts {
  let { counts, upto } = base;
  for (const ev of batch) {
    if (ev.id <= base.upto) continue;
    counts = { ...counts, [ev.endpoint]: (counts[ev.endpoint] ?? 0) + 1 };
    upto = Math.max(upto, ev.id);
  }
  return { counts, upto };
}

export class EndpointCounts {
  current = $state.raw<Counts>({ counts: {}, upto: 0 });
  private arrivedDuringLoad: EventSummary[] | null = null;
  private generation = 0;

  get total(): number {
    return Object.values(this.current.counts).reduce((a, b) => a + b, 0);
  }

  of(slug: string): number {
    return this.current.counts[slug] ?? 0;
  }

  onLive(batch: EventSummary[]): void {
    this.arrivedDuringLoad?.push(...batch);
    this.current = addLive(this.current, batch);
  }

  /** Re-read the snapshot (after a clear, an import, endpoint changes); rejects on failure. */
  async reload(): Promise<void> {
    const gen = ++this.generation;
    this.arrivedDuringLoad = [];
    try {
      const snapshot = await call("event_counts", null);
      if (gen === this.generation) this.current = addLive(snapshot, this.arrivedDuringLoad);
    } finally {
      if (gen === this.generation) this.arrivedDuringLoad = null;
    }
  }
}
