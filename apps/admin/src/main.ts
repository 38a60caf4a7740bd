import { createServer } from 'node:http';
import { createDb } from '@tally/db';
import { createRegistry } from '@tally/metrics';
import { pino } from 'pino';
import { createApp } from './createApp.ts';
import { parseEnv } from './env.ts';

export { createApp, type AppDeps } from './createApp.ts';

/** Composition root of the admin API process. */
export async function startAdmin(env = parseEnv()) {
  const logger = pino({ level: env.LOG_LEVEL, name: 'admin', redact: ['*.authorization', '*.token', '*.apiKey.token'] });
  const db = await createDb(env.DATABASE_URL, { applicationName: 'tally-admin' });
  const registry = createRegistry('admin');
  const server = createServer(createApp({ db, registry, logger, adminToken: env.TALLY_ADMIN_TOKEN }));
  await new Promise<void>((resolve) => server.listen(env.PORT, env.HOST, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.PORT;
  logger.info({ port, host: env.HOST }, 'admin API listening');
  return {
    port,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const admin = await startAdmin();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void admin.stop().then(() => process.exit(0)));
  }
}
