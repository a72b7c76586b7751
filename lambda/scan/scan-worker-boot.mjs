// Starts scan-worker.ts from source (tests, `EKS_AUTHZ_AUDIT_BUNDLE=off`): a worker thread does not inherit the
// TypeScript loader the main thread registered, so it registers its own. The bundled CLI starts
// scan-worker.mjs instead.
import { register } from 'tsx/esm/api';

register();
await import('./scan-worker.ts');
