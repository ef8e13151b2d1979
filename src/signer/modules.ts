import { existsSync } from 'node:fs';
import path from 'node:path';
import { usageError, SignerError } from './errors.js';
import type { MessageKey } from './messages.js';

// Card types a citizen can name instead of a module path. The vendor's module is installed with the
// card driver, in a place that depends on the distribution, so each preset lists where to look.

export type CardPreset = 'akis' | 'opensc' | 'softhsm';

interface Preset {
  label: MessageKey;
  file: string;
  dirs: string[];
}

const LIB_DIRS = ['/usr/lib', '/usr/local/lib', '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64'];

export const PRESETS: Record<CardPreset, Preset> = {
  // AKİS: the card operating system of the Turkish ID card and most e-signature tokens (TÜBİTAK's driver).
  akis: { label: 'card_preset_akis', file: 'libakisp11.so', dirs: LIB_DIRS },
  opensc: {
    label: 'card_preset_opensc',
    file: 'opensc-pkcs11.so',
    dirs: [...LIB_DIRS.flatMap((d) => [d, path.join(d, 'pkcs11')]), '/Library/OpenSC/lib'],
  },
  softhsm: {
    label: 'card_preset_softhsm',
    file: 'libsofthsm2.so',
    dirs: [...LIB_DIRS.map((d) => path.join(d, 'softhsm')), ...LIB_DIRS],
  },
};

export const PRESET_NAMES = Object.keys(PRESETS) as CardPreset[];

export function isPreset(name: string): name is CardPreset {
  return Object.hasOwn(PRESETS, name);
}

/** Where the preset's module is on this machine, if anywhere. */
export function findPresetModule(name: CardPreset): string | undefined {
  const preset = PRESETS[name];
  return preset.dirs.map((dir) => path.join(dir, preset.file)).find((file) => existsSync(file));
}

/** The module path from --card or --module. */
export function resolveModule(card: string | undefined, modulePath: string | undefined): string {
  if (card && modulePath) throw usageError('card_and_module');
  if (modulePath) {
    const resolved = path.resolve(modulePath);
    if (!existsSync(resolved)) throw new SignerError('module_missing_file', { path: resolved }, { reason: 'token_error' });
    return resolved;
  }
  if (!card) throw usageError('no_module', { presets: PRESET_NAMES.join(', ') });
  const name = card.toLowerCase();
  if (!isPreset(name)) throw usageError('unknown_preset', { card, presets: PRESET_NAMES.join(', ') });
  const found = findPresetModule(name);
  if (!found) {
    const preset = PRESETS[name];
    throw new SignerError('module_not_found', { card: name, file: preset.file, dirs: [...new Set(preset.dirs)].join(', ') }, { reason: 'token_error' });
  }
  return found;
}
