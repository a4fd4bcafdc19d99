// How a body is shown: classification and the text views (pretty JSON, pretty XML, hex, form
// and multipart tables). Pure functions over bytes; never produce HTML.

export type BodyKind = "empty" | "json" | "form" | "multipart" | "xml" | "text" | "binary";

/** Bodies above this size are classified by their first character, not parsed. */
const PARSE_CAP = 2 * 1024 * 1024;

const utf8 = new TextDecoder("utf-8", { fatal: true });
const lossy = new TextDecoder("utf-8");

/** The bytes as text, or null when they are not UTF-8. */
export function asText(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

export function asLossyText(bytes: Uint8Array): string {
  return lossy.decode(bytes);
}

export function mediaType(contentType: string | null): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

export function classify(contentType: string | null, bytes: Uint8Array): BodyKind {
  if (bytes.length === 0) return "empty";
  const media = mediaType(contentType);
  if (media.startsWith("multipart/") && boundaryOf(contentType)) return "multipart";
  const text = asText(bytes);
  if (text === null) return "binary";
  if (media === "application/x-www-form-urlencoded") return "form";
  const trimmed = text.trimStart();
  if (media.endsWith("json") || /^[{[]/.test(trimmed)) {
    // Large bodies are not parsed just to classify them.
    if (text.length > PARSE_CAP ? /^[{[]/.test(trimmed) : prettyJson(text) !== null) return "json";
  }
  if (media.endsWith("xml") || trimmed.startsWith("<?xml")) return "xml";
  return "text";
}

/** Indented JSON, or null when the text is not JSON. */
export function prettyJson(text: string): string | null {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return null;
  }
}

/** Classic hex dump: offset, 16 bytes in hex, printable ASCII. */
export function hexDump(bytes: Uint8Array, max = 64 * 1024): string {
  const lines: string[] = [];
  const end = Math.min(bytes.length, max);
  for (let off = 0; off < end; off += 16) {
    const row = bytes.subarray(off, Math.min(off + 16, end));
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, "0")).join(" ");
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
    lines.push(`${off.toString(16).padStart(8, "0")}  ${hex.padEnd(47, " ")}  |${ascii}|`);
  }
  if (bytes.length > end) lines.push(`… ${bytes.length - end} more bytes`);
  return lines.join("\n");
}

/** `key=value&…` as pairs, repeated keys kept, in order. */
export function parseForm(text: string): [string, string][] {
  return Array.from(new URLSearchParams(text).entries());
}

export function parseQuery(query: string): [string, string][] {
  return query ? parseForm(query) : [];
}

export function boundaryOf(contentType: string | null): string | null {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? "");
  return m ? (m[1] ?? m[2]) : null;
}

export type Part = {
  name: string | null;
  filename: string | null;
  contentType: string | null;
  headers: [string, string][];
  bytes: Uint8Array;
};

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** The parts of a multipart body; a malformed body yields the parts found before the damage. */
export function parseMultipart(bytes: Uint8Array, boundary: string): Part[] {
  const enc = new TextEncoder();
  const delim = enc.encode(`--${boundary}`);
  const parts: Part[] = [];
  let pos = indexOf(bytes, delim, 0);
  while (pos >= 0) {
    let start = pos + delim.length;
    if (bytes[start] === 0x2d && bytes[start + 1] === 0x2d) break; // closing `--`
    if (bytes[start] === 0x0d) start += 2;
    else if (bytes[start] === 0x0a) start += 1;
    const next = indexOf(bytes, delim, start);
    if (next < 0) break;
    let end = next;
    if (bytes[end - 1] === 0x0a) end--;
    if (bytes[end - 1] === 0x0d) end--;
    const chunk = bytes.subarray(start, end);
    const crlf = indexOf(chunk, enc.encode("\r\n\r\n"), 0);
    const lf = crlf < 0 ? indexOf(chunk, enc.encode("\n\n"), 0) : -1;
    const headEnd = crlf >= 0 ? crlf : lf;
    const sep = crlf >= 0 ? 4 : 2;
    const head = headEnd >= 0 ? asLossyText(chunk.subarray(0, headEnd)) : "";
    const body = headEnd >= 0 ? chunk.subarray(headEnd + sep) : chunk;
    const headers: [string, string][] = head
      .split(/\r?\n/)
      .filter((l) => l.includes(":"))
      .map((l) => [l.slice(0, l.indexOf(":")).trim().toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]);
    const disposition = headers.find(([k]) => k === "content-disposition")?.[1] ?? "";
    const param = (key: string) => {
      const m = new RegExp(`${key}="([^"]*)"|${key}=([^;\\s]+)`, "i").exec(disposition);
      return m ? (m[1] ?? m[2]) : null;
    };
    parts.push({
      name: param("name"),
      filename: param("filename"),
      contentType: headers.find(([k]) => k === "content-type")?.[1] ?? null,
      headers,
      bytes: body,
    });
    pos = next;
  }
  return parts;
}

/** XML re-indented by tags; text content is kept as is. Not a validator. */
export function prettyXml(text: string): string {
  const tokens = text.replace(/>\s+</g, "><").split(/(<[^>]+>)/).filter((t) => t.trim() !== "");
  let depth = 0;
  const out: string[] = [];
  // `<a>text</a>` stays on one line: after an opening tag, its text and closing tag are appended.
  let afterOpening = false;
  let inlineText = false;
  for (const t of tokens) {
    const isTag = t.startsWith("<");
    const closing = t.startsWith("</");
    const standalone = /\/>$/.test(t) || t.startsWith("<?") || t.startsWith("<!");
    const opening = isTag && !closing && !standalone;
    if (!isTag && afterOpening) {
      out[out.length - 1] += t;
      inlineText = true;
      afterOpening = false;
      continue;
    }
    if (closing) depth = Math.max(0, depth - 1);
    if (closing && inlineText) out[out.length - 1] += t;
    else out.push("  ".repeat(depth) + t);
    if (opening) depth++;
    afterOpening = opening;
    inlineText = false;
  }
  return out.join("\n");
}

/** A file name safe to offer for a download. */
export function safeFileName(name: string | null, fallback: string): string {
  const cleaned = (name ?? "").replace(/[\\/:*?"<>|\x00-\x1f]/g, "_").trim();
  return cleaned || fallback;
}
