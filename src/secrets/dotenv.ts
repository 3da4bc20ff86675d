import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import dotenv from 'dotenv';
import { InputError } from '../errors.js';

/**
 * Reads a .env file (dotenv syntax) without touching process.env.
 *
 * Refuses a file that git tracks: a secret committed once lives in the history forever, so the
 * run stops before any secret is used. The check asks git in the file's own directory, so a
 * file tracked by any repository (not only projectDir's) is caught; no git, or a directory
 * that is not a repository, means "not tracked".
 *
 * A missing file gives {} unless the user named it (--env-file): then it is an error.
 */
export function loadDotEnv(file: string, projectDir: string, explicit = false): Record<string, string> {
  const path = isAbsolute(file) ? file : resolve(projectDir, file);
  if (!existsSync(path)) {
    if (explicit) throw new InputError(`env file ${file} does not exist`, undefined, 'check the --env-file path');
    return {};
  }
  if (isTrackedByGit(path)) {
    throw new InputError(
      `${file} is tracked by git; refusing to read secrets from a committed file`,
      undefined,
      `run: git rm --cached ${basename(path)} && echo ${basename(path)} >> .gitignore, then rotate every secret it held (they are in the git history)`,
    );
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return { ...dotenv.parse(text) };
}

export function isTrackedByGit(path: string): boolean {
  const r = spawnSync('git', ['-C', dirname(path), 'ls-files', '--error-unmatch', '--', basename(path)], {
    stdio: ['ignore', 'ignore', 'ignore'],
    timeout: 10_000,
  });
  return r.status === 0;
}
