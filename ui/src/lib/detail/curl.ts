// "Copy as cURL": the captured request re-sent to the capture URL, shell-quoted.
import type { EventDetail } from "../bindings";

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const SKIPPED = new Set(["host", "content-length", "connection", "accept-encoding"]);

export function toCurl(detail: EventDetail, body: string | null, baseUrl: string): string {
  const s = detail.summary;
  const url = `${baseUrl}${s.path}${s.query ? `?${s.query}` : ""}`;
  const parts = [`curl -X ${s.method} ${shellQuote(url)}`];
  for (const h of detail.headers) {
    if (!SKIPPED.has(h.name)) parts.push(`-H ${shellQuote(`${h.name}: ${h.value}`)}`);
  }
  if (body !== null && body !== "") parts.push(`--data-binary ${shellQuote(body)}`);
  return parts.join(" \\\n  ");
}

/** The empty state's sample request. */
export function sampleCurl(url: string): string {
  const body = JSON.stringify({ type: "test.event", data: { hello: "world" } });
  return `curl -X POST ${shellQuote(url)} -H 'Content-Type: application/json' -d ${shellQuote(body)}`;
}
