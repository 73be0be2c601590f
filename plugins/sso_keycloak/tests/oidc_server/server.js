// A real OpenID Connect provider (node's oidc-provider) served on Keycloak's paths, for the
// sso_keycloak plugin's tests. It listens on 127.0.0.1 only.
//
//   node server.js   env: PORT (0 = any free port), REALM, REDIRECT_URIS, POST_LOGOUT_REDIRECT_URIS
//                    (both comma separated)
//
// Once listening it prints one JSON line: {"issuer": "...", "port": N}.
//
// Keycloak layout: issuer http://127.0.0.1:PORT/realms/REALM, every endpoint under
// /realms/REALM/protocol/openid-connect/. What oidc-provider does not do like Keycloak is added
// here: the back-channel logout POST (refresh token → 204), roles and groups claims released
// without asking for a scope (Keycloak's default "roles" client scope and group mapper).
//
// Test controls (not part of Keycloak):
//   POST /__control/rotate   sign with a new key from now on (the old one stays published)
//   GET  /__control/stats    {"certs": number of JWKS fetches}

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const PORT = Number(process.env.PORT || 0);
const REALM = process.env.REALM || 'herald';
const REDIRECT_URIS = (process.env.REDIRECT_URIS || 'https://herald.test/auth/sso/acme/keycloak/callback')
  .split(',').filter(Boolean);
const POST_LOGOUT_REDIRECT_URIS = (process.env.POST_LOGOUT_REDIRECT_URIS || 'https://herald.test/signed-out')
  .split(',').filter(Boolean);
const PREFIX = `/realms/${REALM}`;
const REFRESH_EXPIRES_IN = 1800;
const OIDC = '/protocol/openid-connect';

// People the tests sign in as (devInteractions accept any login and password; the login
// names the account). Unknown logins get a plain profile without roles.
const PEOPLE = {
  dana: {
    email: 'dana@acme.test',
    name: 'Dana Scully',
    realm_roles: ['herald-editor', 'offline_access'],
    client_roles: { herald: ['publisher', 'approver'], 'other-app': ['viewer'] },
    groups: ['/brands/acme', '/legal'],
  },
  nomail: { email: null, name: 'No Mail', realm_roles: [], client_roles: {}, groups: [] },
  unverified: {
    email: 'unverified@acme.test', email_verified: false, name: 'Un Verified', realm_roles: [], client_roles: {},
    groups: [],
  },
  // what a misconfigured mapper (or a hostile realm) sends: roles that are not a list of strings
  malformed: { email: 'malformed@acme.test', name: 'Mal Formed', realm_roles: 42, client_roles: {}, groups: [] },
};

function newKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
}

function claimsFor(id) {
  const person = PEOPLE[id] || {
    email: `${id}@example.test`, name: id, realm_roles: [], client_roles: {}, groups: [],
  };
  const resourceAccess = Object.fromEntries(
    Object.entries(person.client_roles).map(([client, roles]) => [client, { roles }]),
  );
  const claims = {
    sub: id,
    preferred_username: id,
    name: person.name,
    realm_access: { roles: person.realm_roles },
    resource_access: resourceAccess,
    groups: person.groups,
  };
  if (person.email) {
    claims.email = person.email;
    claims.email_verified = person.email_verified ?? true;
  }
  return claims;
}

const clients = [
  {
    client_id: 'herald',
    client_secret: 'herald-secret',
    redirect_uris: REDIRECT_URIS,
    post_logout_redirect_uris: POST_LOGOUT_REDIRECT_URIS,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  },
  {
    client_id: 'herald-public',
    redirect_uris: REDIRECT_URIS,
    post_logout_redirect_uris: POST_LOGOUT_REDIRECT_URIS,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  },
  {
    client_id: 'other-app',
    client_secret: 'other-secret',
    redirect_uris: REDIRECT_URIS,
    post_logout_redirect_uris: POST_LOGOUT_REDIRECT_URIS,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  },
];

function configuration(keys) {
  return {
    clients,
    jwks: { keys },
    cookies: { keys: ['herald-test-cookie-key'] },
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => claimsFor(id) }),
    claims: {
      // Keycloak's default client scopes add these without the client asking for them.
      openid: ['sub', 'realm_access', 'resource_access', 'groups'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
    },
    // Keycloak puts the profile claims into the ID token even when an access token is issued.
    conformIdTokenClaims: false,
    // Keycloak issues a refresh token with every authorization code exchange.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      introspection: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    routes: {
      authorization: `${OIDC}/auth`,
      token: `${OIDC}/token`,
      userinfo: `${OIDC}/userinfo`,
      jwks: `${OIDC}/certs`,
      introspection: `${OIDC}/token/introspect`,
      end_session: `${OIDC}/logout`,
    },
  };
}

let keys = [newKey()];
let issuer;
let provider;
let handle;
let certsFetched = 0;

function build() {
  provider = new Provider(issuer, configuration(keys));
  provider.on('server_error', (_ctx, err) => console.error('server_error', err));
  handle = provider.callback();
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(body))));
    req.on('error', reject);
  });
}

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

// Keycloak's back-channel logout: the client posts its refresh token; 204, or 400 invalid_grant.
async function backchannelLogout(req, res) {
  const form = await readForm(req);
  const client = clients.find((c) => c.client_id === form.client_id);
  if (!client || (client.client_secret && client.client_secret !== form.client_secret)) {
    return json(res, 401, { error: 'unauthorized_client', error_description: 'Invalid client or Invalid client credentials' });
  }
  const token = form.refresh_token ? await provider.RefreshToken.find(form.refresh_token) : undefined;
  if (!token || token.clientId !== client.client_id || token.isExpired) {
    return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid refresh token' });
  }
  await token.destroy();
  if (token.grantId) {
    const grant = await provider.Grant.find(token.grantId);
    if (grant) await grant.destroy();
  }
  if (token.sessionUid) {
    const session = await provider.Session.findByUid(token.sessionUid);
    if (session) await session.destroy();
  }
  res.writeHead(204);
  return res.end();
}

// Keycloak's token response also says how long the SSO session (its refresh token) lasts.
function keycloakTokenResponse(res) {
  const end = res.end.bind(res);
  res.end = (chunk, ...rest) => {
    let body = chunk;
    try {
      const parsed = JSON.parse(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : chunk);
      if (parsed.access_token) {
        Object.assign(parsed, {
          refresh_expires_in: REFRESH_EXPIRES_IN, 'not-before-policy': 0, session_state: randomUUID(),
        });
        body = JSON.stringify(parsed);
        if (!res.headersSent) res.setHeader('content-length', Buffer.byteLength(body));
      }
    } catch {
      // not JSON: leave it as it is
    }
    return end(body, ...rest);
  };
}

const server = http.createServer(async (req, res) => {
  try {
    const path = req.url.split('?')[0];
    if (req.method === 'POST' && path === '/__control/rotate') {
      keys = [newKey(), ...keys];
      build();
      return json(res, 200, { kid: keys[0].kid });
    }
    if (req.method === 'GET' && path === '/__control/stats') {
      return json(res, 200, { certs: certsFetched });
    }
    if (path !== PREFIX && !path.startsWith(`${PREFIX}/`)) {
      return json(res, 404, { error: 'Realm does not exist' });
    }
    const inner = req.url.slice(PREFIX.length) || '/';
    // A form POST to the logout endpoint is the back-channel logout (browsers are sent there
    // with GET, Herald's logout_url).
    if (req.method === 'POST' && inner === `${OIDC}/logout`
        && (req.headers['content-type'] || '').startsWith('application/x-www-form-urlencoded')) {
      return await backchannelLogout(req, res);
    }
    if (inner.startsWith(`${OIDC}/certs`)) certsFetched += 1;
    if (req.method === 'POST' && inner === `${OIDC}/token`) keycloakTokenResponse(res);
    // Mounted like express does it: the provider computes its URLs from originalUrl.
    req.originalUrl = req.url;
    req.url = inner;
    return handle(req, res);
  } catch (err) {
    console.error(err);
    return json(res, 500, { error: 'server_error' });
  }
});

server.listen(PORT, '127.0.0.1', () => {
  const { port } = server.address();
  issuer = `http://127.0.0.1:${port}${PREFIX}`;
  build();
  process.stdout.write(`${JSON.stringify({ issuer, port })}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  // Keep-alive connections of the tests' HTTP clients would hold server.close() open.
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
