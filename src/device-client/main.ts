import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { JWK } from 'jose';
import { DeviceApiError, DeviceClient, newDeviceKeys, type PendingApproval } from './client.js';
import { startAppLogin } from './login.js';
import { defaultStatePath, readState, writeState } from './state.js';

// `kapi-device`: the reference client of the device API, doing everything the e-Devlet app does with a
// registered device. Keys live in a local file (--state, default ~/.kapi-device.json, mode 0600).

const USAGE = `kapi-device — the reference client of Kapı's device API

  kapi-device login --server URL           sign in as the e-Devlet app (prints the address to open,
                                           then reads the address the browser lands on)
  kapi-device register --name NAME [--push-token T] [--server URL --access-token TOKEN --dpop-key FILE]
  kapi-device list                         pending approvals ("Mobile Approval")
  kapi-device approve ID --number NN       approve, picking the number the browser shows
  kapi-device deny ID
  kapi-device scan PAYLOAD [--approve | --deny]   the QR code of a login page
  kapi-device delete                       unregister this device

Options: --state FILE (default $KAPI_DEVICE_STATE or ~/.kapi-device.json), --json`;

function print(json: boolean, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text}\n`);
}

function describe(a: PendingApproval): string {
  const when = new Date(a.iat * 1000).toISOString();
  return `${a.id}\n  institution: ${a.clientName}\n  time: ${when}\n  from: ${a.place === 'local' ? 'a local network' : (a.place ?? 'unknown place')}, ${a.ip} (${a.userAgent})${a.scanned ? '\n  scanned: yes' : '\n  approve with the two-digit number the sign-in page shows'}`;
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      server: { type: 'string' },
      name: { type: 'string' },
      'access-token': { type: 'string' },
      'dpop-key': { type: 'string' },
      'push-token': { type: 'string' },
      number: { type: 'string' },
      state: { type: 'string' },
      json: { type: 'boolean', default: false },
      approve: { type: 'boolean', default: false },
      deny: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const [command, arg] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }
  const file = values.state ?? defaultStatePath();
  const json = values.json === true;
  let state = await readState(file);

  if (command === 'login') {
    const server = values.server ?? state?.server;
    if (!server) throw new UsageError('login needs --server');
    if (state?.deviceId) throw new UsageError(`${file} already holds a registered device`);
    const login = await startAppLogin(server);
    process.stdout.write(`Open this address in a browser and sign in:\n${login.url}\nThen paste the address the browser ends at:\n`);
    const line = await readLine();
    const app = await login.finish(line);
    await writeState(file, { ...(state ?? { server, ...(await newDeviceKeys()) }), server, app });
    print(json, { signed_in: true }, 'signed in; now run kapi-device register --name NAME');
    return 0;
  }

  if (command === 'register') {
    const server = values.server ?? state?.server;
    if (state?.deviceId) throw new UsageError(`${file} already holds a registered device; use another --state file or delete it first`);
    const given =
      values['access-token'] && values['dpop-key']
        ? { accessToken: values['access-token'], dpopPrivateJwk: JSON.parse(await readFile(values['dpop-key'], 'utf8')) as JWK }
        : undefined;
    const app = given ?? state?.app;
    if (!server || !values.name || !app)
      throw new UsageError('register needs --name and a sign-in: run kapi-device login first (or give --server, --access-token and --dpop-key)');
    state = { server, ...(state && state.server === server ? { privateJwk: state.privateJwk, publicJwk: state.publicJwk } : await newDeviceKeys()) };
    const client = new DeviceClient(state);
    const out = await client.register({ name: values.name, accessToken: app.accessToken, dpopPrivateJwk: app.dpopPrivateJwk, pushToken: values['push-token'] });
    await writeState(file, client.state); // the app's token is not kept once the device holds its own key
    print(json, out, `registered as ${out.device_id}`);
    return 0;
  }

  if (!state?.deviceId) throw new UsageError(`no registered device in ${file} (run kapi-device register first)`);
  const client = new DeviceClient(state);
  switch (command) {
    case 'list': {
      const pending = await client.pending();
      print(json, { approvals: pending }, pending.length ? pending.map(describe).join('\n') : 'no pending approvals');
      return 0;
    }
    case 'approve':
    case 'deny': {
      if (!arg) throw new UsageError(`${command} needs the approval id`);
      const approval = (await client.pending()).find((a) => a.id === arg);
      if (!approval) throw new UsageError(`no pending approval ${arg}`);
      if (command === 'approve' && !approval.scanned && !values.number) throw new UsageError('approve needs --number: the number the browser shows');
      if (command === 'approve' && values.number && !/^[0-9]{2}$/.test(values.number))
        throw new UsageError('the number is the two digits the sign-in page shows');
      const status = await client.answer(approval, command, values.number);
      print(json, { status }, status);
      return 0;
    }
    case 'scan': {
      if (!arg) throw new UsageError('scan needs the QR payload');
      const approval = await client.scan(arg);
      if (!values.approve && !values.deny) {
        print(json, { approval }, describe(approval));
        return 0;
      }
      const status = await client.answer(approval, values.approve ? 'approve' : 'deny');
      print(json, { approval, status }, `${describe(approval)}\n${status}`);
      return 0;
    }
    case 'delete': {
      await client.remove();
      delete client.state.deviceId;
      await writeState(file, client.state);
      print(json, { deleted: true }, 'device deleted');
      return 0;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

class UsageError extends Error {}

/** One line from standard input (the address the browser ended at). */
async function readLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    for await (const line of rl) if (line.trim()) return line.trim();
  } finally {
    rl.close();
  }
  throw new UsageError('no address given on standard input');
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof DeviceApiError) process.stderr.write(`kapi-device: refused: ${err.message}\n`);
    else if (err instanceof UsageError) process.stderr.write(`kapi-device: ${err.message}\n`);
    else process.stderr.write(`kapi-device: ${(err as Error).message}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
