// Makes `npm test` work on a fresh Debian machine: the browser tests drive Debian's Chromium,
// which npm cannot provide. Installs it with apt-get when running as root, otherwise says how.
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";

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
