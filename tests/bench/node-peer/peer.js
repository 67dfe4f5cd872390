'use strict';
/*
 * peer.js - the Node.js 20 client `make bench` measures the product against:
 * what a strong engineer would write instead of the product.  undici keep-alive
 * pool with 4 pages in flight, gzip, one JSON.parse per page, better-sqlite3
 * with one transaction and prepared upserts, OAuth 1.0a HMAC-SHA256 signing
 * (RFC 5849, as ClassLink's direct Roster Server wants it).  It stores the same
 * two rows per user as tests/bench/baseline.c: the record and its Users page line.
 *
 *   node peer.js ROOT_URL CLIENT_ID SECRET_ENV DB [--page N] [--inflight N] [--fetch-only] [--identity]
 *   node peer.js --selftest        (checks the signer against the documented vector)
 *
 * Prints "node-peer: users=N requests=N bytes=N" on success.  --fetch-only
 * drains the pages without parsing or storing them (warms the simulator);
 * --identity asks for uncompressed bodies.
 */
const crypto = require('node:crypto');
const zlib = require('node:zlib');
const { promisify } = require('node:util');
const { Pool } = require('undici');

const gunzip = promisify(zlib.gunzip);

/* RFC 3986 unreserved characters stay; everything else is %XX (upper case). */
function enc(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/* The Authorization header for GET url (query included). */
function oauth1(method, url, key, secret, timestamp, nonce) {
  const u = new URL(url);
  const base = `${u.protocol}//${u.host.toLowerCase()}${u.pathname}`;
  const params = [];
  for (const [k, v] of u.searchParams) params.push([enc(k), enc(v)]);
  const oa = {
    oauth_consumer_key: key,
    oauth_nonce: nonce ?? crypto.randomBytes(16).toString('hex'),
    oauth_signature_method: 'HMAC-SHA256',
    oauth_timestamp: String(timestamp ?? Math.floor(Date.now() / 1000)),
  };
  for (const [k, v] of Object.entries(oa)) params.push([enc(k), enc(v)]);
  params.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const norm = params.map(([k, v]) => `${k}=${v}`).join('&');
  const text = `${method}&${enc(base)}&${enc(norm)}`;
  const sig = crypto.createHmac('sha256', `${enc(secret)}&`).update(text).digest('base64');
  return 'OAuth ' + Object.entries({ ...oa, oauth_signature: sig }).map(([k, v]) => `${k}="${enc(v)}"`).join(',');
}

function selftest() {
  /* Vector B of ../shared/docs/classlink-oneroster.md */
  const h = oauth1('GET',
    "https://example-ca-v2.oneroster.com/ims/oneroster/v1p1/users?limit=100&offset=0&filter=dateLastModified>'2024-01-01T00:00:00Z'",
    'my_client_id', 'my_client_secret', 1700000000, '0123456789');
  const want = enc('zv/AYrzaIY8zE6we8kmYxkCxI+sbf2KCRJn3oXf6Emo=');
  if (!h.includes(`oauth_signature="${want}"`)) {
    console.error('node-peer: selftest failed: ' + h);
    process.exit(1);
  }
  console.log('node-peer: selftest ok');
}

async function main(argv) {
  if (argv[0] === '--selftest') return selftest();
  const pos = [], opt = { page: 10000, inflight: 4, fetchOnly: false, gzip: true };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--page') opt.page = Number(argv[++i]);
    else if (argv[i] === '--inflight') opt.inflight = Number(argv[++i]);
    else if (argv[i] === '--fetch-only') opt.fetchOnly = true;
    else if (argv[i] === '--identity') opt.gzip = false;
    else pos.push(argv[i]);
  }
  const [root, clientId, secretEnv, dbPath] = pos;
  const secret = process.env[secretEnv ?? ''];
  if (!root || !clientId || secret === undefined || (!dbPath && !opt.fetchOnly)) {
    console.error('usage: node peer.js ROOT_URL CLIENT_ID SECRET_ENV DB [--page N] [--inflight N] [--fetch-only]');
    process.exit(2);
  }
  const rootUrl = new URL(root);
  const pool = new Pool(rootUrl.origin, { connections: opt.inflight, pipelining: 1, keepAliveTimeout: 30000 });

  let db = null, upsertRecord = null, upsertUser = null;
  if (!opt.fetchOnly) {
    const Database = require('better-sqlite3');
    db = new Database(dbPath);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE IF NOT EXISTS records(sourced_id TEXT PRIMARY KEY, body TEXT) WITHOUT ROWID;' +
      'CREATE TABLE IF NOT EXISTS users(sourced_id TEXT PRIMARY KEY, role TEXT, active INT,' +
      ' given_name TEXT, family_name TEXT, email TEXT, username TEXT) WITHOUT ROWID;');
    upsertRecord = db.prepare('INSERT INTO records VALUES(?, ?) ON CONFLICT(sourced_id) DO UPDATE SET body = excluded.body');
    upsertUser = db.prepare('INSERT INTO users VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(sourced_id) DO UPDATE SET ' +
      'role = excluded.role, active = excluded.active, given_name = excluded.given_name,' +
      ' family_name = excluded.family_name, email = excluded.email, username = excluded.username');
    db.exec('BEGIN');
  }

  let users = 0, requests = 0, bytes = 0, total = -1, next = 0, done = false;

  async function fetchPage(index) {
    const url = `${root}/users?limit=${opt.page}&offset=${index * opt.page}&sort=sourcedId&orderBy=asc`;
    const u = new URL(url);
    requests++;
    const res = await pool.request({
      path: u.pathname + u.search, method: 'GET',
      headers: opt.gzip ? { authorization: oauth1('GET', url, clientId, secret), 'accept-encoding': 'gzip' }
        : { authorization: oauth1('GET', url, clientId, secret) },
    });
    const chunks = [];
    for await (const c of res.body) chunks.push(c);
    let body = Buffer.concat(chunks);
    bytes += body.length;
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode} at offset ${index * opt.page}: ${body.toString().slice(0, 200)}`);
    const t = res.headers['x-total-count'];
    if (t !== undefined && total < 0) total = Number(t);
    if (opt.fetchOnly) return -1;
    if (res.headers['content-encoding'] === 'gzip') body = await gunzip(body);
    const list = JSON.parse(body.toString('utf8')).users;
    for (const r of list) {
      upsertRecord.run(r.sourcedId, JSON.stringify(r));
      upsertUser.run(r.sourcedId, r.role ?? '', r.status === 'active' ? 1 : 0, r.givenName ?? '',
        r.familyName ?? '', r.email ?? '', r.username ?? '');
    }
    users += list.length;
    return list.length;
  }

  /* Keeps `inflight` pages outstanding; the total from the first answer says
   * where to stop, a short page too when the server sends no total. */
  async function worker() {
    while (!done) {
      const index = next++;
      if (total >= 0 && index * opt.page >= total) break;
      const n = await fetchPage(index);
      if (n >= 0 && n < opt.page) done = true;
      if (n < 0 && total < 0) done = true;
    }
  }
  await Promise.all(Array.from({ length: opt.inflight }, worker));
  if (db) {
    db.exec('COMMIT');
    db.close();
  }
  await pool.close();
  console.log(`node-peer: users=${users} requests=${requests} bytes=${bytes}`);
}

main(process.argv.slice(2)).catch((e) => {
  console.error('node-peer: ' + e.message);
  process.exit(1);
});
