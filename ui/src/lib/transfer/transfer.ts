// Export to and import from a file the user picks in a native dialog, which the backend opens
// (the window names no path itself); the backend answers with counts, nothing when cancelled, or
// for a refused import the file, line and reason (nothing is imported). Every outcome is a toast.
import { BackendError, call } from "../backend";
import type { EventExportRes, EventImportRes, TransferFormat } from "../bindings";
import { toasts } from "../toast/toasts.svelte";

export const FORMATS: { value: TransferFormat; label: string; extension: string }[] = [
  { value: "har", label: "HAR 1.2 (browser devtools, other tools)", extension: "har" },
  { value: "ndjson", label: "Hookscope NDJSON (backup, another machine)", extension: "ndjson" },
];

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? "" : "s"}`;
}

/** `hookscope-stripe-20261201-1110.har`: what the save dialog suggests. */
export function exportFileName(format: TransferFormat, endpoint: string | null, now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}`;
  const scope = endpoint ? `-${endpoint.replace(/[^A-Za-z0-9._-]/g, "_")}` : "";
  const ext = FORMATS.find((f) => f.value === format)?.extension ?? format;
  return `hookscope${scope}-${stamp}.${ext}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function describeExport(res: EventExportRes): { title: string; message: string } {
  return { title: `Exported ${plural(res.count, "event")} to ${res.fileName}`, message: `${res.path} · ${formatBytes(res.bytes)}` };
}

export function describeImport(res: EventImportRes): { title: string; message: string } {
  const created = res.createdEndpoints.length
    ? `New endpoint${res.createdEndpoints.length === 1 ? "" : "s"}: ${res.createdEndpoints.join(", ")}. `
    : "";
  const title = res.imported === 0 ? `No events in ${res.fileName}` : `Imported ${plural(res.imported, "event")} from ${res.fileName}`;
  return { title, message: `${created}${res.format.toUpperCase()}; kept their original times, marked imported.` };
}

/** What a failed import says: a refusal names the file, the line (or HAR entry) and the reason. */
export function describeImportFailure(e: unknown): { title: string; message: string } {
  const err = BackendError.from(e);
  const title = err.code === "import_refused" ? "Import refused: nothing imported" : "Could not import";
  return { title, message: err.message };
}

/** Export (the backend asks where in a save dialog) and say how it went. Null when cancelled or
 * failed (a toast says why). */
export async function exportEvents(format: TransferFormat, endpoint: string | null): Promise<EventExportRes | null> {
  try {
    const res = await call("event_export", { fileName: exportFileName(format, endpoint), format, endpoint: endpoint ?? undefined });
    if (!res) return null;
    const { title, message } = describeExport(res);
    toasts.info(title, message);
    return res;
  } catch (e) {
    toasts.error("Export failed", e);
    return null;
  }
}

/** Import (the backend asks which file in an open dialog) and say how it went. Null when
 * cancelled or refused. */
export async function importEvents(): Promise<EventImportRes | null> {
  try {
    const res = await call("event_import", null);
    if (!res) return null;
    const { title, message } = describeImport(res);
    toasts.info(title, message);
    return res;
  } catch (e) {
    const { title, message } = describeImportFailure(e);
    toasts.push("error", title, message);
    return null;
  }
}
