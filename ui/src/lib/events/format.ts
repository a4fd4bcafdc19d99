// Formatting of list cells and sizes: pure functions, unit-tested.

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** `14:03:07.123` for today, `2026-11-30 14:03` otherwise (local time). */
export function formatTime(us: number, now: Date = new Date()): string {
  const d = new Date(Math.floor(us / 1000));
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  const sameDay =
    d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  if (sameDay) {
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  }
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export type Tone = "ok" | "bad" | "warn" | "muted";

/** Badge label and tone for a signature status. */
export function signatureBadge(status: string | null): { label: string; tone: Tone } {
  switch (status) {
    case "valid":
      return { label: "valid", tone: "ok" };
    case "invalid":
      return { label: "invalid", tone: "bad" };
    case "stale":
      return { label: "stale", tone: "warn" };
    case "missing":
      return { label: "missing", tone: "warn" };
    case "no_secret":
      return { label: "no secret", tone: "muted" };
    case "unsupported":
      return { label: "unsupported", tone: "muted" };
    default:
      return { label: "—", tone: "muted" };
  }
}
