import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { JWK } from 'jose';

// The reference client's local file: the device key (private, P-256), the server and the device id.
// Written with mode 0600 through a temporary file and a rename, so a crash never leaves half a key.

export interface DeviceState {
  server: string;
  deviceId?: string;
  name?: string;
  privateJwk: JWK;
  publicJwk: JWK;
  /** The app's sign-in (`kapi-device login`): a DPoP-bound access token and its DPoP key, for `register`. */
  app?: { accessToken: string; dpopPrivateJwk: JWK };
}

export function defaultStatePath(): string {
  return process.env.KAPI_DEVICE_STATE ?? path.join(os.homedir(), '.kapi-device.json');
}

export async function readState(file: string): Promise<DeviceState | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DeviceState;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
}

export async function writeState(file: string, state: DeviceState): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}
