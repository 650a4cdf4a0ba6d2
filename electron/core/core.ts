import type { AppInfo } from '../../shared/contract';
import { EventBus } from './events';
import { JobRegistry } from './jobs/job-registry';
import { join } from 'node:path';
import { MigrationLog } from './log/migration-log';
import { ProjectService } from './project/project-service';
import { type MasterKeyGuard, SealedSecretStore, type SecretStore } from './secrets/secret-store';
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
  /** The migration log of one project (masked, append-only). */
  log(projectId: string): MigrationLog;
}

export function createCore(options: CoreOptions): Core {
  const events = new EventBus();
  const projects = new ProjectService(options.dataDir, events);
  const logs = new Map<string, MigrationLog>();
  return {
    info: { version: APP_VERSION, shell: options.shell, dataDir: options.dataDir },
    events,
    jobs: new JobRegistry(events),
    projects,
    secrets: new SealedSecretStore(options.dataDir, options.keyGuard),
    log: (projectId) => {
      let log = logs.get(projectId);
      if (!log) {
        log = new MigrationLog(
          join(projects.projectDir(projectId), 'migration-log.jsonl'),
          projectId,
          events,
        );
        logs.set(projectId, log);
      }
      return log;
    },
  };
}

export const DEMO_PROJECT_NAME = 'Demo migration';
