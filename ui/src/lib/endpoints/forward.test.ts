import { describe, expect, it } from "vitest";
import type { ForwardStatusRes, ForwardTry } from "../bindings";
import {
  asksConsent,
  checkTarget,
  consentHolds,
  formFromStatus,
  glance,
  isLoopbackUrl,
  parseForwardForm,
  shortTarget,
  targetHost,
  tryOutcome,
} from "./forward";

function tried(over: Partial<ForwardTry> = {}): ForwardTry {
  return { id: 1, eventId: 7, attempt: 1, createdAt: "", target: "http://localhost:3000/", status: 204, error: null, latencyMs: 3, ...over };
}

function status(over: Partial<ForwardStatusRes> = {}): ForwardStatusRes {
  return {
    endpoint: "stripe",
    target: "http://localhost:3000/",
    settings: {
      timeoutMs: 300000, retryInitialMs: 500, retryMaxMs: 30000, maxAttempts: 5,
      allowRemote: false, followRedirects: false, respond: "rule", respondTimeoutMs: 10000,
    },
    backlog: 0,
    recent: [],
    delivering: true,
    ...over,
  };
}

describe("targets", () => {
  it("tells loopback from remote and refuses what is not a URL", () => {
    expect(isLoopbackUrl("http://localhost:3000/x")).toBe(true);
    expect(isLoopbackUrl("http://127.0.0.1:8080")).toBe(true);
    expect(isLoopbackUrl("http://[::1]:3000")).toBe(true);
    expect(isLoopbackUrl("http://api.localhost")).toBe(true);
    expect(isLoopbackUrl("https://example.com")).toBe(false);
    expect(isLoopbackUrl("http://127.evil.com")).toBe(false);
    expect(isLoopbackUrl("ftp://localhost")).toBe(null);
    expect(isLoopbackUrl("localhost:3000")).toBe(null);
  });

  it("reads hosts as the core does, not as the browser normalises them", () => {
    // The core parses the raw host with Rust's IpAddr: no IPv4 shorthand, hex or leading zeros.
    expect(isLoopbackUrl("http://127.1:3000/")).toBe(false);
    expect(isLoopbackUrl("http://2130706433/")).toBe(false);
    expect(isLoopbackUrl("http://0x7f.0.0.1/")).toBe(false);
    expect(isLoopbackUrl("http://127.0.0.01/")).toBe(false);
    expect(isLoopbackUrl("http://127.0.0.1./")).toBe(false);
    expect(isLoopbackUrl("http://%6cocalhost/")).toBe(false);
    expect(isLoopbackUrl("http://[::ffff:127.0.0.1]/")).toBe(false);
    expect(isLoopbackUrl("http://[0:0:0:0:0:0:0:1]:3000/")).toBe(true);
    expect(isLoopbackUrl("HTTP://LOCALHOST:3000")).toBe(true);
    expect(isLoopbackUrl("http://127.255.0.9")).toBe(true);
    expect(isLoopbackUrl("http://me@localhost/")).toBe(null);
    expect(targetHost("https://Example.COM:8443/x?y")).toBe("example.com");
    expect(targetHost("http://[::1]:3000")).toBe("::1");
  });

  it("asks also for a target the backend refused as remote", () => {
    expect(asksConsent("http://localhost:3000", [])).toBe(false);
    expect(asksConsent("http://example.com", [])).toBe(true);
    expect(asksConsent("http://localhost:3000", ["http://localhost:3000"])).toBe(true);
  });

  it("holds consent only for the host it was given for", () => {
    expect(consentHolds("https://a.example/hooks", "a.example")).toBe(true);
    expect(consentHolds("https://a.example:8443/other", "a.example")).toBe(true);
    expect(consentHolds("https://b.example/hooks", "a.example")).toBe(false);
    expect(consentHolds("https://a.example/hooks", null)).toBe(false);
  });

  it("asks for confirmation before a remote target", () => {
    expect(checkTarget("https://example.com/h", false)).toMatch(/not on this machine/);
    expect(checkTarget("https://example.com/h", true)).toBe(null);
    expect(checkTarget("", true)).toMatch(/not an http/);
  });

  it("shortens plain http targets", () => {
    expect(shortTarget("http://localhost:3000/")).toBe("localhost:3000");
    expect(shortTarget("http://localhost:3000/hooks")).toBe("localhost:3000/hooks");
    expect(shortTarget("https://example.com/")).toBe("https://example.com/");
  });
});

describe("the editor's form", () => {
  it("round-trips the status's settings into a request", () => {
    const parsed = parseForwardForm(formFromStatus(status()));
    expect(parsed).toEqual({
      ok: true,
      value: { target: "http://localhost:3000/", settings: status().settings },
    });
  });

  it("withdraws the stored consent when another remote host is typed", () => {
    const stored = status({ target: "https://a.example/hooks", settings: { ...status().settings, allowRemote: true } });
    const f = formFromStatus(stored);
    expect(parseForwardForm(f)).toMatchObject({ ok: true, value: { settings: { allowRemote: true } } });
    expect(parseForwardForm({ ...f, target: "https://a.example/other" })).toMatchObject({ ok: true });
    expect(parseForwardForm({ ...f, target: "https://b.example/hooks" })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/b\.example\/hooks is not on this machine/),
    });
    expect(parseForwardForm({ ...f, target: "http://localhost:3000" })).toMatchObject({ ok: true });
  });

  it("starts from localhost:3000 when forwarding is off", () => {
    expect(formFromStatus(status({ target: null })).target).toBe("http://localhost:3000");
  });

  it("refuses bad numbers with the reason", () => {
    const f = formFromStatus(status());
    expect(parseForwardForm({ ...f, timeoutS: "0" })).toMatchObject({ ok: false, error: expect.stringMatching(/timeout/) });
    expect(parseForwardForm({ ...f, retryInitialMs: "1.5" })).toMatchObject({ ok: false });
    expect(parseForwardForm({ ...f, retryMaxMs: "100" })).toMatchObject({ ok: false, error: expect.stringMatching(/at least 500/) });
    expect(parseForwardForm({ ...f, maxAttempts: "0" })).toMatchObject({ ok: true });
    expect(parseForwardForm({ ...f, timeoutS: "1.5" })).toMatchObject({ ok: true, value: { settings: { timeoutMs: 1500 } } });
    expect(parseForwardForm({ ...f, respondTimeoutS: "-1" })).toMatchObject({ ok: false, error: expect.stringMatching(/provider's wait/) });
    expect(parseForwardForm({ ...f, respond: "target", respondTimeoutS: "2.5" })).toMatchObject({
      ok: true,
      value: { settings: { respond: "target", respondTimeoutMs: 2500 } },
    });
  });
});

describe("the sidebar's glance", () => {
  it("says off when off", () => {
    expect(glance(undefined)).toMatchObject({ on: false, failed: false });
    expect(glance(status({ target: null }))).toMatchObject({ on: false, text: "forward off" });
  });

  it("shows target, backlog and a failed last try", () => {
    const g = glance(
      status({ backlog: 2, recent: [tried({ status: null, error: "connection refused: nothing is listening on 127.0.0.1:9", attempt: 3 })] }),
    );
    expect(g).toMatchObject({ on: true, failed: true, text: "→ localhost:3000 · 2 waiting · ⚠ connection refused" });
    expect(g.title).toContain("attempt 3");
  });

  it("shows an answered try, a 5xx as failed, and who delivers", () => {
    expect(glance(status({ recent: [tried()] }))).toMatchObject({ failed: false, text: "→ localhost:3000 · ✓ 204" });
    expect(glance(status({ recent: [tried({ status: 503 })] })).failed).toBe(true);
    expect(glance(status({ delivering: false })).title).toContain("another Hookscope process");
    expect(tryOutcome(tried({ status: null, error: null }))).toBe("no answer");
  });
});
