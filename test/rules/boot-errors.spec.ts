import { Injectable, type Type } from '@nestjs/common';
import { SocketAccess, type SocketOperation } from '../../src/index.js';
import { openCollection, rulesDatabase, startRulesApp, type RulesDatabase } from './support/harness.js';
import { closeAll } from '../support/teardown.js';

/** Done-when 9: a rule naming an unknown collection or operation stops the boot with a message that says where. */
@Injectable()
class UnknownCollectionRules {
  @SocketAccess('nope', 'create')
  announce() {
    return { public: true };
  }
}

@Injectable()
class UnknownOperationRules {
  @SocketAccess('posts', 'nope' as SocketOperation)
  announce() {
    return { public: true };
  }
}

describe('boot fails clearly for a rule that cannot apply', () => {
  let db: RulesDatabase;

  beforeAll(async () => {
    db = await rulesDatabase('sqlite');
  });

  afterAll(() => closeAll(db));

  async function bootError(provider: Type): Promise<Error> {
    const booting = startRulesApp({ db, collections: [openCollection('posts')], providers: [provider] });
    const error = await booting.then(
      async (t) => {
        await t.close();
        return new Error('the app booted');
      },
      (reason: Error) => reason,
    );
    return error;
  }

  it('@SocketAccess("nope", "create"): unknown collection, with the method and the known slugs', async () => {
    const error = await bootError(UnknownCollectionRules);
    expect(error.message).toContain('UnknownCollectionRules.announce');
    expect(error.message).toContain('unknown collection "nope"');
    expect(error.message).toContain('posts');
  });

  it('@SocketAccess("posts", "nope"): unknown operation, with the method and the collection', async () => {
    const error = await bootError(UnknownOperationRules);
    expect(error.message).toContain('UnknownOperationRules.announce');
    expect(error.message).toContain('unknown operation "nope"');
    expect(error.message).toContain('posts');
    expect(error.message).toContain('create'); // the operations it could have named
  });

  it('custom.socketAccess with an unknown operation fails the same way', async () => {
    const booting = startRulesApp({ db, collections: [openCollection('posts', { custom: { socketAccess: { crate: { public: true } } } })] });
    await expect(booting).rejects.toThrow(/posts\.custom\.socketAccess\.crate.*unknown operation "crate"/);
  });
});
