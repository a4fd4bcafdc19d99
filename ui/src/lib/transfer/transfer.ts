// Export to and import from a file picked in a dialog. The dialog only picks the path; the
// backend writes or reads it and answers with counts (or, for a refused import, the line and
// reason, and nothing is imported). Every outcome ends in a toast.
import { BackendError, call } from "../backend";
import { pickOpenPath, pickSavePath, type FileFilter } from "../backend/dialogs";
import type { EventExportRes, EventImportRes, TransferFormat } from "../bindings";
import { toasts } from "../toast/toasts.svelte";

export const FORMATS: { value: TransferFormat; label: string; extension: string }[] = [
  { value: "har", label: "HAR 1.2 (browser devtools, other tools)", extension: "har" },
  { value: "ndjson", label: "Hookscope NDJSON (backup, another machine)", extension: "ndjson" },
];

const IMPORT_FILTERS: FileFilter[] = [
  { name: "HAR or Hookscope NDJSON", extensions: ["har", "ndjson", "json", "jsonl"] },
  { name: "All files", extensions: ["*"] },
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

/** The last part of a path, for messages. */
export function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
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

/** What a failed import says: a refusal names the line (or HAR entry) and the reason. */
export function describeImportFailure(path: string, e: unknown): { title: string; message: string } {
  const err = BackendError.from(e);
  const name = baseName(path);
  const title = err.code === "import_refused" ? `Refused ${name}: nothing imported` : `Could not import ${name}`;
  return { title, message: err.message };
}

/** Ask where, export, and say how it went. Null when cancelled or failed (a toast says why). */
export async function exportEvents(format: TransferFormat, endpoint: string | null): Promise<EventExportRes | null> {
  let path: string | null;
  try {
    path = await pickSavePath({
      title: endpoint ? `Export ${endpoint}'s events` : "Export all events",
      defaultName: exportFileName(format, endpoint),
      filters: [{ name: format === "har" ? "HAR" : "NDJSON", extensions: [format] }],
    });
  } catch (e) {
    toasts.error("Could not open the save dialog", e);
    return null;
  }
  if (!path) return null;
  try {
    const res = await call("event_export", { path, format, endpoint: endpoint ?? undefined });
    const { title, message } = describeExport(res);
    toasts.info(title, message);
    return res;
  } catch (e) {
    toasts.error("Export failed", e);
    return null;
  }
}

/** Ask which file, import it, and say how it went. Null when cancelled or refused. */
export async function importEvents(): Promise<EventImportRes | null> {
  let path: string | null;
  try {
    path = await pickOpenPath({ title: "Import events (HAR or Hookscope NDJSON)", filters: IMPORT_FILTERS });
  } catch (e) {
    toasts.error("Could not open the file dialog", e);
    return null;
  }
  if (!path) return null;
  try {
    const res = await call("event_import", { path });
    const { title, message } = describeImport(res);
    toasts.info(title, message);
    return res;
  } catch (e) {
    const { title, message } = describeImportFailure(path, e);
    toasts.push("error", title, message);
    return null;
  }
}
