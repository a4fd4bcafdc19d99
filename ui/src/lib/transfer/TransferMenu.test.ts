import { flushSync, mount, tick, unmount } from "svelte";
import { describe, expect, it } from "vitest";
import { setBackend } from "../backend";
import { MockBackend } from "../backend/mock";
import TransferMenu from "./TransferMenu.svelte";

async function settle() {
  for (let i = 0; i < 5; i++) await tick();
  flushSync();
}

function click(target: HTMLElement, testid: string) {
  target.querySelector<HTMLElement>(`[data-testid=${testid}]`)!.click();
  flushSync();
}

describe("TransferMenu", () => {
  it("exports the shown endpoint's events in the chosen format", async () => {
    const backend = new MockBackend({ event_export: () => ({ path: "/tmp/x.ndjson", fileName: "x.ndjson", count: 1, bytes: 10 }) });
    setBackend(backend);
    const target = document.body.appendChild(document.createElement("div"));
    const app = mount(TransferMenu, { target, props: { endpoint: "shop", onImported: () => {} } });
    click(target, "transfer-menu");
    click(target, "export-format-ndjson");
    click(target, "export-scope-endpoint");
    expect(target.querySelector<HTMLInputElement>("[data-testid=export-scope-endpoint]")!.checked).toBe(true);
    click(target, "export-button");
    await settle();
    expect(backend.calls).toHaveLength(1);
    expect(backend.calls[0]).toMatchObject({ cmd: "event_export", req: { format: "ndjson", endpoint: "shop" } });
    unmount(app);
    target.remove();
  });

  it("offers only all events when no endpoint is shown, and reports an import", async () => {
    const backend = new MockBackend({ event_import: () => ({ fileName: "in.har", format: "har", imported: 3, ids: [1, 2, 3], createdEndpoints: [] }) });
    setBackend(backend);
    let imported = 0;
    const target = document.body.appendChild(document.createElement("div"));
    const app = mount(TransferMenu, { target, props: { endpoint: "", onImported: () => imported++ } });
    click(target, "transfer-menu");
    expect(target.querySelector<HTMLInputElement>("[data-testid=export-scope-endpoint]")!.disabled).toBe(true);
    click(target, "import-button");
    await settle();
    expect(backend.calls).toEqual([{ cmd: "event_import", req: null }]);
    expect(imported).toBe(1);
    unmount(app);
    target.remove();
  });
});
