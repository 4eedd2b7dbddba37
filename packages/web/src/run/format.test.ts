import { describe, expect, it } from "vitest";
import { relativeTime, shellQuote } from "./format";

const now = Date.parse("2026-01-05T12:00:00Z");
const ago = (s: number) => new Date(now - s * 1000).toISOString();

describe("relativeTime", () => {
  it("says just now for the last few seconds and for times slightly in the future", () => {
    expect(relativeTime(ago(3), now)).toBe("just now");
    expect(relativeTime(ago(-5), now)).toBe("just now");
  });
  it("uses the largest whole unit and singular for one", () => {
    expect(relativeTime(ago(45), now)).toBe("45 seconds ago");
    expect(relativeTime(ago(60), now)).toBe("1 minute ago");
    expect(relativeTime(ago(3 * 60 + 59), now)).toBe("3 minutes ago");
    expect(relativeTime(ago(2 * 3600), now)).toBe("2 hours ago");
    expect(relativeTime(ago(3 * 86_400), now)).toBe("3 days ago");
    expect(relativeTime(ago(400 * 86_400), now)).toBe("1 year ago");
  });
  it("gives empty text for missing or unparsable times", () => {
    expect(relativeTime(null, now)).toBe("");
    expect(relativeTime("not a time", now)).toBe("");
  });
});

describe("shellQuote", () => {
  it("leaves plain arguments alone and quotes the rest", () => {
    expect(shellQuote("--lr=0.1")).toBe("--lr=0.1");
    expect(shellQuote("two words")).toBe("'two words'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote("")).toBe("''");
  });
});
