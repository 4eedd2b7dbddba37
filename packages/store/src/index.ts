// Public surface of @orrery/store: the storage contract, the pure bucketing core, and openStore,
// which picks an engine by URL scheme. Engine modules stay private and load lazily.
export * from "./interfaces.js";
export { bucketMinMax, type Columns } from "./series/bucket.js";
export { openStore } from "./registry.js";
export { encodeTableBody, imageSize, parseTableBody, TABLE_BODY_VERSION, type StoredCell, type StoredImageCell, type TableBody } from "./tables/body.js";
