import { describe, expect, it } from "vitest";
import { setBackend } from "../backend";
import { MockBackend } from "../backend/mock";
import type { ReplayAttempt } from "../bindings";
import { toasts } from "../toast/toasts.svelte";
import { bulkRequest, percent } from "./bulk";
import { consent } from "./consent.svelte";
import { buildEdits, formatLatency, headerRows, hostOf, pathAfterSlug, pathAndQuery, statusBadge, withRemoteConsent, type EditorForm } from "./edits";
import { emptyFilters } from "../events/feed.svelte";
import { sendReplay } from "./send";

const sent = [
  { name: "host", value: "localhost:3000" },
  { name: "x-rep", value: "1" },
  { name: "content-type", value: "application/json" },
  { name: "x-rep", value: "2" },
  { name: "content-length", value: "2" },
];

function original(): EditorForm {
  return { method: "POST", path: "/x?a=1", rows: headerRows(sent), body: "{}" };
}

describe("the header table", () => {
  it("offers what an exact replay sends, repeats kept, minus what is set for the target", () => {
    expect(headerRows(sent)).toEqual([
      { name: "x-rep", value: "1" },
      { name: "content-type", value: "application/json" },
      { name: "x-rep", value: "2" },
    ]);
  });
});

describe("edits from the form", () => {
  it("are empty when nothing changed: an exact replay", () => {
    expect(buildEdits(original(), original())).toEqual({});
  });

  it("carry the whole table once one header changes, repeats and order kept", () => {
    const form = original();
    form.rows[2].value = "two";
    form.rows.push({ name: " X-New ", value: "n" }, { name: "", value: "ignored" });
    expect(buildEdits(form, original())).toEqual({
      headers: [
        { name: "x-rep", value: "1" },
        { name: "content-type", value: "application/json" },
        { name: "x-rep", value: "two" },
        { name: "X-New", value: "n" },
      ],
    });
  });

  it("see a removed header, a renamed case as the same, method, path and body", () => {
    const form = original();
    form.rows[1].name = "Content-Type";
    expect(buildEdits(form, original())).toEqual({});
    form.rows.splice(0, 1);
    form.method = "put";
    form.path = "/y";
    form.body = '{"a":1}';
    expect(buildEdits(form, original())).toEqual({
      method: "PUT",
      path: "/y",
      headers: [
        { name: "Content-Type", value: "application/json" },
        { name: "x-rep", value: "2" },
      ],
      body: '{"a":1}',
    });
  });

  it("keep a binary body unless it is replaced", () => {
    const bin: EditorForm = { ...original(), body: null };
    expect(buildEdits({ ...bin }, bin)).toEqual({});
    expect(buildEdits({ ...bin, body: "" }, bin)).toEqual({ body: "" });
  });
});

describe("paths", () => {
  it("are the path after the slug, or the whole path for the default endpoint's catch-all", () => {
    expect(pathAfterSlug("stripe", "/stripe/x")).toBe("/x");
    expect(pathAfterSlug("stripe", "/stripe")).toBe("");
    expect(pathAfterSlug("stripe", "/stripey/x")).toBe("/stripey/x");
    expect(pathAndQuery("default", "/other/y", "q=1")).toBe("/other/y?q=1");
  });
});

describe("attempt display", () => {
  it("badges statuses by class", () => {
    expect(statusBadge(204)).toEqual({ label: "204", tone: "ok" });
    expect(statusBadge(302).tone).toBe("warn");
    expect(statusBadge(404).tone).toBe("warn");
    expect(statusBadge(503).tone).toBe("bad");
    expect(statusBadge(null)).toEqual({ label: "no answer", tone: "bad" });
  });

  it("formats latency", () => {
    expect(formatLatency(null)).toBe("");
    expect(formatLatency(0.2)).toBe("<1 ms");
    expect(formatLatency(12.4)).toBe("12 ms");
    expect(formatLatency(1530)).toBe("1.53 s");
    expect(hostOf("http://example.com:8080/x")).toBe("example.com:8080");
    expect(hostOf("nonsense")).toBe("nonsense");
  });
});

describe("a remote target", () => {
  const refused = { code: "remote_target", message: "example.com is not a loopback address" };

  it("is sent only after the user agrees", async () => {
    const tries: boolean[] = [];
    const send = async (allow: boolean) => {
      tries.push(allow);
      if (!allow) throw refused;
      return "sent";
    };
    const asked: string[] = [];
    expect(await withRemoteConsent(send, async (r) => (asked.push(r), true))).toBe("sent");
    expect(tries).toEqual([false, true]);
    expect(asked).toEqual([refused.message]);
    tries.length = 0;
    expect(await withRemoteConsent(send, async () => false)).toBeNull();
    expect(tries).toEqual([false]);
  });

  it("other errors are not questions", async () => {
    const fail = async () => {
      throw { code: "invalid", message: "bad header" };
    };
    await expect(withRemoteConsent(fail, async () => true)).rejects.toMatchObject({ code: "invalid", message: "bad header" });
  });

  it("goes through the consent dialog and the answer becomes a toast", async () => {
    const attempt: ReplayAttempt = {
      id: 1, eventId: 7, kind: "replay", attempt: 1, createdAtUs: 0, target: "http://example.com/",
      sent: null, status: 201, responseHeaders: [], responseSize: 0, latencyMs: 3, error: null,
    };
    const backend = new MockBackend({
      replay_send: (req) => {
        if (!req.allowRemote) throw refused;
        return attempt;
      },
    });
    setBackend(backend);
    const result = sendReplay({ eventId: 7, edits: {}, resign: false }, true);
    await new Promise((r) => setTimeout(r, 0));
    expect(consent.pending?.reason).toBe(refused.message);
    consent.answer(true);
    expect(await result).toEqual(attempt);
    expect(backend.calls.map((c) => (c.req as { allowRemote: boolean }).allowRemote)).toEqual([false, true]);
    expect(toasts.items.at(-1)).toMatchObject({ kind: "info", title: "Replayed #7: 201" });
  });

  it("a failure is toasted with its reason", async () => {
    setBackend(new MockBackend({ replay_send: () => { throw { code: "not_found", message: "event not found: 9" }; } }));
    expect(await sendReplay({ eventId: 9, edits: {}, resign: false }, false)).toBeNull();
    expect(toasts.items.at(-1)).toMatchObject({ kind: "error", message: "event not found: 9" });
  });
});

describe("bulk replay's request", () => {
  const base = { ids: [3, 1, 2], filters: emptyFilters(), target: " ", rate: "5", resign: false };

  it("sends a selection oldest first, each to its own target when none is given", () => {
    expect(bulkRequest(base)).toEqual({ req: { ids: [1, 2, 3], ratePerSecond: 5, resign: false, allowRemote: false, target: undefined } });
  });

  it("or everything matching the filter", () => {
    const filters = { ...emptyFilters(), endpoint: "stripe", search: " inv " };
    const built = bulkRequest({ ...base, ids: null, filters, rate: "" });
    expect(built).toMatchObject({ req: { filter: { endpoint: "stripe", search: "inv" }, ratePerSecond: undefined } });
  });

  it("refuses a bad rate and an empty selection", () => {
    expect(bulkRequest({ ...base, rate: "0" })).toHaveProperty("error");
    expect(bulkRequest({ ...base, rate: "fast" })).toHaveProperty("error");
    expect(bulkRequest({ ...base, ids: [] })).toHaveProperty("error");
    expect(percent(1, 3)).toBe(33);
    expect(percent(0, 0)).toBe(0);
  });
});
