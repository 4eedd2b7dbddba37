// The wire shapes added for the dashboard: the examples the OpenAPI document shows are valid
// instances of their schemas, and the live stream's event names are the ones the server sends.
import { describe, expect, it } from "vitest";
import { Value } from "@sinclair/typebox/value";
import { FormatRegistry, type TSchema } from "@sinclair/typebox";
import { MetricValue } from "./records.js";
import { RunRow } from "./runs.js";
import { LIVE_EVENTS, LiveProjectEvent, LiveQuery, LiveRunsEvent } from "./live.js";
import { MAX_QUERY_RUNS, MultiRunQuery, MultiSeriesQuery, MultiSeriesResponse } from "./history.js";

const refs = [MetricValue, RunRow] as TSchema[];
// TypeBox checks formats only once told what they mean (the server's Ajv knows date-time itself).
if (!FormatRegistry.Has("date-time")) FormatRegistry.Set("date-time", (v) => /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v)));
const example = (s: TSchema): unknown => (s as { example?: unknown }).example;

describe("the multi-run history and live wire shapes", () => {
  it("have examples that are valid instances of their schemas", () => {
    for (const schema of [MultiSeriesResponse, LiveRunsEvent]) {
      expect(example(schema), schema.$id).toBeDefined();
      expect(Value.Check(schema, refs, example(schema)), schema.$id).toBe(true);
    }
    expect(Value.Check(LiveProjectEvent, {})).toBe(true);
  });

  it("name the live events runs and project", () => {
    expect(LIVE_EVENTS).toEqual({ runs: "runs", project: "project" });
  });

  it("take runs as required text and leave their count to the server, which caps it at 100", () => {
    expect(MAX_QUERY_RUNS).toBe(100);
    expect(Value.Check(MultiSeriesQuery, { runs: "a,b", keys: "loss" })).toBe(true);
    expect(Value.Check(MultiSeriesQuery, { keys: "loss" })).toBe(false);
    expect(Value.Check(MultiSeriesQuery, { runs: "a", keys: "loss", colour: "red" })).toBe(false);
    expect(Value.Check(MultiRunQuery, { runs: "a" })).toBe(true);
    expect(Value.Check(LiveQuery, {})).toBe(true);
    expect(Value.Check(LiveQuery, { key: "ork_x" })).toBe(true);
  });
});
