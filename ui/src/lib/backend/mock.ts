// A scriptable backend for unit tests: answers from handlers, records calls, emits events.
import type { Api, LiveEvents } from "../bindings";
import type { Backend } from "./index";

type Handlers = { [K in keyof Api]?: (req: Api[K]["req"]) => Api[K]["res"] | Promise<Api[K]["res"]> };

export class MockBackend implements Backend {
  calls: { cmd: string; req: unknown }[] = [];
  private listeners = new Map<string, Set<(p: unknown) => void>>();

  constructor(private handlers: Handlers = {}) {}

  async call<K extends keyof Api>(cmd: K, req: Api[K]["req"]): Promise<Api[K]["res"]> {
    this.calls.push({ cmd, req });
    const h = this.handlers[cmd] as ((r: Api[K]["req"]) => Api[K]["res"]) | undefined;
    if (!h) throw { code: "internal", message: `no mock for ${cmd}` };
    return h(req);
  }

  async listen<E extends keyof LiveEvents>(event: E, handler: (p: LiveEvents[E]) => void) {
    const set = this.listeners.get(event) ?? new Set();
    set.add(handler as (p: unknown) => void);
    this.listeners.set(event, set);
    return () => set.delete(handler as (p: unknown) => void);
  }

  emit<E extends keyof LiveEvents>(event: E, payload: LiveEvents[E]): void {
    for (const h of this.listeners.get(event) ?? []) h(payload);
  }

  listening(event: keyof LiveEvents): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }
}
