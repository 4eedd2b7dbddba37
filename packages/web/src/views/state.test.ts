import { describe, expect, it } from "vitest";
import { parseRoute, paths } from "../state/router";
import { describeState, pendingViewId, statesDiffer, viewHref, viewStateFrom } from "./state";

describe("saved view state", () => {
  it("a view saves the query string without its view= parameter", () => {
    expect(viewStateFrom("?view=abc&filter=a+%3E+1&sel=r1%7Er2")).toBe("filter=a+%3E+1&sel=r1%7Er2");
    expect(viewStateFrom("group=state")).toBe("group=state");
    expect(viewStateFrom("")).toBe("");
  });

  it("an opened view's URL names the view first, then its state", () => {
    expect(viewHref("ada", "vision", "v1", "filter=x&sel=r1")).toBe("/p/ada/vision?view=v1&filter=x&sel=r1");
    expect(viewHref("ada", "vision", "v1")).toBe("/p/ada/vision?view=v1");
    expect(viewHref("ada", "vision", "v1", "view=old&q=a")).toBe("/p/ada/vision?view=v1&q=a");
  });

  it("only a bare view link is still to be applied", () => {
    expect(pendingViewId("?view=v1")).toBe("v1");
    expect(pendingViewId("view=v1")).toBe("v1");
    expect(pendingViewId("?view=v1&filter=x")).toBeNull();
    expect(pendingViewId("?filter=x")).toBeNull();
    expect(pendingViewId("?view=")).toBeNull();
  });

  it("states that differ only in parameter order or view= are the same", () => {
    expect(statesDiffer("a=1&b=2", "b=2&a=1&view=v1")).toBe(false);
    expect(statesDiffer("a=1&b=2", "a=1&b=3")).toBe(true);
    expect(statesDiffer("a=1", "")).toBe(true);
  });

  it("a state is summarized by its filter, grouping and run counts", () => {
    expect(describeState("filter=config.lr+%3E+0.1&group=config.opt~state&sel=r1~r2&hide=r3")).toBe(
      "filter config.lr > 0.1 · grouped by config.opt, state · 2 selected · 1 hidden",
    );
    expect(describeState("cols=~")).toBe("all runs");
  });

  it("the views page's path parses back to that page", () => {
    expect(parseRoute(paths.views("ada", "vision"))).toEqual({ page: "views", entity: "ada", project: "vision" });
    expect(parseRoute("/p/ada/vision/views/x")).toEqual({ page: "notFound", path: "/p/ada/vision/views/x" });
  });
});
