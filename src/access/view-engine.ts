import { executeAccess, type Payload, type PayloadRequest, type SanitizedCollectionConfig, type Where } from 'payload';
import { AUTH_SECRET_KEYS } from './auth-secrets.js';
import { clonePlain } from './plain.js';
import { decideInMemory } from './provable-where.js';
import { readThroughPayload } from './read-pipeline.js';
import { RecipientRequests } from './recipient-request.js';
import { RequestDependence } from './request-dependence.js';
import { stableKey } from './stable-key.js';
import { emptyStats, type AccessErrorHandler, type AccessStats, type PlainDoc, type Recipient } from './types.js';

export interface ViewEngineOptions {
  onError?: AccessErrorHandler;
  /** Runs the Local API calls the engine makes for itself, so that they emit nothing. */
  quietly?: <T>(fn: () => Promise<T>) => Promise<T>;
}

export interface ViewOptions {
  /** The documents no longer exist (delete): a `Where` the engine cannot prove denies, as nothing can be asked. */
  deleted?: boolean;
}

/** Per recipient key, the view of each document: what REST would answer that recipient, or `null` (404). */
export type Views = Map<string, (PlainDoc | null)[]>;

interface Judged {
  recipient: Recipient;
  req: PayloadRequest;
}

/** Documents (by index) whose access result is one `Where`, for recipients with one locale. */
interface WhereCase {
  where: Where;
  locale: string | null | undefined;
  docs: Set<number>;
  proven: Map<number, boolean>;
}

/**
 * What each recipient may read of some stored documents, computed by Payload's own code as REST's `findByID` at
 * depth 0 would: the collection's read access (called with the recipient's request, once per recipient and
 * document), trash, the `Where` it returns (proven in memory where provable, otherwise asked of the database: one
 * query per distinct `Where` for all documents), then Payload's read pipeline (see read-pipeline.ts) — once per
 * locale when nothing in it depends on the request, otherwise once per recipient. Every error or doubt denies.
 *
 * Collections with join fields are read with Payload's `findByID` itself (one query per recipient and document):
 * join values are computed by the database, not stored in the document.
 */
export class ViewEngine {
  readonly stats: AccessStats = emptyStats();
  private readonly requests: RecipientRequests;
  private readonly dependence: RequestDependence;
  private readonly onError: AccessErrorHandler;
  private readonly quietly: <T>(fn: () => Promise<T>) => Promise<T>;

  constructor(
    private readonly payload: Payload,
    options: ViewEngineOptions = {},
  ) {
    this.requests = new RecipientRequests(payload);
    this.dependence = new RequestDependence(payload);
    // Never silent: a missing logger must not hide a broken access function.
    this.onError = options.onError ?? ((error, info) => console.error('[nest-payload-socket] access error', info, error));
    this.quietly = options.quietly ?? ((fn) => fn());
  }

  async views(collection: string, docs: (PlainDoc | null)[], recipients: Recipient[], options: ViewOptions = {}): Promise<Views> {
    const config = this.collectionConfig(collection);
    const distinct = [...new Map(recipients.map((r) => [r.key, r])).values()];
    const judged: Judged[] = await Promise.all(distinct.map(async (recipient) => ({ recipient, req: await this.requests.create(recipient) })));
    const views: Views = new Map(distinct.map((r) => [r.key, docs.map(() => null)]));
    if (hasJoinFields(config) && !options.deleted) {
      await this.readEachExactly(config, docs, judged, views);
      return views;
    }
    const allowed = await this.allowed(config, docs, judged, options.deleted === true);
    await this.readAllowed(config, docs, allowed, views);
    return views;
  }

  /** Per document, the recipients REST would let read it. */
  private async allowed(config: SanitizedCollectionConfig, docs: (PlainDoc | null)[], judged: Judged[], deleted: boolean): Promise<Judged[][]> {
    const decided: Judged[][] = docs.map(() => []);
    const cases = new Map<string, WhereCase>();
    const pending: Array<{ doc: number; who: Judged; whereKey: string }> = [];
    await Promise.all(
      docs.map(async (doc, index) => {
        // REST answers 404 for a document in the trash unless asked with `?trash=true`.
        if (!doc || (config.trash && doc.deletedAt !== null && doc.deletedAt !== undefined)) return;
        const results = await Promise.all(judged.map((who) => this.readAccess(config, who, doc.id)));
        results.forEach((result, i) => {
          // An empty Where constrains nothing (combineQueries adds it as `{}`): every document, as REST reads it.
          if (result === true || (typeof result === 'object' && Object.keys(result).length === 0)) decided[index].push(judged[i]);
          else if (result !== false) {
            const whereKey = `${judged[i].req.locale ?? ''}|${stableKey(result)}`;
            const entry = cases.get(whereKey) ?? { where: result, locale: judged[i].req.locale, docs: new Set(), proven: new Map() };
            cases.set(whereKey, entry);
            if (!entry.docs.has(index)) {
              entry.docs.add(index);
              this.stats.whereMatches++;
              const proven = decideInMemory(result, doc, config);
              if (proven !== undefined) entry.proven.set(index, proven);
            }
            pending.push({ doc: index, who: judged[i], whereKey });
          }
        });
      }),
    );
    // What memory could not prove is asked of the database (nothing can be asked about a deleted document).
    const open = [...cases.values()].filter((entry) => unproven(entry).length > 0);
    if (deleted) for (const entry of open) for (const index of unproven(entry)) entry.proven.set(index, false);
    else {
      const byLocale = new Map<string, WhereCase[]>();
      for (const entry of open) byLocale.set(entry.locale ?? '', [...(byLocale.get(entry.locale ?? '') ?? []), entry]);
      await Promise.all([...byLocale.values()].map((entries) => this.askDatabase(config, docs, entries)));
    }
    for (const { doc, who, whereKey } of pending) if (cases.get(whereKey)!.proven.get(doc) === true) decided[doc].push(who);
    return decided;
  }

  /**
   * Which documents match which `Where`, in few queries however many recipients there are (users whose access
   * differs only by their id each bring their own `Where`): group testing, batched like Hasura batches its live
   * queries. One query asks whether any `Where` of a group matches any of its documents (their `or`); a document no
   * `Where` of the group matches is settled for all of them; the rest is split in two and asked again, down to one
   * `Where`, whose answer is the database's own. A failed query denies its whole group.
   */
  private async askDatabase(config: SanitizedCollectionConfig, docs: (PlainDoc | null)[], entries: WhereCase[]): Promise<void> {
    const groups: WhereCase[][] = [];
    for (let start = 0; start < entries.length; start += QUERY_GROUP_SIZE) groups.push(entries.slice(start, start + QUERY_GROUP_SIZE));
    await Promise.all(groups.map((group) => this.settle(config, docs, group, [...new Set(group.flatMap(unproven))])));
  }

  private async settle(config: SanitizedCollectionConfig, docs: (PlainDoc | null)[], group: WhereCase[], candidates: number[]): Promise<void> {
    const where = group.length === 1 ? group[0].where : ({ or: group.map((entry) => entry.where) } as Where);
    const matching = await this.matchingIds(config, where, group[0].locale, candidates.map((index) => docs[index]!.id), group.length === 1);
    // A group the database refused (one bad Where) is split, so the refusal denies only that Where's recipients.
    const hit = new Set(matching ? candidates.filter((index) => matching.has(String(docs[index]!.id))) : group.length > 1 ? candidates : []);
    for (const entry of group) {
      for (const index of unproven(entry)) if (candidates.includes(index) && (group.length === 1 || !hit.has(index))) entry.proven.set(index, hit.has(index));
    }
    if (group.length === 1 || hit.size === 0) return;
    const half = Math.ceil(group.length / 2);
    await Promise.all(
      [group.slice(0, half), group.slice(half)].map((part) => {
        const asked = [...new Set(part.flatMap(unproven))].filter((index) => hit.has(index));
        return asked.length ? this.settle(config, docs, part, asked) : undefined;
      }),
    );
  }

  /** Payload's read pipeline for each allowed recipient, shared across recipients where it cannot differ. */
  private async readAllowed(config: SanitizedCollectionConfig, docs: (PlainDoc | null)[], allowed: Judged[][], views: Views): Promise<void> {
    const dependent = this.dependence.of(config);
    await Promise.all(
      allowed.map(async (readers, index) => {
        const shared = new Map<string, Promise<PlainDoc | null>>();
        const byContent = new Map<string, PlainDoc>();
        await Promise.all(
          readers.map(async (who) => {
            const shareKey = dependent ? who.recipient.key : `locale:${who.req.locale ?? ''}`;
            let view = shared.get(shareKey);
            if (!view) {
              view = this.pipeline(config, docs[index]!, who);
              shared.set(shareKey, view);
            }
            let result = await view;
            if (result && dependent) {
              // Equal views are one object, so the delivery sends them as one packet.
              const key = stableKey(result);
              result = byContent.get(key) ?? (byContent.set(key, result), result);
            }
            views.get(who.recipient.key)![index] = result;
          }),
        );
      }),
    );
  }

  private async pipeline(config: SanitizedCollectionConfig, doc: PlainDoc, who: Judged): Promise<PlainDoc | null> {
    this.stats.pipelineRuns++;
    try {
      return await readThroughPayload(config, doc, who.req);
    } catch (error) {
      this.onError(error, { collection: config.slug, phase: 'read-pipeline', recipient: who.recipient.key });
      return null;
    }
  }

  /** `access.read` as findByID calls it (`executeAccess({ id, req })`): `true`, `false` or a `Where`. */
  private async readAccess(config: SanitizedCollectionConfig, who: Judged, id: unknown): Promise<boolean | Where> {
    this.stats.accessEvaluations++;
    try {
      const result = await executeAccess({ id: id as string | number, disableErrors: true, req: who.req }, config.access.read);
      if (!result) return false;
      return typeof result === 'object' ? (result as Where) : true;
    } catch (error) {
      this.onError(error, { collection: config.slug, phase: 'collection-access', recipient: who.recipient.key });
      return false;
    }
  }

  /** Which of these documents match `where`, asked through Payload's Local API (its query validation and semantics). */
  private async matchingIds(config: SanitizedCollectionConfig, where: Where, locale: string | null | undefined, ids: unknown[], report = true): Promise<Set<string> | undefined> {
    this.stats.queries++;
    try {
      const { docs } = await this.quietly(() =>
        this.payload.find({
          collection: config.slug,
          where: { and: [{ id: { in: ids } }, clonePlain(where)] } as Where,
          select: { id: true } as never,
          depth: 0,
          pagination: false,
          overrideAccess: true,
          trash: true, // trash is judged in memory; this asks the Where alone
          ...(locale ? { locale: locale as never } : {}),
        }),
      );
      return new Set((docs as PlainDoc[]).map((doc) => String(doc.id)));
    } catch (error) {
      if (report) this.onError(error, { collection: config.slug, phase: 'query' });
      return undefined;
    }
  }

  private async readEachExactly(config: SanitizedCollectionConfig, docs: (PlainDoc | null)[], judged: Judged[], views: Views): Promise<void> {
    await Promise.all(
      docs.map((doc, index) =>
        doc
          ? Promise.all(
              judged.map(async (who) => {
                this.stats.queries++;
                try {
                  const found = (await this.quietly(() =>
                    this.payload.findByID({ collection: config.slug, id: doc.id as string, depth: 0, overrideAccess: false, disableErrors: true, req: who.req }),
                  )) as PlainDoc | null;
                  if (found && config.auth) for (const key of AUTH_SECRET_KEYS) delete found[key];
                  views.get(who.recipient.key)![index] = found ?? null;
                } catch (error) {
                  this.onError(error, { collection: config.slug, phase: 'query', recipient: who.recipient.key });
                }
              }),
            )
          : undefined,
      ),
    );
  }

  private collectionConfig(collection: string): SanitizedCollectionConfig {
    const entry = this.payload.collections[collection as keyof typeof this.payload.collections];
    if (!entry) throw new Error(`nest-payload-socket: unknown collection "${collection}"`);
    return entry.config;
  }
}

/** How many `Where`s one query asks about at most (their `or`): small enough for any SQL parser's limits. */
const QUERY_GROUP_SIZE = 64;

const unproven = (entry: WhereCase): number[] => [...entry.docs].filter((index) => !entry.proven.has(index));

/** Join fields anywhere in the collection (Payload lists them in `config.joins`). */
const hasJoinFields = (config: SanitizedCollectionConfig): boolean =>
  Object.keys(config.joins ?? {}).length > 0 || config.flattenedFields.some((f) => f.type === 'join');
