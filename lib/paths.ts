// Where the project itself lives: the Docker runtime mounts it into every node (read-only, at
// the same path) so netproof's own tools (the traffic generator) run there as they do on the host.
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));
