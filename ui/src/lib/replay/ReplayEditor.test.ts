import { flushSync, mount, tick, unmount } from "svelte";
import { beforeEach, describe, expect, it } from "vitest";
import { setBackend } from "../backend";
import { MockBackend } from "../backend/mock";
import type { EventSummary, ReplayAttempt, ReplayPreviewRes, ReplaySendReq } from "../bindings";
import { toasts } from "../toast/toasts.svelte";
import { chosenTarget } from "./edits";
import ReplayEditor from "./ReplayEditor.svelte";

const summary = {
  id: 7, endpoint: "stripe", method: "POST", path: "/stripe/invoices", query: "", bodySize: 7,
} as EventSummary;

// Resolved through a route: the editor shows it, but must not pin it as the endpoint's target.
const ROUTED = "http://localhost:4000/billing";

function previewOf(url: string): ReplayPreviewRes {
  return {
    target: ROUTED,
    loopback: true,
    request: { method: "POST", url, headers: [{ name: "content-type", value: "application/json" }], bodySize: 7, resigned: null, edited: false },
    resign: { provider: null, secretMasked: null, unavailable: "no secret" },
  };
}

const attempt: ReplayAttempt = {
  id: 1, eventId: 7, kind: "replay", attempt: 1, createdAtUs: 0, target: ROUTED,
  sent: null, status: 204, responseHeaders: [], responseSize: 0, latencyMs: 2, error: null,
};

type Deferred = { resolve: (r: ReplayPreviewRes) => void; body: string | undefined };

function setup() {
  const later: Deferred[] = [];
  let first = true;
  const backend = new MockBackend({
    replay_preview: ({ spec }) => {
      if (first) {
        first = false;
        return previewOf(`${ROUTED}/invoices`);
      }
      return new Promise((resolve) => later.push({ resolve, body: spec.edits.body }));
    },
    event_body: () => new TextEncoder().encode('{"a":1}').buffer,
    replay_send: () => attempt,
    replay_body: () => new ArrayBuffer(0),
  });
  setBackend(backend);
  const target = document.body.appendChild(document.createElement("div"));
  const app = mount(ReplayEditor, { target, props: { summary, onClose: () => {} } });
  return { backend, later, target, done: () => (unmount(app), target.remove()) };
}

async function settle(ms = 0) {
  if (ms) await new Promise((r) => setTimeout(r, ms));
  for (let i = 0; i < 5; i++) await tick();
  flushSync();
}

function type(target: HTMLElement, testid: string, value: string) {
  const el = target.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[data-testid=${testid}]`)!;
  el.value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

function sends(backend: MockBackend): ReplaySendReq[] {
  return backend.calls.filter((c) => c.cmd === "replay_send").map((c) => c.req as ReplaySendReq);
}

beforeEach(() => {
  toasts.items = [];
});

describe("the replay editor", () => {
  it("sends and remembers a target only when the user changed it", async () => {
    expect(chosenTarget(` ${ROUTED} `, ROUTED)).toBeUndefined();
    const { backend, later, target, done } = setup();
    await settle();
    expect(target.querySelector<HTMLInputElement>("[data-testid=replay-target]")!.value).toBe(ROUTED);
    expect(target.querySelector("[data-testid=replay-remember]")).toBeNull();
    await settle(250);
    later.splice(0).forEach((d) => d.resolve(previewOf(`${ROUTED}/invoices`)));
    await settle();
    target.querySelector<HTMLFormElement>("form")!.requestSubmit();
    await settle();
    expect(sends(backend)[0]).toMatchObject({ spec: { eventId: 7, target: undefined }, remember: false });

    type(target, "replay-target", "http://localhost:5000");
    expect(target.querySelector<HTMLInputElement>("[data-testid=replay-remember]")?.checked).toBe(true);
    await settle(250);
    later.splice(0).forEach((d) => d.resolve(previewOf("http://localhost:5000/invoices")));
    await settle();
    target.querySelector<HTMLFormElement>("form")!.requestSubmit();
    await settle();
    expect(sends(backend)[1]).toMatchObject({ spec: { target: "http://localhost:5000" }, remember: true });
    done();
  });

  it("shows the newest preview when an older one answers last", async () => {
    const { later, target, done } = setup();
    await settle();
    await settle(250);
    later.splice(0).forEach((d) => d.resolve(previewOf(`${ROUTED}/invoices`)));
    type(target, "replay-body", '{"a":"older"}');
    await settle(250);
    type(target, "replay-body", '{"a":"newer"}');
    await settle(250);
    const [older, newer] = later;
    expect([older.body, newer.body]).toEqual(['{"a":"older"}', '{"a":"newer"}']);
    newer.resolve(previewOf(`${ROUTED}/newer`));
    await settle();
    older.resolve(previewOf(`${ROUTED}/older`));
    await settle();
    expect(target.querySelector("[data-testid=replay-preview]")?.textContent).toContain("/newer");
    done();
  });
});
