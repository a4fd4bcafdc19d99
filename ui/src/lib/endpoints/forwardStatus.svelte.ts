// Every endpoint's auto-forward status, kept fresh: re-read when a forward try is recorded
// (the `forward-attempted` live event), when events arrive on a forwarding endpoint (the
// backlog grows), and when endpoints change. The sidebar and the editor read it.
import { call, listen, type Unlisten } from "../backend";
import type { ForwardStatusRes } from "../bindings";

export class ForwardStatuses {
  bySlug = $state<Record<string, ForwardStatusRes>>({});
  onError: (e: unknown) => void = () => {};
  private unlisten: Unlisten[] = [];

  async refresh(slug: string): Promise<void> {
    try {
      const s = await call("forward_status", { slug });
      this.bySlug = { ...this.bySlug, [slug]: s };
    } catch (e) {
      this.onError(e);
    }
  }

  /** Read the given endpoints' statuses and forget the rest (deleted endpoints). */
  async refreshAll(slugs: string[]): Promise<void> {
    const keep = new Set(slugs);
    this.bySlug = Object.fromEntries(Object.entries(this.bySlug).filter(([k]) => keep.has(k)));
    await Promise.all(slugs.map((s) => this.refresh(s)));
  }

  /** A status from a command's answer (set / clear), without a round trip. */
  put(s: ForwardStatusRes): void {
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
