/**
 * Source inventories for the store and CLI tests, written as hostingPlatform XML (valid against
 * agents/xsd/HostingPlatform.xsd) and imported through the real import. Dates are relative to
 * the day the test runs, since the product verifies against today.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inventoryToXml } from '../../build/bench/inventory-xml';
import { Scenario } from './scenario';

export function daysFromToday(n: number): string {
  return new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
}

/**
 * "web01" (Migration API v1): every row of the v1 tables appears once the templates are mapped
 * as in mapV1: an auto-approved domain, a registration-only domain (manual approval), a domain
 * with two hosting subscriptions, a protective and an expired subscription, an unmapped one.
 */
export function v1Source(): Scenario {
  return new Scenario()
    .server('web01', 1)
    .template('t-host', undefined, {
      name: 'Linux Hosting Business',
      kind: 'hosting',
      resources: [{ id: 'disk', name: 'Disk space', limit: 10240 }],
    })
    .template('t-reg', undefined, { name: 'Domain registration', kind: 'domainRegistration' })
    .template('t-legacy', undefined, { name: 'Legacy 2009' })
    .account('a1', { company: 'Acme' })
    .account('a2', { company: 'Beta' })
    .account('a3', { company: 'Gamma' })
    .account('r1', { type: 'reseller', company: 'Resell Inc' })
    .account('c1', { parentId: 'r1', company: 'Customer of r1' })
    .subscription('s1', 'a1', 't-host', { expires: daysFromToday(300) })
    .subscription('g1', 'a1', 't-reg', { expires: daysFromToday(300) })
    .subscription('g2', 'a1', 't-reg', { expires: daysFromToday(-10) })
    .subscription('s2', 'a2', 't-host', { expires: daysFromToday(200) })
    .subscription('s2b', 'a2', 't-host', { expires: daysFromToday(200) })
    .subscription('s3', 'a3', 't-host', { expires: daysFromToday(-400) })
    .subscription('u1', 'a3', 't-legacy')
    .subscription('s4', 'c1', 't-host')
    .domain('acme.com', 'a1', { hosting: 's1', registration: 'g1' })
    .domain('acme-parked.net', 'a1', { registration: 'g2' })
    .domain('beta.com', 'a2', { hosting: 's2', others: ['s2b'] })
    .domain('gamma.com', 'a3', { hosting: 's3', others: ['u1'] })
    .domain('shared.com', 'c1', { hosting: 's4' });
}

/** "web02" (Migration API v2): the v2 reasons, and shared.com again (a cross-server hosting conflict). */
export function v2Source(): Scenario {
  return new Scenario()
    .server('web02', 2)
    .template('p-host', undefined, { name: 'Business hosting' })
    .template('p-res', undefined, { name: 'Extra IP address' })
    .template('p-reg', undefined, { name: 'Domain registration .com' })
    .account('k1', { company: 'Kappa' })
    .subscription('sub 1', 'k1', 'p-host')
    .subscription('x1', 'k1', 'p-res')
    .subscription('reg-empty', 'k1', 'p-reg')
    .subscription('h2', 'k1', 'p-host')
    .domain('kappa.com', 'k1', { hosting: 'sub 1', others: ['x1'] })
    .domain('shared.com', 'k1', { hosting: 'h2' });
}

export async function writeInventory(dir: string, s: Scenario, file: string): Promise<string> {
  const path = join(dir, file);
  await writeFile(path, inventoryToXml(s.inventory()));
  return path;
}
