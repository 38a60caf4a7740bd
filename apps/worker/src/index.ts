export { startWorker, type WorkerHandle } from './main.ts';
export { parseWorkerEnv, type WorkerEnv } from './env.ts';
export { createCalculationPool } from './pool/calculationPool.ts';
