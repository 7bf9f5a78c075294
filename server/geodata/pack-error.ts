import { ConfigError } from '../config.ts';

/**
 * A city pack that cannot be used, with every problem found (file and field first). A
 * ConfigError: the server exits with the configuration-error code, which the supervisor does not
 * retry (the same pack would fail again).
 */
export class PackError extends ConfigError {
  constructor(
    readonly dir: string,
    readonly problems: string[],
  ) {
    super(
      `City pack ${dir} cannot be used; fix these and run npm run geodata:check -- ${dir}:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
  }
}
