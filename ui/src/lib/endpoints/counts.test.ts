import { beforeEach, describe, expect, it } from "vitest";
import { setBackend } from "../backend";
import { MockBackend } from "../backend/mock";
import type { EventCounts, EventSummary } from "../bindings";
import { EndpointCounts, addLive } from "./counts.svelte";

function ev(id: number, endpoint: string): EventSummary {
  return {
    id,
    endpoint,
    receivedAtUs: id,
    method: "POST",
    path: `/${endpoint}`,
    query: "",
    bodySize: 0,
    contentType: null,
    provider: null,
    eventType: null,
    eventId: null,
    signatureStatus: null,
    duplicateOf: null,
    responseStatus: 200,
    rejected: null,
  } as EventSummary;
}

describe("addLive", () => {
  it("counts only events above the snapshot's bound", () => {
    const next = addLive({ counts: { shop: 2 }, upto: 5 }, [ev(4, "shop"), ev(6, "shop"), ev(7, "other")]);
    expect(next).toEqual({ counts: { shop: 3, other: 1 }, upto: 7 });
  });
});

describe("EndpointCounts", () => {
  let release: (c: EventCounts) => void;
  beforeEach(() => {
    setBackend(
      new MockBackend({
        event_counts: () => new Promise<EventCounts>((r) => (release = r)),
      }),
    );
  });

  it("counts an event that lands while the snapshot loads exactly once", async () => {
    const c = new EndpointCounts();
    const loading = c.reload();
    await Promise.resolve();
    // Event 3 is in the snapshot, event 4 came after it.
    c.onLive([ev(3, "shop"), ev(4, "shop")]);
    release({ counts: { shop: 3, default: 1 }, upto: 3 });
    await loading;
    expect(c.of("shop")).toBe(4);
    expect(c.total).toBe(5);
    c.onLive([ev(4, "shop"), ev(5, "default")]);
    expect([c.of("shop"), c.of("default")]).toEqual([4, 2]);
  });
});
