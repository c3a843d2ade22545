import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One forward-only migration: `NNNN_name.sql` in the service's `migrations/` folder. */
export interface MigrationFile {
  version: number;
  name: string;
  /** sha256 of the file's bytes: a file changed after it was applied is refused. */
  checksum: string;
  sql: string;
}

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/**
 * Reads the folder's migrations in version order. Any `.sql` file that does not follow the
 * naming rule, or a version used twice, is an error: a migration silently skipped would
 * leave the schema behind the code.
 */
export async function readMigrationFiles(dir: string): Promise<MigrationFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new Error(`cannot read the migrations folder ${dir}`, { cause: error });
  }
  const files: MigrationFile[] = [];
  for (const fileName of names.filter((n) => n.endsWith('.sql')).sort()) {
    const match = FILE_NAME.exec(fileName);
    if (!match) throw new Error(`migration file ${fileName} must be named NNNN_name.sql (lower-case name)`);
    const bytes = await readFile(join(dir, fileName));
    files.push({
      version: Number(match[1]),
      name: match[2] as string,
      checksum: createHash('sha256').update(bytes).digest('hex'),
      sql: bytes.toString('utf8'),
    });
  }
  for (let i = 1; i < files.length; i++) {
    if (files[i]?.version === files[i - 1]?.version) {
      throw new Error(`two migration files share version ${String(files[i]?.version).padStart(4, '0')} in ${dir}`);
    }
  }
  return files;
}
