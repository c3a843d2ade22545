/**
 * A service's schema name goes into SQL text (CREATE SCHEMA, search_path), where it cannot be
 * a bound parameter; so it is held to a plain lower-case identifier and quoted besides.
 */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema) || schema.startsWith('pg_')) {
    throw new Error(`schema name "${schema}" must be a lower-case identifier (a-z, 0-9, _), not starting with pg_`);
  }
  return schema;
}

/** The schema as a quoted SQL identifier; safe because `assertSchemaName` allows no quote. */
export function quoteSchema(schema: string): string {
  return `"${assertSchemaName(schema)}"`;
}
