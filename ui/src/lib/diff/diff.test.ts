import { describe, expect, it } from "vitest";
import { headerDiff, isVolatile, jsonDiff } from "./diff";

describe("structural JSON diff", () => {
  it("ignores key order", () => {
    const lines = jsonDiff({ a: 1, b: { c: 2 } }, { b: { c: 2 }, a: 1 });
    expect(lines.every((l) => l.change === "same")).toBe(true);
  });

  it("reports added, removed and changed paths", () => {
    const lines = jsonDiff({ a: 1, gone: true, arr: [1] }, { a: 2, added: "x", arr: [1, 2] }).filter((l) => l.change !== "same");
    expect(lines.map((l) => [l.path, l.change])).toEqual([
      ["a", "changed"],
      ["added", "added"],
      ["arr[1]", "added"],
      ["gone", "removed"],
    ]);
  });

  it("flags volatile fields", () => {
    expect(isVolatile("data.object.id")).toBe(true);
    expect(isVolatile("created_at")).toBe(true);
    expect(isVolatile("webhook-signature")).toBe(true);
    expect(isVolatile("amount")).toBe(false);
    const [line] = jsonDiff({ id: "evt_1" }, { id: "evt_2" });
    expect(line).toMatchObject({ change: "changed", volatile: true });
  });

  it("diffs headers by name, repeated values joined", () => {
    const d = headerDiff(
      [{ name: "a", value: "1" }, { name: "a", value: "2" }, { name: "b", value: "x" }],
      [{ name: "a", value: "1, 2" }, { name: "c", value: "y" }],
    );
    expect(d.map((l) => [l.path, l.change])).toEqual([["a", "same"], ["b", "removed"], ["c", "added"]]);
  });
});
