/** The `mm` command line: the same core as the app, for scripts and tests. */
import { Command, CommanderError } from 'commander';
import { APP_VERSION } from '../core/version';
import { EXIT_USAGE } from './context';
import { registerInventoryCommands } from './commands/inventory';
import { registerProjectCommands, registerReviewCommands } from './commands/project';
import { registerReportCommands } from './commands/report';
import { registerServerCommands } from './commands/server';
import { registerSandboxCommands } from './commands/sandbox';
import { registerTargetCommands } from './commands/target';
import { registerDecideCommands } from './commands/decide';
import { registerMappingCommands } from './commands/mapping';
import { registerSelectCommands } from './commands/select';
import { registerVerifyCommands } from './commands/verify';
import { registerMigrateCommands } from './commands/migrate';
import { registerRehearsalCommands } from './commands/rehearse';
import { registerProjectStoreCommands } from './commands/project-store';
import { registerProjectKeyCommands } from './commands/project-keys';
import { registerWorkerCommands } from './commands/worker';
import { registerIpMapCommands } from './commands/ip-map';
import { registerDnsSheetCommands } from './commands/dns-sheet';
import { registerResyncCommands } from './commands/resync';
import { registerCheckCommands } from './commands/check';

// Files mm writes into the data dir (projects, inventories, logs, secrets) are the user's alone.
process.umask(0o077);

const program = new Command('mm')
  .description('Migration Manager: move hosting customers to POA/PBA')
  .version(APP_VERSION)
  .option('--data-dir <dir>', 'where projects are stored (default: MM_DATA_DIR or the user data directory)')
  .option('--project <name>', 'the project to work on (needed when there are several)')
  .option('--json', 'machine-readable output on stdout', false)
  .showHelpAfterError()
  .exitOverride();

registerProjectCommands(program);
registerReviewCommands(program);
registerReportCommands(program);
registerServerCommands(program);
registerInventoryCommands(program);
registerTargetCommands(program);
registerMappingCommands(program);
registerSelectCommands(program);
registerVerifyCommands(program);
registerDecideCommands(program);
registerSandboxCommands(program);
registerMigrateCommands(program);
registerRehearsalCommands(program);
registerProjectStoreCommands(program);
registerProjectKeyCommands(program);
registerWorkerCommands(program);
registerIpMapCommands(program);
registerDnsSheetCommands(program);
registerResyncCommands(program);
registerCheckCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
  else throw e;
}
