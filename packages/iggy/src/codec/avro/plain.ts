import type { Type } from 'avsc';

/** Turns a value decoded with one Avro type into plain JS data. */
export type PlainConverter = (value: unknown) => unknown;

const identity: PlainConverter = (value) => value;

/** Copies avsc's record instances into plain objects (arrays, maps and bytes kept as they are). */
export function toPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = toPlain(inner);
  return out;
}

interface RecordTypeLike {
  readonly fields: readonly { readonly name: string; readonly type: Type }[];
}
interface ArrayTypeLike {
  readonly itemsType: Type;
}
interface MapTypeLike {
  readonly valuesType: Type;
}

const LEAF_TYPES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string', 'enum', 'fixed']);

function build(type: Type, built: Map<Type, PlainConverter>): PlainConverter {
  const known = built.get(type);
  if (known !== undefined) return known;
  const name = type.typeName;
  if (LEAF_TYPES.has(name)) return identity;
  if (name === 'record' || name === 'error') {
    // Registered before its fields are built, so recursive schemas terminate.
    let convert: PlainConverter = identity;
    built.set(type, (value) => convert(value));
    const nested: { name: string; convert: PlainConverter }[] = [];
    for (const field of (type as unknown as RecordTypeLike).fields) {
      const convertField = build(field.type, built);
      if (convertField !== identity) nested.push({ name: field.name, convert: convertField });
    }
    // A record instance's own properties are its fields: spreading copies them into a plain
    // object (V8 clones the property layout in one step); only nested records need more.
    convert = (value) => {
      const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      for (const { name: field, convert: convertField } of nested) out[field] = convertField(out[field]);
      return out;
    };
    return convert;
  }
  if (name === 'array') {
    const items = build((type as unknown as ArrayTypeLike).itemsType, built);
    // avsc decodes arrays into plain arrays: only their items may need converting.
    return items === identity ? identity : (value) => (value as unknown[]).map(items);
  }
  if (name === 'map') {
    const values = build((type as unknown as MapTypeLike).valuesType, built);
    if (values === identity) return identity;
    return (value) => {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) out[key] = values(inner);
      return out;
    };
  }
  // Unions and logical types: decided per value.
  return toPlain;
}

/**
 * A converter specialised for `type`, equivalent to `toPlain` on its values: records become
 * plain objects field by field, containers of plain values are kept as decoded.
 */
export function plainConverter(type: Type): PlainConverter {
  return build(type, new Map());
}
