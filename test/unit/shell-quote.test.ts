/**
 * Every remote argument is quoted: the quoted command is run here by a real POSIX shell, which
 * must hand each argument back byte for byte, whatever it holds.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellCommand, shellQuote } from '../../electron/core/agent/shell-quote';

/** The arguments a real `sh -c` sees after parsing the command, one per line of printf's output. */
function argumentsSeenByShell(argv: readonly string[]): string[] {
  // printf prints each argument NUL-terminated, so arguments with newlines stay whole.
  const out = execFileSync('sh', ['-c', `printf '%s\\0' ${shellCommand(argv)}`]);
  return out.toString('utf8').split('\0').slice(0, -1);
}

describe('shell quoting of remote arguments', () => {
  it("wraps an argument in single quotes and turns an inner quote into the four characters '\\''", () => {
    expect(shellQuote('plain')).toBe("'plain'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote("''")).toBe("''\\'''\\'''");
    expect(shellQuote('')).toBe("''");
  });

  it('joins quoted arguments with single spaces', () => {
    expect(shellCommand(['perl', '-e', 'a b'])).toBe("'perl' '-e' 'a b'");
    expect(shellCommand([])).toBe('');
  });

  it('a real shell receives each argument unchanged: no expansion, substitution, splitting or chaining', () => {
    const hostile = [
      '$(touch /tmp/mm-pwned)',
      '`id`',
      'a; rm -rf /',
      'x && y || z',
      "it's a 'quote'",
      "'",
      '"double" \\ back\\slash',
      'line one\nline two',
      '  spaced  ',
      '*',
      '~',
      '$HOME ${PATH} $1',
      '> /etc/passwd',
      '',
      'ünïcødé ✓',
    ];
    expect(argumentsSeenByShell(hostile)).toEqual(hostile);
  });

  it('refuses a NUL byte, which no shell argument can carry', () => {
    expect(() => shellQuote('a\0b')).toThrow(/cannot contain a NUL byte/);
    expect(() => shellCommand(['ok', 'bad\0'])).toThrow(/NUL byte/);
  });
});
