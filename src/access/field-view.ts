import { getDefaultValue, type PayloadRequest, type SanitizedCollectionConfig } from 'payload';
import { isAuthSecretKey } from './auth-secrets.js';
import { clonePlain, isPlainObject } from './plain.js';
import type { AccessContext, PlainDoc } from './types.js';

/**
 * The field half of Payload's afterRead (payload/dist/fields/hooks/afterRead/promise.js), without hooks,
 * localization, select or population: removes `hidden` fields, runs field `access.read` (with the same
 * arguments: `{ id, blockData, data, doc, req, siblingData }`), fills defaults like Payload does, and reduces
 * relationship/upload values to ids (we always emit depth 0). Quirks are kept on purpose so the view equals
 * what `findByID` returns (e.g. a denied or empty array becomes `[]`, a missing group `{}`).
 */
// Field configs are a wide union; this walk only reads a few common properties.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyField = Record<string, any>;

interface Walk {
  ctx: AccessContext;
  req: PayloadRequest;
  doc: PlainDoc;
}

const isObject = isPlainObject;

const affectsData = (field: AnyField): boolean => 'name' in field && field.type !== 'ui';

export async function buildFieldView(
  config: SanitizedCollectionConfig,
  doc: PlainDoc,
  req: PayloadRequest,
  ctx: AccessContext,
): Promise<PlainDoc> {
  ctx.stats.fieldWalks++;
  const view = clonePlain(doc); // the caller's object is never modified
  if (config.auth) {
    // Secrets go first, before any field access function can see them in `doc`.
    for (const key of Object.keys(view)) if (isAuthSecretKey(key)) delete view[key];
  }
  const walk: Walk = { ctx, req, doc: view };
  const fields = (config.fields as AnyField[]).filter((f) => !(config.auth && isAuthSecretKey(f.name)));
  await walkFields(fields, view, walk, 0, undefined);
  // findByID adds this for auth collections; match it.
  if (config.auth) view.collection = config.slug;
  return view;
}

function walkFields(fields: AnyField[], sibling: PlainDoc, w: Walk, depth: number, blockData: PlainDoc | undefined) {
  return Promise.all(fields.map((field) => walkField(field, sibling, w, depth, blockData)));
}

async function walkField(field: AnyField, sibling: PlainDoc, w: Walk, depth: number, blockData: PlainDoc | undefined) {
  const named = affectsData(field);
  const name: string = field.name;
  let removed = false;
  if (named && field.hidden && typeof sibling[name] !== 'undefined' && !(name === 'id' && depth === 0)) {
    removed = true;
    delete sibling[name];
  }
  if (field.type === 'group' && named && typeof sibling[name] === 'undefined') sibling[name] = {};
  if (field.type === 'tabs') {
    for (const tab of field.tabs as AnyField[]) {
      if ('name' in tab && (sibling[tab.name] === undefined || sibling[tab.name] === null)) sibling[tab.name] = {};
    }
  }
  if (named) {
    if (typeof field.virtual === 'string' || field.type === 'join') {
      // Values computed from other documents (virtual relationship paths, joins) need the reader's access
      // on those documents: not decidable here, so they are never sent.
      delete sibling[name];
      return;
    }
    let allowDefault = true;
    if (typeof field.access?.read === 'function' && !(await canReadField(field, sibling, w, blockData))) {
      allowDefault = false;
      delete sibling[name];
    }
    if (!removed && allowDefault && typeof sibling[name] === 'undefined' && typeof field.defaultValue !== 'undefined') {
      sibling[name] = await defaultFor(field, w);
    }
    if ((field.type === 'relationship' || field.type === 'upload') && sibling[name] !== undefined) {
      sibling[name] = toDepthZero(sibling[name]);
    }
  }
  await walkChildren(field, sibling, w, depth, blockData);
}

async function walkChildren(field: AnyField, sibling: PlainDoc, w: Walk, depth: number, blockData: PlainDoc | undefined) {
  const name: string = field.name;
  switch (field.type) {
    case 'array':
    case 'blocks': {
      const rows = sibling[name];
      if (Array.isArray(rows) && rows.length > 0) {
        await Promise.all(
          rows.map((row: unknown) => {
            const rowDoc = isObject(row) ? row : {};
            if (field.type === 'array') return walkFields(field.fields, rowDoc, w, depth + 1, blockData);
            const block = findBlock(field, rowDoc, w.req);
            // An unknown blockType is left as stored, like Payload does.
            return block ? walkFields(block.fields, rowDoc, w, depth + 1, rowDoc) : undefined;
          }),
        );
      } else if (field.hidden !== true) {
        sibling[name] = [];
      }
      return;
    }
    case 'group':
      if (affectsData(field)) {
        const value = sibling[name];
        await walkFields(field.fields, isObject(value) ? value : {}, w, depth + 1, blockData);
      } else {
        await walkFields(field.fields, sibling, w, depth, blockData);
      }
      return;
    case 'row':
    case 'collapsible':
      await walkFields(field.fields, sibling, w, depth, blockData);
      return;
    case 'tabs':
      await walkFields((field.tabs as AnyField[]).map((tab) => ({ ...tab, type: 'tab' })), sibling, w, depth, blockData);
      return;
    case 'tab':
      if ('name' in field) {
        const value = sibling[name];
        await walkFields(field.fields, isObject(value) ? value : {}, w, depth + 1, blockData);
      } else {
        await walkFields(field.fields, sibling, w, depth, blockData);
      }
      return;
    default:
      return;
  }
}

async function canReadField(field: AnyField, sibling: PlainDoc, w: Walk, blockData: PlainDoc | undefined) {
  w.ctx.stats.fieldAccessCalls++;
  try {
    return Boolean(
      await field.access.read({ id: w.doc.id, blockData, data: w.doc, doc: w.doc, req: w.req, siblingData: sibling }),
    );
  } catch (error) {
    // A broken access function must not open the field: deny and report.
    w.ctx.onError(error, { collection: w.ctx.collection, phase: 'field-access', field: field.name, userId: userId(w.req) });
    return false;
  }
}

async function defaultFor(field: AnyField, w: Walk): Promise<unknown> {
  try {
    return await getDefaultValue({
      defaultValue: field.defaultValue,
      locale: w.req.locale ?? undefined,
      req: w.req,
      user: w.req.user,
      value: undefined,
    });
  } catch (error) {
    w.ctx.onError(error, { collection: w.ctx.collection, phase: 'default-value', field: field.name, userId: userId(w.req) });
    return undefined;
  }
}

function findBlock(field: AnyField, row: PlainDoc, req: PayloadRequest): AnyField | undefined {
  const slug = row.blockType;
  if (typeof slug !== 'string') return undefined;
  const shared = (req.payload.blocks as Record<string, AnyField> | undefined)?.[slug];
  if (shared) return shared;
  const blocks = (field.blockReferences ?? field.blocks ?? []) as Array<AnyField | string>;
  return blocks.find((b): b is AnyField => typeof b !== 'string' && b.slug === slug);
}

/** Populated relationship/upload values back to ids: `{id,...}` → id, `{relationTo, value:{id}}` → `{relationTo, value:id}`. */
export function toDepthZero(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toDepthZero);
  if (!isObject(value)) return value;
  if ('relationTo' in value && 'value' in value) {
    const inner = value.value;
    return { relationTo: value.relationTo, value: isObject(inner) && 'id' in inner ? inner.id : inner };
  }
  return 'id' in value ? value.id : value;
}

const userId = (req: PayloadRequest) => (req.user ? (req.user.id as string | number) : null);
