/**
 * Thrown when the environment does not fit a service's schema. `lines` holds one line per
 * offending variable, naming it and saying what is expected, so the start can print them
 * and stop.
 */
export class ConfigError extends Error {
  readonly lines: readonly string[];

  constructor(lines: readonly string[]) {
    super(`invalid configuration:\n${lines.join('\n')}`);
    this.name = 'ConfigError';
    this.lines = lines;
  }
}
