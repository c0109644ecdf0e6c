import { Injectable, type Type } from '@nestjs/common';
import type { CollectionConfig } from 'payload';
import { SocketAccess, type Rule, type SocketOperation } from '../../../src/index.js';
import { ALL_LABELS, MEMBERS, ROOM_MEMBERS, TABS, type Label } from './audience.js';
import { delay, openCollection } from './harness.js';

/**
 * One table of rule cases, each on its own collection (`case<n>`), compiled once as `custom.socketAccess` and once
 * as `@SocketAccess` methods. `expect` lists, per event, the sockets that must get it (each exactly once).
 */
export interface RuleCase {
  name: string;
  operation: Extract<SocketOperation, 'create' | 'updateByID'>;
  rule: Rule;
  expect: Record<string, Label[]>;
}

type R = Record<string, unknown>;

export const RULE_CASES: RuleCase[] = [
  {
    name: 'object of true',
    operation: 'create',
    rule: { public: true, self: true, [MEMBERS]: true },
    expect: { public: ALL_LABELS, self: TABS, [MEMBERS]: ROOM_MEMBERS },
  },
  {
    name: 'object of values, sent as they are',
    operation: 'create',
    rule: { public: 'hello', self: { n: 1 }, [MEMBERS]: ['a', 1, { b: null }] },
    expect: { public: ALL_LABELS, self: TABS, [MEMBERS]: ROOM_MEMBERS },
  },
  {
    name: 'false, null and undefined skip their target; rooms nobody is in reach nobody',
    operation: 'create',
    rule: { public: false, self: null, [MEMBERS]: undefined, nobody: 'x', zero: 0 },
    expect: {},
  },
  {
    name: 'falsy values that are values',
    operation: 'create',
    rule: { public: 0, self: '', [MEMBERS]: 0 },
    expect: { public: ALL_LABELS, self: TABS, [MEMBERS]: ROOM_MEMBERS },
  },
  { name: 'function returning false', operation: 'create', rule: () => false, expect: {} },
  { name: 'function returning null', operation: 'create', rule: () => null, expect: {} },
  { name: 'function returning nothing', operation: 'create', rule: () => undefined, expect: {} },
  { name: 'async function returning false', operation: 'create', rule: async () => false as const, expect: {} },
  {
    name: 'function building values from args, req and result',
    operation: 'create',
    rule: (args, req, result) => ({
      public: { title: (result as R).title, asked: ((args as R).data as R).title, method: req.method ?? null },
      self: true,
    }),
    expect: { public: ALL_LABELS, self: TABS },
  },
  {
    name: 'async function',
    operation: 'create',
    rule: async (_args, _req, result) => {
      await delay(5);
      return { [MEMBERS]: { late: (result as R).title }, self: true };
    },
    expect: { self: TABS, [MEMBERS]: ROOM_MEMBERS },
  },
  {
    name: 'function returning true for a room',
    operation: 'create',
    rule: () => ({ [MEMBERS]: true }),
    expect: { [MEMBERS]: ROOM_MEMBERS },
  },
  {
    name: 'updateByID with the seed README object',
    operation: 'updateByID',
    rule: { public: true, self: true, [MEMBERS]: 'ipsum' },
    expect: { public: ALL_LABELS, self: TABS, [MEMBERS]: ROOM_MEMBERS },
  },
];

export const caseSlug = (index: number) => `case${index}`;

/** Source 1: the cases as `custom.socketAccess` of their collections. */
export const collectionsWithCustomRules = (): CollectionConfig[] =>
  RULE_CASES.map((c, i) => openCollection(caseSlug(i), { custom: { socketAccess: { [c.operation]: c.rule } } }));

/** The same collections with no rules of their own. */
export const bareCollections = (): CollectionConfig[] => RULE_CASES.map((_, i) => openCollection(caseSlug(i)));

/**
 * Source 2: one provider whose methods are the cases, decorated with `@SocketAccess` exactly as a user's class
 * would be (the decorator applied to each method's descriptor). Object rules become methods returning them.
 */
export function decoratedRules(): Type {
  @Injectable()
  class CaseRules {}
  RULE_CASES.forEach((c, i) => {
    const rule = c.rule;
    const method =
      typeof rule === 'function'
        ? function (this: CaseRules, ...args: Parameters<typeof rule>) { return rule(...args); }
        : function (this: CaseRules) { return rule; };
    Object.defineProperty(CaseRules.prototype, `rule${i}`, { value: method, writable: true, configurable: true });
    SocketAccess(caseSlug(i), c.operation)(CaseRules.prototype, `rule${i}`, Object.getOwnPropertyDescriptor(CaseRules.prototype, `rule${i}`)!);
  });
  return CaseRules;
}
