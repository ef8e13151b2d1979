import { ConfigError, loadConfig } from '../../src/config.js';

/** The problems `loadConfig` finds in an environment (none: it loads). */
export function configProblems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env as NodeJS.ProcessEnv);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}
