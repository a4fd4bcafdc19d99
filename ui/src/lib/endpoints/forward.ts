// Auto-forward in the UI, the pure part: the editor's form and its checks (a non-loopback
// target needs the user's explicit confirmation), and the sidebar's one-line status.
import type { ForwardRespond, ForwardSettingsDto, ForwardStatusRes, ForwardTry, RouteMatch } from "../bindings";

/**
 * The host of an `http://` or `https://` target as the core reads it: the raw authority's host,
 * brackets stripped, lowercased — not the browser's normalised one (`new URL` turns `127.1` into
 * `127.0.0.1`, which the core does not). `null` when it is not such a URL.
 */
export function targetHost(url: string): string | null {
  const m = /^https?:\/\/([^/?#]*)/i.exec(url.trim());
  if (!m || m[1].includes("@")) return null;
  const hostPort = /^(\[[^\]]*\]|[^:]*)(?::\d*)?$/.exec(m[1]);
  const host = hostPort?.[1].replace(/^\[|\]$/g, "").toLowerCase() ?? "";
  try {
    new URL(url.trim());
  } catch {
    return null;
  }
  return host === "" ? null : host;
}

/** A strict dotted quad in 127.0.0.0/8 (no shorthand, no leading zeros), as Rust parses it. */
function isLoopbackV4(host: string): boolean {
  const octets = host.split(".");
  return (
    octets.length === 4 &&
    octets.every((o) => /^(0|[1-9]\d{0,2})$/.test(o) && Number(o) <= 255) &&
    octets[0] === "127"
  );
}

/** `::1` in any spelling; the browser's IPv6 canonical form agrees with Rust's parse. */
function isLoopbackV6(host: string): boolean {
  if (!host.includes(":")) return false;
  try {
    return new URL(`http://[${host}]/`).hostname === "[::1]";
  } catch {
    return false;
  }
}

/**
 * Whether a target points at this machine, by the core's rule (`localhost`, `*.localhost`,
 * `127.0.0.0/8`, `::1`); null when it is not an http(s) URL. Only a hint for the form: the
 * backend's `remote_target` refusal is the authority.
 */
export function isLoopbackUrl(url: string): boolean | null {
  const host = targetHost(url);
  if (host === null) return null;
  return host === "localhost" || host.endsWith(".localhost") || isLoopbackV4(host) || isLoopbackV6(host);
}

/** Consent to send off the machine holds only for the host it was given for. */
export function consentHolds(target: string, grantedFor: string | null): boolean {
  const host = targetHost(target);
  return host !== null && host === grantedFor;
}

/** `http://localhost:3000/` → `localhost:3000`: short enough for the sidebar. */
export function shortTarget(url: string): string {
  const t = url.replace(/^http:\/\//, "");
  return t.endsWith("/") && t.indexOf("/") === t.length - 1 ? t.slice(0, -1) : t;
}

/** The editor's fields, as typed. */
export type ForwardForm = {
  target: string;
  timeoutS: string;
  retryInitialMs: string;
  retryMaxMs: string;
  maxAttempts: string;
  /** The host the user allowed payloads to go to (typing another host withdraws it). */
  remoteGrantedFor: string | null;
  followRedirects: boolean;
  respond: ForwardRespond;
  respondTimeoutS: string;
};

export const DEFAULT_TARGET = "http://localhost:3000";

export function formFromStatus(s: ForwardStatusRes): ForwardForm {
  return {
    target: s.target ?? DEFAULT_TARGET,
    timeoutS: String(s.settings.timeoutMs / 1000),
    retryInitialMs: String(s.settings.retryInitialMs),
    retryMaxMs: String(s.settings.retryMaxMs),
    maxAttempts: String(s.settings.maxAttempts),
    remoteGrantedFor: s.settings.allowRemote && s.target ? targetHost(s.target) : null,
    followRedirects: s.settings.followRedirects,
    respond: s.settings.respond,
    respondTimeoutS: String(s.settings.respondTimeoutMs / 1000),
  };
}

/** Whether to ask before `target`: remote by the form's reading, or refused as remote by the backend. */
export function asksConsent(target: string, refusedAsRemote: readonly string[]): boolean {
  return isLoopbackUrl(target) === false || refusedAsRemote.includes(target.trim());
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** A remote target must be confirmed; an unparseable one is refused before it is sent. */
export function checkTarget(target: string, allowRemote: boolean): string | null {
  const loopback = isLoopbackUrl(target);
  if (loopback === null) return `${target.trim() || "(empty)"} is not an http:// or https:// URL.`;
  if (!loopback && !allowRemote)
    return `${target.trim()} is not on this machine: confirm that captured payloads may be sent to another host.`;
  return null;
}

/** Positive seconds as typed → whole milliseconds (at least 1); null when not that. */
function seconds(v: string): number | null {
  const n = Number(v.trim());
  return v.trim() === "" || !Number.isFinite(n) || n <= 0 ? null : Math.max(1, Math.round(n * 1000));
}

function whole(v: string, what: string, min: number): number | string {
  const n = Number(v.trim());
  if (v.trim() === "" || !Number.isInteger(n) || n < min) return `${what} must be a whole number of at least ${min}.`;
  return n;
}

export function parseForwardForm(f: ForwardForm): Parsed<{ target: string; settings: ForwardSettingsDto }> {
  const allowRemote = consentHolds(f.target, f.remoteGrantedFor);
  const bad = checkTarget(f.target, allowRemote);
  if (bad) return { ok: false, error: bad };
  const timeout = seconds(f.timeoutS);
  if (timeout === null) return { ok: false, error: "The timeout must be a positive number of seconds." };
  const respondTimeout = seconds(f.respondTimeoutS);
  if (respondTimeout === null)
    return { ok: false, error: "The provider's wait for the target's answer must be a positive number of seconds." };
  const initial = whole(f.retryInitialMs, "The first retry delay", 1);
  if (typeof initial === "string") return { ok: false, error: initial };
  const max = whole(f.retryMaxMs, "The longest retry delay", initial);
  if (typeof max === "string") return { ok: false, error: max };
  const attempts = whole(f.maxAttempts, "Max attempts", 0);
  if (typeof attempts === "string") return { ok: false, error: attempts };
  return {
    ok: true,
    value: {
      target: f.target.trim(),
      settings: {
        timeoutMs: timeout,
        retryInitialMs: initial,
        retryMaxMs: max,
        maxAttempts: attempts,
        allowRemote,
        followRedirects: f.followRedirects,
        respond: f.respond,
        respondTimeoutMs: respondTimeout,
      },
    },
  };
}

/** A try failed when the target did not answer 2xx. */
export function tryFailed(t: ForwardTry): boolean {
  return t.status === null || t.status < 200 || t.status >= 300;
}

/** What the last try got, in a few words. */
export function tryOutcome(t: ForwardTry): string {
  if (t.status !== null) return `HTTP ${t.status}`;
  const e = t.error ?? "no answer";
  // The core's sentences start with the gist ("connection refused: nothing is listening …").
  return e.split(":")[0];
}

export type Glance = { on: boolean; text: string; failed: boolean; title: string };

/** The sidebar's line: on/off, target, backlog, the last try, and whether it failed. */
export function glance(s: ForwardStatusRes | undefined): Glance {
  if (!s || s.target === null) return { on: false, text: "forward off", failed: false, title: "Auto-forward is off" };
  const parts = [`→ ${shortTarget(s.target)}`];
  if (s.backlog > 0) parts.push(`${s.backlog} waiting`);
  const last = s.recent[0];
  const failed = last !== undefined && tryFailed(last);
  if (last) parts.push(failed ? `⚠ ${tryOutcome(last)}` : `✓ ${last.status}`);
  const titleParts = [`Auto-forward to ${s.target}`];
  if (last) titleParts.push(`last try (attempt ${last.attempt}): ${last.status !== null ? `HTTP ${last.status}` : (last.error ?? "no answer")}`);
  if (!s.delivering) titleParts.push("another Hookscope process delivers for this data dir");
  return { on: true, text: parts.join(" · "), failed, title: titleParts.join("; ") };
}

export const ROUTE_KINDS: { value: RouteMatch; label: string; placeholder: string }[] = [
  { value: "event_type", label: "event type", placeholder: "invoice.*" },
  { value: "path_prefix", label: "path prefix", placeholder: "/billing" },
];
