import { recordQueries } from '../support/query-recorder.js';
import { adminOr, createdId, expectParity, logIn, restAs, scene, writable, type Person, type Viewer } from './support/parity.js';

const SHARERS = 60;

/**
 * A sharing list read access (`acl.user equals me AND acl.level in [read, write]`, one row) gives every user a
 * `Where` of their own that only the database can decide. Asked one by one that is a query per user per write;
 * asked in groups (an `or` of up to 64 Wheres, split only where one matches) it is a few queries per write,
 * and every socket still gets exactly its REST answer.
 */
describe('many users with their own undecidable Where', () => {
  const s = scene('sqlite', {
    collections: [
      writable('shares', [
        { name: 'title', type: 'text' },
        { name: 'acl', type: 'array', fields: [
          { name: 'user', type: 'relationship', relationTo: 'users' },
          { name: 'level', type: 'select', options: ['none', 'read', 'write'] },
        ] },
      ], adminOr((user) => ({ and: [{ 'acl.user': { equals: user.id } }, { 'acl.level': { in: ['read', 'write'] } }] })), ['create']),
    ],
  }, { auth: { recheckSeconds: 3600 } });
  const sharers: Viewer[] = [];

  beforeAll(async () => {
    for (let i = 0; i < SHARERS; i++) {
      const person: Person = { name: `sharer${i}`, email: `sharer${i}@parity.io`, password: `pw-sharer-${i}` };
      await s.t.payload.create({ collection: 'users', data: { email: person.email, password: person.password, role: 'user' } as never });
      sharers.push(await s.open(person.name, await logIn(s.t, person), 'jwt'));
    }
  });

  it(`${SHARERS} users: each gets its REST answer, from far fewer queries than users`, async () => {
    const [reader, writer, misled] = [sharers[7], sharers[41], sharers[23]];
    const viewers = [...s.viewers, ...sharers];
    const since = s.mark(viewers);
    const recorder = recordQueries(s.t.payload);
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/shares', {
      title: 'shared plans',
      acl: [
        { user: reader.person.id, level: 'read' },
        { user: writer.person.id, level: 'write' },
        { user: misled.person.id, level: 'none' }, // named, but on a row that grants nothing
      ],
    }));
    await s.t.settle(viewers.map((v) => v.socket));
    const finds = recorder.stop().filter((call) => call === 'find:shares').length;
    await expectParity(s.t, 'public.shares.create', id, viewers, since, {
      [reader.name]: 200, [writer.name]: 200, [misled.name]: 404, owner: 404, anonymous: 403, admin: 200,
    });
    // One query per user would be ≥ 63 (60 sharers, owner, other, robot). Group testing: one query for the group,
    // then two per level of splitting for each of the two readers' halves (⌈log2 64⌉ = 6 levels).
    expect(finds).toBeGreaterThan(0);
    expect(finds).toBeLessThanOrEqual(1 + 2 * 2 * 6);
  });
});
