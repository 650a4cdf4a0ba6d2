export interface DemoSpheraSummary {
  readonly root: string;
  readonly accounts: number;
  readonly subscriptions: number;
  readonly domains: number;
  readonly templates: number;
}
/** Writes the demo Sphera source (a hosting description and its files) below rootDir. */
export function buildDemoSphera(rootDir: string): DemoSpheraSummary;
