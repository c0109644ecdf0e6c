import type { PayloadRequest } from 'payload';

/** What a rule says to emit: `public`, `self`, or a room name → `true` (the result), nothing, or a value. */
export type Targets = { public?: unknown; self?: unknown; [room: string]: unknown };

export type RuleFunction = (
  args: Record<string, unknown>,
  req: PayloadRequest,
  result: unknown,
) => false | null | undefined | Targets | Promise<false | null | undefined | Targets>;

export type Rule = Targets | RuleFunction;

/** `custom.socketAccess` of a collection: the seed's format. */
export type SocketAccessConfig = Partial<Record<string, Rule>>;

/** A rule as the table holds it: where it came from, so errors can name it. */
export interface CompiledRule {
  source: string;
  evaluate: RuleFunction;
}
