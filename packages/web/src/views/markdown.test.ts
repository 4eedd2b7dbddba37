import { describe, expect, it } from "vitest";
import { renderNote } from "./markdown";

describe("view notes", () => {
  it("markdown renders: bold, lists and links that open in a new tab", () => {
    const html = renderNote("**best** runs\n\n- one\n- two\n\n[docs](https://example.com/a)");
    expect(html).toContain("<strong>best</strong>");
    expect(html).toContain("<li>one</li>");
    expect(html).toContain('<a href="https://example.com/a" target="_blank" rel="noopener noreferrer">docs</a>');
  });

  it("raw HTML is shown as text, never as markup", () => {
    const html = renderNote('<script>alert("x")</script> <img src=x onerror=alert(1)>');
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;");
  });

  it("javascript: links are not made into links", () => {
    const html = renderNote("[click](javascript:alert(1)) and <javascript:alert(1)>");
    expect(html).not.toMatch(/href="javascript/i);
  });

  it("an empty note renders nothing", () => {
    expect(renderNote("  \n")).toBe("");
  });
});
