import { CodedError, type DatabaseClient, ERRORS } from '@helpline/runtime';

/** The next ticket or contact number, inside the creating transaction. */
export async function nextNumber(tx: DatabaseClient, counter: 'ticket' | 'contact'): Promise<string> {
  // The row lock this takes is held to commit: creates take numbers one after another.
  const { rows } = await tx.query<{ value: string }>(
    'UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value::text AS value',
    [counter],
    'tickets.counter_next',
  );
  const value = rows[0]?.value;
  if (value === undefined) {
    throw new CodedError(ERRORS.internal_error, `counter ${counter} missing: are the tickets migrations applied?`);
  }
  return value;
}
