/** One line of the results table. */
export interface Row {
  figure: string;
  /** What was measured, e.g. "REST create median, 100 sockets". */
  label: string;
  value?: number;
  baseline?: number;
  unit: string;
  /** value ÷ baseline, or for P4 value − baseline. */
  compare?: number;
  compareKind?: 'ratio' | 'difference';
  goal: string;
  /** undefined: not judged (no goal, or not measured). */
  pass?: boolean;
  status: 'measured' | 'not measured' | 'failed';
  note?: string;
}

/** Delivery-latency percentiles at one socket count (the chart's points). */
export interface LatencyPoint {
  server: 'ours' | 'raw';
  sockets: number;
  p50: number;
  p90: number;
  p99: number;
}

export interface FigureResult {
  rows: Row[];
  /** Everything measured, for the JSON file. */
  details: Record<string, unknown>;
  latency?: LatencyPoint[];
}

export type Figure = (ctx: import('./context.js').BenchContext) => Promise<FigureResult>;

export const ratioRow = (row: Omit<Row, 'compare' | 'compareKind' | 'pass' | 'status'>, limit: number): Row => {
  const compare = row.value! / row.baseline!;
  return { ...row, compare, compareKind: 'ratio', pass: compare <= limit, status: 'measured' };
};

/** A ratio shown for explanation, not judged against a goal. */
export const infoRatioRow = (row: Omit<Row, 'compare' | 'compareKind' | 'pass' | 'status' | 'goal'>): Row => ({
  ...row,
  compare: row.value! / row.baseline!,
  compareKind: 'ratio',
  goal: '(info)',
  status: 'measured',
});

export const notMeasured = (figure: string, label: string, goal: string, note: string): Row => ({
  figure,
  label,
  unit: '',
  goal,
  status: 'not measured',
  note,
});
