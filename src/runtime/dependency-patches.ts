import { readFileSync } from 'node:fs';
// Compiled, this module imports dist/bin/patch-dependencies.mjs: the build copies it there (bin/build.mjs).
import { applyPatch, patchedFile, PATCHES } from '../../bin/patch-dependencies.mjs';
import { PACKAGE_ROOT } from './package-root.js';

/**
 * The names of Kapı's dependency patches (bin/patch-dependencies.mjs) that are not in effect in the
 * installed tree. npm prints the patcher's warning only during the install, where it is easily missed
 * (and `npm install --ignore-scripts` skips it silently); the server says it again at every start.
 */
export function dependencyPatchesNotInEffect(root: string = PACKAGE_ROOT): string[] {
  return PATCHES.filter((patch) => {
    try {
      return applyPatch(readFileSync(patchedFile(patch, root), 'utf8'), patch).state !== 'present';
    } catch {
      return true; // the package or its file is not where the patch expects it
    }
  }).map((patch) => patch.name);
}
