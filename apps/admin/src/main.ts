import { createServer } from 'node:http';
import { createAnalyticsClient, type ClickHouseClient } from '@tally/analytics';
import { createDb } from '@tally/db';
import { createRegistry } from '@tally/metrics';
import { pino } from 'pino';
import { createApp } from './createApp.ts';
import { parseEnv } from './env.ts';

export { createApp, type AppDeps } from './createApp.ts';

/** Composition root of the admin API process. */
export async function startAdmin(env = parseEnv(), options: { analytics?: ClickHouseClient } = {}) {
  const logger = pino({ level: env.LOG_LEVEL, name: 'admin', redact: ['*.authorization', '*.token', '*.apiKey.token'] });
  const db = await createDb(env.DATABASE_URL, { applicationName: 'tally-admin' });
  const registry = createRegistry('admin');
  const analytics = options.analytics ?? (env.CLICKHOUSE_URL ? await createAnalyticsClient({ url: env.CLICKHOUSE_URL }) : undefined);
  const server = createServer(createApp({ db, registry, logger, adminToken: env.TALLY_ADMIN_TOKEN, analytics }));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(env.PORT, env.HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await db.close();
    if (analytics && !options.analytics) await analytics.close();
    throw e;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.PORT;
  logger.info({ port, host: env.HOST }, 'admin API listening');
  return {
    port,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
      if (analytics && !options.analytics) await analytics.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const admin = await startAdmin();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void admin.stop().then(() => process.exit(0)));
  }
}
