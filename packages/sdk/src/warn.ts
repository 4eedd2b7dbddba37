// Owns the SDK's own stderr lines. They bypass console capture (so the tracker's notices do not
// end up in the run's console log) and never throw: a closed stderr must not crash training.

let rawStderr: ((text: string) => void) | null = null;

/** Console capture installs the unwrapped stderr writer here while it is active. */
export function setRawStderr(write: ((text: string) => void) | null): void {
  rawStderr = write;
}

/** Prints one line prefixed with `orrery: `. */
export function warn(line: string): void {
  const text = `orrery: ${line}\n`;
  try {
    if (rawStderr) rawStderr(text);
    else process.stderr.write(text);
  } catch {
    // stderr gone (closed pipe): nothing sensible left to do.
  }
}
