export * from './postgres.ts';
export * from './databases.ts';
