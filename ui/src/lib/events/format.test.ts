import { describe, expect, it } from "vitest";
import { formatSize, formatTime, signatureBadge } from "./format";
import { visibleRange, ROW_HEIGHT } from "./EventList.svelte";

describe("formatting", () => {
  it("sizes in B, kB and MB", () => {
    expect(formatSize(512)).toBe("512 B");
    expect(formatSize(1300)).toBe("1.3 kB");
    expect(formatSize(25 * 1024 * 1024)).toBe("25.0 MB");
  });

  it("times: clock with ms today, date otherwise", () => {
    const now = new Date(2026, 11, 1, 15, 0, 0);
    const today = new Date(2026, 11, 1, 9, 5, 7, 42).getTime() * 1000;
    const earlier = new Date(2026, 10, 30, 23, 59).getTime() * 1000;
    expect(formatTime(today, now)).toBe("09:05:07.042");
    expect(formatTime(earlier, now)).toBe("2026-11-30 23:59");
  });

  it("signature badges", () => {
    expect(signatureBadge("valid")).toEqual({ label: "valid", tone: "ok" });
    expect(signatureBadge("invalid").tone).toBe("bad");
    expect(signatureBadge("no_secret").label).toBe("no secret");
    expect(signatureBadge(null).label).toBe("—");
  });
});

describe("virtualization", () => {
  it("renders only the visible rows of 100 000", () => {
    const r = visibleRange(50_000 * ROW_HEIGHT, 600, 100_000);
    expect(r.last - r.first).toBeLessThan(60);
    expect(r.first).toBeGreaterThan(49_900);
    expect(visibleRange(0, 600, 3)).toEqual({ first: 0, last: 3 });
  });
});
