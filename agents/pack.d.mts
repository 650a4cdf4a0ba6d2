export interface PackedAgent {
  readonly tarPath: string;
  readonly manifestPath: string;
  readonly members: readonly string[];
}
export interface AgentFile {
  readonly name: string;
  readonly path: string;
  readonly dir: boolean;
  readonly mode: number;
  readonly mtime: number;
}
/** Packs agents/<name> into <outDir>/agent.tar and copies its manifest to <outDir>/agent.manifest. */
export function packAgent(name: string, outDir: string): PackedAgent;
export function agentFiles(name: string): AgentFile[];
