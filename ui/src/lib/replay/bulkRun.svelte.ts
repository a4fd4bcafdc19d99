// The bulk run the bar shows, from the backend's live events. Progress and the end of a run
// come by run id and may arrive before `replay_bulk_start` has returned that id (a short run
// can be over by then), so they are kept per run and matched once the id is known; the end is
// announced exactly once, whichever came first.
import type { ReplayBulkDone, ReplayBulkProgress } from "../bindings";

export class BulkRunWatch {
  runId = $state<number | null>(null);
  private progress = $state<Record<number, ReplayBulkProgress>>({});
  private done = $state<Record<number, ReplayBulkDone>>({});
  private announced = new Set<number>();

  constructor(private onFinished: (d: ReplayBulkDone) => void) {}

  /** The watched run's latest progress. */
  get current(): ReplayBulkProgress | null {
    return this.runId === null ? null : (this.progress[this.runId] ?? null);
  }

  /** How the watched run ended; null while it runs. */
  get finished(): ReplayBulkDone | null {
    return this.runId === null ? null : (this.done[this.runId] ?? null);
  }

  onProgress(p: ReplayBulkProgress): void {
    this.progress = { ...this.progress, [p.runId]: p };
  }

  onDone(d: ReplayBulkDone): void {
    this.done = { ...this.done, [d.runId]: d };
    this.announce();
  }

  /** Show `runId` (null: back to the form). */
  watch(runId: number | null): void {
    this.runId = runId;
    this.announce();
  }

  private announce(): void {
    const d = this.finished;
    if (d && !this.announced.has(d.runId)) {
      this.announced.add(d.runId);
      this.onFinished(d);
    }
  }
}
