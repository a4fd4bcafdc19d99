import { flushSync, mount, tick, unmount } from "svelte";
import { describe, expect, it } from "vitest";
import ConsentDialog from "./ConsentDialog.svelte";
import { consent } from "./consent.svelte";

describe("the consent dialog", () => {
  it("focuses Cancel, so Enter does not send payloads off the machine", async () => {
    const target = document.body.appendChild(document.createElement("div"));
    const app = mount(ConsentDialog, { target });
    const answer = consent.ask("example.com is not a loopback address");
    flushSync();
    await tick();
    const focused = document.activeElement as HTMLElement | null;
    expect(focused?.dataset.testid).toBe("remote-cancel");
    focused?.click();
    expect(await answer).toBe(false);
    unmount(app);
    target.remove();
  });
});
