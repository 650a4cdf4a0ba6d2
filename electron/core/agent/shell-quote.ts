/**
 * POSIX shell quoting for commands sent over SSH (the remote side always runs a shell).
 * Every argument is wrapped in single quotes; a single quote inside becomes '\''. Nothing the
 * argument holds — $(), backticks, ;, newlines — can then be interpreted by the remote shell.
 */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('An argument for a remote command cannot contain a NUL byte.');
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
