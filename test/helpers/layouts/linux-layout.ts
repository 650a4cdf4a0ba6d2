// Builds a Debian-style Linux hosting server below a temporary root, from a spec that the
// tests also use as the expected inventory.
import { mkdirSync, writeFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface LinuxUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly gecos: string;
  readonly home: string;
  readonly hash?: string;
}
export interface LinuxSite {
  readonly conf: string;
  readonly serverName: string;
  readonly aliases: readonly string[];
  readonly docRoot: string;
  /** SuexecUserGroup user; undefined: the owner comes from the /home/<user>/ path */
  readonly suexec?: string;
  readonly assignUserId?: string;
  readonly owner: string;
  readonly ip?: string;
  readonly php?: boolean;
  readonly ssl?: { readonly cert: string; readonly key: string };
  readonly files: Readonly<Record<string, string | Buffer>>;
  readonly symlinks?: Readonly<Record<string, string>>;
  readonly protectedDir?: {
    readonly dir: string;
    readonly htpasswd: string;
    readonly users: Readonly<Record<string, string>>;
  };
  /** expected: a subdomain of this domain */
  readonly parent?: string;
}
export interface LinuxZone {
  readonly statementName: string;
  readonly file: string;
  readonly text: string;
}
export interface LinuxMailbox {
  readonly address: string;
  /** relative to virtual_mailbox_base, with the trailing slash */
  readonly path: string;
  readonly hash: string;
  readonly quota?: string;
  /** Maildir-relative path → message */
  readonly messages: Readonly<Record<string, string>>;
  readonly vacation?: { readonly subject: string; readonly text: string };
}
export interface LinuxLayout {
  readonly hostname: string;
  readonly users: readonly LinuxUser[];
  readonly resellers: readonly string[];
  readonly sites: readonly LinuxSite[];
  readonly zones: readonly LinuxZone[];
  readonly mailDomainsInline: readonly string[];
  readonly mailDomainsTable: readonly string[];
  readonly mailboxes: readonly LinuxMailbox[];
  readonly virtualAliases: readonly (readonly [string, string])[];
  readonly crontabs: Readonly<Record<string, string>>;
}

function put(root: string, path: string, data: string | Buffer): void {
  const p = join(root, path);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, data);
}

export function buildLinuxLayout(root: string, l: LinuxLayout): void {
  put(root, 'etc/hostname', `${l.hostname}\n`);
  put(root, 'etc/debian_version', '12.5\n');
  put(root, 'etc/os-release', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\n');
  const passwd = [
    'root:x:0:0:Server Admin,,,,root@example.net:/root:/bin/bash',
    'www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin',
  ];
  const shadow = ['root:$6$rootsalt$rootHASH:19000:0:99999:7:::'];
  const groups = new Map<number, { name: string; members: string[] }>([[0, { name: 'root', members: [] }]]);
  for (const u of l.users) {
    passwd.push(`${u.name}:x:${u.uid}:${u.gid}:${u.gecos}:${u.home}:/bin/bash`);
    if (u.hash) shadow.push(`${u.name}:${u.hash}:19000:0:99999:7:::`);
    if (!groups.has(u.gid)) groups.set(u.gid, { name: u.name, members: [] });
    mkdirSync(join(root, u.home), { recursive: true });
  }
  const groupLines = [...groups.entries()].map(([gid, g]) => `${g.name}:x:${gid}:${g.members.join(',')}`);
  groupLines.push(`resellers:x:900:${l.resellers.join(',')}`);
  put(root, 'etc/passwd', passwd.join('\n') + '\n');
  put(root, 'etc/shadow', shadow.join('\n') + '\n');
  put(root, 'etc/group', groupLines.join('\n') + '\n');

  mkdirSync(join(root, 'etc/apache2/sites-available'), { recursive: true });
  mkdirSync(join(root, 'etc/apache2/sites-enabled'), { recursive: true });
  put(
    root,
    'etc/apache2/mods-enabled/cgi.load',
    'LoadModule cgi_module /usr/lib/apache2/modules/mod_cgi.so\n',
  );
  for (const s of l.sites) {
    const who = s.suexec
      ? `    SuexecUserGroup ${s.suexec} ${s.suexec}\n`
      : s.assignUserId
        ? `    AssignUserID ${s.assignUserId} ${s.assignUserId}\n`
        : '';
    const aliases = s.aliases.length ? `    ServerAlias ${s.aliases.join(' ')}\n` : '';
    const php = s.php ? '    php_admin_value open_basedir "' + s.docRoot + ':/tmp"\n' : '';
    const prot = s.protectedDir
      ? `    <Directory "${s.docRoot}/${s.protectedDir.dir}">\n        AuthType Basic\n        AuthName "Members only"\n        AuthUserFile ${s.protectedDir.htpasswd}\n        Require valid-user\n    </Directory>\n`
      : '';
    const ip = s.ip ?? '*';
    let conf = `# ${s.serverName}\n<VirtualHost ${ip}:80>\n    ServerName ${s.serverName}\n${aliases}    DocumentRoot "${s.docRoot}"\n${who}${php}${prot}    ErrorLog \${APACHE_LOG_DIR}/error.log\n</VirtualHost>\n`;
    if (s.ssl) {
      conf += `\n<VirtualHost ${ip}:443>\n    ServerName ${s.serverName}\n${aliases}    DocumentRoot ${s.docRoot}\n    SSLEngine on\n    SSLCertificateFile /etc/ssl/certs/${s.conf}.pem\n    SSLCertificateKeyFile /etc/ssl/private/${s.conf}.key\n</VirtualHost>\n`;
      put(root, `etc/ssl/certs/${s.conf}.pem`, s.ssl.cert);
      put(root, `etc/ssl/private/${s.conf}.key`, s.ssl.key);
    }
    put(root, `etc/apache2/sites-available/${s.conf}.conf`, conf);
    symlinkSync(`../sites-available/${s.conf}.conf`, join(root, `etc/apache2/sites-enabled/${s.conf}.conf`));
    mkdirSync(join(root, s.docRoot), { recursive: true });
    for (const [f, data] of Object.entries(s.files)) put(root, join(s.docRoot, f), data);
    for (const [f, target] of Object.entries(s.symlinks ?? {})) symlinkSync(target, join(root, s.docRoot, f));
    if (s.protectedDir) {
      put(
        root,
        s.protectedDir.htpasswd,
        Object.entries(s.protectedDir.users)
          .map(([u, h]) => `${u}:${h}`)
          .join('\n') + '\n',
      );
    }
  }

  put(root, 'etc/bind/named.conf.options', 'options {\n  directory "/var/cache/bind";\n};\n');
  const stmts = l.zones.map(
    (z) =>
      `// ${z.statementName}\nzone "${z.statementName}" {\n    type master;\n    file "${z.file}"; /* the zone file */\n};\n`,
  );
  stmts.push('zone "slave.example" { type slave; masters { 192.0.2.1; }; file "db.slave"; };\n');
  put(root, 'etc/bind/named.conf.local', stmts.join('\n'));
  for (const z of l.zones)
    put(root, z.file.startsWith('/') ? z.file : join('var/cache/bind', z.file), z.text);

  const base = '/var/mail/vhosts';
  put(
    root,
    'etc/postfix/main.cf',
    [
      '# Postfix main.cf',
      'myhostname = ' + l.hostname,
      'mail_base = /var/mail',
      'virtual_mailbox_base = $mail_base/vhosts',
      `virtual_mailbox_domains = ${l.mailDomainsInline.join(', ')},`,
      '    hash:/etc/postfix/vdomains',
      'virtual_mailbox_maps = hash:/etc/postfix/vmailbox',
      'virtual_alias_maps = hash:/etc/postfix/virtual',
      'virtual_uid_maps = static:5000',
      '',
    ].join('\n'),
  );
  put(root, 'etc/postfix/vdomains', l.mailDomainsTable.map((d) => `${d} OK`).join('\n') + '\n');
  put(
    root,
    'etc/postfix/vmailbox',
    '# address  maildir\n' + l.mailboxes.map((m) => `${m.address}\t${m.path}`).join('\n') + '\n',
  );
  put(root, 'etc/postfix/virtual', l.virtualAliases.map(([a, t]) => `${a}   ${t}`).join('\n') + '\n');
  put(
    root,
    'etc/dovecot/conf.d/auth-passwdfile.conf.ext',
    'passdb {\n  driver = passwd-file\n  args = scheme=SHA512-CRYPT username_format=%u /etc/dovecot/users\n}\n',
  );
  put(
    root,
    'etc/dovecot/users',
    l.mailboxes
      .map(
        (m) =>
          `${m.address}:${m.hash}:5000:5000::${base}/${m.path.replace(/\/$/, '')}::${m.quota ? `userdb_quota_rule=*:storage=${m.quota}` : ''}`,
      )
      .join('\n') + '\n',
  );
  for (const m of l.mailboxes) {
    const dir = join(base, m.path);
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(root, dir, sub), { recursive: true });
    for (const [f, msg] of Object.entries(m.messages)) put(root, join(dir, f), msg);
    if (m.vacation) {
      put(
        root,
        join(dir, '.dovecot.sieve'),
        `require ["vacation"];\nvacation :days 7 :subject "${m.vacation.subject}" text:\n${m.vacation.text}\n.\n;\n`,
      );
    }
  }
  for (const [u, tab] of Object.entries(l.crontabs)) put(root, `var/spool/cron/crontabs/${u}`, tab);
}

const CERT =
  '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUExampleCertificateData0123456789wCgYIKoZIzj0E\n-----END CERTIFICATE-----\n';
const KEY =
  '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgExampleKeyData01\n-----END PRIVATE KEY-----\n';

/** A hostile value: runs `touch <marker>` if anything ever hands it to a shell. */
export function hostile(marker: string): string {
  return `$(touch\${IFS}${marker})`;
}

export function standardLinuxLayout(marker: string): LinuxLayout {
  const evil = hostile(marker);
  const longDir = 'assets/' + 'very-long-directory-name-'.repeat(6) + '/deeper/still';
  return {
    hostname: 'web01.example.net',
    resellers: ['carol'],
    users: [
      {
        name: 'alice',
        uid: 1001,
        gid: 1001,
        gecos: 'Alice Smith,Acme Ltd,+1 555 0100,,alice@acme.test',
        home: '/home/alice',
        hash: '$6$alicesalt$aliceHASHvalue',
      },
      {
        name: 'bob',
        uid: 1002,
        gid: 1002,
        gecos: 'Bob Jones',
        home: '/home/bob',
        hash: '$y$j9T$bobsalt$bobHASH',
      },
      {
        name: 'carol',
        uid: 1003,
        gid: 1003,
        gecos: 'Carol Reseller,Carol Hosting',
        home: '/home/carol',
        hash: '$6$c$carolHASH',
      },
      { name: 'dave', uid: 1004, gid: 1003, gecos: 'Dave Client', home: '/home/dave', hash: '!' },
      { name: 'eve', uid: 1005, gid: 1005, gecos: 'Eve "Quote" O\'Neil <x>', home: '/home/eve' },
      {
        name: 'alice-ftp',
        uid: 1010,
        gid: 1001,
        gecos: 'Alice upload',
        home: '/home/alice/sites/example.com/public_html/uploads',
        hash: '$1$ftp$ftpHASH',
      },
    ],
    sites: [
      {
        conf: 'example.com',
        serverName: 'example.com',
        aliases: ['www.example.com', '*.example.com'],
        docRoot: '/home/alice/sites/example.com/public_html',
        suexec: 'alice',
        owner: 'alice',
        ip: '192.0.2.10',
        php: true,
        ssl: { cert: CERT, key: KEY },
        files: {
          'index.html': '<html><head><title>Example</title></head><body>Hello</body></html>\n',
          'private/secret.html': 'members only\n',
          'img/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 255, 254]),
          [`${longDir}/file-with-a-long-name-too.css`]: 'body { color: red; }\n',
          'Grüße über.txt': 'Unicode file name\n',
          'uploads/readme.txt': 'uploads\n',
          'empty.txt': '',
        },
        symlinks: { 'home.html': 'index.html', 'passwd-link': '/etc/passwd' },
        protectedDir: {
          dir: 'private',
          htpasswd: '/home/alice/.htpasswd',
          users: { editor: '$apr1$salt$editorHASH', 'vip"user': '{SHA}abcdef=' },
        },
      },
      {
        conf: 'blog.example.com',
        serverName: 'blog.example.com',
        aliases: [],
        docRoot: '/home/alice/sites/blog.example.com',
        suexec: 'alice',
        owner: 'alice',
        files: { 'index.php': '<?php echo "blog";\n' },
        parent: 'example.com',
      },
      {
        conf: 'buecher',
        serverName: 'bücher.de',
        aliases: ['www.xn--bcher-kva.de'],
        docRoot: '/home/bob/bücher.de/htdocs',
        owner: 'bob',
        files: { 'index.html': 'Bücher\n' },
      },
      {
        conf: 'carol-hosting',
        serverName: 'carol-hosting.net',
        aliases: ['www.carol-hosting.net'],
        docRoot: '/var/www/carol-hosting',
        assignUserId: 'carol',
        owner: 'carol',
        files: { 'index.html': 'Carol\n' },
      },
      {
        conf: 'dave',
        serverName: 'DAVE.Example.ORG',
        aliases: ['WWW.DAVE.Example.ORG'],
        docRoot: '/srv/www/dave',
        suexec: 'dave',
        owner: 'dave',
        ip: '192.0.2.20',
        files: { 'index.html': 'Dave\n' },
      },
      {
        conf: 'evil',
        serverName: 'evil.test',
        aliases: [
          `${evil}.evil.test`,
          '`touch${IFS}/tmp/x`.evil.test',
          'semi;colon.evil.test',
          'quo\'te".evil.test',
        ],
        docRoot: '/home/eve/evil.test',
        owner: 'eve',
        files: { 'index.html': '<b>&amp; "x"</b>\n' },
      },
    ],
    zones: [
      {
        statementName: 'example.com',
        file: '/etc/bind/db.example.com',
        text: [
          '; zone for example.com',
          '$TTL 1h',
          '$ORIGIN example.com.',
          '@   IN  SOA ns1.example.com. hostmaster.example.com. (',
          '        2024010101 ; serial',
          '        3h         ; refresh',
          '        15m        ; retry',
          '        1w         ; expire',
          '        300 )      ; minimum',
          '    IN  NS  ns1',
          '    IN  NS  ns2.example.net.',
          '@   IN  A   192.0.2.10',
          '    IN  AAAA 2001:db8::10',
          '    IN  MX  10 mail',
          '    IN  MX  20 mx2.backup.test.',
          '    IN  TXT "v=spf1 a mx -all" ; spf',
          'www     CNAME   @',
          'mail    IN A    192.0.2.11',
          'FTP 600 IN A    192.0.2.12',
          '*       IN A    192.0.2.99',
          '_sip._tcp  IN  SRV 10 5 5060 sip',
          'sip     A 192.0.2.13',
          'note    TXT  "semi;colon inside" "and more"',
          '@       CAA  0 issue "letsencrypt.org"',
          'blog    IN  CNAME example.com.',
          '',
        ].join('\n'),
      },
      {
        statementName: 'xn--bcher-kva.de',
        file: 'db.xn--bcher-kva.de',
        text: '$TTL 86400\n@ IN SOA ns1.example.com. admin.xn--bcher-kva.de. ( 1 7200 3600 1209600 3600 )\n@ IN NS ns1.example.com.\n@ IN A 192.0.2.30\nwww IN A 192.0.2.30\n@ IN MX 5 mail.example.com.\n',
      },
      {
        statementName: 'Example.ORG.',
        file: '/etc/bind/db.example.org',
        text: '$ORIGIN Example.ORG.\n$TTL 300\n@ SOA ns1.example.com. hostmaster ( 5 3600 600 86400 300 )\n  NS ns1.example.com.\nDAVE A 192.0.2.20\nwww.DAVE CNAME DAVE\n',
      },
      {
        statementName: 'mail-only.test',
        file: '/etc/bind/db.mail-only.test',
        text: '$TTL 3600\n@ IN SOA ns1.example.com. hostmaster.mail-only.test. 7 3600 600 86400 300\n@ NS ns1.example.com.\n@ MX 10 mail.example.com.\n',
      },
    ],
    mailDomainsInline: ['example.com'],
    mailDomainsTable: ['xn--bcher-kva.de', 'mail-only.test'],
    mailboxes: [
      {
        address: 'john@example.com',
        path: 'example.com/john/',
        hash: '{SHA512-CRYPT}$6$johnsalt$johnHASH',
        quota: '1G',
        messages: {
          'cur/1700000000.M1P1.web01:2,S': 'From: a@b.test\nSubject: hello\n\nfirst message\n',
          'new/1700000100.M2P2.web01': 'From: c@d.test\nSubject: new\n\nsecond message\n',
          '.Sent/cur/1700000200.M3P3.web01:2,S': 'From: john@example.com\nSubject: sent\n\nthird\n',
        },
      },
      {
        address: 'info@example.com',
        path: 'example.com/info/',
        hash: '$6$infosalt$infoHASH',
        quota: '512M',
        messages: { 'cur/1700000300.M4P4.web01:2,': 'Subject: info\n\ninfo message\n' },
        vacation: { subject: 'Out of office', text: 'I am away until Monday.\nRegards' },
      },
      {
        address: 'müller@xn--bcher-kva.de',
        path: 'xn--bcher-kva.de/mueller/',
        hash: '{PLAIN}klartext&<pw>',
        messages: { 'cur/1700000400.M5P5.web01:2,S': 'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\n\nGrüße\n' },
      },
      {
        address: `o'brien;${evil}@mail-only.test`,
        path: 'mail-only.test/obrien/',
        hash: '{SHA512-CRYPT}$6$x$obrienHASH',
        messages: { 'new/1700000500.M6P6.web01': 'Subject: hostile\n\nbody\n' },
      },
    ],
    virtualAliases: [
      ['sales@example.com', 'john@example.com'],
      ['postmaster@example.com', 'john@example.com, info@example.com'],
      ['info@example.com', 'info@example.com, info-archive@gmail.test'],
      ['ext@example.com', 'someone@elsewhere.test'],
      ['@mail-only.test', `o'brien;${evil}@mail-only.test`],
    ],
    crontabs: {
      alice:
        '# m h dom mon dow command\nMAILTO=alice@acme.test\n*/5 * * * * php /home/alice/sites/example.com/public_html/cron.php > /dev/null 2>&1\n@daily /home/alice/bin/backup.sh\n',
    },
  };
}
