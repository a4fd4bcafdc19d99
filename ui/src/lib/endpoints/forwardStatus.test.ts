import { describe, expect, it } from "vitest";
import { setBackend } from "../backend";
import { MockBackend } from "../backend/mock";
import type { EventSummary, ForwardStatusRes } from "../bindings";
import { ForwardStatuses } from "./forwardStatus.svelte";

function status(slug: string, backlog: number, target: string | null = "http://localhost:3000/"): ForwardStatusRes {
  return {
    endpoint: slug,
    target,
    settings: {
      timeoutMs: 1000, retryInitialMs: 10, retryMaxMs: 20, maxAttempts: 1,
      allowRemote: false, followRedirects: false, respond: "rule", respondTimeoutMs: 10000,
    },
    backlog,
    recent: [],
    delivering: true,
  };
}

const summary = (endpoint: string) => ({ id: 1, endpoint }) as EventSummary;

describe("forward statuses", () => {
  it("re-read an endpoint's status when a try is recorded or a forwarding endpoint captures", async () => {
    let backlog = 0;
    const mock = new MockBackend({ forward_status: ({ slug }) => status(slug, backlog, slug === "off" ? null : "http://localhost:3000/") });
    setBackend(mock);
    const fs = new ForwardStatuses();
    await fs.start();
    await fs.refreshAll(["stripe", "off"]);
    expect(fs.bySlug.stripe.backlog).toBe(0);

    backlog = 3;
    mock.emit("forward-attempted", {
      endpoint: "stripe", eventId: 1, replayId: 1, attempt: 1, target: "http://localhost:3000/",
      status: null, error: "connection refused", state: "retrying", failed: true,
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(fs.bySlug.stripe.backlog).toBe(3);

    const before = mock.calls.length;
    mock.emit("events-captured", [summary("off"), summary("stripe"), summary("stripe")]);
    await new Promise((r) => setTimeout(r, 0));
    const asked = mock.calls.slice(before).map((c) => (c.req as { slug: string }).slug);
    expect(asked).toEqual(["stripe"]);

    await fs.refreshAll(["stripe"]);
    expect(Object.keys(fs.bySlug)).toEqual(["stripe"]);
    fs.stop();
    expect(mock.listening("forward-attempted")).toBe(false);
  });

  it("keep one read in flight per endpoint and one queued, however many batches arrive", async () => {
    const answers: ((s: ForwardStatusRes) => void)[] = [];
    const mock = new MockBackend({ forward_status: () => new Promise((resolve) => answers.push(resolve)) });
    setBackend(mock);
    const fs = new ForwardStatuses();
    fs.put(status("stripe", 0));
    await fs.start();
    for (let i = 0; i < 30; i++) mock.emit("events-captured", [summary("stripe")]);
    await new Promise((r) => setTimeout(r, 0));
    expect(answers).toHaveLength(1);
    answers[0](status("stripe", 10));
    await new Promise((r) => setTimeout(r, 0));
    expect(answers).toHaveLength(2);
    answers[1](status("stripe", 30));
    await new Promise((r) => setTimeout(r, 0));
    expect(answers).toHaveLength(2);
    expect(fs.bySlug.stripe.backlog).toBe(30);
    fs.stop();
  });

  it("drop a read's answer when a newer status came in meanwhile", async () => {
    const answers: ((s: ForwardStatusRes) => void)[] = [];
    setBackend(new MockBackend({ forward_status: () => new Promise((resolve) => answers.push(resolve)) }));
    const fs = new ForwardStatuses();
    const reading = fs.refresh("stripe");
    await new Promise((r) => setTimeout(r, 0));
    fs.put(status("stripe", 0, null));
    answers[0](status("stripe", 4));
    await reading;
    expect(fs.bySlug.stripe.target).toBeNull();

    const again = fs.refresh("gone");
    await new Promise((r) => setTimeout(r, 0));
    await fs.refreshAll([]);
    answers[1](status("gone", 1));
    await again;
    expect(fs.bySlug.gone).toBeUndefined();
  });

  it("report a failed read", async () => {
    setBackend(new MockBackend({ forward_status: () => { throw { code: "not_found", message: "endpoint not found: x" }; } }));
    const fs = new ForwardStatuses();
    const errors: unknown[] = [];
    fs.onError = (e) => errors.push(e);
    await fs.refresh("x");
    expect(errors).toHaveLength(1);
    expect(fs.bySlug.x).toBeUndefined();
  });
});
