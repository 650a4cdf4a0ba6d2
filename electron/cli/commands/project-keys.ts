/**
 * Sharing a shared project's credentials between engineers (issue 15): `mm engineer key`
 * prints this data dir's public key; `mm project grant|revoke|engineers|rotate-key` manage who
 * holds the project's key (`core/secrets/project-key.ts`). Nothing here prints a secret or a
 * key other than a public one. Each holds the project's lease while it runs (ctx.project), so a
 * `mm project move` elsewhere cannot take the project from under a grant or a key rotation.
 */
import type { Command } from 'commander';
import { MmError } from '../../core/errors';
import { engineerKey } from '../../core/secrets/engineer-key';
import { resealInventories } from '../../core/secrets/reseal-inventories';
import { sharedSecrets } from '../../core/secrets/shared-secrets';
import { action, table } from '../context';

export function registerProjectKeyCommands(program: Command): void {
  const project = program.commands.find((c) => c.name() === 'project');
  if (!project) throw new MmError('usage', 'the project command must be registered first');

  program
    .command('engineer')
    .description("this data dir's engineer key, for sharing projects' credentials")
    .command('key')
    .description('print the public key (give it to an engineer who runs "mm project grant")')
    .action(
      action(async ({ core }) => {
        const me = await engineerKey(sharedSecrets(core.secrets).local);
        return {
          json: { publicKey: me.publicKey.text, fingerprint: me.publicKey.fingerprint },
          text: `${me.publicKey.text}\nfingerprint ${me.publicKey.fingerprint}`,
        };
      }),
    );

  project
    .command('grant <project>')
    .description("give an engineer (or a worker's data dir) the shared project's credentials")
    .requiredOption('--engineer <public-key>', 'their public key, as "mm engineer key" prints it')
    .option('--name <name>', 'who it is, for the list of engineers', '')
    .action(
      action(async ({ core, project: open }, ref: string, o: { engineer: string; name: string }) => {
        const p = await open(ref);
        const shared = sharedSecrets(core.secrets);
        const { keys } = await shared.keys(p.id);
        // a project shared before keys existed gets its first key (and this data dir's credentials)
        // now; inventory secrets this data dir sealed before the project was shared are re-sealed
        // under the project's data key, so the engineer granted opens them too
        if (!(await keys.exists())) await shared.shareProject(p.id);
        else await resealInventories(shared, p.id);
        const added = await keys.grant(o.engineer, o.name);
        return {
          json: added,
          text: `Granted ${added.name} (${added.fingerprint}) the key of shared project ${p.id}: its credentials now open in their data dir.`,
        };
      }),
    );

  project
    .command('revoke <project>')
    .description("remove an engineer's copy of the shared project's key (then consider rotate-key)")
    .requiredOption('--engineer <public-key-or-fingerprint>', 'their public key or its fingerprint')
    .action(
      action(async ({ core, project: open }, ref: string, o: { engineer: string }) => {
        const p = await open(ref);
        const { keys } = await sharedSecrets(core.secrets).keys(p.id);
        const gone = await keys.revoke(o.engineer);
        return {
          json: gone,
          text: `Revoked ${gone.name} (${gone.fingerprint}) from shared project ${p.id}. A key they already read still opens the credentials sealed under it: run "mm project rotate-key ${p.id}" and change the passwords they knew.`,
        };
      }),
    );

  project
    .command('engineers <project>')
    .description("who holds the shared project's key")
    .action(
      action(async ({ core, project: open }, ref: string) => {
        const p = await open(ref);
        const { keys } = await sharedSecrets(core.secrets).keys(p.id);
        const all = await keys.engineers();
        return {
          json: all,
          text: table(
            ['FINGERPRINT', 'NAME', 'ADDED BY', 'ADDED'],
            all.map((e) => [e.fingerprint, e.name, e.addedBy, e.addedAt.slice(0, 16).replace('T', ' ')]),
          ),
        };
      }),
    );

  project
    .command('rotate-key <project>')
    .description('a new project key: every shared credential re-sealed, every remaining engineer given it')
    .action(
      action(async ({ core, project: open }, ref: string) => {
        const p = await open(ref);
        const { keys } = await sharedSecrets(core.secrets).keys(p.id);
        const r = await keys.rotate();
        return {
          json: r,
          text: `Rotated the key of shared project ${p.id}: ${r.secrets} credentials re-sealed, ${r.engineers} engineers given the new key.`,
        };
      }),
    );
}
