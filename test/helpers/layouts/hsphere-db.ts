// An H-Sphere system database (the schema subset the agent reads, with the table and column
// names of SOURCES.md) plus the files of the same box below a temporary root: user homes in
// /hsphere/local/home/<login>, Maildirs in /hsphere/local/var/vpopmail/domains/<domain>/<box>/Maildir
// and H-Sphere's own DB settings in hsphere.properties.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hostile } from './linux-layout';

export const HSPHERE_PROPERTIES = '/hsphere/local/home/cpanel/shiva/psoft_config/hsphere.properties';

/** type_name rows: the agent must find them by name (some ids are deliberately not H-Sphere's). */
export const TYPES: Readonly<Record<string, number>> = {
  account: 0,
  domain: 2,
  subdomain: 31,
  '3ldomain': 34,
  parked_domain: 35,
  unixuser: 7,
  hosting: 9,
  vhost_alias: 13,
  mail_service: 1000,
  mail_domain: 1001,
  mailbox: 1020,
  mail_forward: 1021,
  mailbox_alias: 1022,
  responder: 1023,
  mail_quota: 1024,
  dns_zone: 3100,
  a_record: 3111,
  mx: 3112,
  cname_record: 3006,
  cust_dns_record: 3113,
  MySQL: 6000,
  MySQLDatabase: 6001,
  MySQLUser: 6002,
  pgsql: 6900,
  pgsqldatabase: 6901,
  pgsqluser: 6902,
};

export const SCHEMA = `
CREATE TABLE type_name (id integer PRIMARY KEY, name varchar(40) NOT NULL, description varchar(128),
  price varchar(10), rprice varchar(10), required integer, priority integer, ttl integer);
CREATE TABLE parent_child (parent_id bigint, parent_type integer, child_id bigint NOT NULL, child_type integer NOT NULL,
  account_id bigint NOT NULL, p_begin timestamp, suspended integer DEFAULT 0);
CREATE TABLE users (id bigint PRIMARY KEY, username varchar(64) NOT NULL, password varchar(64), reseller_id bigint);
CREATE TABLE user_account (user_id bigint, account_id bigint, type_id integer);
CREATE TABLE accounts (id bigint PRIMARY KEY, created timestamp, plan_id integer, description varchar(128),
  p_end timestamp, bill_id bigint, bi_id bigint, ci_id bigint, period_id integer, suspended timestamp,
  suspend_reason varchar(256), reseller_id bigint, demo integer, deleted timestamp);
CREATE TABLE resellers (id bigint PRIMARY KEY, cp_host varchar(128), admin_id bigint, reseller_plan_id integer,
  suspended timestamp, res_id bigint);
CREATE TABLE contact_info (id bigint PRIMARY KEY, address1 varchar(128), address2 varchar(128), city varchar(64),
  state varchar(64), state2 varchar(64), postal_code varchar(20), country varchar(40), phone varchar(40),
  name varchar(64), last_name varchar(64), company varchar(128), email varchar(128));
CREATE TABLE billing_info (id bigint PRIMARY KEY, address1 varchar(128), address2 varchar(128), city varchar(64),
  state varchar(64), state2 varchar(64), postal_code varchar(20), country varchar(40), phone varchar(40),
  name varchar(64), last_name varchar(64), company varchar(128), email varchar(128), type varchar(16));
CREATE TABLE credit_card (id bigint PRIMARY KEY, hidden_cc_number varchar(32), encrypted_cc_number text,
  name varchar(64), exp_year varchar(4), exp_month varchar(2), type varchar(16));
CREATE TABLE balance_credit (id bigint PRIMARY KEY, balance numeric(12,2), credit numeric(12,2), negative_date timestamp);
CREATE TABLE plans (id integer PRIMARY KEY, description varchar(128), disabled integer DEFAULT 0, billing integer,
  cinfo integer, reseller_id bigint, deleted timestamp);
CREATE TABLE plan_resource (plan_id integer, type_id integer, class_name varchar(128), disabled integer DEFAULT 0,
  showable integer DEFAULT 1);
CREATE TABLE plan_value (plan_id integer, type_id integer, name varchar(64), value varchar(256));
CREATE TABLE domains (id bigint PRIMARY KEY, name varchar(256) NOT NULL);
CREATE TABLE dns_zones (id bigint PRIMARY KEY, name varchar(256), email varchar(128), refresh integer, retry integer,
  expire integer, minimum integer, master bigint, slave1 bigint, slave2 bigint);
CREATE TABLE dns_records (id bigint PRIMARY KEY, name varchar(256), type varchar(10), data text, ttl integer, pref integer);
CREATE TABLE unix_user (id bigint PRIMARY KEY, login varchar(32), password varchar(64), group_name varchar(32),
  dir varchar(256), hostid bigint, user_id bigint);
CREATE TABLE apache_vhost (id bigint PRIMARY KEY, host_id bigint, entry text, dir varchar(256), indx varchar(128),
  symlink integer, ssi integer, multiview integer);
CREATE TABLE vhost_alias (id bigint PRIMARY KEY, alias varchar(256));
CREATE TABLE mail_services (id bigint PRIMARY KEY, mail_server bigint);
CREATE TABLE mail_domain (id bigint PRIMARY KEY, password varchar(64), catch_all varchar(256));
CREATE TABLE mailboxes (id bigint PRIMARY KEY, email varchar(128), full_email varchar(256), password varchar(64),
  discard_mail integer DEFAULT 0);
CREATE TABLE quotas (id bigint PRIMARY KEY, size_mb integer);
CREATE TABLE mail_aliases (id bigint PRIMARY KEY, email_local varchar(128), email_foreign text);
CREATE TABLE mail_forwards (id bigint PRIMARY KEY, email_local varchar(128), email_foreign text);
CREATE TABLE responders (id bigint PRIMARY KEY, local_email varchar(256), foreign_email varchar(256), subject text,
  message text, include_incoming integer);
CREATE TABLE mysqlres (id bigint PRIMARY KEY, mysql_host_id bigint);
CREATE TABLE mysqldb (id bigint PRIMARY KEY, db_name varchar(64), db_description varchar(128), parent_id bigint);
CREATE TABLE mysql_users (id bigint PRIMARY KEY, login varchar(32), password varchar(64), parent_id bigint);
CREATE TABLE pgsqlres (id bigint PRIMARY KEY, pgsql_host_id bigint);
CREATE TABLE pgsqldb (id bigint PRIMARY KEY, db_name varchar(64), db_description varchar(128), parent_id bigint,
  db_ownerid bigint);
CREATE TABLE pgsql_users (id bigint PRIMARY KEY, login varchar(32), password varchar(64), parent_id bigint);
CREATE TABLE l_server (id bigint PRIMARY KEY, name varchar(128), group_id integer, p_server_id bigint, type_id integer);
CREATE TABLE l_server_ips (l_server_id bigint, ip varchar(40), mask varchar(40), flag integer);
`;

export interface HsMailbox {
  readonly id: number;
  readonly local: string;
  readonly password: string;
  readonly quotaMb?: number;
  readonly messages: Readonly<Record<string, string>>;
}
export interface HsDomain {
  readonly id: number;
  readonly name: string;
  readonly type: 'domain' | 'subdomain' | '3ldomain' | 'parked_domain';
  /** parent domain resource id (subdomains) */
  readonly parent?: number;
  readonly vhost?: {
    readonly id: number;
    readonly dir: string;
    readonly aliases: readonly { id: number; alias: string }[];
    readonly files: Readonly<Record<string, string>>;
  };
  readonly zone?: {
    readonly id: number;
    readonly email: string;
    readonly records: readonly {
      id: number;
      type: 'a_record' | 'mx' | 'cname_record' | 'cust_dns_record';
      name: string;
      rtype: string;
      data: string;
      ttl: number;
      pref?: number;
    }[];
  };
  readonly mail?: {
    readonly serviceId: number;
    readonly domainId: number;
    readonly catchAll?: string;
    readonly boxes: readonly HsMailbox[];
    readonly forwards: readonly { id: number; local: string; foreign: string }[];
    readonly aliases: readonly { id: number; local: string; foreign: string }[];
    readonly responders: readonly {
      id: number;
      box: number;
      local: string;
      subject: string;
      message: string;
    }[];
  };
}
export interface HsAccount {
  readonly id: number;
  readonly userId: number;
  readonly planId: number;
  readonly periodId: number;
  readonly created: string;
  readonly pEnd: string;
  readonly suspended?: string;
  readonly deleted?: string;
  readonly ciId?: number;
  readonly biId?: number;
  readonly balance: string;
  readonly unix: { readonly id: number; readonly login: string; readonly password: string };
  readonly domains: readonly HsDomain[];
  readonly mysql?: {
    readonly id: number;
    readonly dbs: readonly { id: number; name: string }[];
    readonly users: readonly { id: number; login: string; password: string }[];
  };
  readonly pgsql?: {
    readonly id: number;
    readonly dbs: readonly { id: number; name: string; owner: number }[];
    readonly users: readonly { id: number; login: string; password: string }[];
  };
  /** a resource whose p_begin is NULL (never created): must not show */
  readonly pendingDomain?: { id: number; name: string };
}
export interface HsUser {
  readonly id: number;
  readonly username: string;
  readonly password: string;
  readonly resellerId: number;
}
export interface HsContact {
  readonly id: number;
  readonly name: string;
  readonly lastName: string;
  readonly company: string;
  readonly email: string;
  readonly address1: string;
  readonly city: string;
  readonly state: string;
  readonly postalCode: string;
  readonly country: string;
  readonly phone: string;
}
export interface HsPlan {
  readonly id: number;
  readonly description: string;
  readonly resellerId: number;
  readonly deleted?: string;
  /** period n → [type, size] */
  readonly periods: readonly (readonly [string, number])[];
  /** per period: [setup, recurring] price of the account (plan fee) */
  readonly prices: readonly (readonly [string, string])[];
  readonly resources: readonly { type: string; free: number; unit: string; setup: string }[];
}

export interface HsphereLayout {
  readonly users: readonly HsUser[];
  readonly resellers: readonly { id: number; adminId: number; planId: number }[];
  readonly contacts: readonly HsContact[];
  readonly billing: readonly (HsContact & {
    type: string;
    card?: { hidden: string; encrypted: string; holder: string; year: string; month: string; type: string };
  })[];
  readonly plans: readonly HsPlan[];
  readonly accounts: readonly HsAccount[];
  readonly servers: readonly { id: number; name: string; ip: string }[];
  readonly marker: string;
}

const lit = (v: string | number | null | undefined): string =>
  v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`;
const row = (table: string, values: readonly (string | number | null | undefined)[]): string =>
  `INSERT INTO ${table} VALUES (${values.map(lit).join(', ')});\n`;

const tid = (name: string): number => {
  const t = TYPES[name];
  if (t === undefined) throw new Error(`no type ${name}`);
  return t;
};

/** The SQL that loads the layout (schema + rows). */
export function hsphereSql(l: HsphereLayout): string {
  let sql = SCHEMA;
  for (const [name, id] of Object.entries(TYPES))
    sql += row('type_name', [id, name, name, null, null, 0, 0, null]);
  for (const s of l.servers) {
    sql += row('l_server', [s.id, s.name, 1, s.id, 1]);
    sql += row('l_server_ips', [s.id, s.ip, '255.255.255.0', 2]);
  }
  for (const u of l.users) sql += row('users', [u.id, u.username, u.password, u.resellerId]);
  for (const r of l.resellers)
    sql += row('resellers', [r.id, 'cp.reseller1.example', r.adminId, r.planId, null, null]);
  for (const c of l.contacts)
    sql += row('contact_info', [
      c.id,
      c.address1,
      null,
      c.city,
      c.state,
      null,
      c.postalCode,
      c.country,
      c.phone,
      c.name,
      c.lastName,
      c.company,
      c.email,
    ]);
  for (const c of l.billing) {
    sql += row('billing_info', [
      c.id,
      c.address1,
      null,
      c.city,
      c.state,
      null,
      c.postalCode,
      c.country,
      c.phone,
      c.name,
      c.lastName,
      c.company,
      c.email,
      c.type,
    ]);
    if (c.card)
      sql += row('credit_card', [
        c.id,
        c.card.hidden,
        c.card.encrypted,
        c.card.holder,
        c.card.year,
        c.card.month,
        c.card.type,
      ]);
  }
  for (const p of l.plans) {
    sql += row('plans', [p.id, p.description, 0, 1, 1, p.resellerId, p.deleted]);
    sql += row('plan_resource', [p.id, 0, 'psoft.hsphere.Account', 0, 1]);
    sql += row('plan_value', [p.id, null, '_PERIOD_TYPES', String(p.periods.length)]);
    p.periods.forEach(([type, size], n) => {
      sql += row('plan_value', [p.id, null, `_PERIOD_TYPE_${n}`, type]);
      sql += row('plan_value', [p.id, null, `_PERIOD_SIZE_${n}`, String(size)]);
    });
    p.prices.forEach(([setup, unit], n) => {
      sql += row('plan_value', [p.id, 0, `_SETUP_PRICE_${n}`, setup]);
      sql += row('plan_value', [p.id, 0, `_UNIT_PRICE_${n}`, unit]);
    });
    for (const r of p.resources) {
      sql += row('plan_resource', [p.id, tid(r.type), `psoft.hsphere.resource.${r.type}`, 0, 1]);
      sql += row('plan_value', [p.id, tid(r.type), '_FREE_UNITS_0', String(r.free)]);
      sql += row('plan_value', [p.id, tid(r.type), '_UNIT_PRICE_0', r.unit]);
      sql += row('plan_value', [p.id, tid(r.type), '_SETUP_PRICE_0', r.setup]);
    }
  }
  for (const a of l.accounts) {
    const susp = a.suspended ? 1 : 0;
    const pc = (
      child: number,
      type: string,
      parent: number,
      ptype: string,
      begin: string | null = a.created,
    ): void => {
      sql += row('parent_child', [parent, tid(ptype), child, tid(type), a.id, begin, susp]);
    };
    sql += row('accounts', [
      a.id,
      a.created,
      a.planId,
      `account ${a.id}`,
      a.pEnd,
      null,
      a.biId,
      a.ciId,
      a.periodId,
      a.suspended,
      a.suspended ? 'non-payment' : null,
      null,
      0,
      a.deleted,
    ]);
    sql += row('user_account', [a.userId, a.id, 0]);
    sql += row('balance_credit', [a.id, a.balance, '0', null]);
    sql += row('parent_child', [null, null, a.id, 0, a.id, a.created, susp]);
    pc(a.unix.id, 'unixuser', a.id, 'account');
    sql += row('unix_user', [
      a.unix.id,
      a.unix.login,
      a.unix.password,
      a.unix.login,
      `/hsphere/local/home/${a.unix.login}`,
      1,
      a.userId,
    ]);
    if (a.pendingDomain) {
      pc(a.pendingDomain.id, 'domain', a.id, 'account', null);
      sql += row('domains', [a.pendingDomain.id, a.pendingDomain.name]);
    }
    for (const d of a.domains) {
      if (d.parent !== undefined) pc(d.id, d.type, d.parent, 'domain');
      else pc(d.id, d.type, a.id, 'account');
      sql += row('domains', [d.id, d.name]);
      if (d.vhost) {
        pc(d.vhost.id, 'hosting', d.id, d.type);
        sql += row('apache_vhost', [d.vhost.id, 1, null, d.vhost.dir, 'index.html', 1, 1, 0]);
        for (const al of d.vhost.aliases) {
          pc(al.id, 'vhost_alias', d.vhost.id, 'hosting');
          sql += row('vhost_alias', [al.id, al.alias]);
        }
      }
      if (d.zone) {
        pc(d.zone.id, 'dns_zone', d.id, d.type);
        sql += row('dns_zones', [d.zone.id, d.name, d.zone.email, 10800, 3600, 604800, 86400, 3, 4, null]);
        for (const r of d.zone.records) {
          pc(r.id, r.type, d.zone.id, 'dns_zone');
          sql += row('dns_records', [r.id, r.name, r.rtype, r.data, r.ttl, r.pref]);
        }
      }
      if (d.mail) {
        const m = d.mail;
        pc(m.serviceId, 'mail_service', d.id, d.type);
        sql += row('mail_services', [m.serviceId, 2]);
        pc(m.domainId, 'mail_domain', m.serviceId, 'mail_service');
        sql += row('mail_domain', [m.domainId, 'x', m.catchAll]);
        for (const b of m.boxes) {
          pc(b.id, 'mailbox', m.domainId, 'mail_domain');
          sql += row('mailboxes', [b.id, b.local, `${b.local}@${d.name}`, b.password, 0]);
          if (b.quotaMb !== undefined) {
            pc(b.id + 1000000, 'mail_quota', b.id, 'mailbox');
            sql += row('quotas', [b.id + 1000000, b.quotaMb]);
          }
        }
        for (const f of m.forwards) {
          pc(f.id, 'mail_forward', m.domainId, 'mail_domain');
          sql += row('mail_forwards', [f.id, f.local, f.foreign]);
        }
        for (const f of m.aliases) {
          pc(f.id, 'mailbox_alias', m.domainId, 'mail_domain');
          sql += row('mail_aliases', [f.id, f.local, f.foreign]);
        }
        for (const r of m.responders) {
          pc(r.id, 'responder', r.box, 'mailbox');
          sql += row('responders', [r.id, r.local, null, r.subject, r.message, 1]);
        }
      }
    }
    if (a.mysql) {
      pc(a.mysql.id, 'MySQL', a.id, 'account');
      sql += row('mysqlres', [a.mysql.id, 5]);
      for (const db of a.mysql.dbs) {
        pc(db.id, 'MySQLDatabase', a.mysql.id, 'MySQL');
        sql += row('mysqldb', [db.id, db.name, 'db', a.mysql.id]);
      }
      for (const u of a.mysql.users) {
        pc(u.id, 'MySQLUser', a.mysql.id, 'MySQL');
        sql += row('mysql_users', [u.id, u.login, u.password, a.mysql.id]);
      }
    }
    if (a.pgsql) {
      pc(a.pgsql.id, 'pgsql', a.id, 'account');
      sql += row('pgsqlres', [a.pgsql.id, 5]);
      for (const db of a.pgsql.dbs) {
        pc(db.id, 'pgsqldatabase', a.pgsql.id, 'pgsql');
        sql += row('pgsqldb', [db.id, db.name, 'db', a.pgsql.id, db.owner]);
      }
      for (const u of a.pgsql.users) {
        pc(u.id, 'pgsqluser', a.pgsql.id, 'pgsql');
        sql += row('pgsql_users', [u.id, u.login, u.password, a.pgsql.id]);
      }
    }
  }
  return sql;
}

function put(root: string, path: string, data: string): void {
  const p = join(root, path);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, data);
}

export function homeOf(a: HsAccount): string {
  return `/hsphere/local/home/${a.unix.login}`;
}
export function docRootOf(a: HsAccount, d: HsDomain): string {
  return `${homeOf(a)}/${d.vhost?.dir ?? ''}`;
}
export function maildirOf(domain: string, local: string): string {
  return `/hsphere/local/var/vpopmail/domains/${domain}/${local}/Maildir`;
}

/** Writes the files of the box (homes, Maildirs, hsphere.properties) below root. */
export function buildHsphereFiles(
  root: string,
  l: HsphereLayout,
  db: { host: string; port: number; database: string; user: string; password: string },
): void {
  put(
    root,
    HSPHERE_PROPERTIES,
    [
      '# H-Sphere configuration (subset)',
      `DB_URL = jdbc:postgresql://${db.host}:${db.port}/${db.database}`,
      'DB_DRIVER = org.postgresql.Driver',
      `DB_USER = ${db.user}`,
      `DB_PASSWORD = ${db.password}`,
      '',
    ].join('\n'),
  );
  for (const a of l.accounts) {
    mkdirSync(join(root, homeOf(a)), { recursive: true });
    for (const d of a.domains) {
      if (d.vhost)
        for (const [f, data] of Object.entries(d.vhost.files)) put(root, `${docRootOf(a, d)}/${f}`, data);
      for (const b of d.mail?.boxes ?? []) {
        const md = maildirOf(d.name, b.local);
        for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(root, md, sub), { recursive: true });
        for (const [f, data] of Object.entries(b.messages)) put(root, `${md}/${f}`, data);
      }
    }
  }
}

export function standardHsphereLayout(marker: string): HsphereLayout {
  const evil = hostile(marker);
  const contact = (
    id: number,
    name: string,
    lastName: string,
    company: string,
    email: string,
  ): HsContact => ({
    id,
    name,
    lastName,
    company,
    email,
    address1: '1 Main St',
    city: 'Springfield',
    state: 'IL',
    postalCode: '62701',
    country: 'US',
    phone: '+1 217 555 0101',
  });
  const page = (title: string): Record<string, string> => ({
    'index.html': `<title>${title}</title>\n`,
    'css/site.css': 'body{}\n',
  });
  return {
    marker,
    servers: [
      { id: 1, name: 'web1.hs.example', ip: '198.51.100.10' },
      { id: 2, name: 'mail1.hs.example', ip: '198.51.100.20' },
      { id: 3, name: 'ns1.hs.example', ip: '198.51.100.30' },
      { id: 4, name: 'ns2.hs.example', ip: '198.51.100.31' },
      { id: 5, name: 'db1.hs.example', ip: '198.51.100.40' },
    ],
    users: [
      { id: 1, username: 'admin', password: 'adminpw', resellerId: 1 },
      { id: 10, username: 'reseller1', password: 'r3s', resellerId: 1 },
      { id: 11, username: 'res1admin', password: 'x', resellerId: 10 },
      { id: 20, username: 'alice', password: `al'ice;${evil}\`id\``, resellerId: 1 },
      { id: 21, username: 'bob', password: 'bobpw', resellerId: 1 },
      { id: 22, username: 'carol', password: 'carolpw', resellerId: 10 },
      { id: 23, username: 'dave', password: 'davepw', resellerId: 1 },
    ],
    resellers: [{ id: 10, adminId: 11, planId: 4 }],
    contacts: [
      contact(500, 'Alice', 'Anders', 'Anders & Söhne <Web>', 'alice@alice.example'),
      contact(501, 'Bob', 'Brown', 'Bob Ltd', 'bob@bob.example'),
      contact(502, 'Carol', `O'Brien;${evil}\`id\`\nÆøå`, 'Carol "Cakes"', 'carol@carol.example'),
      contact(503, 'Rita', 'Reseller', 'Reseller One', 'rita@reseller1.example'),
      contact(504, 'Dave', 'Gone', 'Deleted Inc', 'dave@dave.example'),
    ],
    billing: [
      {
        ...contact(600, 'Alice', 'Billing', 'Anders & Söhne <Web>', 'billing@alice.example'),
        type: 'CC',
        card: {
          hidden: '************4242',
          encrypted: 'ENC(4242;$x)',
          holder: 'ALICE ANDERS',
          year: '2027',
          month: '09',
          type: 'VISA',
        },
      },
    ],
    plans: [
      {
        id: 1,
        description: 'Basic Hosting',
        resellerId: 1,
        periods: [
          ['MONTH', 1],
          ['YEAR', 1],
        ],
        prices: [
          ['10.00', '9.95'],
          ['0.00', '99.00'],
        ],
        resources: [
          { type: 'mailbox', free: 10, unit: '0.50', setup: '0.00' },
          { type: 'MySQLDatabase', free: 2, unit: '1.00', setup: '0.00' },
        ],
      },
      {
        id: 2,
        description: `Pro Hosting; ${evil}`,
        resellerId: 1,
        periods: [
          ['MONTH', 3],
          ['YEAR', 2],
        ],
        prices: [
          ['0.00', '27.00'],
          ['0.00', '190.00'],
        ],
        resources: [],
      },
      {
        id: 3,
        description: 'Reseller Web',
        resellerId: 10,
        periods: [['MONTH', 1]],
        prices: [['5.00', '7.50']],
        resources: [],
      },
      {
        id: 4,
        description: 'Reseller Silver',
        resellerId: 1,
        periods: [['YEAR', 1]],
        prices: [['0.00', '300.00']],
        resources: [],
      },
      {
        id: 5,
        description: 'Retired plan',
        resellerId: 1,
        deleted: '2020-01-01',
        periods: [['MONTH', 1]],
        prices: [['0', '1']],
        resources: [],
      },
    ],
    accounts: [
      {
        id: 100,
        userId: 20,
        planId: 1,
        periodId: 0,
        created: '2019-01-15 10:20:30',
        pEnd: '2024-02-15 00:00:00',
        ciId: 500,
        biId: 600,
        balance: '-12.50',
        unix: { id: 1100, login: 'alice', password: 'alice-ftp' },
        pendingDomain: { id: 1399, name: 'pending.example' },
        domains: [
          {
            id: 1200,
            name: 'alice.example',
            type: 'domain',
            vhost: {
              id: 1201,
              dir: 'alice.example',
              aliases: [{ id: 1202, alias: 'www.alice.example' }],
              files: page('Alice'),
            },
            zone: {
              id: 1210,
              email: 'dns@alice.example',
              records: [
                {
                  id: 1211,
                  type: 'a_record',
                  name: 'alice.example',
                  rtype: 'A',
                  data: '198.51.100.10',
                  ttl: 3600,
                },
                {
                  id: 1212,
                  type: 'a_record',
                  name: 'www.alice.example',
                  rtype: 'A',
                  data: '198.51.100.10',
                  ttl: 3600,
                },
                {
                  id: 1216,
                  type: 'a_record',
                  name: 'mail.alice.example',
                  rtype: 'A',
                  data: '198.51.100.20',
                  ttl: 3600,
                },
                {
                  id: 1213,
                  type: 'mx',
                  name: 'alice.example',
                  rtype: 'MX',
                  data: 'mail.alice.example',
                  ttl: 3600,
                  pref: 10,
                },
                {
                  id: 1214,
                  type: 'cname_record',
                  name: 'ftp.alice.example',
                  rtype: 'CNAME',
                  data: 'alice.example',
                  ttl: 7200,
                },
                {
                  id: 1215,
                  type: 'cust_dns_record',
                  name: 'alice.example',
                  rtype: 'TXT',
                  data: `v=spf1 a mx ~all; ${evil} \`id\``,
                  ttl: 3600,
                },
              ],
            },
            mail: {
              serviceId: 1220,
              domainId: 1221,
              catchAll: 'info',
              boxes: [
                {
                  id: 1222,
                  local: 'info',
                  password: 'inf0',
                  quotaMb: 50,
                  messages: {
                    'cur/1700000000.M1.mail1:2,S': 'Subject: hi\n\nhello\n',
                    'new/1700000001.M2.mail1': 'Subject: two\n\n2\n',
                  },
                },
                {
                  id: 1225,
                  local: 'sales',
                  password: `s'ales;${evil}`,
                  quotaMb: 100,
                  messages: { 'cur/1700000002.M3.mail1:2,S': 'Subject: order\n\nx\n' },
                },
              ],
              forwards: [{ id: 1227, local: 'boss', foreign: 'alice@gmail.example,info@alice.example' }],
              aliases: [{ id: 1228, local: 'contact', foreign: 'info@alice.example' }],
              responders: [
                {
                  id: 1224,
                  box: 1222,
                  local: 'info@alice.example',
                  subject: 'Out of office',
                  message: `Back on Monday.\nCall me; ${evil} \`id\` — Grüße`,
                },
              ],
            },
          },
          {
            id: 1320,
            name: 'blog.alice.example',
            type: 'subdomain',
            parent: 1200,
            vhost: { id: 1321, dir: 'blog', aliases: [], files: { 'index.php': '<?php echo "blog";\n' } },
          },
          {
            id: 1300,
            name: 'alice.hs-free.example',
            type: '3ldomain',
            vhost: { id: 1301, dir: 'alice.hs-free.example', aliases: [], files: { 'index.html': 'free\n' } },
          },
          { id: 1310, name: 'alice-parked.example', type: 'parked_domain' },
        ],
        mysql: {
          id: 1400,
          dbs: [{ id: 1401, name: 'alice_wp' }],
          users: [{ id: 1402, login: 'alice_wpuser', password: 'wp"pw<&>' }],
        },
        pgsql: {
          id: 1410,
          dbs: [{ id: 1411, name: 'alice_pg', owner: 1412 }],
          users: [{ id: 1412, login: 'alice_pguser', password: 'pgpw' }],
        },
      },
      {
        id: 101,
        userId: 20,
        planId: 2,
        periodId: 1,
        created: '2020-03-01 08:00:00',
        pEnd: '2026-03-01 00:00:00',
        ciId: 500,
        balance: '0.00',
        unix: { id: 1501, login: 'aliceshop', password: 'shop-ftp' },
        domains: [
          {
            id: 1500,
            name: 'alice-shop.example',
            type: 'domain',
            vhost: { id: 1502, dir: 'alice-shop.example', aliases: [], files: page('Shop') },
            mail: {
              serviceId: 1503,
              domainId: 1504,
              boxes: [
                {
                  id: 1505,
                  local: 'orders',
                  password: 'ord',
                  messages: { 'new/1.M1.x': 'Subject: o\n\no\n' },
                },
              ],
              forwards: [],
              aliases: [],
              responders: [],
            },
          },
        ],
      },
      {
        id: 102,
        userId: 21,
        planId: 1,
        periodId: 1,
        created: '2018-06-01 00:00:00',
        pEnd: '2023-06-01 00:00:00',
        suspended: '2023-05-01 12:00:00',
        ciId: 501,
        balance: '25.00',
        unix: { id: 1600, login: 'bob', password: 'bob-ftp' },
        domains: [
          {
            id: 1601,
            name: 'bob.example',
            type: 'domain',
            vhost: { id: 1602, dir: 'bob.example', aliases: [], files: page('Bob') },
            zone: {
              id: 1603,
              email: 'hostmaster@bob.example',
              records: [
                {
                  id: 1604,
                  type: 'a_record',
                  name: 'bob.example',
                  rtype: 'A',
                  data: '198.51.100.10',
                  ttl: 3600,
                },
              ],
            },
          },
        ],
      },
      {
        id: 103,
        userId: 22,
        planId: 3,
        periodId: 0,
        created: '2021-09-09 09:09:09',
        pEnd: '2024-10-09 00:00:00',
        ciId: 502,
        balance: '3.00',
        unix: { id: 1700, login: 'carol', password: 'carol-ftp' },
        domains: [
          {
            id: 1701,
            name: 'carol.example',
            type: 'domain',
            vhost: { id: 1702, dir: 'carol.example', aliases: [], files: page('Carol') },
            mail: {
              serviceId: 1703,
              domainId: 1704,
              boxes: [{ id: 1705, local: 'carol', password: 'c', quotaMb: 20, messages: {} }],
              forwards: [],
              aliases: [],
              responders: [],
            },
          },
        ],
      },
      {
        id: 104,
        userId: 23,
        planId: 1,
        periodId: 0,
        created: '2017-01-01 00:00:00',
        pEnd: '2021-01-01 00:00:00',
        deleted: '2022-01-01 00:00:00',
        ciId: 504,
        balance: '0.00',
        unix: { id: 1800, login: 'dave', password: 'd' },
        domains: [
          {
            id: 1801,
            name: 'dave.example',
            type: 'domain',
            vhost: { id: 1802, dir: 'dave.example', aliases: [], files: page('Dave') },
          },
        ],
      },
      {
        id: 105,
        userId: 10,
        planId: 4,
        periodId: 0,
        created: '2016-05-05 05:05:05',
        pEnd: '2025-05-05 00:00:00',
        ciId: 503,
        balance: '100.00',
        unix: { id: 1901, login: 'res1', password: 'r' },
        domains: [
          {
            id: 1900,
            name: 'reseller1.example',
            type: 'domain',
            vhost: { id: 1902, dir: 'reseller1.example', aliases: [], files: page('Res') },
          },
        ],
      },
    ],
  };
}
