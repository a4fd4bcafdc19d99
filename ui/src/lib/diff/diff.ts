// Structural diff of two events: headers by name, JSON bodies by path with key order ignored;
// volatile fields (ids, timestamps, signatures) are flagged so the view can dim them.
import type { Header } from "../bindings";

export type Change = "same" | "added" | "removed" | "changed";

export type DiffLine = {
  path: string;
  change: Change;
  before?: string;
  after?: string;
  volatile: boolean;
};

const VOLATILE =
  /(^|[._-])(id|uuid|nonce|created|updated|timestamp|time|date|signature|sig|request[_-]?id|delivery|idempotency[_-]?key)$|(_at|At|_id|Id|_ts)$/i;

export function isVolatile(path: string): boolean {
  const last = path.split(/[.[\]]/).filter(Boolean).pop() ?? "";
  return VOLATILE.test(last);
}

function leaf(v: unknown): string {
  return JSON.stringify(v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function jsonDiff(a: unknown, b: unknown, path = ""): DiffLine[] {
  const here = path || "$";
  if (isObject(a) && isObject(b)) {
    const keys = Array.from(new Set([...Object.keys(a), ...Object.keys(b)])).sort();
    return keys.flatMap((k) => {
      const p = path ? `${path}.${k}` : k;
      if (!(k in a)) return [{ path: p, change: "added" as const, after: leaf(b[k]), volatile: isVolatile(p) }];
      if (!(k in b)) return [{ path: p, change: "removed" as const, before: leaf(a[k]), volatile: isVolatile(p) }];
      return jsonDiff(a[k], b[k], p);
    });
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    const out: DiffLine[] = [];
    for (let i = 0; i < n; i++) {
      const p = `${path}[${i}]`;
      if (i >= a.length) out.push({ path: p, change: "added", after: leaf(b[i]), volatile: isVolatile(path) });
      else if (i >= b.length) out.push({ path: p, change: "removed", before: leaf(a[i]), volatile: isVolatile(path) });
      else out.push(...jsonDiff(a[i], b[i], p));
    }
    return out;
  }
  const before = leaf(a);
  const after = leaf(b);
  return [{ path: here, change: before === after ? "same" : "changed", before, after, volatile: isVolatile(here) }];
}

export function headerDiff(a: Header[], b: Header[]): DiffLine[] {
  const group = (hs: Header[]) => {
    const m = new Map<string, string>();
    for (const h of hs) m.set(h.name, m.has(h.name) ? `${m.get(h.name)}, ${h.value}` : h.value);
    return m;
  };
  const ga = group(a);
  const gb = group(b);
  const names = Array.from(new Set([...ga.keys(), ...gb.keys()])).sort();
  return names.map((name) => {
    const before = ga.get(name);
    const after = gb.get(name);
    const change: Change = before === undefined ? "added" : after === undefined ? "removed" : before === after ? "same" : "changed";
    return { path: name, change, before, after, volatile: isVolatile(name) };
  });
}
