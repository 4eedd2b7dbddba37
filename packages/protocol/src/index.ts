// The Orrery wire contract: one schema per wire type, shared by server, SDKs and dashboard.
export * from "./values.js";
export * from "./limits.js";
export * from "./wire/errors.js";
export * from "./wire/records.js";
export * from "./wire/runs.js";
export * from "./wire/history.js";
export * from "./wire/live.js";
export * from "./wire/sweeps.js";
export * from "./wire/artifacts.js";
export * from "./wire/media.js";
export * from "./wire/views.js";
export * from "./wire/insights.js";
export * from "./wire/tables.js";
export * from "./filter/index.js";
export * from "./filter/table-filter.js";
