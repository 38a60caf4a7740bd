export * from './postgres.ts';
export * from './databases.ts';
export * from './reference.ts';
