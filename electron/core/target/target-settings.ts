/** The target as project.json stores it: addresses and users only; passwords are secrets. */
export interface ProjectTargetEndpoint {
  url: string;
  user: string;
}

export interface ProjectTarget {
  poa?: ProjectTargetEndpoint;
  pba?: ProjectTargetEndpoint;
  /** SHA-256 of the pinned TLS certificate; absent: system trust. */
  tlsFingerprint?: string;
  /** The built-in sandbox (the demo project's target, refreshed on every start). */
  sandbox?: boolean;
}

export type TargetSide = 'poa' | 'pba';

/** The secret-store name of a target password. */
export function targetSecretName(projectId: string, side: TargetSide): string {
  return `project/${projectId}/target/${side}-password`;
}
