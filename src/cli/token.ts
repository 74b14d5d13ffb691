// npm run token -- <memberId> [ttlSeconds]: prints a development JWT signed with JWT_SECRET
// (or the development secret when it is unset, outside production).
// npm run token -- --service <clientId> <scope,scope...> [ttlSeconds]: a service token for
// JWT_SERVICE_AUDIENCE (docs/platform-backend.md), signed the same way.
import { loadConfig } from '../config';
import { SERVICE_SCOPES, type ServiceScope } from '../services/auth/principal';
import { signDevelopmentServiceToken, signDevelopmentToken } from '../services/auth/jwt-verifier';

const args = process.argv.slice(2);
const service = args[0] === '--service';
const [subject, ...rest] = service ? args.slice(1) : args;
if (!subject || (service && !rest[0])) {
  console.error('usage: npm run token -- <memberId> [ttlSeconds]\n       npm run token -- --service <clientId> <scope,scope...> [ttlSeconds]');
  process.exit(64);
}
const config = loadConfig({ ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://unused/unused' });
const secret = config.jwt.secret;
if (!secret) {
  console.error('No JWT_SECRET: tokens must come from the issuer that holds the private key.');
  process.exit(78);
}
if (!service) {
  const ttl = rest[0];
  process.stdout.write(
    `${signDevelopmentToken(secret, subject, ttl ? Number(ttl) : undefined, { issuer: config.jwt.issuer, audience: config.jwt.audience })}\n`,
  );
} else {
  const audience = config.jwt.serviceAudience;
  if (!audience) {
    console.error('JWT_SERVICE_AUDIENCE is unset: service tokens are not accepted.');
    process.exit(78);
  }
  const scopes = rest[0].split(',').map((s) => s.trim());
  const unknown = scopes.filter((s) => !(SERVICE_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    console.error(`unknown scope(s) ${unknown.join(', ')}; known: ${SERVICE_SCOPES.join(', ')}`);
    process.exit(64);
  }
  const ttl = rest[1];
  process.stdout.write(
    `${signDevelopmentServiceToken(secret, subject, scopes as ServiceScope[], audience, ttl ? Number(ttl) : undefined, { issuer: config.jwt.issuer })}\n`,
  );
}
