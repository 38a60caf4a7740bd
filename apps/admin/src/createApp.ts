import type { ClickHouseClient } from '@tally/analytics';
import type { Db } from '@tally/db';
import { createHttpMetrics, createImportMetrics, httpMetricsMiddleware, type Registry } from '@tally/metrics';
import express from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { authenticate } from './http/auth.ts';
import { notFound, problemHandler } from './http/problem.ts';
import { calculationRoutes } from './routes/calculations.routes.ts';
import { deadLetterRoutes } from './routes/deadLetters.routes.ts';
import { economicsRoutes } from './routes/economics.routes.ts';
import { matchReviewRoutes } from './routes/matchReviews.routes.ts';
import { factorRoutes } from './routes/factors.routes.ts';
import { importRoutes } from './routes/imports.routes.ts';
import { organisationRoutes } from './routes/organisations.routes.ts';
import { organisationFactorRoutes } from './routes/orgFactors.routes.ts';
import { reportRoutes } from './routes/reports.routes.ts';
import { trendRoutes } from './routes/trend.routes.ts';

export interface AppDeps {
  db: Db;
  registry: Registry;
  logger: Logger;
  adminToken: string | undefined;
  /** The analytics store; reports read it when present, else Postgres. */
  analytics?: ClickHouseClient | undefined;
}

/** The admin API without listen(): tests and the demo mount it on their own server. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(httpMetricsMiddleware(createHttpMetrics(deps.registry)));
  app.use(
    pinoHttp({
      logger: deps.logger,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      autoLogging: { ignore: (req) => req.url === '/metrics' || req.url === '/healthz' || req.url === '/readyz' },
    }),
  );

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await deps.db.pg.query('select 1 from graphile_worker.jobs limit 0');
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'not ready', reason: 'database unreachable or not migrated' });
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.registry.contentType).send(await deps.registry.metrics());
  });

  const v1 = express.Router();
  v1.use(authenticate(deps.db, deps.adminToken));
  v1.use(express.json({ limit: '1mb', type: ['application/json'] }));
  v1.use(organisationRoutes(deps.db));
  v1.use(importRoutes(deps.db, createImportMetrics(deps.registry)));
  v1.use(factorRoutes(deps.db));
  v1.use(organisationFactorRoutes(deps.db));
  v1.use(calculationRoutes(deps.db, deps.analytics));
  v1.use(reportRoutes(deps.db, deps.analytics));
  v1.use(trendRoutes(deps.db, deps.analytics));
  v1.use(economicsRoutes(deps.db));
  v1.use(matchReviewRoutes(deps.db));
  v1.use(deadLetterRoutes(deps.db));
  app.use('/v1', v1);
  app.use(() => {
    throw notFound('route');
  });
  app.use(problemHandler(deps.logger));
  return app;
}
