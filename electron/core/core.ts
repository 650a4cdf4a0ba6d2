import type { AppInfo } from '../../shared/contract';
import { EventBus } from './events';
import { JobRegistry } from './jobs/job-registry';
import { ProjectService } from './project/project-service';
import { APP_VERSION } from './version';

export interface CoreOptions {
  readonly dataDir: string;
  readonly shell: AppInfo['shell'];
}

/** The Migration Manager core: every service, wired once, shared by every shell. */
export interface Core {
  readonly info: AppInfo;
  readonly events: EventBus;
  readonly jobs: JobRegistry;
  readonly projects: ProjectService;
}

export function createCore(options: CoreOptions): Core {
  const events = new EventBus();
  return {
    info: { version: APP_VERSION, shell: options.shell, dataDir: options.dataDir },
    events,
    jobs: new JobRegistry(events),
    projects: new ProjectService(options.dataDir, events),
  };
}

export const DEMO_PROJECT_NAME = 'Demo migration';
