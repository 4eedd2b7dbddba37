// Runs the Python client's unit tests (clients/python/tests, unittest) with Debian's interpreter,
// which is the one that sees python3-torch, python3-sklearn and python3-xgboost. A missing
// /usr/bin/python3 fails this test with a message saying what to install; it is never skipped.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

const PYTHON = "/usr/bin/python3";
const CLIENT = join(ROOT, "clients/python");

function runUnittest(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ["-m", "unittest", "discover", "-s", join(CLIENT, "tests"), "-v"], {
      cwd: ROOT,
      env: { ...process.env, PYTHONPATH: CLIENT, PYTHONDONTWRITEBYTECODE: "1", ORRERY_MODE: "", ORRERY_DIR: "", ORRERY_URL: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => { output += d.toString(); });
    child.stderr.on("data", (d: Buffer) => { output += d.toString(); });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, output }));
  });
}

describe("the Python client", () => {
  it("passes its unit tests under /usr/bin/python3", async () => {
    expect(existsSync(PYTHON), `${PYTHON} is missing: install Debian's python3 (apt-get install python3) to test the Python client`).toBe(true);
    const { code, output } = await runUnittest();
    if (code !== 0) console.error(output);
    expect(code, `python -m unittest failed:\n${output.slice(-20_000)}`).toBe(0);
    expect(output).toMatch(/\nOK/);
  }, 300_000);
});
