// Owns sampling system metrics: process CPU and memory, machine CPU and memory, and NVIDIA GPUs
// through nvidia-smi when it exists. Sampling never blocks the training loop: CPU and memory are
// cheap synchronous reads, nvidia-smi runs as an async child process, and the sample is handed to
// `sink` when it is complete. Keys: cpu.percent (this process; can exceed 100 with threads),
// system.cpu.percent, memory.rss_mb, memory.heap_used_mb, system.memory.percent,
// gpu.N.utilization, gpu.N.memory_used_mb, gpu.N.memory_total_mb, gpu.N.temperature, gpu.N.power_w.
import { execFile } from "node:child_process";
import { cpus, freemem, totalmem } from "node:os";

const NVIDIA_SMI_TIMEOUT_MS = 5_000;
const GPU_QUERY = "utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw";
const GPU_FIELDS = ["utilization", "memory_used_mb", "memory_total_mb", "temperature", "power_w"] as const;

export type Sample = Record<string, number>;

export class SystemMetrics {
  private timer: NodeJS.Timeout | undefined;
  private lastCpu = process.cpuUsage();
  private lastWall = performance.now();
  private lastSystem = systemCpuTimes();
  private gpu: "unknown" | "present" | "absent" = "unknown";
  private busy = false;
  private stopped = false;

  constructor(private readonly sink: (sample: Sample) => void, intervalMs: number) {
    this.timer = setInterval(() => void this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const values = this.sampleHost();
      if (this.gpu !== "absent") {
        const gpus = await queryGpus();
        if (gpus === undefined) {
          if (this.gpu === "unknown") this.gpu = "absent"; // no nvidia-smi: stop asking
        } else {
          this.gpu = "present";
          Object.assign(values, gpus);
        }
      }
      if (!this.stopped) this.sink(values);
    } catch {
      // A failed sample is skipped; the next one may work.
    } finally {
      this.busy = false;
    }
  }

  private sampleHost(): Sample {
    const now = performance.now();
    const cpu = process.cpuUsage();
    const elapsedUs = (now - this.lastWall) * 1000;
    const usedUs = cpu.user - this.lastCpu.user + (cpu.system - this.lastCpu.system);
    this.lastCpu = cpu;
    this.lastWall = now;
    const sys = systemCpuTimes();
    const total = sys.total - this.lastSystem.total;
    const idle = sys.idle - this.lastSystem.idle;
    this.lastSystem = sys;
    const mem = process.memoryUsage();
    const out: Sample = {
      "cpu.percent": round(elapsedUs > 0 ? (usedUs / elapsedUs) * 100 : 0),
      "memory.rss_mb": round(mem.rss / 1048576),
      "memory.heap_used_mb": round(mem.heapUsed / 1048576),
      "system.memory.percent": round((1 - freemem() / totalmem()) * 100),
    };
    if (total > 0) out["system.cpu.percent"] = round(((total - idle) / total) * 100);
    return out;
  }
}

function systemCpuTimes(): { total: number; idle: number } {
  let total = 0;
  let idle = 0;
  for (const c of cpus()) {
    total += c.times.user + c.times.nice + c.times.sys + c.times.idle + c.times.irq;
    idle += c.times.idle;
  }
  return { total, idle };
}

/** GPU metrics from nvidia-smi, or undefined when it is missing or fails. */
export function queryGpus(): Promise<Sample | undefined> {
  return new Promise((resolve) => {
    try {
      execFile(
        "nvidia-smi",
        [`--query-gpu=${GPU_QUERY}`, "--format=csv,noheader,nounits"],
        { timeout: NVIDIA_SMI_TIMEOUT_MS, windowsHide: true },
        (err, stdout) => resolve(err ? undefined : parseNvidiaSmi(stdout)),
      );
    } catch {
      resolve(undefined);
    }
  });
}

/** Parses `nvidia-smi --query-gpu=<GPU_QUERY> --format=csv,noheader,nounits`; "[N/A]" fields are left out. */
export function parseNvidiaSmi(stdout: string): Sample {
  const out: Sample = {};
  const lines = stdout.split(/\r?\n/).filter((l) => l.trim().length > 0);
  lines.forEach((line, gpu) => {
    const cells = line.split(",").map((c) => c.trim());
    GPU_FIELDS.forEach((field, i) => {
      const cell = cells[i];
      if (cell === undefined || cell === "" || !/^-?[0-9.]+$/.test(cell)) return;
      out[`gpu.${gpu}.${field}`] = Number(cell);
    });
  });
  return out;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
