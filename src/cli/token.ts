// npm run token -- <memberId> [ttlSeconds]: prints a development JWT signed with JWT_SECRET
// (or the development secret when it is unset, outside production).
import { loadConfig } from '../config';
import { signDevelopmentToken } from '../services/auth/jwt-verifier';

const [memberId, ttl] = process.argv.slice(2);
if (!memberId) {
  console.error('usage: npm run token -- <memberId> [ttlSeconds]');
  process.exit(64);
}
const config = loadConfig({ ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://unused/unused' });
if (!config.jwt.secret) {
  console.error('JWT_PUBLIC_KEY is configured: tokens must come from the issuer that holds the private key.');
  process.exit(78);
}
process.stdout.write(
  `${signDevelopmentToken(config.jwt.secret, memberId, ttl ? Number(ttl) : undefined, { issuer: config.jwt.issuer, audience: config.jwt.audience })}\n`,
);
