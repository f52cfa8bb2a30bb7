/**
 * A setting that stops the start. Each problem names its environment variable, so the
 * operator sees at once what to fix; values of secret settings are never echoed.
 */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
