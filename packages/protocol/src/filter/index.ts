// The runs filter grammar: parse text to an AST (with positioned errors), print it back, and
// evaluate it on one run. Pure: no I/O, shared by the server, the store and the dashboard.
export * from "./ast.js";
export { FilterSyntaxError } from "./errors.js";
export { tokenize, type Token, type WordPart } from "./lexer.js";
export {
  FILTER_LIMITS, formatField, formatFilter, formatPath, parseField, parseFieldList, parseFilter, parseSort, splitList,
  type ListItem,
} from "./parser.js";
export { asciiLower, compareText, evaluateFilter, normalizeLeaf, type FilterSubject } from "./evaluate.js";
