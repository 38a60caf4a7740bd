export { createApp, type AppDeps } from './createApp.ts';
export { startAdmin } from './main.ts';
export { parseEnv } from './env.ts';
