/**
 * The committed JSON Schemas of the events (schemas/events/*.json), compiled with Ajv, the JSON
 * Schema validator most used in JavaScript (strict mode: a schema keyword it does not know fails).
 * The files are what consumers get, so the tests validate against them, not against the code that
 * generates them.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { EVENT_SCHEMA_DIR, schemaFileOf } from '../../lib/events/event-schemas.js';
import { DETAIL_TYPE_NAMES, type DetailType, type PutEventsEntry } from '../../lib/events/gateway-event.js';

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const ajv = new Ajv({ strict: true, allErrors: true });
addFormats(ajv);

const validators = new Map<DetailType, ValidateFunction>(
  DETAIL_TYPE_NAMES.map((type) => [type, ajv.compile(JSON.parse(readFileSync(new URL(`../../${EVENT_SCHEMA_DIR}/${schemaFileOf(type)}`, import.meta.url), 'utf8')))]),
);

/** The schema errors of an entry's detail, as text; `[]` when it is valid against its detail-type's schema. */
export function schemaErrors(entry: Pick<PutEventsEntry, 'DetailType' | 'Detail'>): string[] {
  const validate = validators.get(entry.DetailType);
  if (!validate) return [`no schema for detail-type ${JSON.stringify(entry.DetailType)}`];
  if (validate(JSON.parse(entry.Detail))) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
