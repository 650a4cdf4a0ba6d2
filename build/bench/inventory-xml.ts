/**
 * An Inventory back to hostingPlatform XML (agents/xsd/HostingPlatform.xsd), for fixtures and
 * benchmarks that go through the real import (XSD validation + parsing): accounts with their
 * login, contacts, address and balance; subscriptions with periods, fees and registrar login;
 * domains with their content. Payment tools are left out.
 */
import type { Address, Contact, Credentials, Inventory, Money, Phone } from '../../shared/model/inventory';

const esc = (v: string): string =>
  v
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;');

function attrs(o: Record<string, string | number | boolean | undefined>): string {
  return Object.entries(o)
    .filter((e): e is [string, string | number | boolean] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${esc(String(v))}"`)
    .join('');
}

function credentials(tag: string, c: Credentials | undefined): string {
  if (!c) return '';
  if (!c.password) return `<${tag}${attrs({ login: c.login })}/>`;
  const p = c.password;
  return `<${tag}${attrs({ login: c.login })}><password${attrs({ crypted: p.crypted || undefined, scheme: p.scheme })}>${esc(p.value)}</password></${tag}>`;
}

const phone = (tag: string, p: Phone | undefined): string =>
  p
    ? `<${tag}${attrs({ countryCode: p.countryCode, areaCode: p.areaCode, number: p.number, extension: p.extension })}/>`
    : '';

const address = (a: Address | undefined): string =>
  a
    ? `<address${attrs({ street: a.street, houseNumber: a.houseNumber, address2: a.address2, city: a.city, state: a.state, zip: a.zip, country: a.country })}/>`
    : '';

const contact = (tag: string, c: Contact | undefined): string =>
  c
    ? `<${tag}${attrs({ firstName: c.firstName, middleName: c.middleName, lastName: c.lastName, email: c.email })}>${phone('phone', c.phone)}${phone('fax', c.fax)}${address(c.address)}</${tag}>`
    : '';

const money = (tag: string, m: Money | undefined): string =>
  m ? `<${tag}${attrs({ currency: m.currency })}>${esc(m.amount)}</${tag}>` : '';

export function inventoryToXml(inv: Inventory): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<hostingPlatform${attrs({ apiVersion: inv.apiVersion, agent: inv.agent, agentVersion: inv.agentVersion, generated: inv.generated })}>`,
  );
  out.push(
    `<platform${attrs({ kind: inv.platform.kind, name: inv.platform.name, version: inv.platform.version })}/>`,
  );
  out.push('<servers>');
  for (const h of inv.hosts)
    out.push(
      `<server${attrs({ id: h.id, hostname: h.hostname, roles: h.roles.join(' ') || undefined })}>${h.ips.map((ip) => `<ip${attrs({ address: ip.address, type: ip.type })}/>`).join('')}</server>`,
    );
  out.push('</servers><serviceTemplates>');
  for (const t of inv.templates) {
    const body = [
      t.description !== undefined ? `<description>${esc(t.description)}</description>` : '',
      ...t.resources.map(
        (r) =>
          `<resource${attrs({ id: r.id, name: r.name, unit: r.unit, limit: r.limit, included: r.included })}/>`,
      ),
    ].join('');
    out.push(
      `<serviceTemplate${attrs({ id: t.id, name: t.name, virtual: t.virtual || undefined, kind: t.kind, disabled: t.disabled || undefined })}>${body}</serviceTemplate>`,
    );
  }
  out.push('</serviceTemplates><accounts>');
  for (const a of inv.accounts)
    out.push(
      `<account${attrs({ id: a.id, type: a.type, parentId: a.parentId, company: a.company, status: a.status, created: a.created, serverId: a.serverId })}>${credentials('ccpLogin', a.ccpLogin)}${contact('adminContact', a.adminContact)}${contact('technicalContact', a.technicalContact)}${contact('billingContact', a.billingContact)}${address(a.address)}${money('balance', a.balance)}</account>`,
    );
  out.push('</accounts><subscriptions>');
  for (const s of inv.subscriptions) {
    const body = [
      money('subscriptionFee', s.subscriptionFee),
      money('setupFee', s.setupFee),
      money('renewalFee', s.renewalFee),
      money('transferFee', s.transferFee),
      money('nonRefundableAmount', s.nonRefundableAmount),
      credentials('registrarLogin', s.registrarLogin),
      ...s.domainIds.map((id) => `<providedDomain${attrs({ id })}/>`),
    ].join('');
    out.push(
      `<subscription${attrs({ id: s.id, accountId: s.accountId, templateId: s.templateId, name: s.name, status: s.status, created: s.created, expires: s.expires, period: s.period, periodType: s.periodType, billingPeriod: s.billingPeriod, billingPeriodType: s.billingPeriodType, refundPeriod: s.refundPeriod, lastBillingDate: s.lastBillingDate, nextBillingDate: s.nextBillingDate, serverId: s.serverId })}>${body}</subscription>`,
    );
  }
  out.push('</subscriptions><domains>');
  for (const d of inv.domains)
    out.push(
      `<domain${attrs({ id: d.id, name: d.name, asciiName: d.asciiName, accountId: d.accountId, hostingSubscriptionId: d.hostingSubscriptionId, registrationSubscriptionId: d.registrationSubscriptionId, kind: d.kind, status: d.status, serverId: d.serverId })}>${d.content.map((c) => `<content${attrs({ kind: c.kind, id: c.id, sizeBytes: c.sizeBytes })}/>`).join('')}</domain>`,
    );
  out.push('</domains></hostingPlatform>');
  return `${out.join('\n')}\n`;
}
