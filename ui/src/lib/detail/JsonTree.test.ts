import { flushSync, mount, unmount } from "svelte";
import { describe, expect, it } from "vitest";
import JsonTree from "./JsonTree.svelte";

describe("JSON tree", () => {
  it("shows hostile strings as text, never as markup", () => {
    const target = document.createElement("div");
    const payload = { a: '<img src=x onerror="window.__pwned=1">', b: { c: "<script>window.__pwned=2</script>" } };
    const app = mount(JsonTree, { target, props: { value: payload } });
    flushSync();
    expect(target.querySelectorAll("img, script").length).toBe(0);
    expect(target.textContent).toContain('"<img src=x onerror=\\"window.__pwned=1\\">"');
    expect(target.textContent).toContain("<script>window.__pwned=2</script>");
    unmount(app);
  });

  it("opens two levels, folds deeper ones, and pages large arrays", () => {
    const target = document.createElement("div");
    const app = mount(JsonTree, { target, props: { value: { l1: { l2: { l3: { deep: 1 } } }, many: Array.from({ length: 450 }, (_, i) => i) } } });
    flushSync();
    expect(target.textContent).toContain("l2");
    expect(target.textContent).not.toContain("l3");
    expect(target.textContent).toContain("250 more…");
    const l2 = Array.from(target.querySelectorAll("button")).find((b) => b.textContent?.includes("l2"));
    l2?.click();
    flushSync();
    expect(target.textContent).toContain("l3");
    unmount(app);
  });
});
