type Doc = Record<string, unknown>;

/**
 * Where the documents sit in an operation's result, and how to rebuild the result from one recipient's views.
 * `rebuild` returns `undefined` when the recipient may see none of them: then it gets no event at all.
 */
export interface ResultDocuments {
  docs: Doc[];
  /** The documents no longer exist (delete): access is judged on them as they were. */
  deleted: boolean;
  rebuild(views: (Doc | null)[]): unknown;
}

const isDoc = (value: unknown): value is Doc => typeof value === 'object' && value !== null && 'id' in value;

/**
 * Version operations hold versions, not documents: judging them needs `readVersions` and the version's own fields,
 * which REST's versions endpoints compute; nothing here can prove that, so `true` sends them to nobody.
 */
const VERSION_OPERATIONS = new Set(['findVersions', 'findVersionByID', 'countVersions']);

export function documentsIn(operation: string, result: unknown): ResultDocuments | undefined {
  const deleted = operation === 'delete' || operation === 'deleteByID';
  if (typeof result !== 'object' || result === null || VERSION_OPERATIONS.has(operation)) return undefined;
  const shaped = result as Doc;
  if (Array.isArray(shaped.docs)) {
    const docs = shaped.docs.filter(isDoc);
    // Only the documents: the writer's figures (totalDocs, pages, errors) describe what the writer could see.
    return {
      docs,
      deleted,
      rebuild: (views) => {
        const visible = views.filter((view): view is Doc => view !== null);
        return visible.length ? { docs: visible } : undefined;
      },
    };
  }
  if ((operation === 'login' || operation === 'refresh') && isDoc(shaped.user)) {
    return { docs: [shaped.user], deleted, rebuild: ([view]) => (view ? { ...shaped, user: view } : undefined) };
  }
  if (isDoc(shaped)) return { docs: [shaped], deleted, rebuild: ([view]) => view ?? undefined };
  return undefined;
}
