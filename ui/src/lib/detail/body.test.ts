import { describe, expect, it } from "vitest";
import { asText, boundaryOf, classify, hexDump, parseForm, parseMultipart, prettyJson, prettyXml, safeFileName } from "./body";
import { sampleCurl, shellQuote, toCurl } from "./curl";
import type { EventDetail } from "../bindings";

const enc = (s: string) => new TextEncoder().encode(s);

describe("classification", () => {
  it("recognises JSON, form, multipart, XML, text and binary", () => {
    expect(classify("application/json", enc('{"a":1}'))).toBe("json");
    expect(classify(null, enc("[1,2]"))).toBe("json");
    expect(classify("application/json", enc("{not json"))).toBe("text");
    expect(classify("application/x-www-form-urlencoded", enc("a=1&b=2"))).toBe("form");
    expect(classify('multipart/form-data; boundary="xyz"', enc("--xyz\r\n"))).toBe("multipart");
    expect(classify("text/xml", enc("<a/>"))).toBe("xml");
    expect(classify("text/plain", enc("hello"))).toBe("text");
    expect(classify("application/octet-stream", new Uint8Array([0xff, 0xfe, 0x00]))).toBe("binary");
    expect(classify(null, new Uint8Array())).toBe("empty");
  });

  it("does not parse a large body just to classify it", () => {
    const big = "[" + "1,".repeat(1_200_000) + "1]";
    expect(classify("application/json", enc(big))).toBe("json");
  });
});

describe("views", () => {
  it("pretty-prints JSON", () => {
    expect(prettyJson('{"a":{"b":1}}')).toBe('{\n  "a": {\n    "b": 1\n  }\n}');
    expect(prettyJson("nope")).toBeNull();
  });

  it("dumps hex with offsets and ASCII", () => {
    const dump = hexDump(enc("Hello\x00"));
    expect(dump).toBe("00000000  48 65 6c 6c 6f 00" + " ".repeat(47 - 17) + "  |Hello.|");
    expect(hexDump(new Uint8Array(40), 16)).toContain("… 24 more bytes");
  });

  it("keeps repeated form keys in order", () => {
    expect(parseForm("a=1&b=x%20y&a=2")).toEqual([["a", "1"], ["b", "x y"], ["a", "2"]]);
  });

  it("lists multipart parts with names, file names, types and bytes", () => {
    const body = enc(
      '--B\r\nContent-Disposition: form-data; name="field"\r\n\r\nvalue\r\n' +
        '--B\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nfile body\r\n--B--\r\n',
    );
    expect(boundaryOf("multipart/form-data; boundary=B")).toBe("B");
    const parts = parseMultipart(body, "B");
    expect(parts.map((p) => [p.name, p.filename, p.contentType, asText(p.bytes)])).toEqual([
      ["field", null, null, "value"],
      ["file", "a.txt", "text/plain", "file body"],
    ]);
  });

  it("indents XML by tags", () => {
    expect(prettyXml("<a><b>x</b><c/></a>")).toBe("<a>\n  <b>x</b>\n  <c/>\n</a>");
  });

  it("makes file names safe", () => {
    expect(safeFileName("../../etc/passwd", "x")).toBe(".._.._etc_passwd");
    expect(safeFileName(null, "fallback")).toBe("fallback");
  });
});

describe("cURL", () => {
  it("quotes for the shell", () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  it("rebuilds the request against the capture URL", () => {
    const detail = {
      summary: { method: "POST", path: "/stripe", query: "a=1" },
      headers: [
        { name: "host", value: "x" },
        { name: "stripe-signature", value: "t=1,v1=abc" },
      ],
    } as unknown as EventDetail;
    expect(toCurl(detail, '{"a":1}', "http://127.0.0.1:8787")).toBe(
      "curl -X POST 'http://127.0.0.1:8787/stripe?a=1' \\\n  -H 'stripe-signature: t=1,v1=abc' \\\n  --data-binary '{\"a\":1}'",
    );
    expect(sampleCurl("http://h/")).toContain("-d '{\"type\":\"test.event\"");
  });
});
