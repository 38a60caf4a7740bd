import { z } from 'zod';

export const RunPayload = z.object({ runId: z.uuid() });
export const ChunkPayload = z.object({ runId: z.uuid(), chunkNo: z.number().int().min(0) });
