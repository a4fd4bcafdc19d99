// The one question a replay may ask: may captured payloads go to a host that is not loopback?
// Components await `consent.ask(reason)`; ConsentDialog (mounted once in the window) answers.

type Pending = { reason: string; resolve: (yes: boolean) => void };

class Consent {
  pending = $state<Pending | null>(null);

  ask(reason: string): Promise<boolean> {
    this.pending?.resolve(false);
    return new Promise((resolve) => {
      this.pending = { reason, resolve };
    });
  }

  answer(yes: boolean): void {
    const p = this.pending;
    this.pending = null;
    p?.resolve(yes);
  }
}

export const consent = new Consent();
