import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's root directory (where package.json is): the views, static files, word lists, docs
 * and bin/ are read from there. The same whether this code runs from its TypeScript source (src/…,
 * under tsx or jest) or compiled (dist/src/…, `npm run build`): dist/ holds only compiled code, so a
 * file that is not code is always found at its place in the source tree, never beside the compiled file.
 */
export const PACKAGE_ROOT: string = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/** A file of the package, by its path from the root (`src/accounts/common-passwords.txt`). */
export function packageFile(relative: string): string {
  return path.join(PACKAGE_ROOT, relative);
}
