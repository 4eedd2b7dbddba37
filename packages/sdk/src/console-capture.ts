// Owns console capture: wraps process.stdout.write and process.stderr.write while a run is active,
// passes every write through unchanged, and hands the text on in chunks (at most 64 KiB, at most
// once a second per stream) rather than per write, so a chatty progress bar costs few records.
// Restoring the original writers is the caller's job (stop()).
import { LIMITS } from "@orrery/protocol";
import { setRawStderr } from "./warn.js";

export type StreamName = "stdout" | "stderr";
type Write = typeof process.stdout.write;

const FLUSH_DELAY_MS = 1_000;
let active: ConsoleCapture | undefined;

export class ConsoleCapture {
  private readonly buffers: Record<StreamName, string> = { stdout: "", stderr: "" };
  private readonly originals: Record<StreamName, Write>;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  /**
   * Starts capturing, or returns undefined when another run already captures (one process has
   * one stdout; the first run keeps it).
   */
  static start(sink: (stream: StreamName, text: string) => void): ConsoleCapture | undefined {
    if (active) return undefined;
    active = new ConsoleCapture(sink);
    return active;
  }

  private constructor(private readonly sink: (stream: StreamName, text: string) => void) {
    this.originals = { stdout: process.stdout.write, stderr: process.stderr.write };
    process.stdout.write = this.wrap("stdout");
    process.stderr.write = this.wrap("stderr");
    const rawErr = this.originals.stderr;
    setRawStderr((text) => void rawErr.call(process.stderr, text));
  }

  /** Hands on everything buffered so far. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.drain("stdout");
    this.drain("stderr");
  }

  /** Flushes and puts the original writers back (unless someone replaced ours meanwhile). */
  stop(): void {
    if (this.stopped) return;
    this.flush();
    this.stopped = true;
    for (const name of ["stdout", "stderr"] as const) {
      const stream = process[name];
      if ((stream.write as { orreryCapture?: ConsoleCapture }).orreryCapture === this) stream.write = this.originals[name];
    }
    setRawStderr(null);
    if (active === this) active = undefined;
  }

  private wrap(name: StreamName): Write {
    const original = this.originals[name];
    const stream = process[name];
    const wrapped = ((chunk: unknown, ...rest: unknown[]): boolean => {
      if (!this.stopped) {
        try {
          this.capture(name, chunk, rest[0]);
        } catch {
          // Capture must never break the program's own output.
        }
      }
      return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as Write;
    (wrapped as { orreryCapture?: ConsoleCapture }).orreryCapture = this;
    return wrapped;
  }

  private capture(name: StreamName, chunk: unknown, encoding: unknown): void {
    let text: string;
    if (typeof chunk === "string") {
      const enc = typeof encoding === "string" ? encoding.toLowerCase() : "utf8";
      // write("68656c6c6f", "hex") prints "hello": record what was printed.
      text = enc === "utf8" || enc === "utf-8" || !Buffer.isEncoding(enc) ? chunk : Buffer.from(chunk, enc).toString("utf8");
    } else if (chunk instanceof Uint8Array) {
      text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("utf8");
    } else {
      return;
    }
    if (text.length === 0) return;
    this.buffers[name] += text;
    if (this.buffers[name].length >= LIMITS.maxConsoleChars) this.drain(name);
    if (this.timer === undefined && (this.buffers.stdout.length > 0 || this.buffers.stderr.length > 0)) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, FLUSH_DELAY_MS);
      this.timer.unref();
    }
  }

  private drain(name: StreamName): void {
    let text = this.buffers[name];
    this.buffers[name] = "";
    while (text.length > 0) {
      let cut = Math.min(text.length, LIMITS.maxConsoleChars);
      // Never split a surrogate pair between two records.
      if (cut < text.length && isHighSurrogate(text.charCodeAt(cut - 1))) cut--;
      this.sink(name, text.slice(0, cut));
      text = text.slice(cut);
    }
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
