import { flushSync, mount, tick, unmount } from "svelte";
import { beforeEach, describe, expect, it } from "vitest";
import { setBackend } from "../backend";
import { MockBackend } from "../backend/mock";
import type { ForwardStatusRes, RouteInfo } from "../bindings";
import { toasts } from "../toast/toasts.svelte";
import ForwardSection from "./ForwardSection.svelte";
import { forwardStatuses } from "./forwardStatus.svelte";

function status(target: string, allowRemote: boolean): ForwardStatusRes {
  return {
    endpoint: "pay",
    target,
    settings: {
      timeoutMs: 1000, retryInitialMs: 10, retryMaxMs: 20, maxAttempts: 1,
      allowRemote, followRedirects: false, respond: "rule", respondTimeoutMs: 10000,
    },
    backlog: 0,
    recent: [],
    delivering: true,
  };
}

async function settle() {
  for (let i = 0; i < 5; i++) await tick();
  flushSync();
}

function type(target: HTMLElement, testid: string, value: string) {
  const el = target.querySelector<HTMLInputElement>(`[data-testid=${testid}]`)!;
  el.value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

const box = (target: HTMLElement, testid: string) => target.querySelector<HTMLInputElement>(`[data-testid=${testid}]`);

beforeEach(() => {
  toasts.items = [];
});

describe("the Auto-forward section", () => {
  it("does not carry the stored remote consent over to another host", async () => {
    const stored = status("https://a.example/hooks", true);
    const backend = new MockBackend({
      forward_status: () => stored,
      route_list: () => [],
      forward_set: (req) => ({ ...stored, target: req.target, settings: req.settings }),
    });
    setBackend(backend);
    forwardStatuses.put(stored);
    const target = document.body.appendChild(document.createElement("div"));
    const app = mount(ForwardSection, { target, props: { slug: "pay" } });
    await settle();
    expect(box(target, "forward-allow-remote")?.checked).toBe(true);

    type(target, "forward-target", "https://b.example/hooks");
    expect(box(target, "forward-allow-remote")?.checked).toBe(false);
    target.querySelector<HTMLFormElement>("form.fields")!.requestSubmit();
    await settle();
    expect(backend.calls.some((c) => c.cmd === "forward_set")).toBe(false);
    expect(toasts.items.at(-1)?.message).toMatch(/b\.example\/hooks is not on this machine/);

    box(target, "forward-allow-remote")!.click();
    flushSync();
    target.querySelector<HTMLFormElement>("form.fields")!.requestSubmit();
    await settle();
    const set = backend.calls.find((c) => c.cmd === "forward_set")?.req as { target: string; settings: { allowRemote: boolean } };
    expect(set).toMatchObject({ target: "https://b.example/hooks", settings: { allowRemote: true } });
    unmount(app);
    target.remove();
  });

  it("withdraws a route draft's consent when its host changes, and asks when the backend says remote", async () => {
    const backend = new MockBackend({
      forward_status: () => status("http://localhost:3000/", false),
      route_list: () => [],
      route_add: (req) => {
        if (!req.allowRemote) throw { code: "remote_target", message: `${req.target} is not a loopback address` };
        // NOTE: cast, so the test holds whether or not RouteInfo carries allowRemote yet.
        return { position: 1, kind: req.kind, pattern: req.pattern, target: req.target, allowRemote: true } as RouteInfo;
      },
    });
    setBackend(backend);
    const target = document.body.appendChild(document.createElement("div"));
    const app = mount(ForwardSection, { target, props: { slug: "pay" } });
    await settle();
    type(target, "route-pattern", "invoice.*");
    type(target, "route-target", "https://a.example/billing");
    box(target, "route-allow-remote")!.click();
    flushSync();
    expect(box(target, "route-allow-remote")?.checked).toBe(true);
    type(target, "route-target", "https://b.example/billing");
    expect(box(target, "route-allow-remote")?.checked).toBe(false);

    // The backend is the authority: a target it refuses as remote gets the checkbox too.
    type(target, "route-target", "http://localhost:4000/");
    expect(box(target, "route-allow-remote")).toBeNull();
    target.querySelector<HTMLFormElement>("form.add")!.requestSubmit();
    await settle();
    expect(toasts.items.at(-1)?.message).toMatch(/not a loopback address/);
    expect(box(target, "route-allow-remote")?.checked).toBe(false);
    unmount(app);
    target.remove();
  });
});
