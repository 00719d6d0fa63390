import type { Route, SandboxRequest } from '../shared/http.js';
import type { Ledger } from '../shared/ledger.js';
import { apiRoute, jsonObjectBody, type ApiGate } from './api.js';
import type { Dml } from './dml.js';
import { noSuchColumn, notFound, SalesforceApiError } from './errors.js';
import { fieldValue, sameText } from './field-values.js';
import { normalizeId } from './ids.js';
import type { RecordReader, Row } from './records.js';
import { fieldOf, isMatchField, objectNamed, type ObjectDef } from './schema.js';

export interface SObjectDeps {
  gate: ApiGate;
  dml: Dml;
  reader: RecordReader;
  ledger: Ledger;
}

/** The URL of a record: `/services/data/v60.0/sobjects/Booking__c/a2B…`. */
export function recordUrl(version: string, row: Row): string {
  return `/services/data/${version}/sobjects/${row.object.name}/${String(row.record.Id)}`;
}

/**
 * The sObject Rows resources: create (POST), read (GET, `?fields=`), update (PATCH → 204), delete
 * (DELETE → 204), and by external id: read, and upsert (PATCH → 201 created / 200 updated / 300 when
 * several match). Every executed change goes on the ledger as `sobject.<op> <Type>`, upserts keyed by
 * their external id value.
 */
export function sobjectRoutes(deps: SObjectDeps): Route[] {
  const { gate, dml, reader, ledger } = deps;
  const base = '/sobjects/:type';
  return [
    apiRoute(
      gate,
      'POST',
      base,
      (req) => {
        const object = objectOf(req);
        const id = dml.create(object, jsonObjectBody(req));
        ledger.record(`sobject.create ${object.name}`, null, id);
        return { status: 201, body: { id, success: true, errors: [] } };
      },
      true,
    ),
    apiRoute(gate, 'GET', `${base}/:id`, (req, version) => {
      const object = objectOf(req);
      const row = dml.existing(object, req.params.id ?? '');
      return { status: 200, body: recordBody(reader, row, version, req.query.get('fields')) };
    }),
    apiRoute(
      gate,
      'PATCH',
      `${base}/:id`,
      (req) => {
        const object = objectOf(req);
        const row = dml.existing(object, req.params.id ?? '');
        const id = row.record.Id as string;
        dml.update(object, id, jsonObjectBody(req));
        ledger.record(`sobject.update ${object.name}`, null, id);
        return { status: 204 };
      },
      true,
    ),
    apiRoute(
      gate,
      'DELETE',
      `${base}/:id`,
      (req) => {
        const object = objectOf(req);
        const id = dml.existing(object, req.params.id ?? '').record.Id as string;
        dml.delete(object, id);
        ledger.record(`sobject.delete ${object.name}`, null, id);
        return { status: 204 };
      },
      true,
    ),
    apiRoute(gate, 'GET', `${base}/:field/:value`, (req, version) => {
      const object = objectOf(req);
      const matches = matchesOf(reader, object, req.params.field ?? '', req.params.value ?? '');
      if (matches.length > 1) return { status: 300, body: matches.map((row) => recordUrl(version, row)) };
      const [row] = matches;
      if (!row) throw notFound();
      return { status: 200, body: recordBody(reader, row, version, req.query.get('fields')) };
    }),
    apiRoute(
      gate,
      'PATCH',
      `${base}/:field/:value`,
      (req, version) => {
        const object = objectOf(req);
        const value = req.params.value ?? '';
        const result = dml.upsert(object, req.params.field ?? '', value, jsonObjectBody(req));
        if (result.kind === 'multiple') {
          return {
            status: 300,
            body: result.ids.map((id) => `/services/data/${version}/sobjects/${object.name}/${id}`),
          };
        }
        ledger.record(`sobject.upsert ${object.name}`, value, result.id);
        const created = result.kind === 'created';
        return { status: created ? 201 : 200, body: { id: result.id, success: true, errors: [], created } };
      },
      true,
    ),
  ];
}

function objectOf(req: SandboxRequest): ObjectDef {
  const object = objectNamed(req.params.type ?? '');
  if (!object) throw notFound();
  return object;
}

/** A record as GET answers it: `attributes` and every field, or only the `fields` asked for (and Id). */
function recordBody(reader: RecordReader, row: Row, version: string, fields: string | null) {
  const attributes = { type: row.object.name, url: recordUrl(version, row) };
  if (!fields) return { attributes, ...reader.full(row) };
  const out: Record<string, unknown> = { attributes };
  for (const name of fields
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean)) {
    const field = fieldOf(row.object, name);
    if (!field) throw noSuchColumn(name, row.object.name);
    out[field.name] = reader.value(row, field);
  }
  if (!('Id' in out)) out.Id = row.record.Id;
  return out;
}

function matchesOf(reader: RecordReader, object: ObjectDef, fieldName: string, value: string): Row[] {
  const field = fieldOf(object, fieldName);
  if (!field || !isMatchField(field)) {
    throw new SalesforceApiError(
      404,
      'NOT_FOUND',
      `Provided external ID field does not exist or is not accessible: ${fieldName}`,
    );
  }
  const key = field.type === 'id' ? normalizeId(value) : fieldValue(field, value, reader);
  return reader.rows(object).filter((row) => sameText(field, row.record[field.name] ?? null, key));
}
