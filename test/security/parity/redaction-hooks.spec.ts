import type { CollectionAfterReadHook, CollectionBeforeReadHook, FieldHook } from 'payload';
import { DATABASE_KINDS } from '../../support/databases.js';
import { anyone, createdId, expectParity, isAdmin, restAs, scene, writable } from './support/parity.js';

/**
 * Class 1 of issue 12: `afterRead` hooks are Payload's usual way to redact, and REST runs them per reader. A
 * socket must get the document as those hooks leave it for its own user, not the stored values.
 */
const dropNotesForNonAdmins: CollectionAfterReadHook = ({ doc, req }) => {
  if (!isAdmin(req.user)) delete doc.internalNote;
  return doc;
};
const maskCard: FieldHook = ({ value, req }) =>
  typeof value === 'string' && !isAdmin(req.user) ? `**** ${value.slice(-4)}` : value;
/** beforeRead runs first in REST's read pipeline (before the field pass): the same redaction, one step earlier. */
const dropCostsForNonAdmins: CollectionBeforeReadHook = ({ doc, req }) => {
  if (!isAdmin(req.user)) delete doc.cost;
  return doc;
};
/** A hook that reads who asks: the signed-in user's own e-mail, nobody else's. */
const whoAsked: CollectionAfterReadHook = ({ doc, req }) => ({ ...doc, readBy: req.user ? (req.user as { email?: string }).email : 'nobody' });

describe.each(DATABASE_KINDS)('read hooks (beforeRead, afterRead) shape what each socket gets (%s)', (kind) => {
  const s = scene(kind, {
    collections: [
      writable('cards', [
        { name: 'title', type: 'text' },
        { name: 'internalNote', type: 'text' },
        { name: 'number', type: 'text', hooks: { afterRead: [maskCard] } },
      ], anyone, ['create', 'updateByID'], { hooks: { afterRead: [dropNotesForNonAdmins] } }),
      writable('ledgers', [{ name: 'title', type: 'text' }, { name: 'cost', type: 'number' }], anyone, ['create'], {
        hooks: { beforeRead: [dropCostsForNonAdmins] },
      }),
      writable('greetings', [{ name: 'title', type: 'text' }], anyone, ['create'], { hooks: { afterRead: [whoAsked] } }),
    ],
  });

  it('runs the collection hook that deletes a field for non-admins, and the field hook that masks a value', async () => {
    const since = s.mark();
    const id = createdId(await restAs(s.t, s.who.owner).post('/api/cards', { title: 'visa', internalNote: 'flagged for fraud', number: '4111111111111111' }));
    await expectParity(s.t, 'public.cards.create', id, s.viewers, since, { admin: 200, owner: 200, anonymous: 200 });
    // What REST gives, as the case is about: the admin sees the raw values, the others the redacted ones.
    expect((await restAs(s.t, s.who.other).get(`/api/cards/${id}?depth=0`)).body).toEqual(expect.objectContaining({ number: '**** 1111' }));
    expect((await restAs(s.t, s.who.other).get(`/api/cards/${id}?depth=0`)).body).not.toHaveProperty('internalNote');
  });

  it('runs them again on an update', async () => {
    const id = createdId(await restAs(s.t, s.who.owner).post('/api/cards', { title: 'amex', internalNote: 'vip', number: '378282246310005' }));
    await s.t.settle(s.viewers.map((v) => v.socket));
    const since = s.mark();
    // The admin writes: a non-admin's update would store its own masked value (Payload merges the afterRead view).
    expect((await restAs(s.t, s.who.admin).patch(`/api/cards/${id}`, { internalNote: 'vip, verified' })).status).toBe(200);
    await expectParity(s.t, 'public.cards.updateByID', id, s.viewers, since);
  });

  it('runs a collection beforeRead hook that deletes a field for non-admins', async () => {
    const since = s.mark();
    const id = createdId(await restAs(s.t, s.who.owner).post('/api/ledgers', { title: 'q3', cost: 1200 }));
    await expectParity(s.t, 'public.ledgers.create', id, s.viewers, since, { admin: 200, other: 200 });
  });

  it("gives each reader what the hook computes for that reader's own request", async () => {
    const since = s.mark();
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/greetings', { title: 'hello' }));
    await expectParity(s.t, 'public.greetings.create', id, s.viewers, since);
  });
});
