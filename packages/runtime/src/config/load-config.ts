import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import type { z } from 'zod';
import { ConfigError } from './config-error.js';

export interface LoadConfigOptions {
  /** The environment to read; `process.env` when absent. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * A `.env` file read beneath the environment (the environment wins). `false` reads none;
   * absent reads `.env` in the working directory when it exists.
   */
  envFile?: string | false;
}

/** Names whose values are never echoed back in an error line. */
const SECRET_NAME = /TOKEN|SECRET|KEY|PASSWORD|PASS\b/i;

/**
 * Whether a bad value may be shown in its error line: never for secret names, nor for
 * values that can carry credentials whatever their name (a URL with user info such as
 * redis://:password@host, a JSON list of routers with their passwords), nor long ones.
 */
function mayEcho(name: string, value: string): boolean {
  return !SECRET_NAME.test(name) && !/@|^\s*[[{]/.test(value) && value.length <= 120;
}

/**
 * The only function that reads the environment: `.env` (when present) beneath the process
 * environment, empty strings treated as unset. Services parse it through `loadConfig`; the
 * one-command start reads it too, so that it sees what the services it starts will see.
 */
export function readEnvironment(options: LoadConfigOptions = {}): Record<string, string> {
  const merged: Record<string, string> = {};
  const file = options.envFile === undefined ? resolve(process.cwd(), '.env') : options.envFile;
  if (file !== false && existsSync(file)) {
    Object.assign(merged, parseEnv(readFileSync(file, 'utf8')));
  }
  for (const [name, value] of Object.entries(options.env ?? process.env)) {
    if (value !== undefined) merged[name] = value;
  }
  for (const [name, value] of Object.entries(merged)) {
    if (value.trim() === '') delete merged[name];
  }
  return merged;
}

/**
 * Parses the environment (see `readEnvironment`) with the service's schema. A bad or
 * missing variable throws a ConfigError with one line per variable.
 */
export function loadConfig<S extends z.ZodType>(schema: S, options: LoadConfigOptions = {}): z.infer<S> {
  const merged = readEnvironment(options);
  const result = schema.safeParse(merged);
  if (result.success) return result.data;

  const lines = new Map<string, string>();
  for (const issue of result.error.issues) {
    const name = issue.path.length > 0 ? issue.path.map(String).join('.') : '(environment)';
    if (lines.has(name)) continue;
    const value = merged[name];
    let message = issue.message;
    if (value === undefined && issue.code === 'invalid_type') message = 'is required';
    const shown = value !== undefined && mayEcho(name, value) ? ` (got "${value}")` : '';
    lines.set(name, `${name}: ${message}${shown}`);
  }
  throw new ConfigError([...lines.values()]);
}

/**
 * For entry files: load the config or print the lines and exit with status 1. Printing is
 * to stderr, one line per variable, because the logger does not exist yet.
 */
export function loadConfigOrExit<S extends z.ZodType>(schema: S, options: LoadConfigOptions = {}): z.infer<S> {
  try {
    return loadConfig(schema, options);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.lines.join('\n')}\n`);
      process.exit(1);
    }
    throw error;
  }
}
