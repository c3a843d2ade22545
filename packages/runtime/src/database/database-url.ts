import { envOptionalUrl } from '../config/env-fields.js';

/**
 * `DATABASE_URL` for a service's config schema: optional here, since each service says when
 * it needs one (tickets: only for its local store).
 */
export function envDatabaseUrl() {
  return envOptionalUrl(['postgres', 'postgresql'], 'postgres://helpline:secret@127.0.0.1:5432/helpline');
}
