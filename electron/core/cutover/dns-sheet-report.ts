/** The DNS switch sheet as a report: self-contained HTML (one section per domain) or CSV (one row per domain). */
import type { DnsSheet } from '../../../shared/model/cutover';
import type { ReportFile } from '../../../shared/model/report';
import type { ReportDoc } from '../report/report-doc';
import { renderCsv, renderHtml } from '../report/render';
import { duration } from './dns-sheet';

const CSV_COLUMNS = [
  'domain',
  'server',
  'old TTL (s)',
  'lower TTL to (s)',
  'lower at least (s) before the switch',
  'source name servers',
  'target name servers',
  'record changes',
  'keep old server (s) after',
  'target answers',
  'checked via',
  'live check',
];

export function dnsSheetDoc(sheet: DnsSheet, projectName: string): ReportDoc {
  const ready = sheet.domains.filter((d) => d.live.status === 'ready').length;
  const longest = Math.max(0, ...sheet.domains.map((d) => d.waitBeforeSwitch));
  return {
    title: 'DNS switch sheet',
    subtitle: projectName,
    generatedAt: sheet.generatedAt,
    facts: [
      { label: 'Domains', value: String(sheet.domains.length) },
      { label: 'Target answers the zone', value: `${ready} of ${sheet.domains.length}` },
      {
        label: 'Lower TTLs at least',
        value: longest > 0 ? `${duration(longest)} before the switch` : 'no need',
      },
      { label: 'Live check', value: sheet.liveCheckNote },
    ],
    charts: [],
    sections: sheet.domains.map((d) => ({
      title: `${d.domain} (${d.server})`,
      note: d.steps.join(' '),
      columns: ['host', 'type', 'TTL', 'on the old name servers now', 'after the switch'],
      rows: d.recordChanges.map((c) => [
        c.host,
        c.type,
        c.ttl !== undefined ? String(c.ttl) : '',
        c.from,
        c.to,
      ]),
    })),
    csv: {
      title: 'DNS switch sheet',
      columns: CSV_COLUMNS,
      rows: sheet.domains.map((d) => [
        d.domain,
        d.server,
        String(d.oldTtl),
        String(d.lowerTtlTo),
        String(d.waitBeforeSwitch),
        d.sourceNameServers.join(' '),
        d.targetNameServers.join(' '),
        d.recordChanges.map((c) => `${c.host} ${c.type} ${c.from}>${c.to}`).join('; '),
        String(d.keepOldFor),
        d.live.status,
        d.live.via,
        d.live.message,
      ]),
    },
  };
}

export function dnsSheetFile(sheet: DnsSheet, projectName: string, format: 'html' | 'csv'): ReportFile {
  const doc = dnsSheetDoc(sheet, projectName);
  return format === 'html'
    ? { fileName: 'dns-switch-sheet.html', mimeType: 'text/html', content: renderHtml(doc) }
    : { fileName: 'dns-switch-sheet.csv', mimeType: 'text/csv', content: renderCsv(doc) };
}
