// Owns turning a view's markdown note into HTML that is safe to insert: markdown-it with raw HTML
// off (a <script> in a note shows as text), its link check (no javascript:, vbscript:, file: or
// non-image data: URLs), and links that open in a new tab without access to this page.
import MarkdownIt from "markdown-it";

const md = new MarkdownIt({ html: false, linkify: true, breaks: false });

const defaultLinkOpen = md.renderer.rules.link_open
  ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  token.attrSet("target", "_blank");
  token.attrSet("rel", "noopener noreferrer");
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** The note as HTML; empty text gives an empty string. */
export function renderNote(markdown: string): string {
  return markdown.trim() === "" ? "" : md.render(markdown);
}
