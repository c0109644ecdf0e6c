import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';

/** Commands both servers (ours and raw Socket.IO) answer: memory after GC and event-loop lag. */
export interface MemorySample {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  sockets: number;
}

export function controlHandlers(socketCount: () => number) {
  let lag: IntervalHistogram | undefined;
  return {
    async memory({ gc = true }: { gc?: boolean }): Promise<MemorySample> {
      if (gc) {
        // Several passes with turns of the loop between them: weak refs and finalizers need them to settle.
        for (let i = 0; i < 4; i++) {
          global.gc?.();
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
      return { rss, heapUsed, external, arrayBuffers, sockets: socketCount() };
    },
    lagStart(): void {
      lag?.disable();
      lag = monitorEventLoopDelay({ resolution: 10 });
      lag.enable();
    },
    lagStop(): { p50: number; p99: number; max: number } {
      if (!lag) throw new Error('lagStart was not called');
      lag.disable();
      const ms = (ns: number) => ns / 1e6;
      return { p50: ms(lag.percentile(50)), p99: ms(lag.percentile(99)), max: ms(lag.max) };
    },
    sockets: (): number => socketCount(),
    /** A heap snapshot after GC (for finding what a socket retains: diff one at 0 and one at N sockets). */
    heapSnapshot({ file }: { file: string }): string {
      global.gc?.();
      return writeHeapSnapshot(file);
    },
  };
}
