import { describe, expect, it } from "vitest";
import type { ReplayBulkDone } from "../bindings";
import { BulkRunWatch } from "./bulkRun.svelte";

const done = (runId: number, over: Partial<ReplayBulkDone> = {}): ReplayBulkDone => ({ runId, sent: 2, succeeded: 2, failed: 0, stopped: false, ...over });

describe("the watched bulk run", () => {
  it("announces a run that ended before its id came back", () => {
    const ended: ReplayBulkDone[] = [];
    const runs = new BulkRunWatch((d) => ended.push(d));
    runs.onProgress({ runId: 4, total: 2, done: 2, succeeded: 2, failed: 0, eventId: 9, status: 204, error: null });
    runs.onDone(done(4));
    expect(ended).toEqual([]);
    runs.watch(4);
    expect(ended).toEqual([done(4)]);
    expect(runs.current?.done).toBe(2);
    expect(runs.finished).toEqual(done(4));
  });

  it("announces once, and only the watched run", () => {
    const ended: number[] = [];
    const runs = new BulkRunWatch((d) => ended.push(d.runId));
    runs.watch(5);
    runs.onDone(done(3));
    expect(ended).toEqual([]);
    expect(runs.finished).toBeNull();
    runs.onDone(done(5, { stopped: true }));
    runs.watch(null);
    runs.watch(5);
    expect(ended).toEqual([5]);
  });
});
