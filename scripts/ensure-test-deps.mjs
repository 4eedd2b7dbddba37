// Makes `npm test` work on a fresh Debian machine: the browser tests drive Debian's Chromium, and
// the Python client's tests and examples need Debian's python3 with torch, scikit-learn and
// XGBoost, none of which npm can provide. Installs them with apt-get when running as root with
// apt available, otherwise says how.
import { existsSync } from "node:fs";
import { execFileSync, spawnSync } from "node:child_process";

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(chromium)) {
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (!root) {
    console.error(`The browser tests need Chromium at ${chromium}. Install it with 'sudo apt-get install -y chromium' (or set CHROMIUM_PATH), then run npm test again.`);
    process.exit(1);
  }
  console.error("Installing Debian's chromium for the browser tests (apt-get)...");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-q"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "-q", "chromium"], { stdio: "inherit", env });
}

// Debian's packages are seen by /usr/bin/python3 only, which is what the tests run.
const python = "/usr/bin/python3";
const pythonPackages = ["python3", "python3-torch", "python3-sklearn", "python3-xgboost"];
const pythonReady = spawnSync(python, ["-c", "import torch, sklearn, xgboost"], { stdio: "ignore" }).status === 0;
if (!pythonReady) {
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  const apt = spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0;
  if (!root || !apt) {
    console.error(`The Python client's tests need ${python} with torch, scikit-learn and XGBoost. Install them with 'sudo apt-get install -y ${pythonPackages.join(" ")}', then run npm test again.`);
    process.exit(1);
  }
  console.error("Installing Debian's python3 with torch, scikit-learn and XGBoost for the Python client's tests (apt-get)...");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-q"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "-q", ...pythonPackages], { stdio: "inherit", env });
}
