/**
 * A synthetic source server as a hostingPlatformInfo document (valid against
 * agents/xsd/HostingPlatform.xsd), written in chunks so that generating it stays cheap:
 * accounts (every 50th a reseller), two domains per account, three subscriptions per account
 * (two hosting, one domain registration), a catalogue of templates.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export interface SyntheticSize {
  readonly accounts: number;
  readonly domainsPerAccount: number;
}

export const BENCH_SIZE: SyntheticSize = { accounts: 10_000, domainsPerAccount: 2 };

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

export async function writeSyntheticPlatform(
  file: string,
  size: SyntheticSize = BENCH_SIZE,
  apiVersion: 1 | 2 = 2,
): Promise<void> {
  const out = createWriteStream(file);
  let buffer = '';
  const put = async (s: string): Promise<void> => {
    buffer += s;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  };
  await put(
    `<?xml version="1.0" encoding="UTF-8"?>\n<hostingPlatform apiVersion="${apiVersion}" agent="synthetic" agentVersion="1.0.0">\n`,
  );
  await put('  <platform kind="hsphere" name="Synthetic H-Sphere" version="2.5"/>\n  <servers>\n');
  await put(
    '    <server id="cp" hostname="cp.example.net" roles="cp billing"><ip address="192.0.2.1"/></server>\n  </servers>\n',
  );
  await put('  <serviceTemplates>\n');
  for (let t = 0; t < 16; t++) {
    await put(
      `    <serviceTemplate id="plan-${t}" name="Hosting plan ${t}" kind="hosting"><description>Plan ${t}</description><resource id="disk" name="Disk" unit="MB" limit="${1000 * (t + 1)}"/><resource id="mailboxes" name="Mailboxes" unit="unit" limit="-1"/></serviceTemplate>\n`,
    );
  }
  for (const tld of ['com', 'net', 'org', 'de']) {
    await put(
      `    <serviceTemplate id="reg-${tld}" name="Registration .${tld}" kind="domainRegistration"/>\n`,
    );
  }
  await put('  </serviceTemplates>\n  <accounts>\n');
  for (let a = 0; a < size.accounts; a++) {
    const reseller = a % 50 === 0;
    const parent = reseller || a % 3 !== 0 ? '' : ` parentId="acc-${a - (a % 50)}"`;
    await put(
      `    <account id="acc-${a}" type="${reseller ? 'reseller' : 'customer'}"${parent} company="${esc(`Company ${a} & Sons`)}" created="2015-03-${String((a % 28) + 1).padStart(2, '0')}"><ccpLogin login="user${a}"><password crypted="true" scheme="MD5-CRYPT">$1$salt$${a}</password></ccpLogin><adminContact firstName="First${a}" lastName="Last${a}" email="user${a}@example.com"><phone countryCode="1" areaCode="555" number="${1000000 + a}"/></adminContact><address street="Main St" houseNumber="${a}" city="Springfield" zip="12345" country="us"/><balance currency="USD">${(a % 100).toFixed(2)}</balance></account>\n`,
    );
  }
  await put('  </accounts>\n  <subscriptions>\n');
  for (let a = 0; a < size.accounts; a++) {
    const expired = a % 97 === 0 ? ' status="expired" expires="2020-01-01"' : ' expires="2030-01-01"';
    for (let d = 0; d < size.domainsPerAccount; d++) {
      await put(
        `    <subscription id="sub-${a}-${d}" accountId="acc-${a}" templateId="plan-${(a + d) % 16}"${expired} created="2015-03-01" period="1" periodType="year" billingPeriod="1" billingPeriodType="month"><subscriptionFee currency="USD">9.95</subscriptionFee><setupFee currency="USD">0</setupFee><providedDomain id="d${a}-${d}.example.com"/></subscription>\n`,
      );
    }
    await put(
      `    <subscription id="reg-${a}" accountId="acc-${a}" templateId="reg-com" created="2015-03-01" expires="2027-03-01" period="1" periodType="year"><renewalFee currency="USD">12.00</renewalFee><registrarLogin login="reg${a}"><password>r${a}</password></registrarLogin><providedDomain id="d${a}-0.example.com"/></subscription>\n`,
    );
  }
  await put('  </subscriptions>\n  <domains>\n');
  for (let a = 0; a < size.accounts; a++) {
    for (let d = 0; d < size.domainsPerAccount; d++) {
      const reg = d === 0 ? ` registrationSubscriptionId="reg-${a}"` : '';
      await put(
        `    <domain id="d${a}-${d}.example.com" name="d${a}-${d}.example.com" accountId="acc-${a}" hostingSubscriptionId="sub-${a}-${d}"${reg}><content kind="site" id="d${a}-${d}.example.com"/><content kind="mailbox" id="info@d${a}-${d}.example.com"/></domain>\n`,
      );
    }
  }
  await put('  </domains>\n</hostingPlatform>\n');
  out.end(buffer);
  await once(out, 'finish');
}
