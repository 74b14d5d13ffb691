// The runtime configuration: read and validated once, at startup, by loadConfig. The variables
// themselves (defaults, ranges, docs) are the table in variables.ts.
export * from './types';
export * from './constants';
export { ConfigError, loadConfig, loadConfigOrExit } from './load-config';
export { redactUrl } from './parsers';
export { keyFingerprint } from './value-parsers';
