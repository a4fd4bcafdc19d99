import { beforeEach, describe, expect, it } from "vitest";
import { setBackend } from "../backend";
import { MockBackend } from "../backend/mock";
import type { EventImportRes } from "../bindings";
import { toasts } from "../toast/toasts.svelte";
import { describeImport, describeImportFailure, exportEvents, exportFileName, importEvents } from "./transfer";

const report: EventImportRes = { fileName: "hookscope.har", format: "har", imported: 120, ids: [], createdEndpoints: [] };

beforeEach(() => {
  toasts.items = [];
});

describe("names and messages", () => {
  it("suggests a file name with the scope, a timestamp and the format's extension", () => {
    const at = new Date(2026, 11, 1, 9, 5);
    expect(exportFileName("har", null, at)).toBe("hookscope-20261201-0905.har");
    expect(exportFileName("ndjson", "stripe/x y", at)).toBe("hookscope-stripe_x_y-20261201-0905.ndjson");
  });

  it("says how many events came from which file, and which endpoints were created", () => {
    expect(describeImport(report).title).toBe("Imported 120 events from hookscope.har");
    expect(describeImport({ ...report, imported: 1, createdEndpoints: ["a", "b"] })).toEqual({
      title: "Imported 1 event from hookscope.har",
      message: "New endpoints: a, b. HAR; kept their original times, marked imported.",
    });
    expect(describeImport({ ...report, imported: 0 }).title).toBe("No events in hookscope.har");
  });

  it("shows a refusal with its file, line and reason, and other failures as such", () => {
    const refused = describeImportFailure({ code: "import_refused", message: "bad.ndjson: line 3: missing field `id`" });
    expect(refused).toEqual({ title: "Import refused: nothing imported", message: "bad.ndjson: line 3: missing field `id`" });
    expect(describeImportFailure({ code: "io", message: "could not read /a/b.har" }).title).toBe("Could not import");
  });
});

describe("export and import (the backend opens the dialogs)", () => {
  it("exports with a suggested file name, the format and the scope", async () => {
    const backend = new MockBackend({ event_export: () => ({ path: "/tmp/out.har", fileName: "out.har", count: 2, bytes: 2048 }) });
    setBackend(backend);
    const res = await exportEvents("har", "stripe");
    expect(res?.count).toBe(2);
    expect(backend.calls).toHaveLength(1);
    expect(backend.calls[0]).toMatchObject({ cmd: "event_export", req: { format: "har", endpoint: "stripe" } });
    expect((backend.calls[0].req as { fileName: string }).fileName).toMatch(/^hookscope-stripe-\d{8}-\d{4}\.har$/);
    expect(toasts.items.map((t) => [t.kind, t.title, t.message])).toEqual([["info", "Exported 2 events to out.har", "/tmp/out.har · 2.0 KiB"]]);
  });

  it("says nothing when the dialog is cancelled", async () => {
    setBackend(new MockBackend({ event_export: () => null, event_import: () => null }));
    expect(await exportEvents("ndjson", null)).toBeNull();
    expect(await importEvents()).toBeNull();
    expect(toasts.items).toEqual([]);
  });

  it("imports and toasts the count", async () => {
    const backend = new MockBackend({ event_import: () => report });
    setBackend(backend);
    expect((await importEvents())?.imported).toBe(120);
    expect(backend.calls).toEqual([{ cmd: "event_import", req: null }]);
    expect(toasts.items[0]).toMatchObject({ kind: "info", title: "Imported 120 events from hookscope.har" });
  });

  it("toasts a refused import's file, line and reason", async () => {
    setBackend(
      new MockBackend({
        event_import: () => {
          throw { code: "import_refused", message: "bad.ndjson: line 2: expected value at line 1 column 1" };
        },
      }),
    );
    expect(await importEvents()).toBeNull();
    expect(toasts.items[0]).toMatchObject({ kind: "error", title: "Import refused: nothing imported", message: "bad.ndjson: line 2: expected value at line 1 column 1" });
  });

  it("toasts a failed export with the backend's reason", async () => {
    setBackend(
      new MockBackend({
        event_export: () => {
          throw { code: "io", message: "could not export to /nope/x.har: No such file or directory" };
        },
      }),
    );
    expect(await exportEvents("har", null)).toBeNull();
    expect(toasts.items[0]).toMatchObject({ kind: "error", title: "Export failed", message: "could not export to /nope/x.har: No such file or directory" });
  });
});
