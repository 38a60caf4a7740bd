import { SchemaValidationError, type Interceptor, type QueryResultRow } from 'slonik';

/** Validates every row of a `sql.type(schema)` query against its zod schema (slonik README). */
export const createResultParserInterceptor = (): Interceptor => ({
  name: 'tally-result-parser',
  transformRowAsync: async (executionContext, actualQuery, row) => {
    const { resultParser } = executionContext;
    if (!resultParser) return row;
    const validation = await resultParser['~standard'].validate(row);
    if (validation.issues) throw new SchemaValidationError(actualQuery, row, validation.issues);
    return validation.value as QueryResultRow;
  },
});
