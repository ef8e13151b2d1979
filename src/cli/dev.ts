import { Command } from 'commander';
import type { CliContext } from './main.js';
import { printFields, printJson, printLine } from './output.js';

// `kapi dev token`: development helpers for the embedded demo (never for production data).

export function devCommand(ctx: CliContext): Command {
  const dev = new Command('dev').description('development helpers for the embedded demo');
  dev
    .command('token')
    .description('create a SoftHSM2 demo token with ID-card and e-signature certificates for a demo citizen')
    .option('--national-id <number>', 'a person of the demo population registry', '10000000146')
    .option('--json', 'print JSON')
    .action(async (o: { nationalId: string; json?: boolean }) => {
      const result = await ctx.withConfig(async (config) => {
        if (config.production) throw new Error('kapi dev token is for development only');
        const { createDemoToken } = await import('../dev/demo-token.js');
        const { demoCaDir, demoCaPort } = await import('../../interactions/smart-card/trust.js');
        const token = await createDemoToken({
          dataDir: config.dataDir,
          nationalId: o.nationalId,
          caDir: demoCaDir(config),
          responderBaseUrl: `http://127.0.0.1:${demoCaPort(config)}`,
        });
        return { ...token, issuer: config.issuer };
      });
      const command = `SOFTHSM2_CONF=${result.confPath} npx kapi-signer --server ${result.issuer} --card softhsm --token-label ${result.tokenLabel}`;
      if (o.json) return printJson({ token_label: result.tokenLabel, softhsm2_conf: result.confPath, pin: result.pin, signer_command: command });
      printFields({ token: result.tokenLabel, pin: result.pin, SOFTHSM2_CONF: result.confPath });
      printLine();
      printLine('Start Kapı (npm start), choose e-İmza or T.C. Kimlik Kartı on the sign-in page, then run:');
      printLine(`  ${command}`);
    });
  return dev;
}
