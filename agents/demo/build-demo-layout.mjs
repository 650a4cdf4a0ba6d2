#!/usr/bin/env node
// Writes a small, realistic Debian hosting server below rootDir for the app's built-in demo
// source server (the linux agent runs on it with --root=<rootDir>): 6 customers (one a
// reseller with a client), 12 domains (one IDN, one upper-case, one mail-only, one subdomain site), BIND zones,
// Postfix/Dovecot mailboxes with messages, aliases and forwarders, an SSL site, a
// password-protected folder, crontabs, and MySQL databases with their users (described in
// etc/mm/databases.json, which the linux agent reads when no MySQL server answers).
// Usage: node agents/demo/build-demo-layout.mjs <rootDir>
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync, symlinkSync, existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CUSTOMERS = [
  {
    user: 'acme',
    uid: 2001,
    gecos: 'Ann Carter,Acme Widgets Ltd,+44 20 7946 0001,,ann@acme-widgets.test',
    sites: [
      {
        name: 'acme-widgets.test',
        aliases: ['www.acme-widgets.test'],
        ssl: true,
        php: true,
        protect: 'admin',
      },
      { name: 'shop.acme-widgets.test', aliases: [] },
      { name: 'acme-widgets.example', aliases: ['www.acme-widgets.example'] },
    ],
    mail: { 'acme-widgets.test': ['ann', 'sales', 'support'] },
  },
  {
    user: 'bakery',
    uid: 2002,
    gecos: 'Bruno Becker,Bäckerei Becker,+49 30 555 0102,,bruno@bäckerei-becker.test',
    sites: [
      { name: 'bäckerei-becker.test', aliases: ['www.xn--bckerei-becker-5hb.test'] },
      { name: 'becker-torten.test', aliases: ['www.becker-torten.test'] },
    ],
    mail: { 'xn--bckerei-becker-5hb.test': ['bruno', 'bestellung'] },
  },
  {
    user: 'cityclub',
    uid: 2003,
    gecos: 'Chloe Martin,City Sports Club,+49 40 555 0190,,chloe@cityclub.test',
    sites: [{ name: 'CityClub.test', aliases: ['www.cityclub.test'], php: true }],
    mail: { 'cityclub.test': ['info'] },
  },
  {
    user: 'hostco',
    uid: 2004,
    gecos: 'Henry Ford,HostCo Reseller Services,+44 161 496 0000,,henry@hostco.test',
    reseller: true,
    sites: [
      { name: 'hostco.test', aliases: ['www.hostco.test'] },
      { name: 'hostco-status.test', aliases: [] },
    ],
    mail: { 'hostco.test': ['henry'] },
  },
  {
    user: 'dentist',
    uid: 2005,
    gecos: 'Dana Smile,Smile Dental,+1 202 555 0143,,dana@smile-dental.test',
    gidOf: 'hostco',
    sites: [
      { name: 'smile-dental.test', aliases: ['www.smile-dental.test'] },
      { name: 'smile-dental.example', aliases: [] },
    ],
    mail: { 'smile-dental.test': ['dana', 'appointments'] },
  },
  {
    user: 'photo',
    uid: 2006,
    gecos: 'Pat Lens,Pat Lens Photography,+1 415 555 0199,,pat@patlens.test',
    sites: [
      { name: 'patlens.test', aliases: ['www.patlens.test', '*.patlens.test'] },
      { name: 'patlens-prints.test', aliases: ['www.patlens-prints.test'] },
    ],
    mail: { 'patlens.test': ['pat'] },
  },
];
// Databases named <owner>_… belong to the owner's first domain; each user's password as MySQL
// stores it (mysql_native_password).
const DATABASES = [
  { name: 'acme_shop', users: [{ login: 'acme_shop', password: 'Widgets-2024' }] },
  {
    name: 'cityclub_members',
    users: [
      { login: 'cityclub_web', password: 'Club-Members-9' },
      { login: 'cityclub_ro', password: 'read-only-7' },
    ],
  },
];

/** MySQL 4.1+ PASSWORD(): '*' and the upper-case hex SHA1 of the SHA1 of the password. */
function mysql41(password) {
  const inner = createHash('sha1').update(password).digest();
  return `*${createHash('sha1').update(inner).digest('hex').toUpperCase()}`;
}

// a mail-only domain: no site names an owner, so it belongs to the server admin account
const MAIL_ONLY = { domain: 'newsletters.test', boxes: ['newsletter'] };
const IP = '203.0.113.10';
const SSL_IP = '203.0.113.11';

function put(root, path, data, mode) {
  const p = join(root, path);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, data, mode ? { mode } : undefined);
}

function toAscii(name) {
  // the demo's only IDN label, precomputed (RFC 3492 punycode of bäckerei-becker)
  return name.toLowerCase().replace('bäckerei-becker', 'xn--bckerei-becker-5hb');
}

function zone(name, extra) {
  return [
    `$ORIGIN ${name}.`,
    '$TTL 3600',
    `@ IN SOA ns1.demo-hosting.test. hostmaster.demo-hosting.test. (`,
    '        2024060101 ; serial',
    '        3h 15m 1w 300 )',
    '  IN NS ns1.demo-hosting.test.',
    '  IN NS ns2.demo-hosting.test.',
    `@ IN A ${IP}`,
    '  IN MX 10 mail',
    `mail IN A ${IP}`,
    'www IN CNAME @',
    '@ IN TXT "v=spf1 a mx -all"',
    ...extra,
    '',
  ].join('\n');
}

function message(from, to, subject, body, i) {
  return `Return-Path: <${from}>\nFrom: ${from}\nTo: ${to}\nSubject: ${subject}\nDate: Mon, 3 Jun 2024 1${i}:42:00 +0000\nMessage-ID: <demo-${i}-${to}>\n\n${body}\n`;
}

/** Writes the demo layout below rootDir (created; must be empty or absent). Returns a summary. */
export function buildDemoLayout(rootDir) {
  const root = resolve(rootDir);
  mkdirSync(root, { recursive: true });
  put(root, 'etc/hostname', 'demo-web01.demo-hosting.test\n');
  put(root, 'etc/debian_version', '12.5\n');
  put(root, 'etc/os-release', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\n');
  const passwd = [
    'root:x:0:0:Demo Admin,,,,admin@demo-hosting.test:/root:/bin/bash',
    'www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin',
    'vmail:x:5000:5000::/var/mail/vhosts:/usr/sbin/nologin',
  ];
  const shadow = ['root:$6$demo$rootdemohash:19800:0:99999:7:::'];
  const group = ['root:x:0:', 'www-data:x:33:', 'vmail:x:5000:'];
  const resellers = [];
  const zones = [];
  const mailDomains = [];
  const vmailbox = [];
  const dovecot = [];
  const aliases = [];
  let domains = 0;
  let msgNo = 0;
  for (const c of CUSTOMERS) {
    const gid = c.gidOf ? CUSTOMERS.find((x) => x.user === c.gidOf).uid : c.uid;
    passwd.push(`${c.user}:x:${c.uid}:${gid}:${c.gecos}:/home/${c.user}:/bin/bash`);
    shadow.push(`${c.user}:$6$${c.user}salt$${c.user}DemoHash0123456789:19800:0:99999:7:::`);
    if (!c.gidOf) group.push(`${c.user}:x:${c.uid}:`);
    if (c.reseller) resellers.push(c.user);
    for (const s of c.sites) {
      const docRoot = `/home/${c.user}/web/${s.name.toLowerCase()}/public_html`;
      const title = `${s.name} — ${c.gecos.split(',')[1]}`;
      put(
        root,
        `${docRoot}/index.html`,
        `<!doctype html>\n<html><head><meta charset="utf-8"><title>${title}</title></head>\n<body><h1>${title}</h1><p>Welcome.</p><a href="about.html">About</a></body></html>\n`,
      );
      put(
        root,
        `${docRoot}/about.html`,
        `<!doctype html><html><head><title>About ${s.name}</title></head><body>About us</body></html>\n`,
      );
      put(root, `${docRoot}/css/style.css`, 'body { font-family: sans-serif; }\n');
      if (s.php) put(root, `${docRoot}/contact.php`, '<?php echo "Contact form"; ?>\n');
      let conf = `<VirtualHost ${s.ssl ? SSL_IP : '*'}:80>\n    ServerName ${s.name}\n`;
      if (s.aliases.length) conf += `    ServerAlias ${s.aliases.join(' ')}\n`;
      conf += `    DocumentRoot ${docRoot}\n    SuexecUserGroup ${c.user} ${c.user}\n`;
      if (s.php)
        conf += `    <FilesMatch \\.php$>\n        SetHandler "proxy:unix:/run/php/php8.2-fpm-${c.user}.sock|fcgi://localhost"\n    </FilesMatch>\n`;
      if (s.protect) {
        conf += `    <Directory ${docRoot}/${s.protect}>\n        AuthType Basic\n        AuthName "Staff area"\n        AuthUserFile /home/${c.user}/.htpasswd\n        Require valid-user\n    </Directory>\n`;
        put(
          root,
          `${docRoot}/${s.protect}/index.html`,
          '<html><head><title>Staff</title></head><body>Staff only</body></html>\n',
        );
        put(root, `home/${c.user}/.htpasswd`, 'staff:$apr1$demo$staffhash\nmanager:$apr1$demo$managerhash\n');
      }
      conf += '</VirtualHost>\n';
      if (s.ssl) {
        conf += `\n<VirtualHost ${SSL_IP}:443>\n    ServerName ${s.name}\n    ServerAlias ${s.aliases.join(' ')}\n    DocumentRoot ${docRoot}\n    SuexecUserGroup ${c.user} ${c.user}\n    SSLEngine on\n    SSLCertificateFile /etc/ssl/certs/${s.name}.crt\n    SSLCertificateKeyFile /etc/ssl/private/${s.name}.key\n</VirtualHost>\n`;
        put(
          root,
          `etc/ssl/certs/${s.name}.crt`,
          `-----BEGIN CERTIFICATE-----\nMIIDemoCertificateFor${s.name.replace(/\W/g, '')}\n-----END CERTIFICATE-----\n`,
        );
        put(
          root,
          `etc/ssl/private/${s.name}.key`,
          '-----BEGIN PRIVATE KEY-----\nMIIDemoPrivateKey\n-----END PRIVATE KEY-----\n',
          0o600,
        );
      }
      const confName = toAscii(s.name);
      put(root, `etc/apache2/sites-available/${confName}.conf`, conf);
      mkdirSync(join(root, 'etc/apache2/sites-enabled'), { recursive: true });
      const link = join(root, `etc/apache2/sites-enabled/${confName}.conf`);
      if (!existsSync(link)) symlinkSync(`../sites-available/${confName}.conf`, link);
      const isSub = c.sites.some((p) => p !== s && s.name.toLowerCase().endsWith(`.${p.name.toLowerCase()}`));
      if (!isSub) {
        domains++;
        const ascii = toAscii(s.name);
        zones.push({
          name: ascii,
          text: zone(
            ascii,
            s.name.startsWith('acme-widgets.test')
              ? ['shop IN A ' + IP, '_submission._tcp IN SRV 0 1 587 mail']
              : [],
          ),
        });
      }
    }
    for (const [domain, boxes] of Object.entries(c.mail)) {
      mailDomains.push(domain);
      for (const b of boxes) {
        const addr = `${b}@${domain}`;
        vmailbox.push(`${addr}  ${domain}/${b}/`);
        dovecot.push(
          `${addr}:{SHA512-CRYPT}$6$${b}$${b}MailHash:5000:5000::/var/mail/vhosts/${domain}/${b}::userdb_quota_rule=*:storage=1G`,
        );
        const dir = `var/mail/vhosts/${domain}/${b}`;
        for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(root, dir, sub), { recursive: true });
        for (let i = 0; i < 3; i++) {
          msgNo++;
          const seen = i < 2;
          put(
            root,
            `${dir}/${seen ? 'cur' : 'new'}/17170000${String(msgNo).padStart(2, '0')}.M${msgNo}P1.demo-web01${seen ? ':2,S' : ''}`,
            message(
              `customer${i}@mail.example`,
              addr,
              `Demo message ${i + 1} for ${b}`,
              `Hello ${b},\nthis is demo message ${i + 1}.`,
              i,
            ),
          );
        }
        mkdirSync(join(root, dir, '.Sent/cur'), { recursive: true });
        put(
          root,
          `${dir}/.Sent/cur/1717100000.M${msgNo}S.demo-web01:2,S`,
          message(addr, 'someone@mail.example', 'Re: hello', 'Thanks!', 9),
        );
      }
    }
  }
  // mail-only domain of acme, its zone and its mailbox
  mailDomains.push(MAIL_ONLY.domain);
  zones.push({ name: MAIL_ONLY.domain, text: zone(MAIL_ONLY.domain, []) });
  for (const b of MAIL_ONLY.boxes) {
    const addr = `${b}@${MAIL_ONLY.domain}`;
    vmailbox.push(`${addr}  ${MAIL_ONLY.domain}/${b}/`);
    dovecot.push(
      `${addr}:{SHA512-CRYPT}$6$nl$newsletterHash:5000:5000::/var/mail/vhosts/${MAIL_ONLY.domain}/${b}::`,
    );
    for (const sub of ['cur', 'new', 'tmp'])
      mkdirSync(join(root, `var/mail/vhosts/${MAIL_ONLY.domain}/${b}`, sub), { recursive: true });
    put(
      root,
      `var/mail/vhosts/${MAIL_ONLY.domain}/${b}/cur/1717000999.M99P1.demo-web01:2,S`,
      message('list@mail.example', addr, 'Subscribed', 'Welcome to the list.', 1),
    );
  }
  domains++;
  aliases.push(
    'sales@acme-widgets.test  ann@acme-widgets.test',
    'postmaster@acme-widgets.test  ann@acme-widgets.test',
    'billing@acme-widgets.test  ann@acme-widgets.test, accounts@bookkeeper.example',
    'orders@xn--bckerei-becker-5hb.test  bestellung@xn--bckerei-becker-5hb.test',
    'info@cityclub.test  info@cityclub.test, chair@cityclub-board.example',
    'office@cityclub.test  info@cityclub.test',
    '@patlens.test  pat@patlens.test',
  );
  // a vacation autoresponder
  put(
    root,
    'var/mail/vhosts/cityclub.test/info/.dovecot.sieve',
    'require ["vacation"];\nvacation :days 3 :subject "Club office closed" "The club office is closed until 1 September.";\n',
  );

  put(root, 'etc/passwd', passwd.join('\n') + '\n');
  put(root, 'etc/shadow', shadow.join('\n') + '\n', 0o640);
  group.push(`resellers:x:900:${resellers.join(',')}`);
  put(root, 'etc/group', group.join('\n') + '\n');
  put(
    root,
    'etc/apache2/mods-enabled/php8.2.load',
    'LoadModule php_module /usr/lib/apache2/modules/libphp8.2.so\n',
  );
  put(root, 'etc/bind/named.conf.options', 'options {\n    directory "/var/cache/bind";\n};\n');
  put(
    root,
    'etc/bind/named.conf.local',
    zones
      .map((z) => `zone "${z.name}" {\n    type master;\n    file "/etc/bind/zones/db.${z.name}";\n};\n`)
      .join('\n'),
  );
  for (const z of zones) put(root, `etc/bind/zones/db.${z.name}`, z.text);
  put(
    root,
    'etc/postfix/main.cf',
    `myhostname = demo-web01.demo-hosting.test\nvirtual_mailbox_domains = hash:/etc/postfix/virtual_domains\nvirtual_mailbox_base = /var/mail/vhosts\nvirtual_mailbox_maps = hash:/etc/postfix/vmailbox\nvirtual_alias_maps = hash:/etc/postfix/virtual\nvirtual_uid_maps = static:5000\nvirtual_gid_maps = static:5000\n`,
  );
  put(root, 'etc/postfix/virtual_domains', mailDomains.map((d) => `${d}  OK`).join('\n') + '\n');
  put(root, 'etc/postfix/vmailbox', vmailbox.join('\n') + '\n');
  put(root, 'etc/postfix/virtual', aliases.join('\n') + '\n');
  put(
    root,
    'etc/dovecot/conf.d/auth-passwdfile.conf.ext',
    'passdb {\n  driver = passwd-file\n  args = scheme=SHA512-CRYPT username_format=%u /etc/dovecot/users\n}\nuserdb {\n  driver = passwd-file\n  args = username_format=%u /etc/dovecot/users\n}\n',
  );
  put(root, 'etc/dovecot/users', dovecot.join('\n') + '\n', 0o640);
  put(
    root,
    'var/spool/cron/crontabs/acme',
    'MAILTO=ann@acme-widgets.test\n*/15 * * * * php /home/acme/web/acme-widgets.test/public_html/cron.php\n',
  );
  put(root, 'var/spool/cron/crontabs/photo', '@daily /home/photo/bin/make-thumbnails.sh\n');
  put(
    root,
    'etc/mm/databases.json',
    JSON.stringify(
      DATABASES.map((d) => ({
        name: d.name,
        type: 'mysql',
        users: d.users.map((u) => ({
          login: u.login,
          password: { value: mysql41(u.password), crypted: true, scheme: 'MYSQL41' },
        })),
      })),
      null,
      2,
    ) + '\n',
    0o600,
  );
  return { root, customers: CUSTOMERS.length, domains, mailboxes: vmailbox.length };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node agents/demo/build-demo-layout.mjs <rootDir>\n');
    process.exit(2);
  }
  if (existsSync(dir) && process.argv.includes('--force')) rmSync(dir, { recursive: true, force: true });
  const r = buildDemoLayout(dir);
  process.stdout.write(
    `demo layout in ${r.root}: ${r.customers} customers, ${r.domains} domains, ${r.mailboxes} mailboxes\n`,
  );
}
