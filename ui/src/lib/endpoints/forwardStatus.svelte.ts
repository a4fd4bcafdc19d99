// Every endpoint's auto-forward status, kept fresh: re-read when a forward try is recorded
// (the `forward-attempted` live event), when events arrive on a forwarding endpoint (the
// backlog grows), and when endpoints change. The sidebar and the editor read it.
//
// Under load `events-captured` comes many times a second: per endpoint at most one read is in
// flight and one more is queued behind it (it sees everything asked for meanwhile). A read's
// answer is dropped when a newer status came in since it started (a command's answer, or the
// endpoint was forgotten).
import { call, listen, type Unlisten } from "../backend";
import type { ForwardStatusRes } from "../bindings";

type Reading = { again: boolean; done: Promise<void> };

export class ForwardStatuses {
  bySlug = $state<Record<string, ForwardStatusRes>>({});
  onError: (e: unknown) => void = () => {};
  private unlisten: Unlisten[] = [];
  private reading = new Map<string, Reading>();
  /** Bumped whenever a slug's status is set other than by a read. */
  private version = new Map<string, number>();

  /** Re-read `slug`; resolves once a read that started after this call has answered. */
  refresh(slug: string): Promise<void> {
    const busy = this.reading.get(slug);
    if (busy) {
      busy.again = true;
      return busy.done;
    }
    const r: Reading = { again: false, done: Promise.resolve() };
    this.reading.set(slug, r);
    r.done = (async () => {
      do {
        r.again = false;
        await this.read(slug);
      } while (r.again);
      this.reading.delete(slug);
    })();
    return r.done;
  }

  private async read(slug: string): Promise<void> {
    const seen = this.version.get(slug) ?? 0;
    try {
      const s = await call("forward_status", { slug });
      if ((this.version.get(slug) ?? 0) === seen) this.bySlug = { ...this.bySlug, [slug]: s };
    } catch (e) {
      this.onError(e);
    }
  }

  private bump(slug: string): void {
    this.version.set(slug, (this.version.get(slug) ?? 0) + 1);
  }

  /** Read the given endpoints' statuses and forget the rest (deleted endpoints). */
  async refreshAll(slugs: string[]): Promise<void> {
    const keep = new Set(slugs);
    for (const slug of new Set([...Object.keys(this.bySlug), ...this.reading.keys()])) {
      if (keep.has(slug)) continue;
      this.bump(slug);
      const r = this.reading.get(slug);
      if (r) r.again = false;
    }
    this.bySlug = Object.fromEntries(Object.entries(this.bySlug).filter(([k]) => keep.has(k)));
    await Promise.all(slugs.map((s) => this.refresh(s)));
  }

  /** A status from a command's answer (set / clear), without a round trip. */
  put(s: ForwardStatusRes): void {
    this.bump(s.endpoint);
    this.bySlug = { ...this.bySlug, [s.endpoint]: s };
  }

  async start(): Promise<void> {
    this.unlisten.push(
      await listen("forward-attempted", (a) => void this.refresh(a.endpoint)),
      await listen("events-captured", (batch) => {
        const forwarding = new Set(batch.map((e) => e.endpoint).filter((slug) => this.bySlug[slug]?.target));
        for (const slug of forwarding) void this.refresh(slug);
      }),
    );
  }

  stop(): void {
    for (const u of this.unlisten.splice(0)) u();
  }
}

export const forwardStatuses = new ForwardStatuses();
