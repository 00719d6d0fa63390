import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import * as addFormatsModule from 'ajv-formats';

// ajv-formats ships CommonJS; under NodeNext its default export arrives wrapped.
type FormatsPlugin = (ajv: Ajv2020) => Ajv2020;
const addFormats = (addFormatsModule as unknown as { default: FormatsPlugin }).default;

/** Validates a value against a JSON Schema, returning the first problem as text (or null when valid). */
export interface SchemaValidator {
  check(schema: object, value: unknown): string | null;
}

/**
 * JSON Schema 2020-12 validation with compiled validators cached per schema object, so the hot path
 * (every tools/call validates its arguments) compiles each recipe's schema once.
 */
export class JsonSchemaValidator implements SchemaValidator {
  private readonly ajv = new Ajv2020({ allErrors: false, strict: false, validateFormats: true });
  private readonly cache = new WeakMap<object, ValidateFunction>();

  constructor() {
    addFormats(this.ajv);
  }

  /** Null when valid; else a sentence naming the first failing field, e.g. `field "guest_email" must match format "email"`. */
  check(schema: object, value: unknown): string | null {
    const validate = this.compile(schema);
    if (validate(value)) return null;
    return describe(validate.errors?.[0]);
  }

  compile(schema: object): ValidateFunction {
    let validate = this.cache.get(schema);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.cache.set(schema, validate);
    }
    return validate;
  }
}

function describe(error: ErrorObject | undefined): string {
  if (!error) return 'is invalid';
  const missing =
    error.keyword === 'required' ? (error.params as { missingProperty?: string }).missingProperty : undefined;
  const extra =
    error.keyword === 'additionalProperties'
      ? (error.params as { additionalProperty?: string }).additionalProperty
      : undefined;
  const path = error.instancePath.split('/').filter(Boolean).map(unescape).join('.');
  if (missing) return `field "${path ? `${path}.` : ''}${missing}" is required`;
  if (extra) return `field "${path ? `${path}.` : ''}${extra}" is not allowed`;
  return path
    ? `field "${path}" ${error.message ?? 'is invalid'}`
    : `arguments ${error.message ?? 'are invalid'}`;
}

function unescape(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
