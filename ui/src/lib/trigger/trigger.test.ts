import { flushSync, mount, tick, unmount } from "svelte";
import { beforeEach, describe, expect, it } from "vitest";
import { setBackend } from "../backend";
import { MockBackend } from "../backend/mock";
import type { EndpointInfo, TriggerSendReq, TriggerSendRes, TriggerTemplate } from "../bindings";
import ConsentDialog from "../replay/ConsentDialog.svelte";
import { consent } from "../replay/consent.svelte";
import { toasts } from "../toast/toasts.svelte";
import TriggerPicker from "./TriggerPicker.svelte";
import { describeAnswer, groupByProvider, preferredEndpoint, sendToHandler, signingNote } from "./trigger";

const templates: TriggerTemplate[] = [
  { provider: "stripe", event: "payment_intent.succeeded", description: "a PaymentIntent succeeded" },
  { provider: "stripe", event: "checkout.session.completed", description: "a Checkout Session was paid" },
  { provider: "github", event: "push", description: "one commit pushed" },
];

function endpoint(slug: string, over: Partial<EndpointInfo> = {}): EndpointInfo {
  return { slug, name: slug, url: null, provider: null, maskedSecrets: [], notify: true, maxBody: 1, responseStatus: 200, handshakes: true, ...over };
}

const endpoints = [endpoint("default"), endpoint("pay", { provider: "stripe", maskedSecrets: ["whsec_…abcd"] })];

const answer: TriggerSendRes = {
  url: "http://localhost:3000",
  signed: true,
  status: 202,
  headers: [{ name: "content-type", value: "text/plain" }],
  body: "<b>accepted</b>",
  bodySize: 15,
  bodyTruncated: false,
  latencyMs: 4,
  error: null,
};

beforeEach(() => {
  toasts.items = [];
});

describe("picker logic", () => {
  it("groups templates by provider in catalog order", () => {
    expect(groupByProvider(templates).map(([p, ts]) => [p, ts.length])).toEqual([
      ["stripe", 2],
      ["github", 1],
    ]);
  });

  it("preselects the shown endpoint, else one with a secret for the provider", () => {
    expect(preferredEndpoint(endpoints, "stripe", "default")).toBe("default");
    expect(preferredEndpoint(endpoints, "stripe", "")).toBe("pay");
    expect(preferredEndpoint([endpoint("a")], "github", "")).toBe("a");
    expect(preferredEndpoint([], "github", "")).toBe("");
  });

  it("says how the event is signed and what the handler answered", () => {
    expect(signingNote(endpoints, "pay")).toBe("signed with pay's secret whsec_…abcd");
    expect(signingNote(endpoints, "default")).toBe("unsigned: default has no secret");
    expect(describeAnswer(answer)).toBe("202 from http://localhost:3000 in 4 ms");
    expect(describeAnswer({ ...answer, status: null, error: "connection refused" })).toBe("No answer from http://localhost:3000: connection refused");
  });

  it("asks before a remote target and retries with allowRemote", async () => {
    const seen: TriggerSendReq[] = [];
    setBackend(
      new MockBackend({
        trigger_send: (req) => {
          seen.push(req);
          if (!req.allowRemote) throw { code: "remote_target", message: "example.com is not a loopback address" };
          return answer;
        },
      }),
    );
    const req = { provider: "stripe", event: "payment_intent.succeeded", url: "https://example.com/h" };
    const asked: string[] = [];
    expect(await sendToHandler(req, async (reason) => (asked.push(reason), false))).toBeNull();
    expect(await sendToHandler(req, async () => true)).toEqual(answer);
    expect(asked).toEqual(["example.com is not a loopback address"]);
    expect(seen.map((r) => r.allowRemote)).toEqual([false, false, true]);
  });
});

async function settle() {
  for (let i = 0; i < 5; i++) await tick();
  flushSync();
}

function pick(target: HTMLElement, testid: string, value: string) {
  const el = target.querySelector<HTMLSelectElement | HTMLInputElement>(`[data-testid=${testid}]`)!;
  el.value = value;
  el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? "change" : "input", { bubbles: true }));
  flushSync();
}

function click(target: HTMLElement, testid: string) {
  target.querySelector<HTMLElement>(`[data-testid=${testid}]`)!.click();
  flushSync();
}

describe("TriggerPicker", () => {
  it("captures the chosen template into the chosen endpoint and opens the new event", async () => {
    const backend = new MockBackend({
      trigger_list: () => templates,
      trigger_capture: (req) => ({ id: 41, endpoint: req.endpoint, signed: true, responseStatus: 200 }),
    });
    setBackend(backend);
    const captured: number[] = [];
    let closed = false;
    const target = document.body.appendChild(document.createElement("div"));
    const app = mount(TriggerPicker, { target, props: { endpoints, current: "", onCaptured: (id: number) => captured.push(id), onClose: () => (closed = true) } });
    await settle();
    pick(target, "trigger-event", "checkout.session.completed");
    expect(target.querySelector("[data-testid=trigger-signing]")?.textContent).toBe("signed with pay's secret whsec_…abcd");
    target.querySelector<HTMLFormElement>("form")!.requestSubmit();
    await settle();
    expect(backend.calls.at(-1)).toEqual({ cmd: "trigger_capture", req: { provider: "stripe", event: "checkout.session.completed", endpoint: "pay" } });
    expect(captured).toEqual([41]);
    expect(closed).toBe(true);
    expect(toasts.items[0]).toMatchObject({ title: "Test event captured", message: "#41 on pay, signed, answered 200" });
    unmount(app);
    target.remove();
  });

  it("sends to a handler after confirming a remote host in the consent dialog, and shows the answer as text", async () => {
    const backend = new MockBackend({
      trigger_list: () => templates,
      trigger_send: (req) => {
        if (!req.allowRemote) throw { code: "remote_target", message: "example.com is not a loopback address" };
        return { ...answer, url: req.url };
      },
    });
    setBackend(backend);
    const target = document.body.appendChild(document.createElement("div"));
    const app = mount(TriggerPicker, { target, props: { endpoints, current: "pay", onCaptured: () => {}, onClose: () => {} } });
    const dialog = mount(ConsentDialog, { target });
    await settle();
    pick(target, "trigger-provider", "github");
    click(target, "trigger-to-url");
    pick(target, "trigger-url", "https://example.com/h");
    target.querySelector<HTMLFormElement>("form")!.requestSubmit();
    await settle();
    expect(consent.pending?.reason).toBe("example.com is not a loopback address");
    expect(target.querySelector("[data-testid=remote-confirm]")?.textContent).toContain("example.com is not a loopback address");
    expect(target.querySelector("[data-testid=trigger-answer]")).toBeNull();
    click(target, "remote-allow");
    await settle();
    const sent = backend.calls.filter((c) => c.cmd === "trigger_send").map((c) => c.req);
    expect(sent).toEqual([
      { provider: "github", event: "push", url: "https://example.com/h", endpoint: "pay", allowRemote: false },
      { provider: "github", event: "push", url: "https://example.com/h", endpoint: "pay", allowRemote: true },
    ]);
    const shown = target.querySelector("[data-testid=trigger-answer]")!;
    expect(shown.textContent).toContain("202 from https://example.com/h");
    expect(shown.querySelector("pre")?.textContent).toBe("<b>accepted</b>");
    expect(shown.querySelectorAll("b").length).toBe(0);
    unmount(dialog);
    unmount(app);
    target.remove();
  });
});
