import { notMeasured, type FigureResult } from '../lib/types.js';

/** P5 waits for the Redis scale-out: it says what it needs instead of a number. */
export async function p5(): Promise<FigureResult> {
  return {
    rows: [
      notMeasured(
        'P5',
        'cross-instance delivery p99 through Redis ÷ one instance',
        '≤ 1.5',
        'not measured yet: needs the Redis scale-out (two app processes on one database and one Redis)',
      ),
    ],
    details: {},
  };
}
