// Sending one replay from the window: the remote-target question, then a toast with the answer.
import { call } from "../backend";
import type { ReplayAttempt, ReplaySpec } from "../bindings";
import { toasts } from "../toast/toasts.svelte";
import { consent } from "./consent.svelte";
import { formatLatency, withRemoteConsent } from "./edits";

/** Send `spec`; `null` when the user declined a remote target or it failed (toasted). */
export async function sendReplay(spec: ReplaySpec, remember: boolean): Promise<ReplayAttempt | null> {
  try {
    const attempt = await withRemoteConsent(
      (allowRemote) => call("replay_send", { spec, allowRemote, remember }),
      (reason) => consent.ask(reason),
    );
    if (attempt) announce(attempt);
    return attempt;
  } catch (e) {
    toasts.error(`Could not replay event #${spec.eventId}`, e);
    return null;
  }
}

function announce(a: ReplayAttempt): void {
  const where = a.sent?.url ?? a.target;
  if (a.status === null) toasts.push("error", `Replay of #${a.eventId} got no answer`, `${where}: ${a.error ?? "no reason given"}`);
  else if (a.status >= 200 && a.status < 300) toasts.info(`Replayed #${a.eventId}: ${a.status}`, `${where} in ${formatLatency(a.latencyMs)}`);
  else toasts.push("error", `Replay of #${a.eventId} answered ${a.status}`, where);
}
