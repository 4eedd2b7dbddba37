// The live bus: subscribers hear their own project's runs, everyone hears a project-wide change,
// and unsubscribing (or a listener that throws) leaves the others alone.
import { describe, expect, it } from "vitest";
import { LiveBus, type LiveChange } from "./bus.js";

const A = { entity: "ada", project: "digits" };
const B = { entity: "ada", project: "faces" };

describe("LiveBus", () => {
  it("delivers a project's changed runs to that project's subscribers only", () => {
    const bus = new LiveBus();
    const a: LiveChange[] = [];
    const b: LiveChange[] = [];
    bus.subscribe(A, (c) => a.push(c));
    bus.subscribe(B, (c) => b.push(c));
    bus.publishRuns(A, ["r1"]);
    bus.publishRuns(A, []);
    expect(a).toEqual([{ kind: "runs", runIds: ["r1"] }]);
    expect(b).toEqual([]);
  });

  it("tells every subscriber of every project to reload on publishAll", () => {
    const bus = new LiveBus();
    const heard: string[] = [];
    bus.subscribe(A, (c) => heard.push(`a:${c.kind}`));
    bus.subscribe(B, (c) => heard.push(`b:${c.kind}`));
    bus.publishAll();
    expect(heard.sort()).toEqual(["a:project", "b:project"]);
  });

  it("stops delivering after unsubscribe and forgets empty projects", () => {
    const bus = new LiveBus();
    const heard: LiveChange[] = [];
    const off = bus.subscribe(A, (c) => heard.push(c));
    expect(bus.size).toBe(1);
    off();
    off();
    bus.publishRuns(A, ["r1"]);
    expect(heard).toEqual([]);
    expect(bus.size).toBe(0);
  });

  it("keeps delivering to the others when one listener throws", () => {
    const bus = new LiveBus();
    const heard: LiveChange[] = [];
    bus.subscribe(A, () => { throw new Error("closing"); });
    bus.subscribe(A, (c) => heard.push(c));
    expect(() => bus.publishRuns(A, ["r2"])).not.toThrow();
    expect(heard).toHaveLength(1);
  });
});
