// Types for bin/patch-dependencies.mjs (a plain script, so that `npm install` runs it without tsx).
export interface DependencyEdit {
  find: string;
  replace: string;
}
export interface DependencyPatch {
  name: string;
  package: string;
  entry: string;
  file: string;
  edits: DependencyEdit[];
}
export const PATCHES: DependencyPatch[];
export function applyPatch(source: string, patch: DependencyPatch): { state: 'applied' | 'present' | 'missing'; source: string };
export function patchedFile(patch: DependencyPatch, root: string): string;
