import type { ClientPool } from './client-pool.js';
import { median, spread, type Spread } from './stats.js';

/** Commit → receipt of a series of events at one socket count. */
export interface Series {
  events: number;
  /** Median over events of commit → last receipt. */
  lastMedian: number;
  last: Spread;
  /** Commit → receipt over every (event, socket). */
  all: Spread;
  /** Commit → the rule ran (the module's queueing before the emit; 0 for raw), when the payload says. */
  commitToRule?: Spread;
  missing: number;
}

/** Sends event `seq` and resolves with its commit stamp (our afterChange stamp, or raw's stamp before io.emit). */
export type Send = (seq: number) => Promise<number>;

let nextSeq = 1_000_000;
export const newSeq = (): number => ++nextSeq;

/** One event: sent, then awaited in each client process until `expect[p]` of its sockets have it. */
export interface EventTiming {
  latencies: number[];
  missing: number;
  commitToRule?: number;
}

export async function timedEvent(pool: ClientPool, send: Send, expect: number[], timeoutMs = 15_000): Promise<EventTiming> {
  const seq = newSeq();
  const committedAt = await send(seq);
  const parts = await Promise.all(expect.map((n, p) => (n ? pool.awaitOn(p, seq, n, timeoutMs) : { times: [], missing: 0, ruleAt: undefined })));
  const ruleAt = parts.find((part) => part.ruleAt !== undefined)?.ruleAt;
  return {
    latencies: parts.flatMap((part) => part.times.map((t) => t - committedAt)),
    missing: parts.reduce((sum, part) => sum + part.missing, 0),
    ...(ruleAt !== undefined ? { commitToRule: ruleAt - committedAt } : {}),
  };
}

export class SeriesRecorder {
  private readonly lasts: number[] = [];
  private readonly all: number[] = [];
  private readonly toRule: number[] = [];
  private missing = 0;

  add({ latencies, missing, commitToRule }: EventTiming): void {
    this.missing += missing;
    if (commitToRule !== undefined) this.toRule.push(commitToRule);
    for (const l of latencies) this.all.push(l);
    if (latencies.length) this.lasts.push(Math.max(...latencies));
  }

  get count(): number {
    return this.lasts.length;
  }

  result(): Series {
    return {
      events: this.lasts.length,
      lastMedian: median(this.lasts),
      last: spread(this.lasts),
      all: spread(this.all),
      ...(this.toRule.length ? { commitToRule: spread(this.toRule) } : {}),
      missing: this.missing,
    };
  }
}
