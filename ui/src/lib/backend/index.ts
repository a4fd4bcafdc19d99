// The backend seam: components talk to the app through `call` and `listen` only, never to
// `@tauri-apps/api` directly. The Tauri implementation is the default; tests install a mock.
import type { Api, ApiError, LiveEvents } from "../bindings";

export type Unlisten = () => void;

export interface Backend {
  call<K extends keyof Api>(cmd: K, req: Api[K]["req"]): Promise<Api[K]["res"]>;
  listen<E extends keyof LiveEvents>(
    event: E,
    handler: (payload: LiveEvents[E]) => void,
  ): Promise<Unlisten>;
}

/** A failed command: the backend's stable code and its reason. */
export class BackendError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  static from(e: unknown): BackendError {
    if (e instanceof BackendError) return e;
    if (e && typeof e === "object" && "code" in e && "message" in e) {
      const { code, message } = e as ApiError;
      return new BackendError(String(code), String(message));
    }
    return new BackendError("internal", e instanceof Error ? e.message : String(e));
  }
}

let current: Backend | null = null;

export function setBackend(b: Backend): void {
  current = b;
}

function backend(): Backend {
  if (!current) throw new BackendError("internal", "no backend installed");
  return current;
}

/** Call a command; rejects with a BackendError. */
export async function call<K extends keyof Api>(cmd: K, req: Api[K]["req"]): Promise<Api[K]["res"]> {
  try {
    return await backend().call(cmd, req);
  } catch (e) {
    throw BackendError.from(e);
  }
}

export function listen<E extends keyof LiveEvents>(
  event: E,
  handler: (payload: LiveEvents[E]) => void,
): Promise<Unlisten> {
  return backend().listen(event, handler);
}
