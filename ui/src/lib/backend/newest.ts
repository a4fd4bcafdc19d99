// Answers can come back out of order (a slow read started before a quick one): each request
// takes a ticket, and only the newest ticket's answer may be applied.

export class Newest {
  private last = 0;

  /** A ticket for a request about to be made. */
  take(): number {
    return ++this.last;
  }

  /** Whether no request was started after the one holding `ticket`. */
  isNewest(ticket: number): boolean {
    return ticket === this.last;
  }
}
