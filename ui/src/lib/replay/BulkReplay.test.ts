import { flushSync, mount, tick, unmount } from "svelte";
import { describe, expect, it } from "vitest";
import { setBackend } from "../backend";
import { MockBackend } from "../backend/mock";
import { emptyFilters } from "../events/feed.svelte";
import BulkReplay from "./BulkReplay.svelte";

async function settle() {
  for (let i = 0; i < 5; i++) await tick();
  flushSync();
}

describe("bulk replay", () => {
  it("shows the remembered target as a hint and, left empty, lets each event go to its own", async () => {
    const backend = new MockBackend({
      replay_target_get: () => ({ endpoint: "shop", target: "http://localhost:3000/hooks", remembered: true }) as never,
      replay_bulk_start: () => ({ runId: 1, total: 2 }) as never,
    });
    setBackend(backend);
    const target = document.body.appendChild(document.createElement("div"));
    const filters = { ...emptyFilters(), endpoint: "shop" };
    const app = mount(BulkReplay, { target, props: { selected: [2, 1], filters, matching: "2", onClear: () => {}, onClose: () => {} } });
    await settle();
    const box = target.querySelector<HTMLInputElement>("[data-testid=bulk-target]")!;
    expect(box.value).toBe("");
    expect(box.placeholder).toContain("http://localhost:3000/hooks");
    target.querySelector<HTMLButtonElement>("[data-testid=bulk-start]")!.click();
    await settle();
    const start = backend.calls.find((c) => c.cmd === "replay_bulk_start");
    expect(start?.req).toMatchObject({ ids: [1, 2] });
    expect((start?.req as { target?: string }).target).toBeUndefined();
    unmount(app);
    target.remove();
  });
});
