// @ts-check
/**
 * Mutation testing of the core's pure and security-critical modules (`npm run test:mutation`).
 * Stryker plants small bugs (mutants) in these files and runs the fast suites of
 * vitest.stryker.config.ts against each; a mutant no test notices is a gap in the tests.
 * Incremental: results of unchanged code and tests are reused from the incremental file, so a
 * run after a change re-tests only what changed. One mutant at a time (the machine is shared).
 *
 * One module: `npm run test:mutation -- electron/core/agent/shell-quote.ts`.
 */

/**
 * The modules under mutation: the verification rules (and the incremental engine that decides
 * what to re-verify), mapping and selection rules, dates, and the security-critical helpers.
 * evaluation.ts (the wiring of the rules to the index) is left out: its mutants are covered by
 * the same suites and would double the run time for little.
 */
export const MODULES = [
  'electron/core/verification/account-rules.ts',
  'electron/core/verification/domain-rules.ts',
  'electron/core/verification/subscription-rules.ts',
  'electron/core/verification/engine.ts',
  'electron/core/verification/warnings.ts',
  'electron/core/verification/reason.ts',
  'electron/core/verification/dates.ts',
  'electron/core/mapping/mapping-rules.ts',
  'electron/core/selection/select-rules.ts',
  'electron/core/inventory/xml-guard.ts',
  'electron/core/agent/shell-quote.ts',
  'electron/core/log/mask.ts',
  'electron/core/log/migration-log.ts',
  'electron/core/secrets/secret-store.ts',
  'electron/core/store/document-file.ts',
];

/**
 * Surviving mutants that are equivalent: the mutated code behaves the same for every input, so
 * no test can tell them apart. test/mutation/run.mjs leaves them out of the score, names them,
 * and lists an entry here that no longer matches a survivor (killed now, or the code changed).
 * An entry: file, mutator, a piece of the mutated line, optionally the replacement, and why.
 */
export const EQUIVALENT = [
  {
    file: 'electron/core/verification/dates.ts',
    mutator: 'ConditionalExpression',
    code: 'if (cache.has(date)) return cache.get(date);',
    why: 'without the cache hit every date is parsed again: the same answer, only slower',
  },
  {
    file: 'electron/core/verification/dates.ts',
    mutator: 'ConditionalExpression',
    code: 'if (cache.size > 100_000) cache.clear();',
    why: 'clearing the cache always, or never, changes memory use, not an answer',
  },
  {
    file: 'electron/core/verification/dates.ts',
    mutator: 'EqualityOperator',
    code: 'if (cache.size > 100_000) cache.clear();',
    why: 'clearing the cache at another size changes memory use, not an answer',
  },
  {
    file: 'electron/core/verification/dates.ts',
    mutator: 'ConditionalExpression',
    code: 'back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d',
    why: 'each of the month and day checks is implied by the other two: a day past the month rolls the month over and changes the day; a month past 12 or 0 changes the year',
  },
  {
    file: 'electron/core/mapping/mapping-rules.ts',
    mutator: 'EqualityOperator',
    code: 'if (key.endsWith(t.tld) && (!best || t.tld.length > best.tld.length)) best = t;',
    why: 'two matching entries of the same length are the same TLD, and a stored mapping never holds one TLD twice (normalizeMapping keeps one per TLD)',
  },
  {
    file: 'electron/core/mapping/mapping-rules.ts',
    mutator: 'OptionalChaining',
    code: 'const plan = (id: number): ServicePlanInfo | undefined => pba?.find((p) => p.id === id);',
    why: 'plan() is only called inside "if (pba)" blocks',
  },
  {
    file: 'electron/core/mapping/mapping-rules.ts',
    mutator: 'ArrayDeclaration',
    code: 'JSON.stringify([m.class, m.poaTemplateId ?? null, m.pbaPlanId ?? null, m.tlds ?? []]);',
    replacement: '["Stryker was here"]',
    why: 'the default for missing TLDs: normalizeMapping leaves tlds out exactly when there are none, so both sides get the same default, whatever it is',
  },
  {
    file: 'electron/core/log/mask.ts',
    mutator: 'Regex',
    code: 'encrypted.?number',
    replacement: '/pass(word|phrase)?|secret|token|private.?key|crypted|credential|^auth$|encrypted.number/i',
    why: 'every key that "encrypted.?number" matches is already matched by "crypted"',
  },
  {
    file: 'electron/core/log/migration-log.ts',
    mutator: 'ConditionalExpression',
    code: '...(details === undefined ? {} : { details: maskSecrets(details) }),',
    why: 'a "details: undefined" key is dropped by JSON.stringify: the line written is the same',
  },
  {
    file: 'electron/core/secrets/secret-store.ts',
    mutator: 'StringLiteral',
    code: "const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);",
    why: 'Node reads a string with an empty encoding as UTF-8: the same bytes are sealed',
  },
  {
    file: 'electron/core/secrets/secret-store.ts',
    mutator: 'ConditionalExpression',
    code: "if (counter === 0xffffffff) throw new Error('one sealer seals at most 2^32 values');",
    why: 'not equivalent, but out of reach: a test would have to seal 2^32 values with one sealer (hours)',
  },
  {
    file: 'electron/core/secrets/secret-store.ts',
    mutator: 'StringLiteral',
    code: "if (counter === 0xffffffff) throw new Error('one sealer seals at most 2^32 values');",
    why: 'not equivalent, but out of reach: a test would have to seal 2^32 values with one sealer (hours)',
  },
  {
    file: 'electron/core/store/document-file.ts',
    mutator: 'ConditionalExpression',
    code: 'a?.mtimeMs === b?.mtimeMs && a?.size === b?.size;',
    replacement: 'false',
    why: 'a stamp never equal makes every read re-read the file: the same document, only slower',
  },
  {
    file: 'electron/core/store/document-file.ts',
    mutator: 'ConditionalExpression',
    code: 'if (!sameStamp(await stampOf(this.file), this.#seen)) await this.reload();',
    replacement: 'true',
    why: 're-reading the file although it did not change gives the same document, only slower',
  },
  {
    file: 'electron/core/store/document-file.ts',
    mutator: 'BlockStatement',
    code: '} catch {',
    why: 'stampOf: an empty catch returns undefined just as "return undefined" does',
  },
  {
    file: 'electron/core/store/document-file.ts',
    mutator: 'ConditionalExpression',
    code: 'if (text === null) return null;',
    why: 'JSON.parse(null) is null too',
  },
  {
    file: 'electron/core/inventory/xml-guard.ts',
    mutator: 'Regex',
    code: "const text = head.replace(/^\\uFEFF/, '');",
    why: 'a byte-order mark further in is inside a comment or after the root: removing it changes no verdict and no line number',
  },
  {
    file: 'electron/core/inventory/xml-guard.ts',
    mutator: 'ConditionalExpression',
    code: 'while (at < text.length && /\\s/.test(text[at]!)) at++;',
    why: 'past the end text[at] is undefined, and /\\s/ does not match "undefined": the loop stops all the same',
  },
  {
    file: 'electron/core/inventory/xml-guard.ts',
    mutator: 'EqualityOperator',
    code: 'while (at < text.length && /\\s/.test(text[at]!)) at++;',
    why: 'past the end text[at] is undefined, and /\\s/ does not match "undefined": the loop stops all the same',
  },
  {
    file: 'electron/core/inventory/xml-guard.ts',
    mutator: 'EqualityOperator',
    code: 'if (end < 0) break;',
    why: 'end is searched from at + 2 or at + 4, so it is never 0',
  },
  {
    file: 'electron/core/inventory/xml-guard.ts',
    mutator: 'Regex',
    code: "} else if (/^<!DOCTYPE/i.test(text.slice(at, at + 9)) || text.startsWith('<!ENTITY', at)) {",
    why: 'the slice is 9 characters, as long as "<!DOCTYPE": it can only match at its start',
  },
  {
    file: 'electron/core/inventory/xml-guard.ts',
    mutator: 'Regex',
    code: '} else if (/^<[A-Za-z_]/.test(text.slice(at, at + 2))) {',
    why: 'the slice is 2 characters: "<x" can only match at its start',
  },
  {
    file: 'electron/core/verification/domain-rules.ts',
    mutator: 'ConditionalExpression',
    code: "rejected.push(why.length > 0 ? `${r.id} (${why.join(', ')})` : r.id);",
    why: 'a mapped subscription that is not suitable always has a blocking reason (that is what unsuitable means), so why is never empty',
  },
  {
    file: 'electron/core/verification/domain-rules.ts',
    mutator: 'EqualityOperator',
    code: "rejected.push(why.length > 0 ? `${r.id} (${why.join(', ')})` : r.id);",
    why: 'a mapped subscription that is not suitable always has a blocking reason, so why is never empty',
  },
  {
    file: 'electron/core/verification/domain-rules.ts',
    mutator: 'OptionalChaining',
    code: 'f.approval?.',
    why: 'read only when the domain is approved, which needs an approval',
  },
  {
    file: 'electron/core/verification/domain-rules.ts',
    mutator: 'ConditionalExpression',
    code: 'hostingId !== undefined',
    why: 'with no hosting id, find() looks for an id equal to undefined and finds none: the same undefined',
  },
  {
    file: 'electron/core/verification/domain-rules.ts',
    mutator: 'OptionalChaining',
    code: '? f.related.find((r) => r.id === hostingId)?.verdict?.result.templateId',
    why: 'the hosting id was taken from a related subscription that has a verdict, so find() and verdict are never undefined here',
  },
  {
    file: 'electron/core/verification/engine.ts',
    mutator: 'ArrayDeclaration',
    code: 'for (const o of index.domainsByName.get(name) ?? [])',
    why: 'touched names come from domains of the index, so the look-up always finds them',
  },
  {
    file: 'electron/core/verification/engine.ts',
    mutator: 'EqualityOperator',
    code: 'while (queue.length > 0) {',
    why: 'an empty queue pops undefined and the next line breaks out of the loop',
  },
  {
    file: 'electron/core/verification/engine.ts',
    mutator: 'ConditionalExpression',
    code: 'if (!t) break;',
    why: 'the loop runs only while the queue is not empty, so pop() never gives undefined',
  },
  {
    file: 'electron/core/verification/engine.ts',
    mutator: 'ConditionalExpression',
    code: 'if (ownSignature(previous.get(accountKey)) !== ownSignature(group.get(accountKey) ?? undefined)) {',
    replacement: 'true',
    why: "re-verifying an account's customers when its own verdict did not change gives the same results, only more work",
  },
  {
    file: 'electron/core/verification/engine.ts',
    mutator: 'LogicalOperator',
    code: 'if (ownSignature(previous.get(accountKey)) !== ownSignature(group.get(accountKey) ?? undefined)) {',
    why: 'a signature that always differs re-verifies the customers more often: the same results, only more work',
  },
  {
    file: 'electron/core/verification/engine.ts',
    mutator: 'OptionalChaining',
    code: 'for (const child of ix?.childAccounts.get(t.accountId) ?? [])',
    why: 'the server of a queued account is always in the index',
  },
  {
    file: 'electron/core/verification/engine.ts',
    mutator: 'MethodExpression',
    code: 'return r.reasons',
    why: "a signature of all the account's codes, not only its own, re-verifies the customers more often: the same results, only more work",
  },
  {
    file: 'electron/core/verification/engine.ts',
    mutator: 'ArrayDeclaration',
    code: 'for (const sub of ix?.subscriptionsByTemplate.get(change.mapping.templateId) ?? [])',
    why: 'a template without subscriptions: iterating one bogus entry finds no subscription by that id and touches nothing, as none does',
  },
  {
    file: 'electron/core/verification/engine.ts',
    mutator: 'ConditionalExpression',
    code: 'if (ix) bySubscription(ix, sub.id);',
    why: 'subscriptions of a template are only found through ix, so ix is defined inside the loop',
  },
  {
    file: 'electron/core/verification/warnings.ts',
    mutator: 'OptionalChaining',
    code: 'Login?.',
    why: 'the message and the check are reached only when the login with its password exists',
  },
  {
    file: 'electron/core/verification/warnings.ts',
    mutator: 'ConditionalExpression',
    code: "if (!facts && d.kind !== 'subdomain' && !d.content.some((c) => c.kind === 'database')) return NONE;",
    replacement: 'false',
    why: 'the shortcut for domains with nothing to warn about: without it the checks below find nothing either',
  },
  {
    file: 'electron/core/verification/warnings.ts',
    mutator: 'MethodExpression',
    code: "if (!facts && d.kind !== 'subdomain' && !d.content.some((c) => c.kind === 'database')) return NONE;",
    why: 'the shortcut for domains with nothing to warn about: taking it less often, the checks below find nothing either',
  },
  {
    file: 'electron/core/verification/warnings.ts',
    mutator: 'ArrayDeclaration',
    code: "...(facts?.subdomains ?? []).filter((s) => s === '*' || s.startsWith('*.')),",
    why: 'without facts the bogus entry is filtered out: it is not a wildcard',
  },
  {
    file: 'electron/core/secrets/secret-store.ts',
    mutator: 'ConditionalExpression',
    code: 'this.#guards = preferred === fileGuard ? [fileGuard] : [preferred, fileGuard];',
    replacement: 'false',
    why: 'with the file guard preferred the list becomes [file, file]: the same guard found first either way',
  },
  {
    file: 'electron/core/secrets/secret-store.ts',
    mutator: 'ConditionalExpression',
    code: "if (process.platform !== 'win32' && (mode & 0o077) !== 0) {",
    replacement: 'true',
    why: 'the platform test is always true on Linux, where the suites run; the Windows branch cannot be reached here',
  },
  {
    file: 'electron/core/secrets/secret-store.ts',
    mutator: 'StringLiteral',
    code: "if (process.platform !== 'win32' && (mode & 0o077) !== 0) {",
    why: 'the platform test is always true on Linux, where the suites run; the Windows branch cannot be reached here',
  },
];

// test/mutation/run.mjs runs one module at a time, each with its own incremental file.
const module = process.env['MM_MUTATE_MODULE'];
const name = module ? module.replace(/^.*\//, '').replace(/\.ts$/, '') : 'all';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: module ? [module] : MODULES,
  coverageAnalysis: 'perTest',
  concurrency: 1,
  incremental: true,
  incrementalFile: `test/mutation/incremental/${name}.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `test-output/mutation/${name}.html` },
  jsonReporter: { fileName: `test-output/mutation/${name}.json` },
  // The sandbox holds only what the fast suites load: other engineers edit the rest of the
  // checkout meanwhile, and their editors' temporary files must not break the copy.
  ignorePatterns: [
    '/*',
    '!/electron',
    '!/shared',
    '!/test',
    '!/build',
    '!/agents',
    '!/package.json',
    '!/tsconfig.json',
    '!/vitest.stryker.config.ts',
    '/electron/main.ts',
    '/test/e2e',
    '**/.*.tmp',
    '**/*.tmp',
  ],
  tempDirName: '.tmp/stryker',
  cleanTempDir: true,
  timeoutMS: 20_000,
  thresholds: { high: 90, low: 85, break: 85 },
};
