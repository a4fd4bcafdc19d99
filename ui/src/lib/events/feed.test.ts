import { beforeEach, describe, expect, it } from "vitest";
import { setBackend } from "../backend";
import { MockBackend } from "../backend/mock";
import type { EventSummary } from "../bindings";
import { EventFeed, matches, mergeById, emptyFilters } from "./feed.svelte";

function ev(id: number, over: Partial<EventSummary> = {}): EventSummary {
  return {
    id,
    endpoint: "default",
    receivedAtUs: id * 1000,
    method: "POST",
    path: `/e/${id}`,
    query: "",
    bodySize: 2,
    contentType: null,
    provider: null,
    eventType: null,
    eventId: null,
    signatureStatus: null,
    duplicateOf: null,
    responseStatus: 200,
    rejected: null,
    imported: false,
    ...over,
  };
}

describe("merging", () => {
  it("merges by id, newest first, without duplicates", () => {
    const merged = mergeById([ev(3), ev(1)], [ev(2), ev(3), ev(4)]);
    expect(merged.map((e) => e.id)).toEqual([4, 3, 2, 1]);
  });

  it("applies the non-search filters to live events", () => {
    const f = { ...emptyFilters(), method: "post", signatureStatus: "invalid" };
    expect(matches(ev(1, { signatureStatus: "invalid" }), f)).toBe(true);
    expect(matches(ev(1, { signatureStatus: "valid" }), f)).toBe(false);
  });
});

describe("EventFeed", () => {
  let backend: MockBackend;
  let resolveList: (v: EventSummary[]) => void;

  beforeEach(() => {
    backend = new MockBackend({
      event_list: () => new Promise<EventSummary[]>((r) => (resolveList = r)),
    });
    setBackend(backend);
  });

  it("subscribes before the first list call, and an event landing in between is kept once", async () => {
    const feed = new EventFeed();
    const started = feed.start();
    await new Promise((r) => setTimeout(r, 0));
    expect(backend.listening("events-captured")).toBe(true);
    expect(backend.calls.map((c) => c.cmd)).toEqual(["event_list"]);
    // Event 3 is committed after the list query ran but before its answer arrived: it is in
    // the live batch, and event 2 is in both.
    backend.emit("events-captured", [ev(2), ev(3)]);
    resolveList([ev(2), ev(1)]);
    await started;
    expect(feed.items.map((e) => e.id)).toEqual([3, 2, 1]);
    backend.emit("events-captured", [ev(4)]);
    expect(feed.items.map((e) => e.id)).toEqual([4, 3, 2, 1]);
  });

  it("holds live events while paused and counts unread per endpoint", async () => {
    const feed = new EventFeed();
    const started = feed.start();
    await new Promise((r) => setTimeout(r, 0));
    resolveList([]);
    await started;
    feed.filters.endpoint = "stripe";
    feed.setPaused(true);
    backend.emit("events-captured", [ev(1, { endpoint: "stripe" }), ev(2, { endpoint: "github" })]);
    expect(feed.items).toEqual([]);
    expect(feed.held).toBe(2);
    expect(feed.unread).toEqual({ github: 1 });
    feed.setPaused(false);
    expect(feed.items.map((e) => e.id)).toEqual([1]);
  });

  it("reports a failed list with its reason", async () => {
    setBackend(new MockBackend({ event_list: () => Promise.reject({ code: "store_failed", message: "disk full" }) }));
    const feed = new EventFeed();
    const errors: unknown[] = [];
    feed.onError = (e) => errors.push(e);
    await feed.start();
    expect(errors).toHaveLength(1);
    expect((errors[0] as { message: string }).message).toBe("disk full");
  });
});

describe("rows answered by the forward target", () => {
  it("re-reads a 502 row once its first forward try is in, and leaves other rows alone", async () => {
    const answered = { ...ev(2, { responseStatus: 201 }) };
    const backend = new MockBackend({
      event_list: () => [ev(2, { responseStatus: 502 }), ev(1)],
      event_get: () => ({ summary: answered }) as never,
    });
    setBackend(backend);
    const feed = new EventFeed();
    await feed.start();
    const attempt = { endpoint: "default", replayId: 9, target: "http://localhost:3000", status: 201, error: null, state: "delivered", failed: false } as const;
    await feed.onForwarded({ ...attempt, eventId: 1, attempt: 1 });
    await feed.onForwarded({ ...attempt, eventId: 2, attempt: 2 });
    expect(backend.calls.filter((c) => c.cmd === "event_get")).toHaveLength(0);
    await feed.onForwarded({ ...attempt, eventId: 2, attempt: 1 });
    expect(feed.items.map((e) => [e.id, e.responseStatus])).toEqual([
      [2, 201],
      [1, 200],
    ]);
    feed.stop();
  });
});
