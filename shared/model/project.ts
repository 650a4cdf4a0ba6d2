/** Set on a project opened from a review bundle: read-only, no source or target reachable. */
export interface ReviewInfo {
  readonly bundleName: string;
  readonly exportedAt: string;
  readonly exportedBy: string;
  /** The name of the project the bundle was exported from. */
  readonly exportedFrom: string;
  readonly openedAt: string;
}

/** A migration project as listed: small, cheap to read. */
export interface ProjectSummary {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly demo: boolean;
  readonly serverCount: number;
  readonly review?: ReviewInfo;
  /** Set when the project's files cannot be read; the project is listed but not opened. */
  readonly problem?: string;
}

export interface ProjectCounts {
  readonly accounts: number;
  readonly domains: number;
  readonly subscriptions: number;
  readonly templates: number;
}

/** What the dashboard of one project shows. */
export interface ProjectDetails extends ProjectSummary {
  readonly description: string;
  readonly counts: ProjectCounts;
  readonly dataDir: string;
}
