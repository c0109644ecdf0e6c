import { audience, expectedReceipts, type Audience, type Label } from './support/audience.js';
import { RULE_DATABASES, rulesDatabase, startRulesApp, type RulesApp, type RulesDatabase } from './support/harness.js';
import { RULE_CASES, bareCollections, caseSlug, collectionsWithCustomRules, decoratedRules } from './support/rule-cases.js';
import { closeAll } from '../support/teardown.js';

/**
 * Done-when 2: one table of rule cases, run once as `custom.socketAccess` and once as `@SocketAccess` methods,
 * gives identical emits — same event names, same data, same recipients — and the ones the table expects.
 */
interface Side {
  db: RulesDatabase;
  t: RulesApp;
  people: Audience;
}

type Receipt = { label: Label; event: string; data: unknown };

let casesRun = 0;
afterAll(() => console.log(`two sources matrix: ${casesRun} cases run`));

describe.each(RULE_DATABASES)('custom.socketAccess and @SocketAccess on %s', (kind) => {
  const sides: Record<'custom' | 'decorated', Side> = {} as never;

  beforeAll(async () => {
    for (const source of ['custom', 'decorated'] as const) {
      const db = await rulesDatabase(kind);
      const t = await startRulesApp({
        db,
        collections: source === 'custom' ? collectionsWithCustomRules() : bareCollections(),
        providers: source === 'custom' ? [] : [decoratedRules()],
      });
      sides[source] = { db, t, people: await audience(t) };
    }
  });

  afterAll(() => closeAll(Object.values(sides).flatMap((side) => [side.people, side.t]), Object.values(sides).map((side) => side.db)));

  /** Causes the case's operation over REST as the requester and returns what every socket received. */
  async function run({ t, people }: Side, index: number): Promise<Receipt[]> {
    const slug = caseSlug(index);
    const { operation } = RULE_CASES[index];
    let id: number | string | undefined;
    if (operation === 'updateByID') id = (await t.payload.create({ collection: slug as never, data: { title: 'before' } as never })).id;
    await people.settle();
    people.reset();
    t.logger.lines.splice(0);
    const response =
      operation === 'create'
        ? await people.requester.post(`/api/${slug}`, { title: `case ${index}` })
        : await people.requester.patch(`/api/${slug}/${id}`, { title: `case ${index}, updated` });
    expect(response.status).toBe(operation === 'create' ? 201 : 200);
    await people.settle();
    const receipts: Receipt[] = [];
    for (const [label, socket] of Object.entries(people.sockets) as [Label, (typeof people.sockets)[Label]][]) {
      for (const { event, data } of socket.events) if (!event.startsWith('__')) receipts.push({ label, event, data: withoutClock(data) });
    }
    expect(t.logger.errors()).toEqual([]);
    return receipts.sort((a, b) => `${a.label} ${a.event}`.localeCompare(`${b.label} ${b.event}`));
  }

  it.each(RULE_CASES.map((c, index) => [c.name, index] as const))('%s', async (_name, index) => {
    casesRun++;
    const fromCustom = await run(sides.custom, index);
    const fromDecorated = await run(sides.decorated, index);
    expect(fromDecorated).toEqual(fromCustom);

    const { operation, expect: byTarget } = RULE_CASES[index];
    const byEvent = Object.fromEntries(Object.entries(byTarget).map(([target, labels]) => [`${target}.${caseSlug(index)}.${operation}`, labels]));
    expect(sides.custom.people.received()).toEqual(expectedReceipts(byEvent));
  });
});

/** Timestamps differ between the two databases; everything else must not. */
function withoutClock(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutClock);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'createdAt' && key !== 'updatedAt')
      .map(([key, item]) => [key, withoutClock(item)]),
  );
}
