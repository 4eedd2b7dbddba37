// Owns the dashboard's names for the table wire shapes: they are the protocol's schemas (the keys a
// run logged tables under, a page of one table, one table joined across runs, a confusion matrix),
// re-exported so the table views import them from one place, plus the query shapes the client sends.
import type { TableCellOut, TableCompare, TableCompareColumn, TableKeys } from "@orrery/protocol";

export type { ConfusionMatrix as Confusion, TableColumn, TableColumnType, TableKeys, TablePage } from "@orrery/protocol";
/** A cell as the server pages it: image cells become `{image: url}`; numbers may be "NaN"/"Infinity". */
export type TableCell = TableCellOut;
export type TableKey = TableKeys["keys"][number];
export type TableComparePage = TableCompare;
export type CompareColumn = TableCompareColumn;

export interface TableQuery { step?: number | null; sort?: string; filter?: string; offset?: number; limit?: number }
export interface TableCompareQuery extends TableQuery { runs: string[]; key: string; join: string }
