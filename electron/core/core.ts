import type { AppInfo } from '../../shared/contract';
import { EventBus } from './events';
import { JobRegistry } from './jobs/job-registry';
import { join } from 'node:path';
import { InventoryService } from './inventory/inventory-service';
import { InventoryStore } from './inventory/inventory-store';
import { MigrationLog } from './log/migration-log';
import { ProjectService } from './project/project-service';
import { type MasterKeyGuard, SealedSecretStore, type SecretStore } from './secrets/secret-store';
import { ServerService } from './servers/server-service';
import { TargetService } from './target/target-service';
import { APP_VERSION } from './version';

export interface CoreOptions {
  readonly dataDir: string;
  readonly shell: AppInfo['shell'];
  /** Electron seals the secrets' master key with safeStorage; other shells use a 0600 key file. */
  readonly keyGuard?: MasterKeyGuard;
}

/** The Migration Manager core: every service, wired once, shared by every shell. */
export interface Core {
  readonly info: AppInfo;
  readonly events: EventBus;
  readonly jobs: JobRegistry;
  readonly projects: ProjectService;
  readonly secrets: SecretStore;
  readonly servers: ServerService;
  readonly inventory: InventoryService;
  /** The POA/PBA target of each project: settings, clients, connection test, browser. */
  readonly target: TargetService;
  /** The migration log of one project (masked, append-only). */
  log(projectId: string): MigrationLog;
}

export function createCore(options: CoreOptions): Core {
  const events = new EventBus();
  const projects = new ProjectService(options.dataDir, events);
  const logs = new Map<string, MigrationLog>();
  const secrets = new SealedSecretStore(options.dataDir, options.keyGuard);
  const inventoryStore = new InventoryStore(projects);
  const servers = new ServerService(projects, secrets, (projectId, serverId) =>
    inventoryStore.remove(projectId, serverId),
  );
  const log = (projectId: string): MigrationLog => {
    let l = logs.get(projectId);
    if (!l) {
      l = new MigrationLog(join(projects.projectDir(projectId), 'migration-log.jsonl'), projectId, events);
      logs.set(projectId, l);
    }
    return l;
  };
  return {
    info: { version: APP_VERSION, shell: options.shell, dataDir: options.dataDir },
    events,
    jobs: new JobRegistry(events),
    projects,
    secrets,
    servers,
    inventory: new InventoryService(servers, inventoryStore, log),
    target: new TargetService({ projects, secrets, log }),
    log,
  };
}

export const DEMO_PROJECT_NAME = 'Demo migration';
