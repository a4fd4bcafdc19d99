import { flushSync, mount, tick, unmount } from "svelte";
import { describe, expect, it } from "vitest";
import { setBackend } from "../backend";
import { MockBackend } from "../backend/mock";
import type { ReplayAttempt } from "../bindings";
import ReplaysTab from "./ReplaysTab.svelte";

function attempt(id: number): ReplayAttempt {
  return {
    id, eventId: 7, kind: "replay", attempt: 1, createdAtUs: 0, target: "http://localhost:3000/",
    sent: null, status: 200, responseHeaders: [], responseSize: 0, latencyMs: 1, error: null,
  };
}

async function settle() {
  for (let i = 0; i < 5; i++) await tick();
  flushSync();
}

describe("the Replays tab", () => {
  it("keeps the newest read when an older one answers last", async () => {
    const reads: ((list: ReplayAttempt[]) => void)[] = [];
    const backend = new MockBackend({ replay_list: () => new Promise((resolve) => reads.push(resolve)) });
    setBackend(backend);
    const target = document.body.appendChild(document.createElement("div"));
    const app = mount(ReplaysTab, { target, props: { eventId: 7 } });
    await settle();
    reads[0]([attempt(1)]);
    await settle();
    backend.emit("replay-recorded", { eventId: 7 });
    backend.emit("replay-recorded", { eventId: 7 });
    await settle();
    expect(reads).toHaveLength(3);
    reads[2]([attempt(1), attempt(2), attempt(3)]);
    await settle();
    reads[1]([attempt(1), attempt(2)]);
    await settle();
    expect(target.querySelectorAll("[data-testid=attempt]")).toHaveLength(3);
    unmount(app);
    target.remove();
  });
});
